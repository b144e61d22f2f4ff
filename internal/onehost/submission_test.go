package onehost

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/student"
)

// TestSubmission: what one host knows reaches the results files: the
// verdict's findings, what the program printed (even nothing), what one
// host cannot show, the whole grade's time; and for a grade that could not
// be made, whose fault it is.
func TestSubmission(t *testing.T) {
	v := student.Verdict{Findings: []student.Finding{{ID: "all-interfaces", Says: "your server listens on 0.0.0.0:8000."}}}
	g := grade.Report{Checks: []grade.Result{{ID: "not-on", Status: grade.Fail, Required: true}}}
	r := Result{Graded: true, Verdict: v, Grade: g, Notes: []string{"one host"}, Took: 2500 * time.Millisecond}
	s := r.Submission()
	require.True(t, s.Graded())
	require.Equal(t, v.Findings, s.Findings)
	require.Contains(t, s.Verdict, "  - your server listens on 0.0.0.0:8000.")
	require.NotNil(t, s.Output, "the program's output was kept, though empty")
	require.Equal(t, "", *s.Output)
	require.True(t, s.OneHost)
	require.Equal(t, []string{"one host"}, s.Notes)
	require.Equal(t, 2500*time.Millisecond, s.Report.Elapsed)

	r = Result{Setup: true, NoNetwork: true, Why: "no network", Took: time.Second}
	s = r.Submission()
	require.False(t, s.Graded())
	require.True(t, s.Setup && s.NoNetwork && s.OneHost)
	var b bytes.Buffer
	require.NoError(t, s.WritePrairieLearn(&b, results.Default()))
	require.Contains(t, b.String(), `"gradable": false`)

	require.False(t, Result{}.Submission().Graded(), "a grade not made is never a grade of nothing")
}
