package results

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student"
)

// graded is a lab's grade: the program's check first, then the grader's,
// each PASS but for the statuses given as id, status pairs; with the
// verdict's findings.
func graded(fs []student.Finding, except ...any) Submission {
	status := map[string]grade.Status{}
	for i := 0; i < len(except); i += 2 {
		status[except[i].(string)] = except[i+1].(grade.Status)
	}
	rep := grade.Report{Policy: grade.PolicyLecture}
	for _, id := range append([]string{"program"}, grade.CheckIDs()...) {
		st, ok := status[id]
		if !ok {
			st = grade.Pass
		}
		r := result(id, st, true)
		if st == grade.Skip {
			r.Reason = "not run: because."
		}
		rep.Checks = append(rep.Checks, r)
	}
	rep.Passed = true
	for _, c := range rep.Checks {
		if c.Required && (c.Status == grade.Fail || c.Status == grade.Skip) {
			rep.Passed = false
		}
	}
	return FromVerdict(student.Verdict{Passed: rep.Passed, Findings: fs}, rep)
}

// keepServing is s graded under the policy that asks a server to keep serving.
func keepServing(s Submission) Submission {
	s.Report.Policy = grade.PolicyKeepServing
	return FromVerdict(student.Verdict{Passed: s.Report.Passed, Findings: s.Findings}, s.Report)
}

// notRun are the exceptions for every check after the named one, not run.
func notRun(after string) []any {
	var ex []any
	seen := false
	for _, id := range grade.CheckIDs() {
		if seen {
			ex = append(ex, id, grade.Skip)
		}
		seen = seen || id == after
	}
	return ex
}

// TestFirstCauseOfTheUsualMistakes: the one failure that explains each of
// the usual mistakes, and the words every output gives it.
func TestFirstCauseOfTheUsualMistakes(t *testing.T) {
	py2 := student.Finding{ID: "python2-print", Line: 21, Says: "this is Python 2 code."}
	en0 := student.Finding{ID: "hint-en0", Line: 6, Says: "en0 is a Mac's Wi-Fi."}
	empty := student.Finding{ID: "empty-file", Says: "your server.py is empty."}
	str := student.Finding{ID: "str-send", Line: 17, Says: `a socket sends bytes: send b"hello\n".`}
	loopback := student.Finding{ID: "loopback", Says: "your server listens on 127.0.0.1:8000: localhost."}
	port := student.Finding{ID: "wrong-port", Says: "your server listens on port 8001."}
	every := student.Finding{ID: "all-interfaces", Says: "your server listens on 0.0.0.0:8000."}
	oneCall := student.Finding{ID: "one-call", Line: 14, Says: "your server served one call, then ended."}
	closed := student.Finding{ID: "never-closed", Says: "it never closes a call."}
	crash := student.Finding{ID: "node-crash", Line: 9, Says: "your server.js stopped with an error."}
	nul := student.Finding{ID: "greeting-nul", Line: 30, Says: "your greeting has an extra byte after the newline."}
	newline := student.Finding{ID: "no-newline", Says: "the greeting came without a newline."}
	tests := []struct {
		name  string
		s     Submission
		cause Cause
	}{
		{"the lecture's script as printed", graded([]student.Finding{py2, en0}, append([]any{"program", grade.Fail, "answers", grade.Skip}, notRun("answers")...)...),
			Cause{"python2-print", "program", "line 21: this is Python 2 code."}},
		{"an empty file", graded([]student.Finding{empty}, append([]any{"program", grade.Fail, "answers", grade.Skip}, notRun("answers")...)...),
			Cause{"empty-file", "program", "your server.py is empty."}},
		{"a str, not bytes", graded([]student.Finding{str, oneCall}, append([]any{"greeting", grade.Fail}, notRun("greeting")...)...),
			Cause{"str-send", "greeting", `line 17: a socket sends bytes: send b"hello\n".`}},
		{"bound to localhost", graded([]student.Finding{loopback}, "answers", grade.Fail),
			Cause{"loopback", "answers", "your server listens on 127.0.0.1:8000: localhost."}},
		{"port 8001", graded([]student.Finding{port}, "answers", grade.Fail),
			Cause{"wrong-port", "answers", "your server listens on port 8001."}},
		{"bound to 0.0.0.0", graded([]student.Finding{every}, "not-on", grade.Fail),
			Cause{"all-interfaces", "not-on", "your server listens on 0.0.0.0:8000."}},
		{"no close()", graded(nil, "hangs-up", grade.Fail),
			Cause{"hangs-up", "hangs-up", "reason of hangs-up."}},
		{"one call, keep-serving", keepServing(graded([]student.Finding{oneCall}, "still-there", grade.Fail, "echo-crlf", grade.Skip)),
			Cause{"one-call", "still-there", "line 14: your server served one call, then ended."}},
		// A finding of another check's mistake does not explain this one:
		// a silent server that also never closes fails at the greeting.
		{"silent, never closes", graded([]student.Finding{closed}, append([]any{"greeting", grade.Fail}, notRun("greeting")...)...),
			Cause{"greeting", "greeting", "reason of greeting."}},
		// A crash no rule ties to a check explains the check it broke.
		{"a crash during the call", graded([]student.Finding{crash}, append([]any{"greeting", grade.Fail}, notRun("greeting")...)...),
			Cause{"node-crash", "greeting", "line 9: your server.js stopped with an error."}},
		// A greeting's extra byte reaches the caller as the echo's first.
		{"a NUL after the greeting", graded([]student.Finding{nul}, "echo", grade.Fail, "echo-crlf", grade.Skip),
			Cause{"greeting-nul", "echo", "line 30: your greeting has an extra byte after the newline."}},
		// A finding of a check that passed is no other check's: it leads.
		{"a finding of a passing check leads", graded([]student.Finding{newline}, "hangs-up", grade.Fail),
			Cause{"no-newline", "hangs-up", "the greeting came without a newline."}},
		{"a pass", graded([]student.Finding{oneCall}), Cause{}},
		{"not graded", Submission{Why: "no server.py"}, Cause{ID: CauseNotGraded, Says: "no server.py"}},
		{"the grader's set-up", Submission{Why: "no network", Setup: true}, Cause{ID: CauseSetup, Says: "no network"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.s.FirstCause()
			require.Equal(t, tt.cause, c)
			if c.Check == "" || !tt.s.Graded() {
				return
			}
			// Every output says it in the same words.
			w := Default()
			require.Equal(t, c.String(), tt.s.CSVRow(w)[6], "summary.csv's note")
			require.Equal(t, c.ID, tt.s.CSVRow(w)[9], "summary.csv's cause")
			said := "  - " + c.Says + "\n"
			if c.ID == c.Check { // no finding: the check's own words
				said = "  - " + c.String() + "\n"
			}
			require.Contains(t, tt.s.Verdict, said, "the transcript's verdict")
			var gs, junit, pl bytes.Buffer
			require.NoError(t, tt.s.WriteGradescope(&gs, w))
			require.NoError(t, tt.s.WriteJUnit(&junit, w))
			require.NoError(t, tt.s.WritePrairieLearn(&pl, w))
			for name, b := range map[string]string{"Gradescope": gs.String(), "JUnit": junit.String(), "PrairieLearn": pl.String()} {
				require.Contains(t, unescape(b), c.Says, name)
			}
			// Only the cause's check failed; what it kept from running is
			// not run, never failed.
			require.Equal(t, c.Check, tt.s.CSVRow(w)[4], "failed_checks")
		})
	}
}

