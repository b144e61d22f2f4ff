package onehost

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/results"
)

// TestWhatGradescopeStudentsReadNamesNoLaptop: a student graded on one host
// (Gradescope, PrairieLearn) never met laptop-a or laptop-b, so nothing
// they read names them: results.json's output and tests, and the
// transcript run_autograder prints.
func TestWhatGradescopeStudentsReadNamesNoLaptop(t *testing.T) {
	for _, tc := range []struct{ name, src, says string }{
		{"correct", goodServer, "answered the grader's call"},
		{"on every address", everywhere, "0.0.0.0"},
		{"on loopback", localhost, "localhost"},
		{"sends a str", strServer, "a socket sends bytes"},
		{"Python 2", python2Server, "Python 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHereTest(t, tc.src)
			var live bytes.Buffer
			h.cfg.Out = &live
			res := h.grade()
			var b bytes.Buffer
			require.NoError(t, res.Submission().WriteGradescope(&b, results.Default()))
			var gs struct {
				Output string `json:"output"`
				Tests  []struct{ Name, Output string }
			}
			require.NoError(t, json.Unmarshal(b.Bytes(), &gs))
			read := []string{gs.Output, live.String(), res.Transcript, res.VerdictText()}
			for _, tt := range gs.Tests {
				read = append(read, tt.Name, tt.Output)
			}
			all := strings.Join(read, "\n")
			require.NotRegexp(t, labOnly, all, "a laptop or a partner the student never had:\n%s", all)
			require.Contains(t, all, tc.says)
		})
	}
}
