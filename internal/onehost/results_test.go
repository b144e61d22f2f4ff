package onehost

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student"
)

// shipped is the weights file that `just gradescope` zips and the
// PrairieLearn image holds.
const shipped = "../../deploy/grading/weights.txt"

func TestTheShippedWeightsParseAndTotalTwenty(t *testing.T) {
	w, err := ReadWeights(shipped)
	require.NoError(t, err)
	total := 0.0
	for _, id := range append(grade.CheckIDs(), "program") {
		p, ok := w.Points[id]
		require.True(t, ok, "the shipped file weighs every check: %s is missing", id)
		total += p
	}
	require.Equal(t, 20.0, total)
	require.Equal(t, "visible", w.Visibility)
	require.Equal(t, "visible", w.StdoutVisibility)
}

func TestParseWeights(t *testing.T) {
	for _, tc := range []struct {
		name, text, err string
	}{
		{"comments and blank lines", "# a comment\n\necho 2 # two points\nnot-on 0.5\n", ""},
		{"a typo", "ecoh 2\n", `line 1: no check is called "ecoh"`},
		{"not a number", "echo two\n", `line 1: echo: "two" is not a number`},
		{"negative", "echo -1\n", "is not a number of points (0 or more)"},
		{"twice", "echo 1\necho 2\n", "line 2: echo is given twice"},
		{"no points", "echo\n", "want a check and its points"},
		{"a visibility Gradescope has not", "visibility public\n", `visibility "public": one of hidden, after_due_date, after_published, visible`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWeights(strings.NewReader(tc.text))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, map[string]float64{"echo": 2, "not-on": 0.5}, w.Points)
		})
	}
}

func TestWeightsOf(t *testing.T) {
	w := Weights{Points: map[string]float64{"not-on": 3, "echo": 0}}
	for _, tc := range []struct {
		c    grade.Result
		want float64
	}{
		{grade.Result{ID: "not-on", Required: true}, 3},
		{grade.Result{ID: "not-on-2", Required: true}, 3},
		{grade.Result{ID: "echo", Required: true}, 0},
		{grade.Result{ID: "greeting", Required: true}, 1},
		{grade.Result{ID: "model"}, 0},
	} {
		require.Equal(t, tc.want, w.Of(tc.c), tc.c.ID)
	}
	require.Equal(t, 1.0, Weights{}.Of(grade.Result{ID: "echo", Required: true}), "no weights: a point per required check")
}

func result(id string, status grade.Status, required bool) grade.Result {
	return grade.Result{ID: id, Name: "name of " + id, Title: "title of " + id, Status: status, Reason: "reason of " + id + ".", Required: required}
}

// failing is the lecture's script as printed, graded on one host.
func failing() Result {
	v := student.Verdict{Findings: []student.Finding{{ID: "python2-print", Line: 21, Says: "this is Python 2 code."}, {ID: "hint-en0", Line: 6, Says: "en0 is a Mac's."}}}
	g := grade.Report{Checks: []grade.Result{
		result("program", grade.Fail, true), result("answers", grade.Fail, true), result("greeting", grade.Skip, true),
		result("silent-caller", grade.Skip, false), result("explained", grade.Info, false), result("one-host", grade.Info, false),
	}}
	return Result{Graded: true, Verdict: v, Grade: g, Output: "  File \"server.py\", line 21\nSyntaxError: Missing parentheses\n",
		Notes: []string{"On one host: the call did not cross a network."}, Took: 1500 * time.Millisecond}
}

func passing() Result {
	g := grade.Report{Passed: true, Checks: []grade.Result{
		result("answers", grade.Pass, true), result("echo-3000", grade.Warn, true), result("model", grade.Info, false),
		result("program", grade.Pass, true), result("one-host", grade.Info, false),
	}}
	return Result{Graded: true, Verdict: student.Verdict{Passed: true}, Grade: g, Output: "server listening at 172.17.0.5:8000\n"}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "%s", b)
	return m
}

