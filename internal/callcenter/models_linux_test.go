package callcenter

import (
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

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
