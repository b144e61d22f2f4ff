package student

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

// The lab's own check, "program", says whether the student's program ran
// and listened: it fails for a program that never did (whose other checks
// are then not run), and passes for one that listened, whatever its calls
// showed (those are the other checks' to judge).
func TestProgramCheck(t *testing.T) {
	refused := errors.New("connection refused")
	py2 := Finding{ID: "python2-print", Line: 12, Says: "print data is Python 2. Use print(data)."}
	tests := []struct {
		name    string
		v       Verdict
		program grade.Status
		reason  string
	}{
		{"a correct server", Verdict{Report: Report{State: StateListening, Listening: []string{"10.0.0.10:8000"}}},
			grade.Pass, "it listened at 10.0.0.10:8000."},
		{"the lecture's script as printed", Verdict{Findings: []Finding{py2}, Report: Report{State: StateExited, ExitCode: 1}},
			grade.Fail, "it ended (exit status 1) without ever listening. line 12: print data is Python 2."},
		{"one call, then exit", Verdict{Report: Report{State: StateExited, Listening: []string{"10.0.0.10:8000"}}},
			grade.Pass, "it listened at 10.0.0.10:8000."},
		{"killed for memory", Verdict{Report: Report{State: StateExited, ExitCode: -1, Signal: "killed"}},
			grade.Fail, "it ended (killed) without ever listening."},
		{"stuck before listen()", Verdict{Findings: []Finding{{ID: "stuck", Says: "stuck in a loop?"}}, Report: Report{State: StateRunning},
			Call: Call{DialErr: refused}}, grade.Fail, "it was still running but never listened. stuck in a loop?"},
		{"no report, answered", Verdict{}, grade.Pass, "it answered laptop-b's call."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := programResult(tt.v)
			require.Equal(t, "program", r.ID)
			require.Equal(t, ProgramName, r.Name)
			require.True(t, r.Required)
			require.Equal(t, tt.program, r.Status)
			require.Equal(t, tt.reason, r.Reason)
		})
	}
}

func TestGraded(t *testing.T) {
	checks := []grade.Result{{ID: "program", Status: grade.Pass, Required: true}, {ID: "answers", Status: grade.Pass, Required: true}}
	v := Verdict{Passed: true, Findings: []Finding{{ID: "one-call", Says: "it ended. Put a loop around accept()."}}}
	rep := Graded(v, grade.Report{Passed: true, Checks: checks}, "ada", 4*time.Second)
	require.Equal(t, "ada", rep.Name)
	require.Equal(t, 4*time.Second, rep.Elapsed)
	require.True(t, rep.Passed, "the formats agree with the exit status")
	require.Equal(t, []string{"program", "answers", "explained"}, []string{rep.Checks[0].ID, rep.Checks[1].ID, rep.Checks[2].ID})
	require.Equal(t, grade.Info, rep.Checks[2].Status)
	require.False(t, rep.Checks[2].Required)
	require.Len(t, checks, 2, "the grade's own report is not changed underneath")

	// A grade without the program's check (interrupted before any) gets it.
	rep = Graded(Verdict{}, grade.Report{Interrupted: true}, "bo", time.Second)
	require.Equal(t, "program", rep.Checks[0].ID)
}
