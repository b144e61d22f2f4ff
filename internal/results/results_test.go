package results

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student"
)

func result(id string, status grade.Status, required bool) grade.Result {
	return grade.Result{ID: id, Name: "name of " + id, Title: "title of " + id, Status: status, Reason: "reason of " + id + ".", Required: required}
}

// failing is the lecture's script as printed, graded on one host.
func failing() Submission {
	v := student.Verdict{Findings: []student.Finding{{ID: "python2-print", Line: 21, Says: "this is Python 2 code."}, {ID: "hint-en0", Line: 6, Says: "en0 is a Mac's."}}}
	g := grade.Report{Checks: []grade.Result{
		result("program", grade.Fail, true), result("answers", grade.Skip, true), result("greeting", grade.Skip, true),
		result("silent-caller", grade.Skip, false), result("explained", grade.Info, false), result("one-host", grade.Info, false),
	}, Elapsed: 1500 * time.Millisecond}
	s := FromVerdict(v, g)
	out := "  File \"server.py\", line 21\nSyntaxError: Missing parentheses\n"
	s.Output, s.OneHost, s.Notes = &out, true, []string{"On one host: the call did not cross a network."}
	return s
}

func passing() Submission {
	g := grade.Report{Passed: true, Checks: []grade.Result{
		result("answers", grade.Pass, true), result("echo-3000", grade.Warn, true), result("model", grade.Info, false),
		result("program", grade.Pass, true), result("one-host", grade.Info, false),
	}}
	return FromVerdict(student.Verdict{Passed: true}, g)
}

// carol is e2e/testdata/class/carol as the lab grades it: a server bound
// to 0.0.0.0, which answers on laptop-a's other network too.
func carol() Submission {
	var g grade.Report
	for _, id := range []string{"answers", "greeting", "greeting-first", "echo", "echo-crlf", "echo-1000", "echo-3000", "hangs-up"} {
		g.Checks = append(g.Checks, result(id, grade.Pass, true))
	}
	g.Checks = append(g.Checks, result("silent-caller", grade.Warn, false), result("model", grade.Info, false),
		result("not-on", grade.Fail, true), result("still-there", grade.Pass, true), result("program", grade.Pass, true),
		result("explained", grade.Info, false))
	g.Name, g.Addr, g.Elapsed = "carol", "10.214.2.10:8000", 2600*time.Millisecond
	return FromVerdict(student.Verdict{Findings: []student.Finding{{ID: "all-interfaces", Says: "your server listens on 0.0.0.0:8000."}}}, g)
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "%s", b)
	return m
}

// TestPoints: the shipped weights give carol 18 of 20, as Gradescope did
// and the class grader now does (it gave 10 of 11 when every required
// check was a point); a grade of a server alone has no "program" check
// and no -not-on here, so it is out of 15.
func TestPoints(t *testing.T) {
	earned, total := carol().Points(Default())
	require.Equal(t, []float64{18, 20}, []float64{earned, total})

	earned, total = carol().Points(Weights{})
	require.Equal(t, []float64{10, 11}, []float64{earned, total}, "no weights: a point per required check")

	alone := carol()
	alone.Report.Checks = alone.Report.Checks[:len(alone.Report.Checks)-2]
	alone.Report.Checks = append(alone.Report.Checks[:10], alone.Report.Checks[11:]...) // no not-on
	earned, total = alone.Points(Default())
	require.Equal(t, []float64{16, 16}, []float64{earned, total})

	// -allow-once: still-there is not required, and a server gone cannot
	// be asked: it is worth nothing, not 2 points lost.
	once := alone
	once.Report.Checks = append([]grade.Result(nil), alone.Report.Checks...)
	once.Report.Checks[len(once.Report.Checks)-1] = result("still-there", grade.Skip, false)
	earned, total = once.Points(Default())
	require.Equal(t, []float64{14, 14}, []float64{earned, total})

	// Not graded: nothing earned, nothing to earn.
	earned, total = Submission{Why: "no server.py"}.Points(Default())
	require.Equal(t, []float64{0, 0}, []float64{earned, total})
}

// TestJSONCarriesWhatTheWritersNeed: laptop-b writes its grade as JSON and
// client class reads it back: the findings and the verdict's words come
// through, so the class's results.json explains as Gradescope's does.
func TestJSONCarriesWhatTheWritersNeed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grade.json")
	files, err := Files{JSON: path}.Open()
	require.NoError(t, err)
	require.NoError(t, files.Write(failing(), Default(), nil))
	require.NoError(t, files.Close())
	back, err := ReadJSON(path)
	require.NoError(t, err)
	require.Equal(t, failing(), back)

	var a, b bytes.Buffer
	require.NoError(t, failing().WriteGradescope(&a, Default()))
	require.NoError(t, back.WriteGradescope(&b, Default()))
	require.Equal(t, a.String(), b.String())
}

func TestFromVerdict(t *testing.T) {
	s := carol()
	require.True(t, strings.HasPrefix(s.Verdict, "verdict: FAIL: your "), s.Verdict)
	require.Contains(t, s.Verdict, "  - your server listens on 0.0.0.0:8000.\n")
	require.Equal(t, "all-interfaces", s.Findings[0].ID)
	require.True(t, s.Graded())
}
