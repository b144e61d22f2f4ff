package grade

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The formats graders read. Each names a check by Result.ID and Name only,
// never by an address, so the same check lines up across a class.

// Classname is every JUnit test case's classname: one class, the grader's
// checklist, whoever is graded.
const Classname = "socketlab.grade"

// defaultSuite names the JUnit test suite of a report without a Name.
const defaultSuite = "socketlab grade"

// testName is a check's name in JUnit and Gradescope: "echo-3000: echoes
// one read of 3000 bytes".
func testName(r Result) string { return r.ID + ": " + r.Name }

// notChecked says a required check could not run: it counts against the
// grade, as a failure, never as a skip.
func notChecked(r Result) bool { return r.Required && r.Status == Skip }

// failedCheck says a check keeps the grade from passing.
func failedCheck(r Result) bool { return r.Required && (r.Status == Fail || r.Status == Skip) }

// The JUnit XML shapes, as go-junit-report writes them: one test suite
// named for the student, one test case per check. A failed check, or a
// required one that could not run, is a <failure>; a check that is not
// required and could not run is <skipped>; a warning or a fact passes,
// with its words in <system-out>.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		ID         int             `xml:"id,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitMessage `xml:"failure,omitempty"`
		Skipped   *junitMessage `xml:"skipped,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitMessage struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",chardata"`
	}
)

// WriteJUnit writes the report as JUnit XML, so an instructor's CI shows
// each check as a test. The suite is named for the student (Report.Name);
// the address graded is a property, not a name.
func (r Report) WriteJUnit(w io.Writer) error {
	name := r.Name
	if name == "" {
		name = defaultSuite
	}
	suite := junitSuite{Name: name, Time: junitTime(r.Elapsed), Properties: []junitProperty{
		{"student", r.Name}, {"addr", r.Addr}, {"verdict", string(r.verdict())},
	}}
	for _, c := range r.Checks {
		tc := junitCase{Name: testName(c), Classname: Classname, Time: junitTime(c.Elapsed)}
		switch {
		case c.Status == Fail || notChecked(c):
			typ := string(c.Status)
			if notChecked(c) {
				typ = "not checked"
			}
			tc.Failure = &junitMessage{Message: c.Reason, Type: typ, Text: resultText(c)}
			suite.Failures++
		case c.Status == Skip:
			tc.Skipped = &junitMessage{Message: c.Reason}
			suite.Skipped++
		default:
			tc.SystemOut = resultText(c)
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "\t")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitTime is seconds with millisecond precision, as JUnit writes them.
func junitTime(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// Gradescope's results.json, as its autograder specification describes it:
// a total score, and one test per check. A required check is worth one
// point, earned when it passes (a warning or a fact passes); a check that
// is not required is worth nothing and only informs.
type (
	gradescopeResults struct {
		Score         float64          `json:"score"`
		ExecutionTime float64          `json:"execution_time"`
		Output        string           `json:"output"`
		ExtraData     map[string]any   `json:"extra_data"`
		Tests         []gradescopeTest `json:"tests"`
	}
	gradescopeTest struct {
		Name     string  `json:"name"`
		Status   string  `json:"status,omitempty"`
		Score    float64 `json:"score"`
		MaxScore float64 `json:"max_score"`
		Output   string  `json:"output"`
	}
)

// WriteGradescope writes the report as Gradescope's results.json. Status
// is "passed" or "failed"; a check that is not required and could not run
// has none, since it neither passed nor failed.
func (r Report) WriteGradescope(w io.Writer) error {
	res := gradescopeResults{
		ExecutionTime: roundSeconds(r.Elapsed),
		Output:        strings.TrimSuffix(r.Summary(), "\n"),
		ExtraData:     map[string]any{"student": r.Name, "verdict": r.verdict(), "passed": r.Passed},
		Tests:         []gradescopeTest{},
	}
	for _, c := range r.Checks {
		t := gradescopeTest{Name: testName(c), Output: strings.TrimSuffix(resultText(c), "\n")}
		switch {
		case failedCheck(c) || c.Status == Fail:
			t.Status = "failed"
		case c.Status != Skip:
			t.Status = "passed"
		}
		if c.Required {
			t.MaxScore = 1
			if t.Status == "passed" {
				t.Score = 1
			}
		}
		res.Score += t.Score
		res.Tests = append(res.Tests, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// roundSeconds is d in seconds, to the tenth.
func roundSeconds(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// CSVHeader is the header line of the one-line-per-submission CSV form.
var CSVHeader = []string{"student", "verdict", "passed", "required", "failed_checks", "seconds", "note"}

// CSVRow is the report as one CSV record, the columns of CSVHeader:
// student (Report.Name), verdict (PASS or FAIL), passed (required checks
// that passed), required (required checks), failed_checks (the IDs of the
// required checks that failed or could not run, separated by spaces),
// seconds (the grade's time, to the tenth) and note (why the first failed
// check failed; "interrupted" for an interrupted grade; "" for a pass).
func (r Report) CSVRow() []string {
	passed, required := 0, 0
	var failed []string
	note := ""
	for _, c := range r.Checks {
		if !c.Required {
			continue
		}
		required++
		if failedCheck(c) {
			failed = append(failed, c.ID)
			if note == "" && c.Status == Fail {
				note = c.ID + ": " + c.Reason
			}
			continue
		}
		passed++
	}
	if r.Interrupted {
		note = "interrupted"
	}
	if note == "" && len(failed) > 0 {
		note = failed[0] + ": " + r.check(failed[0]).Reason
	}
	return []string{r.Name, string(r.verdict()), strconv.Itoa(passed), strconv.Itoa(required),
		strings.Join(failed, " "), strconv.FormatFloat(roundSeconds(r.Elapsed), 'f', 1, 64), note}
}

// WriteCSV writes the report as one CSV line, after the header line when
// header is set; fields are quoted as encoding/csv quotes them.
func (r Report) WriteCSV(w io.Writer, header bool) error {
	cw := csv.NewWriter(w)
	if header {
		cw.Write(CSVHeader)
	}
	cw.Write(r.CSVRow())
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// WriteMarkdownRow writes the report as one row of a Markdown table whose
// columns are CSVHeader's, in words: | Student | Verdict | Checks passed |
// Failed checks | Time | Note |. A class's summary.md is such rows under
// one header; a | in a field is escaped so it cannot split a cell.
func (r Report) WriteMarkdownRow(w io.Writer) error {
	f := r.CSVRow()
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
	}
	_, err := fmt.Fprintf(w, "| %s | %s | %s/%s | %s | %ss | %s |\n",
		cell(f[0]), f[1], f[2], f[3], cell(f[4]), f[5], cell(f[6]))
	return err
}

// verdict is the report's one word: PASS or FAIL.
func (r Report) verdict() Status {
	if r.Passed {
		return Pass
	}
	return Fail
}

// check is the result of the check with id.
func (r Report) check(id string) Result {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return Result{}
}
