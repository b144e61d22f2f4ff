package callcenter

import (
	"testing"

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
