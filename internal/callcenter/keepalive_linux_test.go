package callcenter

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// TestCallsHaveKeepAliveWithoutIdleTimeout: with no idle timeout, nothing
// but TCP keepalive hangs up on a caller whose machine vanished, so each
// call's socket has it, as net.KeepAliveConfig{Enable: true} sets it:
// inherited from a listener that has it (Listen with keepAlive, as the
// server command listens without -idle-timeout), set by the Server on a
// listener's calls that do not. With an idle timeout, no call pays for it.
// The test reads the options of the server's own socket of the call, in
// this process or in the call's process.
func TestCallsHaveKeepAliveWithoutIdleTimeout(t *testing.T) {
	on, off := [4]int{1, 15, 15, 9}, [4]int{}
	tests := []struct {
		name      string
		keepAlive bool // Listen's
		idle      time.Duration
		want      [4]int
	}{
		{"a listener with keepalive, no idle timeout", true, 0, on},
		{"a listener without, no idle timeout", false, 0, on},
		{"a listener without, an idle timeout", false, time.Minute, off},
	}
	forEachModel(t, func(t *testing.T, m Model) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := &Server{Model: m, IdleTimeout: tt.idle}
				l, err := Listen(net.IPv4(127, 0, 0, 1), 0, 5, tt.keepAlive)
				if err != nil {
					t.Fatal(err)
				}
				served := make(chan error, 1)
				go func() { served <- s.Serve(l) }()
				t.Cleanup(func() {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					if err := s.Shutdown(ctx); err != nil {
						t.Errorf("shutdown: %v", err)
					}
					if err := <-served; !errors.Is(err, ErrServerClosed) {
						t.Errorf("serve: %v", err)
					}
				})
				c := labtest.Dial(t, l.Addr().String())
				if g, err := labtest.ReadGreeting(t, c, 5*time.Second); err != nil || g != lab.Greeting {
					t.Fatalf("greeting %q, %v", g, err)
				}
				got := keepAliveOf(t, serverSocket(t, s, c.LocalAddr().(*net.TCPAddr)))
				if got[0] != tt.want[0] || tt.want == on && got != on {
					t.Fatalf("the call's SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT = %v; want %v", got, tt.want)
				}
			})
		}
	})
}

// keepAliveOf reads fd's SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL and
// TCP_KEEPCNT.
func keepAliveOf(t *testing.T, fd int) (opts [4]int) {
	t.Helper()
	for i, o := range [][2]int{
		{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT},
	} {
		v, err := syscall.GetsockoptInt(fd, o[0], o[1])
		if err != nil {
			t.Fatalf("getsockopt: %v", err)
		}
		opts[i] = v
	}
	return opts
}

// serverSocket finds the server's socket of the call from caller: in this
// process, or a copy of it (pidfd_getfd) from one of s's call processes.
// It is closed when the test ends.
func serverSocket(t *testing.T, s *Server, caller *net.TCPAddr) int {
	t.Helper()
	pids := []int{os.Getpid()}
	s.procs.mu.Lock()
	for p := range s.procs.live {
		pids = append(pids, p.Pid)
	}
	s.procs.mu.Unlock()
	for _, pid := range pids {
		dir := "/proc/" + strconv.Itoa(pid) + "/fd"
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("list the sockets of process %d: %v", pid, err)
		}
		for _, e := range ents {
			if link, _ := os.Readlink(dir + "/" + e.Name()); !strings.HasPrefix(link, "socket:") {
				continue
			}
			n, _ := strconv.Atoi(e.Name())
			fd, err := copyFD(pid, n)
			if err != nil {
				t.Fatalf("copy descriptor %d of process %d: %v", n, pid, err)
			}
			if sa, err := syscall.Getpeername(fd); err == nil {
				if in, ok := sa.(*syscall.SockaddrInet4); ok && in.Port == caller.Port && net.IP(in.Addr[:]).Equal(caller.IP) {
					t.Cleanup(func() { syscall.Close(fd) })
					return fd
				}
			}
			syscall.Close(fd)
		}
	}
	t.Fatalf("no process of the server has a socket of the call from %v", caller)
	return -1
}

// copyFD duplicates descriptor n of process pid into this process.
func copyFD(pid, n int) (int, error) {
	if pid == os.Getpid() {
		return syscall.Dup(n)
	}
	const sysPidfdOpen, sysPidfdGetfd = 434, 438 // the same number on every Linux
	pidfd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		return -1, os.NewSyscallError("pidfd_open", errno)
	}
	defer syscall.Close(int(pidfd))
	fd, _, errno := syscall.Syscall(sysPidfdGetfd, pidfd, uintptr(n), 0)
	if errno != 0 {
		return -1, os.NewSyscallError("pidfd_getfd", errno)
	}
	return int(fd), nil
}
