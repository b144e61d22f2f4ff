package results

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

func readJUnit(t *testing.T, b []byte) junitSuites {
	t.Helper()
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(b, &doc), "%s", b)
	return doc
}

// requireJUnitShape checks b against the shape go-junit-report writes
// (github.com/jstemmer/go-junit-report/v2/junit): <testsuites> around one
// <testsuite> with its required attributes, <testcase>s with a name and a
// classname; and what CI users rely on: no address or port in any name, a
// failure with a message and its detail as its text.
func requireJUnitShape(t *testing.T, b []byte) junitSuites {
	t.Helper()
	required := map[string][]string{
		"testsuites": {"tests", "failures", "errors", "time"},
		"testsuite":  {"name", "tests", "failures", "errors", "id", "time"},
		"testcase":   {"name", "classname"},
		"property":   {"name", "value"},
		"failure":    {"message"},
		"skipped":    {"message"},
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var open []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch el := tok.(type) {
		case xml.StartElement:
			var attrs []string
			for _, a := range el.Attr {
				attrs = append(attrs, a.Name.Local)
				if a.Name.Local == "name" && el.Name.Local != "property" {
					require.NotRegexp(t, address, a.Value, "a %s's name never holds an address or a port", el.Name.Local)
				}
			}
			for _, a := range required[el.Name.Local] {
				require.Contains(t, attrs, a, "<%s> without %s", el.Name.Local, a)
			}
			if len(open) == 0 {
				require.Equal(t, "testsuites", el.Name.Local)
			}
			open = append(open, el.Name.Local)
		case xml.EndElement:
			open = open[:len(open)-1]
		}
	}
	doc := readJUnit(t, b)
	require.Len(t, doc.Suites, 1)
	s := doc.Suites[0]
	require.Equal(t, len(s.Cases), s.Tests)
	failures, skipped := 0, 0
	for _, c := range s.Cases {
		require.Equal(t, Classname, c.Classname, "one class, whoever is graded")
		if c.Failure != nil {
			failures++
			require.NotEmpty(t, c.Failure.Message, c.Name)
			require.True(t, strings.HasPrefix(c.Failure.Text, "FAIL  ") || strings.HasPrefix(c.Failure.Text, "SKIP  "), "the detail: %q", c.Failure.Text)
		}
		if c.Skipped != nil {
			skipped++
		}
	}
	require.Equal(t, []int{failures, skipped}, []int{s.Failures, s.Skipped})
	require.Equal(t, []int{doc.Tests, doc.Failures, doc.Skipped}, []int{s.Tests, s.Failures, s.Skipped})
	return doc
}

// aServerAlone is a grade of the lecture's script as client grade makes
// one, cut short.
func aServerAlone() Submission {
	ms := time.Millisecond
	return Submission{Report: grade.Report{
		Name:    "Ada, \"the\" student",
		Addr:    "127.0.0.1:8000",
		Timeout: 3 * time.Second,
		Checks: []grade.Result{
			{ID: "answers", Name: "answers on the address graded", Title: "answers on 127.0.0.1:8000", Status: grade.Pass,
				Reason: "the call was picked up.", Required: true, Elapsed: 2 * ms},
			{ID: "greeting", Name: `greets with "hello\n"`, Title: `greets with "hello\n"`, Status: grade.Fail,
				Reason: `it said "howdy\x00\n" & <more>.`, Fix: `greet with exactly "hello\n".`, Required: true},
			{ID: "echo-3000", Name: "echoes one read of 3000 bytes", Title: "echoes one read of 3000 bytes", Status: grade.Warn,
				Reason: "then a reset.", Required: true, Advisory: true},
			{ID: "silent-caller", Name: "handles a caller who says nothing", Title: "handles a caller who says nothing",
				Status: grade.Skip, Reason: "not checked: the server stopped answering after one call"},
			{ID: "model", Name: "one employee or many", Title: "one employee or many", Status: grade.Info,
				Reason: "many employees: a second caller was greeted."},
			{ID: "not-on", Name: "not reachable on another address", Title: "not reachable on 127.0.0.2:8000",
				Status: grade.Skip, Reason: "not observed: it does not answer on its own address either", Required: true},
		},
		Calls:   3,
		Elapsed: 1234 * ms,
	}}
}

