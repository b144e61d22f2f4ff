package student

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

func TestGraded(t *testing.T) {
	good := Call{Greeting: []byte("hello\n"), Reply: Message, End: "closed"}
	passed := grade.Report{Passed: true, Checks: []grade.Result{{ID: "answers", Status: grade.Pass, Required: true}}}
	refused := grade.Report{Checks: []grade.Result{{ID: "answers", Status: grade.Fail, Required: true}}}
	py2 := Finding{ID: "python2-print", Line: 12, Says: "print data is Python 2."}
	tests := []struct {
		name      string
		v         Verdict
		g         grade.Report
		program   grade.Status
		reason    string // in the program check's reason
		fix       string
		explained bool
	}{
		{"a correct server", Verdict{Passed: true, Call: good, Report: Report{State: StateListening, Listening: []string{"10.0.0.10:8000"}}},
			passed, grade.Pass, "still running", "", false},
		{"the lecture's script as printed", Verdict{Findings: []Finding{py2, {ID: "en0", Says: "en0. Use eth0."}}, Report: Report{State: StateExited, ExitCode: 1}},
			refused, grade.Fail, "ended (exit status 1) without ever listening. line 12: print data is Python 2.", "", true},
		{"one call, then exit", Verdict{Call: good, Findings: []Finding{{ID: "one-call", Says: "it ended. Put a loop around accept()."}},
			Report: Report{State: StateExited, Listening: []string{"10.0.0.10:8000"}}},
			passed, grade.Fail, "ended (exit status 0) during or after the calls. it ended.", "", true},
		{"killed for memory", Verdict{Report: Report{State: StateExited, ExitCode: -1, Signal: "killed"}},
			refused, grade.Fail, "ended (killed)", "", false},
		{"stuck before listen()", Verdict{Findings: []Finding{{ID: "stuck", Says: "stuck in a loop?"}}, Report: Report{State: StateRunning}},
			refused, grade.Fail, "still running but never listened. stuck in a loop?", "", true},
		{"an incomplete call", Verdict{Call: Call{Greeting: []byte("hello\n"), End: "open"}, Report: Report{State: StateListening, Listening: []string{"10.0.0.10:8000"}}},
			passed, grade.Fail, "did not get the whole lecture exchange", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Graded(tt.v, tt.g, "ada", 4*time.Second)
			require.Equal(t, "ada", rep.Name)
			require.Equal(t, 4*time.Second, rep.Elapsed)
			require.Equal(t, tt.v.Passed, rep.Passed, "the formats agree with the exit status")
			require.Equal(t, len(tt.g.Checks), len(rep.Checks)-1-map[bool]int{true: 1}[tt.explained])
			var program grade.Result
			for _, c := range rep.Checks {
				if c.ID == "program" {
					program = c
				}
			}
			require.Equal(t, tt.program, program.Status)
			require.True(t, program.Required)
			require.Contains(t, program.Reason, tt.reason)
			require.Equal(t, tt.fix, program.Fix)
			// A failing program is the cause: it comes first, so a class's
			// summary names it.
			require.Equal(t, tt.program == grade.Fail && tt.explained, rep.Checks[0].ID == "program")
			last := rep.Checks[len(rep.Checks)-1]
			require.Equal(t, tt.explained, last.ID == "explained")
			if tt.explained {
				require.Equal(t, grade.Info, last.Status)
				require.False(t, last.Required)
			}
		})
	}
	// The grade's own report is not changed underneath.
	require.Len(t, passed.Checks, 1)
}
