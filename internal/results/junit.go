package results

import (
	"encoding/xml"
	"io"
	"strconv"
	"time"
)

// Classname is every JUnit test case's classname: one class, the grader's
// checklist, whoever is graded.
const Classname = "socketlab.grade"

// defaultSuite names the JUnit test suite of a grade without a Name.
const defaultSuite = "socketlab grade"

// The JUnit XML shapes, as go-junit-report writes them: one test suite
// named for the student, its properties, one test case per check, and the
// suite's own output. A failed check is a <failure> with the reason as its
// message and the explanation as its text; a check that could not run is
// <skipped> ("not run", never a failure: its cause is); a warning or a
// fact passes, with its words in <system-out>.
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
		SystemOut  string          `xml:"system-out,omitempty"`
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

// WriteJUnit writes s as JUnit XML, so an instructor's CI shows each check
// as a test. The suite is named for the student (Report.Name); the address
// graded, the verdict and the points (w's, as in results.json) are
// properties, never a name; the verdict's words are the suite's output.
func (s Submission) WriteJUnit(out io.Writer, w Weights) error {
	name := s.Report.Name
	if name == "" {
		name = defaultSuite
	}
	checks, earned, total := s.score(w)
	suite := junitSuite{Name: name, Time: junitTime(s.Report.Elapsed), Properties: []junitProperty{
		{"student", s.Report.Name}, {"addr", s.Report.Addr}, {"verdict", s.verdict()},
		{"score", formatPoints(earned)}, {"max_score", formatPoints(total)},
	}, SystemOut: s.summary()}
	for _, sc := range checks {
		c := sc.check
		tc := junitCase{Name: testName(c), Classname: Classname, Time: junitTime(c.Elapsed)}
		switch {
		case sc.failed:
			tc.Failure = &junitMessage{Message: c.Reason, Type: string(c.Status), Text: s.explanation(sc) + "\n"}
			suite.Failures++
		case sc.notRun:
			tc.Skipped = &junitMessage{Message: c.Reason}
			suite.Skipped++
		default:
			tc.SystemOut = s.explanation(sc) + "\n"
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(out, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(out)
	enc.Indent("", "\t")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(out, "\n")
	return err
}

// junitTime is seconds with millisecond precision, as JUnit writes them.
func junitTime(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// formatPoints is points as results.json shows them: 18, 2.5.
func formatPoints(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }
