package callcenter

import (
	"context"
	"errors"
	"net"
	"os"
	"runtime"
	"strings"
	"syscall"
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
		{ModelProcesses, 10, 2, 1}, // two that wait for the process and relay its log
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

// TestOutOfFilesIsWaitedOut: a server that meets its open-files limit at
// accept says so, waits a little longer each time, and answers the caller
// once a descriptor is free again. The limit is lowered for this process,
// the test's and the server's, after the caller's socket is made (connect
// needs no new descriptor), and raised again once the server has said so.
func TestOutOfFilesIsWaitedOut(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, log := startServer(t, &Server{Model: m})
		labtest.ServesNormally(t, addr)
		log.WaitFor(t, "echoed it")
		ap, err := net.ResolveTCPAddr("tcp4", addr)
		require.NoError(t, err)
		fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		require.NoError(t, err)
		caller := os.NewFile(uintptr(fd), "caller")
		t.Cleanup(func() { caller.Close() })

		restore := useUpFiles(t)
		sa := &syscall.SockaddrInet4{Port: ap.Port}
		copy(sa.Addr[:], ap.IP.To4())
		err = syscall.Connect(fd, sa)
		if err == nil {
			err = waitLog(log, "too many open files; retrying in 5ms", 5*time.Second)
		}
		restore()
		require.NoError(t, err)

		conn, err := net.FileConn(caller)
		require.NoError(t, err)
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		res, err := lab.Exchange(halfCloser{conn}, []byte("still there?"))
		require.NoError(t, err)
		require.NoError(t, lab.Verify(res, []byte("still there?")))
		log.WaitFor(t, `said "still there?"`)
	})
}

// halfCloser sends FIN after its one write, as a caller done speaking.
type halfCloser struct{ net.Conn }

func (h halfCloser) Write(p []byte) (int, error) {
	n, err := h.Conn.Write(p)
	if err == nil {
		lab.CloseWrite(h.Conn)
	}
	return n, err
}

// useUpFiles lowers this process's open-files limit to its highest open
// descriptor and fills the gaps below it, so that no new descriptor can be
// made; restore undoes both.
func useUpFiles(t *testing.T) (restore func()) {
	t.Helper()
	var old syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old))
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot list open files here: %v", err)
	}
	highest := 0
	for _, e := range ents {
		var n int
		for _, r := range e.Name() {
			n = 10*n + int(r-'0')
		}
		highest = max(highest, n)
	}
	low := old
	low.Cur = uint64(highest + 1)
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
	var fillers []int
	for range highest + 1 {
		fd, err := syscall.Open("/dev/null", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			require.ErrorIs(t, err, syscall.EMFILE)
			break
		}
		fillers = append(fillers, fd)
	}
	done := false
	restore = func() {
		if !done {
			done = true
			for _, fd := range fillers {
				syscall.Close(fd)
			}
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
		}
	}
	t.Cleanup(restore)
	return restore
}

// waitLog is Buffer.WaitFor that returns instead of failing, for a wait
// whose failure must not skip what comes after it.
func waitLog(log *labtest.Buffer, want string, within time.Duration) error {
	for deadline := time.Now().Add(within); !strings.Contains(log.String(), want); {
		if time.Now().After(deadline) {
			return errors.New("the log never said " + want + ":\n" + log.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}
