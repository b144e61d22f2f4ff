package results

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

// Gradescope's autograder specification
// (gradescope-autograders.readthedocs.io/en/latest/specs/): the keys of
// results.json and of each test, the output formats and the visibilities.
var (
	gradescopeKeys     = []string{"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
	gradescopeTestKeys = []string{"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags", "visibility", "extra_data"}
	gradescopeFormats  = []string{"text", "html", "simple_format", "md", "ansi"}
	address            = regexp.MustCompile(`\d+\.\d+\.\d+\.\d+|:\d{2,5}\b`)
)

// requireGradescopeContract checks b against the specification: only its
// keys, each of its type; a score the sum of the tests', none above its
// max_score; a status, when there is one, passed or failed; text formats
// Gradescope knows; test names with no address or port.
func requireGradescopeContract(t *testing.T, b []byte) map[string]any {
	t.Helper()
	m := decode(t, b)
	for k := range m {
		require.Contains(t, gradescopeKeys, k, "a key Gradescope does not define")
	}
	for _, k := range []string{"score", "execution_time"} {
		require.IsType(t, 0.0, m[k], k)
	}
	require.IsType(t, "", m["output"])
	for _, k := range []string{"output_format", "test_output_format", "test_name_format"} {
		require.Contains(t, gradescopeFormats, m[k], k)
	}
	for _, k := range []string{"visibility", "stdout_visibility"} {
		if v, ok := m[k]; ok {
			require.Contains(t, visibilities, v, k)
		}
	}
	require.IsType(t, map[string]any{}, m["extra_data"])
	sum := 0.0
	for _, x := range m["tests"].([]any) {
		tc := x.(map[string]any)
		for k := range tc {
			require.Contains(t, gradescopeTestKeys, k, "a test key Gradescope does not define")
		}
		require.IsType(t, "", tc["name"])
		require.NotRegexp(t, address, tc["name"], "a test's name never holds an address or a port")
		require.IsType(t, 0.0, tc["score"])
		require.IsType(t, 0.0, tc["max_score"])
		require.LessOrEqual(t, tc["score"], tc["max_score"])
		if st, ok := tc["status"]; ok {
			require.Contains(t, []any{"passed", "failed"}, st)
		}
		require.IsType(t, "", tc["output"])
		require.Contains(t, gradescopeFormats, tc["output_format"])
		if v, ok := tc["visibility"]; ok {
			require.Contains(t, visibilities, v)
		}
		sum += tc["score"].(float64)
	}
	require.Equal(t, round(sum), m["score"], "the score is its tests'")
	return m
}

func TestWriteGradescope(t *testing.T) {
	w, err := ParseWeights(strings.NewReader("program 3\nanswers 2\ngreeting 2\nsilent-caller 0\necho-3000 1\nvisibility after_due_date\n"))
	require.NoError(t, err)

	var b bytes.Buffer
	require.NoError(t, failing().WriteGradescope(&b, w))
	m := requireGradescopeContract(t, b.Bytes())
	require.Equal(t, 0.0, m["score"])
	require.Equal(t, 1.5, m["execution_time"])
	require.Equal(t, "text", m["output_format"], "not simple_format: a program may print <")
	require.Equal(t, "after_due_date", m["visibility"])
	require.NotContains(t, m, "stdout_visibility", "unset: Gradescope's default")
	require.Equal(t, map[string]any{"student": "", "verdict": "FAIL", "passed": false, "graded": true, "setup_problem": false, "one_host": true}, m["extra_data"])
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
	require.Equal(t, "after_due_date", program["visibility"])
	require.Contains(t, program["output"], "FAIL  title of program: reason of program.\n\nWhat went wrong, in the lecture's terms:\n  - line 21: this is Python 2 code.\n  - line 6: en0 is a Mac's.")
	// The checks the program's failure kept from running are not run, never
	// failed: no status, nothing earned; a required one keeps its points
	// as the most it could have earned, one that is not required none.
	answers := tests[1].(map[string]any)
	require.NotContains(t, answers, "status", "not run: neither passed nor failed")
	require.Equal(t, "SKIP  title of answers: reason of answers.", answers["output"])
	require.Equal(t, 2.0, answers["max_score"])
	require.NotContains(t, tests[2], "status")
	require.NotContains(t, tests[3], "status", "a check that is not required and could not run neither passed nor failed")
	require.Equal(t, 0.0, tests[3].(map[string]any)["max_score"])

	// A program that ran: a failed check says the finding that explains it.
	b.Reset()
	require.NoError(t, carol().WriteGradescope(&b, Default()))
	m = requireGradescopeContract(t, b.Bytes())
	require.Equal(t, 18.0, m["score"])
	for _, x := range m["tests"].([]any) {
		if tc := x.(map[string]any); tc["name"] == "not-on: name of not-on" {
			require.Equal(t, "FAIL  title of not-on: reason of not-on.\n\nIn the lecture's terms: your server listens on 0.0.0.0:8000.", tc["output"])
		}
	}

	b.Reset()
	require.NoError(t, passing().WriteGradescope(&b, w))
	m = requireGradescopeContract(t, b.Bytes())
	require.Equal(t, 6.0, m["score"], "answers 2 + echo-3000 1 (a warning passes) + model 0 + program 3")
	for _, test := range m["tests"].([]any) {
		require.Equal(t, "passed", test.(map[string]any)["status"])
	}
}

// TestWriteGradescopeOfAServerAlone: client grade's report, with no
// program and no verdict's words: the summary line is the output, and
// each check's line its test's.
func TestWriteGradescopeOfAServerAlone(t *testing.T) {
	rep := grade.Report{Name: `Ada, "the" student`, Addr: "127.0.0.1:8000", Elapsed: 1234 * time.Millisecond, Calls: 3, Checks: []grade.Result{
		{ID: "answers", Name: "answers on the address graded", Title: "answers on 127.0.0.1:8000", Status: grade.Pass, Reason: "the call was picked up.", Required: true},
		{ID: "greeting", Name: `greets with "hello\n"`, Title: `greets with "hello\n"`, Status: grade.Fail,
			Reason: `it said "howdy\x00\n" & <more>.`, Fix: `greet with exactly "hello\n".`, Required: true},
		{ID: "not-on", Name: "not reachable on another address", Title: "not reachable on 127.0.0.2:8000", Status: grade.Skip, Reason: "not observed", Required: true},
	}}
	var b bytes.Buffer
	require.NoError(t, Submission{Report: rep}.WriteGradescope(&b, Default()))
	m := requireGradescopeContract(t, b.Bytes())
	require.Equal(t, 3.0, m["score"], "answers 3 of weights.txt's; greeting failed; not-on could not run")
	require.Equal(t, 1.23, m["execution_time"])
	require.Equal(t, "FAIL  one required check failed, 1 not run (3 calls in 1.2s)\n", m["output"])
	require.Equal(t, rep.Name, m["extra_data"].(map[string]any)["student"])
	tests := m["tests"].([]any)
	require.Equal(t, "FAIL  greets with \"hello\\n\": it said \"howdy\\x00\\n\" & <more>.\n      fix: greet with exactly \"hello\\n\".", tests[1].(map[string]any)["output"])
	var max []float64
	for _, x := range tests {
		max = append(max, x.(map[string]any)["max_score"].(float64))
	}
	require.Equal(t, []float64{3, 2, 2}, max)
}

func TestWriteGradescopeNotGraded(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Submission
		says string
	}{
		{"no server.py: the student's", Submission{Why: "the submission cannot be graded: it has no server.py", OneHost: true}, "not graded: the submission cannot be graded: it has no server.py\n"},
		{"no network: the autograder's", Submission{Setup: true, NoNetwork: true, Why: "this machine has no network interface but loopback", OneHost: true}, "This is the autograder's set-up, not your program"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tc.s.WriteGradescope(&b, Default()))
			m := requireGradescopeContract(t, b.Bytes())
			require.Equal(t, 0.0, m["score"])
			require.Empty(t, m["tests"])
			require.Contains(t, m["output"], tc.says)
			require.Equal(t, "not graded", m["extra_data"].(map[string]any)["verdict"])
		})
	}
}