// unescape undoes the escapes JSON and XML put on the words a test looks for.
func unescape(s string) string {
	return strings.NewReplacer(`\"`, `"`, `\\n`, `\n`, "&#34;", `"`, "&#39;", "'", `\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}

// TestPointsUnderEachPolicy: under the lecture's policy the checks beyond
// its one call count for no one, whether they ran or not (14 for a correct
// server, whatever it does after its call); under keep-serving every check
// counts (20), and one the server's ending kept from running is lost.
func TestPointsUnderEachPolicy(t *testing.T) {
	w := Default()
	require.Equal(t, grade.PolicyLecture, w.Serving())
	require.Equal(t, 14.0, w.Total())
	keep := w
	keep.Policy = grade.PolicyKeepServing
	require.Equal(t, 20.0, keep.Total())

	// The lecture's script under its policy: the extras are not run.
	cfg := grade.Config{Addr: "192.0.2.1:8000", NotOn: []string{"192.0.2.2:8000"}, Policy: grade.PolicyLecture}
	once := grade.NotRun(cfg, "it ended after one call")
	for i, c := range once.Checks {
		if !c.Extra {
			once.Checks[i].Status = grade.Pass
		}
	}
	once.Checks = append([]grade.Result{result("program", grade.Pass, true)}, once.Checks...)
	once.Passed = true
	s := Submission{Report: once}
	earned, total := s.Points(w)
	require.Equal(t, []float64{14, 14}, []float64{earned, total})

	// A server that keeps serving, and fails an extra check: a warning,
	// worth nothing under the lecture's policy.
	loops := once
	loops.Checks = append([]grade.Result(nil), once.Checks...)
	for i, c := range loops.Checks {
		if c.Extra {
			loops.Checks[i].Status = grade.Pass
		}
		if c.ID == "echo-1000" {
			loops.Checks[i].Status = grade.Warn
		}
	}
	earned, total = Submission{Report: loops}.Points(w)
	require.Equal(t, []float64{14, 14}, []float64{earned, total})

	// Under keep-serving, the one-call script loses still-there and the
	// echoes it could not be asked (not run, not failed).
	cfg.Policy = grade.PolicyKeepServing
	kept := grade.NotRun(cfg, "it stopped answering after one call")
	for i, c := range kept.Checks {
		switch c.ID {
		case "echo-crlf", "echo-1000", "echo-3000", "silent-caller", "model":
		case "still-there":
			kept.Checks[i].Status = grade.Fail
		default:
			kept.Checks[i].Status = grade.Pass
		}
	}
	kept.Checks = append([]grade.Result{result("program", grade.Pass, true)}, kept.Checks...)
	earned, total = Submission{Report: kept}.Points(keep)
	require.Equal(t, []float64{14, 20}, []float64{earned, total})
	row := Submission{Report: kept}.CSVRow(keep)
	require.Equal(t, "still-there", row[4], "failed_checks")
	require.Equal(t, "echo-crlf echo-1000 echo-3000", row[10], "not_run")
}

// TestWeightsPolicy: the policy line, its default and its mistakes.
func TestWeightsPolicy(t *testing.T) {
	w, err := ParseWeights(strings.NewReader("echo 2\n"))
	require.NoError(t, err)
	require.Equal(t, grade.PolicyLecture, w.Serving(), "a file that names none: the lecture's")
	w, err = ParseWeights(strings.NewReader("policy keep-serving\n"))
	require.NoError(t, err)
	require.Equal(t, grade.PolicyKeepServing, w.Serving())
	_, err = ParseWeights(strings.NewReader("echo 2\npolicy forever\n"))
	require.ErrorContains(t, err, `line 2: no policy is called "forever"`)
	_, err = ParseWeights(strings.NewReader("policy lecture\npolicy keep-serving\n"))
	require.ErrorContains(t, err, "line 2: policy is given twice")
}