// TestWriteJUnit: a failure is a failure; a check that could not run is
// skipped, required or not ("not run", never failed: its cause is the
// failure; a required one still counts in max_score);
// names and classnames hold no address; the address, the verdict and the
// points are properties.
func TestWriteJUnit(t *testing.T) {
	var b strings.Builder
	require.NoError(t, aServerAlone().WriteJUnit(&b, Default()))
	out := b.String()
	require.True(t, strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`), out)
	doc := requireJUnitShape(t, []byte(out))
	require.Equal(t, []int{6, 1, 2}, []int{doc.Tests, doc.Failures, doc.Skipped})
	s := doc.Suites[0]
	require.Equal(t, aServerAlone().Report.Name, s.Name)
	require.Equal(t, "1.234", s.Time)
	for _, p := range []junitProperty{{"addr", "127.0.0.1:8000"}, {"verdict", "FAIL"}, {"score", "4"}, {"max_score", "8"}} {
		require.Contains(t, s.Properties, p, "answers 3 + echo-3000 1, of answers, greeting, echo-3000 and not-on's 3+2+1+2")
	}
	require.Equal(t, "FAIL  one required check failed, 2 not run, one warning (3 calls in 1.2s)\n", s.SystemOut)
	tests := []struct {
		name             string
		failure, skipped bool
		failType         string
	}{
		{"answers: answers on the address graded", false, false, ""},
		{`greeting: greets with "hello\n"`, true, false, "FAIL"},
		{"echo-3000: echoes one read of 3000 bytes", false, false, ""},
		{"silent-caller: handles a caller who says nothing", false, true, ""},
		{"model: one employee or many", false, false, ""},
		{"not-on: not reachable on another address", false, true, ""},
	}
	for i, tt := range tests {
		c := s.Cases[i]
		require.Equal(t, tt.name, c.Name)
		require.Equal(t, tt.failure, c.Failure != nil, c.Name)
		require.Equal(t, tt.skipped, c.Skipped != nil, c.Name)
		if tt.failure {
			require.Equal(t, tt.failType, c.Failure.Type)
			require.Equal(t, aServerAlone().Report.Checks[i].Reason, c.Failure.Message)
		}
	}
	require.Contains(t, s.Cases[1].Failure.Text, "\n      fix: greet with exactly")
	require.Contains(t, s.Cases[2].SystemOut, "WARN  echoes one read")
	require.Equal(t, "0.002", s.Cases[0].Time)
}

// TestWriteJUnitOfTheLab: a lab's grade (the class grader's) has the
// verdict's words as the suite's output, a failure's explanation in the
// lecture's terms as its text, and no test for the INFO that only explains.
func TestWriteJUnitOfTheLab(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, carol().WriteJUnit(&b, Default()))
	doc := requireJUnitShape(t, b.Bytes())
	s := doc.Suites[0]
	require.Equal(t, "carol", s.Name)
	require.Contains(t, s.Properties, junitProperty{"score", "18"})
	require.Contains(t, s.Properties, junitProperty{"max_score", "20"})
	require.True(t, strings.HasPrefix(s.SystemOut, "verdict: FAIL: "), s.SystemOut)
	var names []string
	for _, c := range s.Cases {
		names = append(names, c.Name)
		if c.Failure != nil {
			require.Equal(t, "not-on: name of not-on", c.Name)
			require.Equal(t, "FAIL  title of not-on: reason of not-on.\n\nIn the lecture's terms: your server listens on 0.0.0.0:8000.\n", c.Failure.Text)
		}
	}
	require.False(t, slices.Contains(names, "explained: name of explained"))
	require.Equal(t, 1, s.Failures)
}

// TestWriteJUnitInvalidText: a byte XML forbids, even escaped, is replaced,
// so the file still parses; markup is escaped.
func TestWriteJUnitInvalidText(t *testing.T) {
	s := Submission{Report: grade.Report{Checks: []grade.Result{{ID: "x", Name: "<x>", Status: grade.Fail, Reason: "a\x00b & \xff"}}}}
	var b strings.Builder
	require.NoError(t, s.WriteJUnit(&b, Weights{}))
	doc := readJUnit(t, []byte(b.String()))
	c := doc.Suites[0].Cases[0]
	require.Equal(t, "x: <x>", c.Name)
	require.Equal(t, defaultSuite, doc.Suites[0].Name)
	require.NotContains(t, c.Failure.Message, "\x00")
	require.Contains(t, c.Failure.Message, "b & ")
}
