package callcenter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// TestShutdownCountsEveryCallInProgress: a call being hung up on (the drain
// after the echo) or hearing the busy signal is still in progress; a stop
// that gives up must count it, not say "0 calls still in progress".
func TestShutdownCountsEveryCallInProgress(t *testing.T) {
	tests := []struct {
		name   string
		srv    *Server
		caller func(t *testing.T, addr string)
		want   string
	}{{
		name: "draining after the echo",
		srv:  &Server{},
		caller: func(t *testing.T, addr string) {
			// 2000 bytes: the one read leaves 1000 unread, so the server
			// half-closes and drains, waiting for this caller, who stays.
			c := labtest.Dial(t, addr)
			labtest.ReadGreeting(t, c, 2*time.Second)
			c.Write(make([]byte, 2*lab.MaxRead))
			if _, err := io.ReadAll(c); err != nil {
				t.Fatalf("echo: %v", err)
			}
		},
		want: "1 calls still in progress",
	}, {
		name: "one on the line, one hearing busy",
		srv:  &Server{Workers: 1, Busy: true},
		caller: func(t *testing.T, addr string) {
			first := labtest.Dial(t, addr)
			labtest.ReadGreeting(t, first, 2*time.Second)
			second := labtest.Dial(t, addr)
			if rest, err := io.ReadAll(second); err != nil || string(rest) != lab.Busy {
				t.Fatalf("second caller got %q, %v; want busy, then the server's FIN", rest, err)
			}
		},
		want: "2 calls still in progress",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := startServer(t, tt.srv)
			tt.caller(t, addr)
			if got := fmt.Sprintf("%d calls still in progress", tt.srv.InProgress()); got != tt.want {
				t.Errorf("InProgress says %q; want %q", got, tt.want)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			err := tt.srv.Shutdown(ctx)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Shutdown: %v; want %q", err, tt.want)
			}
		})
	}
}

// outOfFiles is a listener that fails its first Accepts as a process out of
// file descriptors does.
type outOfFiles struct {
	net.Listener
	fails atomic.Int32
}

func (l *outOfFiles) Accept() (net.Conn, error) {
	if l.fails.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// starved serves its Server on an outOfFiles listener.
type starved struct{ *Server }

func (s starved) Serve(l net.Listener) error {
	o := &outOfFiles{Listener: l}
	o.fails.Store(3)
	return s.Server.Serve(o)
}

// TestAcceptWaitsOutEMFILE: out of file descriptors, the server says so,
// waits a little longer each time, and answers again once it can.
func TestAcceptWaitsOutEMFILE(t *testing.T) {
	out := &labtest.Buffer{}
	s := &Server{Log: NewCallLog(out, out)}
	addr := labtest.Serve(t, starved{s}, ErrServerClosed).Addr
	labtest.ServesNormally(t, addr)
	for _, want := range []string{"too many open files; retrying in 5ms", "retrying in 10ms", "retrying in 20ms", "echoed it"} {
		out.WaitFor(t, want)
	}
}

// lateListener hands over the call it accepted only once it is closed: a
// call picked up just as Shutdown begins.
type lateListener struct {
	net.Listener
	closed chan struct{}
	once   sync.Once
}

func (l *lateListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		<-l.closed
	}
	return c, err
}

func (l *lateListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// TestACallPickedUpAsTheStopBeginsIsReset: a call accepted just as
// Shutdown begins is turned away as the callers still in the listen queue
// are, with a reset, never with a hang-up before the greeting (which a
// caller reads as a server that greets wrong).
func TestACallPickedUpAsTheStopBeginsIsReset(t *testing.T) {
	for _, m := range []Model{ModelThreads, ModelProcesses} { // the event loop accepts on the socket itself
		t.Run(string(m), func(t *testing.T) {
			inner, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			l := &lateListener{Listener: inner, closed: make(chan struct{})}
			s := &Server{Model: m}
			served := make(chan error, 1)
			go func() { served <- s.Serve(l) }()
			c := labtest.Dial(t, inner.Addr().String())
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if err := <-served; !errors.Is(err, ErrServerClosed) {
				t.Fatalf("serve: %v", err)
			}
			got, err := io.ReadAll(c)
			if len(got) != 0 || lab.Classify(err) != lab.KindReset {
				t.Fatalf("caller got %q, %v; want a reset before any greeting", got, err)
			}
		})
	}
}
