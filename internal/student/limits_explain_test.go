package student

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// What one host's limits do to a program (internal/onehost) is explained
// in the lecture's terms too: a limit hit is no traceback to decode.
func TestExplainLimits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		crash Crash
		id    string
		says  string
	}{
		{"memory (RLIMIT_AS)", Crash{ExitCode: 1, File: "server.py", Stderr: "Traceback (most recent call last):\n  File \"/tmp/w/server.py\", line 3, in <module>\n    hog.append(bytearray(16 * 1024 * 1024))\nMemoryError\n"},
			"memory", "ran out of memory"},
		{"CPU time (RLIMIT_CPU)", Crash{ExitCode: -1, Signal: "CPU time limit exceeded"}, "cpu-limit", "used up the CPU time"},
		{"file size, killed (RLIMIT_FSIZE)", Crash{ExitCode: -1, Signal: "file size limit exceeded"}, "file-too-large", "a file bigger than the laptop allows"},
		{"file size, as Python says it", Crash{ExitCode: 1, Stderr: "OSError: [Errno 27] File too large\n"}, "file-too-large", "a file bigger"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := ExplainCrash(tc.crash)
			require.Len(t, fs, 1)
			require.Equal(t, tc.id, fs[0].ID)
			require.Contains(t, fs[0].Says, tc.says)
		})
	}
}

// A per-user process limit counts no refusals: the words name the limit.
func TestProcessLimitNamesOneHostsLimit(t *testing.T) {
	require.Contains(t, processLimit(Report{ForkFailures: 1, ProcLimit: 64}).Says, "it reached its limit of 64")
	require.Contains(t, processLimit(Report{ForkFailures: 41218}).Says, "refused 41218 times")
}
