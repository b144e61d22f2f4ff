package callcenter

import (
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/labtest"
)

// startServer serves s on 127.0.0.1 until the test ends, and returns its
// address and its log.
func startServer(t testing.TB, s *Server) (string, *labtest.Buffer) {
	t.Helper()
	out := &labtest.Buffer{}
	s.Log = NewCallLog(out, out)
	t.Cleanup(s.Log.Flush) // after the shutdown below: cleanups run last first
	return labtest.Serve(t, s, ErrServerClosed).Addr, out
}

// forEachModel runs test once for each Model, as a subtest named after it:
// every model must pass the same protocol tests.
func forEachModel(t *testing.T, test func(t *testing.T, m Model)) {
	t.Helper()
	for _, m := range Models {
		t.Run(string(m), func(t *testing.T) { test(t, m) })
	}
}

// patience is d, or more of it for the processes model, whose calls wait
// for a process to start: a test whose bounds allow d for the server to
// answer allows the process's start that much more room.
func patience(m Model, d time.Duration) time.Duration {
	if m == ModelProcesses {
		return 3 * d
	}
	return d
}