func TestWriteGradescope(t *testing.T) {
	w, err := ParseWeights(strings.NewReader("program 3\nanswers 2\ngreeting 2\nsilent-caller 0\necho-3000 1\nvisibility after_due_date\n"))
	require.NoError(t, err)

	var b bytes.Buffer
	require.NoError(t, failing().WriteGradescope(&b, w))
	m := decode(t, b.Bytes())
	require.Equal(t, 0.0, m["score"])
	require.Equal(t, 1.5, m["execution_time"])
	require.Equal(t, "text", m["output_format"])
	require.Equal(t, "after_due_date", m["visibility"])
	require.NotContains(t, m, "stdout_visibility", "unset: Gradescope's default")
	out := m["output"].(string)
	require.True(t, strings.HasPrefix(out, "verdict: FAIL: your server did not do all the lecture asks.\n  - line 21: this is Python 2 code."), out)
	require.Contains(t, out, "What one host cannot show:\n  - On one host")
	require.Contains(t, out, "What your program printed:\n    File \"server.py\", line 21\n  SyntaxError")
	tests := m["tests"].([]any)
	require.Len(t, tests, 4, "a test per check; the INFOs that only explain are in the output")
	program := tests[0].(map[string]any)
	require.Equal(t, "program: name of program", program["name"])
	require.Equal(t, "failed", program["status"])
	require.Equal(t, 3.0, program["max_score"])
	require.Equal(t, 0.0, program["score"])
	require.Contains(t, program["output"], "FAIL  title of program: reason of program.\n\nWhat went wrong, in the lecture's terms:\n  - line 21: this is Python 2 code.\n  - line 6: en0 is a Mac's.")
	answers := tests[1].(map[string]any)
	require.Contains(t, answers["output"], "Why: line 21: this is Python 2 code.", "a failure the program's caused says the cause")
	require.Equal(t, "failed", tests[2].(map[string]any)["status"], "a required check that could not run fails")
	require.NotContains(t, tests[3], "status", "a check that is not required and could not run neither passed nor failed")

	// A program that ran: a failed check says the finding that explains it.
	everywhere := passing()
	everywhere.Verdict = student.Verdict{Findings: []student.Finding{{ID: "all-interfaces", Says: "your server listens on 0.0.0.0:8000."}}}
	everywhere.Grade.Checks = append(everywhere.Grade.Checks, result("not-on", grade.Fail, true))
	b.Reset()
	require.NoError(t, everywhere.WriteGradescope(&b, w))
	tests = decode(t, b.Bytes())["tests"].([]any)
	require.Equal(t, "FAIL  title of not-on: reason of not-on.\n\nIn the lecture's terms: your server listens on 0.0.0.0:8000.", tests[len(tests)-1].(map[string]any)["output"])

	b.Reset()
	require.NoError(t, passing().WriteGradescope(&b, w))
	m = decode(t, b.Bytes())
	require.Equal(t, 6.0, m["score"], "answers 2 + echo-3000 1 (a warning passes) + model 0 + program 3")
	for _, test := range m["tests"].([]any) {
		require.Equal(t, "passed", test.(map[string]any)["status"])
	}
}

func TestWriteGradescopeNotGraded(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Result
		says string
	}{
		{"no server.py: the student's", Result{Why: "the submission cannot be graded: it has no server.py"}, "not graded: the submission cannot be graded: it has no server.py\n"},
		{"no network: the autograder's", Result{Setup: true, NoNetwork: true, Why: "this machine has no network interface but loopback"}, "This is the autograder's set-up, not your program"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tc.r.WriteGradescope(&b, Weights{}))
			m := decode(t, b.Bytes())
			require.Equal(t, 0.0, m["score"])
			require.Empty(t, m["tests"])
			require.Contains(t, m["output"], tc.says)
		})
	}
}

func TestWritePrairieLearn(t *testing.T) {
	w := Weights{Points: map[string]float64{"program": 3, "answers": 1}}
	var b bytes.Buffer
	require.NoError(t, passing().WritePrairieLearn(&b, w))
	m := decode(t, b.Bytes())
	require.Equal(t, true, m["gradable"])
	require.Equal(t, 1.0, m["score"])
	require.Equal(t, "verdict: PASS: your server on laptop-a answered laptop-b across the lab as the lecture's server does.", m["message"])
	tests := m["tests"].([]any)
	require.Len(t, tests, 4)
	first := tests[0].(map[string]any)
	require.Equal(t, "answers: name of answers", first["name"])
	require.Equal(t, 1.0, first["points"])
	require.Equal(t, 1.0, first["max_points"])
	require.Equal(t, "reason of answers.", first["message"])
	require.Equal(t, "PASS  title of answers: reason of answers.", first["output"])

	b.Reset()
	require.NoError(t, failing().WritePrairieLearn(&b, w))
	m = decode(t, b.Bytes())
	require.Equal(t, 0.0, m["score"])
	require.Equal(t, true, m["gradable"])

	b.Reset()
	r := Result{Setup: true, NoNetwork: true, Why: "this machine has no network interface but loopback (it has: lo)"}
	require.NoError(t, r.WritePrairieLearn(&b, w))
	m = decode(t, b.Bytes())
	require.Equal(t, false, m["gradable"], "the course's set-up costs the student no attempt")
	require.NotContains(t, m, "score")
	require.Contains(t, m["message"], `"enableNetworking": true`)
	require.Contains(t, m["message"], "not your program")
	require.NotContains(t, m["message"], "FAIL")
	require.Equal(t, []any{m["message"]}, m["format_errors"])
}
