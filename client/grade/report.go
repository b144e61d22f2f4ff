package grade

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Header is the line a text report starts with.
func Header(addr string, timeout time.Duration) string {
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return fmt.Sprintf("grading %s against the lecture's protocol (each step waits at most %v)\n", addr, timeout)
}

// WriteResult writes one check as one line: status, title, reason.
func WriteResult(w io.Writer, r Result) error {
	_, err := fmt.Fprintf(w, "%-4s  %s: %s\n", r.Status, r.Title, r.Reason)
	return err
}

// Summary is the line a text report ends with: the verdict, and what
// kept it from passing.
func (r Report) Summary() string {
	count := map[Status]int{}
	failed, blocked := 0, 0
	for _, c := range r.Checks {
		count[c.Status]++
		if c.Required && c.Status == Fail {
			failed++
		}
		if c.Required && c.Status == Skip {
			blocked++
		}
	}
	var parts []string
	switch {
	case r.Passed:
		parts = append(parts, "every required check passed")
	case failed > 0:
		parts = append(parts, fmt.Sprintf("%s failed", plural(failed, "required check")))
	}
	if blocked > 0 {
		parts = append(parts, fmt.Sprintf("%d not checked", blocked))
	}
	if n := count[Warn]; n > 0 {
		parts = append(parts, plural(n, "warning"))
	}
	if r.Interrupted {
		parts = append(parts, "interrupted")
	}
	verdict := Pass
	if !r.Passed {
		verdict = Fail
	}
	return fmt.Sprintf("%-4s  %s (%s in %s)\n", verdict, strings.Join(parts, ", "), plural(r.Calls, "call"), seconds(r.Elapsed))
}

// WriteText writes the whole report as a student reads it.
func (r Report) WriteText(w io.Writer) error {
	if _, err := io.WriteString(w, Header(r.Addr, r.Timeout)); err != nil {
		return err
	}
	for _, c := range r.Checks {
		if err := WriteResult(w, c); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, r.Summary())
	return err
}

// WriteJSON writes the report as one JSON object and a newline.
func (r Report) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(r)
}

// The JUnit XML shapes CI systems read: one test suite, one test case
// per check. A failed check is a <failure>, one that could not run is
// <skipped>; a warning or a fact passes, with its words in <system-out>.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Errors   int         `xml:"errors,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Time     string      `xml:"time,attr"`
		Cases    []junitCase `xml:"testcase"`
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
// each check as a test.
func (r Report) WriteJUnit(w io.Writer) error {
	suite := junitSuite{Name: "client grade " + r.Addr, Time: junitTime(r.Elapsed)}
	for _, c := range r.Checks {
		tc := junitCase{Name: c.ID + ": " + c.Title, Classname: "grade", Time: junitTime(c.Elapsed)}
		switch {
		case c.Status == Fail:
			tc.Failure = &junitMessage{Message: c.Reason, Type: string(c.Status), Text: string(c.Status) + "  " + c.Title + ": " + c.Reason}
			suite.Failures++
		case c.Status == Skip:
			tc.Skipped = &junitMessage{Message: c.Reason}
			suite.Skipped++
		default:
			tc.SystemOut = string(c.Status) + "  " + c.Title + ": " + c.Reason
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "socketlab", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
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
