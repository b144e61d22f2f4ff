package callcenter

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

func TestParseModel(t *testing.T) {
	for _, m := range Models {
		got, err := ParseModel(string(m))
		require.NoError(t, err)
		require.Equal(t, m, got)
	}
	_, err := ParseModel("forks")
	require.EqualError(t, err, `-model "forks": want threads, processes, eventloop`)
}

// holdSilent dials n callers who each wait for the greeting and then say
// nothing, and returns once all are greeted.
func holdSilent(t *testing.T, addr string, n int) {
	t.Helper()
	for i := range n {
		c := labtest.Dial(t, addr)
		if g, err := labtest.ReadGreeting(t, c, 5*time.Second); err != nil || g != lab.Greeting {
			t.Fatalf("caller %d: %q, %v; want the greeting", i, g, err)
		}
	}
}

// TestWhatACallCosts is what each model spends on a caller who holds the
// line: the threads model a goroutine, the processes model a process, the
// event loop neither.
func TestWhatACallCosts(t *testing.T) {
	tests := []struct {
		model                     Model
		callers                   int
		wantGoroutines, wantProcs int // per held caller
	}{
		{ModelThreads, 100, 1, 0},
		{ModelProcesses, 10, 1, 1}, // one that relays its log line and reaps it
		{ModelEventLoop, 100, 0, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.model), func(t *testing.T) {
			s := &Server{Model: tt.model}
			addr, _ := startServer(t, s)
			labtest.ServesNormally(t, addr)
			require.Eventually(t, func() bool { return s.InProgress() == 0 }, 5*time.Second, 5*time.Millisecond)
			// The least of a few looks: the last call's log line is
			// written by a goroutine that ends a few milliseconds later.
			before, started := runtime.NumGoroutine(), s.Started()
			for range 5 {
				time.Sleep(20 * time.Millisecond)
				before = min(before, runtime.NumGoroutine())
			}
			holdSilent(t, addr, tt.callers)
			require.Equal(t, int64(tt.callers), s.Serving(), "every caller is on the line with an employee")
			grown := runtime.NumGoroutine() - before
			require.GreaterOrEqual(t, grown, tt.wantGoroutines*tt.callers, "goroutines for %d callers", tt.callers)
			require.Less(t, grown, tt.wantGoroutines*tt.callers+5, "goroutines for %d callers", tt.callers)
			require.Equal(t, int64(tt.wantProcs*tt.callers), s.Started()-started, "processes started")
		})
	}
}

// TestEventLoopNeedsASocket: the event loop waits on the listener's own
// socket; a listener with none is a clear error, not a hang.
func TestEventLoopNeedsASocket(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	o := &outOfFiles{Listener: l}
	err = (&Server{Model: ModelEventLoop}).Serve(o)
	require.Error(t, err)
	if runtime.GOOS == "linux" && runtime.GOARCH != "386" {
		require.Contains(t, err.Error(), "has no socket to wait on")
	} else {
		require.Contains(t, err.Error(), "not on this system")
	}
	_, err = net.DialTimeout("tcp", l.Addr().String(), time.Second)
	require.Equal(t, lab.KindRefused, lab.Classify(err), "Serve closes its listener: %v", err)
}

// TestProcessesAreEndedWithTheServer: calls in processes of their own that
// outlast Shutdown's grace are ended, as a goroutine's would be when the
// server exits, and their processes are reaped.
func TestProcessesAreEndedWithTheServer(t *testing.T) {
	s := &Server{Model: ModelProcesses}
	addr, log := startServer(t, s)
	holdSilent(t, addr, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Shutdown(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Contains(t, err.Error(), "3 calls still in progress")
	require.Eventually(t, func() bool { return s.InProgress() == 0 }, 5*time.Second, 5*time.Millisecond, "the processes are reaped")
	log.WaitFor(t, "ended with signal killed")
}

// TestACrowdAtOnceIsAllGreeted: 300 callers dial at once, more than one
// look at the listen queue picks up, and none says anything: every one is
// greeted within a few seconds, none left in the queue until a deadline
// happens to wake the server.
func TestACrowdAtOnceIsAllGreeted(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		n := 300
		if m == ModelProcesses {
			n = 40 // a process each
		}
		s := &Server{Model: m}
		addr := labtest.Serve(t, s, ErrServerClosed).Addr
		conns := make([]net.Conn, n)
		errs := make(chan error, n)
		for i := range conns {
			go func() {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err == nil {
					conns[i] = c
				}
				errs <- err
			}()
		}
		for range n {
			require.NoError(t, <-errs)
		}
		t.Cleanup(func() {
			for _, c := range conns {
				c.Close()
			}
		})
		for i, c := range conns {
			g, err := labtest.ReadGreeting(t, c, patience(m, 5*time.Second))
			require.NoError(t, err, "caller %d of %d", i, n)
			require.Equal(t, lab.Greeting, g)
		}
	})
}
