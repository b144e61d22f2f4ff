package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStatusReportsTheCallCenter runs the server with one employee who
// thinks, and -status: while a caller is served, the employee is busy; the
// status never shows on the server's own port.
func TestStatusReportsTheCallCenter(t *testing.T) {
	r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-workers", "1", "-think", "300ms", "-backlog", "7", "-status", "127.0.0.1:0")
	line := r.next(t)
	at, ok := strings.CutPrefix(line, "status at ")
	require.True(t, ok, "second line %q", line)

	get := func() status {
		t.Helper()
		resp, err := http.Get(at)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var st status
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
		return st
	}
	st := get()
	require.Equal(t, status{Model: "threads", Workers: 1, Backlog: 7, CPUSeconds: st.CPUSeconds}, st)
	require.Greater(t, st.CPUSeconds, 0.0)

	c, err := net.DialTimeout("tcp", r.addr, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Write([]byte("hi\n"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return get().Busy == 1 }, 5*time.Second, 10*time.Millisecond, "the employee is on the call")
	_, err = io.Copy(io.Discard, c)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return get().Busy == 0 }, 5*time.Second, 10*time.Millisecond, "free again")
}

// TestStatusOnAGivenPortIsNotAnnounced: in the lab (just view) the status
// endpoint is laptop-a's own loopback, which a student's browser cannot
// open, so the log does not name it; the view is told where it is.
func TestStatusOnAGivenPortIsNotAnnounced(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	at := l.Addr().String()
	require.NoError(t, l.Close())

	r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-status", at)
	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = http.Get("http://" + at + "/status")
		return err == nil
	}, 5*time.Second, 20*time.Millisecond, "the status endpoint answers on the port given")
	require.NoError(t, resp.Body.Close())

	c, err := net.DialTimeout("tcp", r.addr, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Write([]byte("hi\n"))
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, c)
	require.NoError(t, err)
	line := r.next(t)
	require.True(t, strings.HasPrefix(line, "call from "), "the line after the first is the call's, not the status endpoint's: %q", line)
}

func TestStatusIsForLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8081", "172.28.5.10:8081", ":8081", "localhost:8081", "8081"} {
		var stderr strings.Builder
		err := run(context.Background(), []string{"-addr", "127.0.0.1", "-port", "0", "-status", addr}, io.Discard, &stderr)
		require.Equal(t, 2, exitCode(err, &stderr), addr)
		require.Contains(t, stderr.String(), "-status", addr)
	}
	require.NoError(t, checkStatusAddr("127.0.0.1:8081"))
	require.NoError(t, checkStatusAddr("[::1]:8081"))
}