// TestEveryWriterListsTheSameChecks: JUnit, Gradescope and PrairieLearn
// list the same checks, in the same order, worth the same points.
func TestEveryWriterListsTheSameChecks(t *testing.T) {
	for _, s := range []Submission{failing(), passing(), carol()} {
		var gs, pl, ju bytes.Buffer
		require.NoError(t, s.WriteGradescope(&gs, Default()))
		require.NoError(t, s.WritePrairieLearn(&pl, Default()))
		require.NoError(t, s.WriteJUnit(&ju, Default()))
		var names [3][]string
		var points [2][]float64
		for _, x := range decode(t, gs.Bytes())["tests"].([]any) {
			names[0] = append(names[0], x.(map[string]any)["name"].(string))
			points[0] = append(points[0], x.(map[string]any)["score"].(float64), x.(map[string]any)["max_score"].(float64))
		}
		for _, x := range decode(t, pl.Bytes())["tests"].([]any) {
			names[1] = append(names[1], x.(map[string]any)["name"].(string))
			points[1] = append(points[1], x.(map[string]any)["points"].(float64), x.(map[string]any)["max_points"].(float64))
		}
		for _, c := range readJUnit(t, ju.Bytes()).Suites[0].Cases {
			names[2] = append(names[2], c.Name)
		}
		require.Equal(t, names[0], names[1])
		require.Equal(t, names[0], names[2])
		require.Equal(t, points[0], points[1])
		require.False(t, slices.Contains(names[0], "explained: name of explained"))
	}
}
