package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// syncBuffer is a bytes.Buffer safe to read while the log writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newLocalListener listens on 127.0.0.1 on a free port with the lecture's backlog.
func newLocalListener(t testing.TB) net.Listener {
	t.Helper()
	l, err := listenBacklog(net.IPv4(127, 0, 0, 1), 0, 5)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return l
}

// startServer serves s on a local listener until the test ends, and returns
// its address and its log.
func startServer(t testing.TB, s *Server) (string, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	s.Log = NewCallLog(out, out)
	l := newLocalListener(t)
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-served; err != nil && err != ErrServerClosed {
			t.Errorf("serve: %v", err)
		}
		s.Log.Close()
	})
	return l.Addr().String(), out
}

func dial(t testing.TB, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c.(*net.TCPConn)
}

// call makes one lecture call: read the greeting, send msg, read to EOF.
func call(t testing.TB, addr string, msg []byte) (greeting, echo []byte) {
	t.Helper()
	c := dial(t, addr)
	res, err := lab.Exchange(c, msg)
	if err != nil {
		t.Fatalf("call %s: %v", addr, err)
	}
	c.Close() // hang up after the echo, as telnet does
	return res.Greeting, res.Echo
}

// waitLog waits until the log contains want, and fails the test if it never does.
func waitLog(t testing.TB, log *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(log.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q; log:\n%s", want, log)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readGreeting(t testing.TB, c net.Conn, within time.Duration) (string, error) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, len(lab.Greeting))
	n, err := io.ReadFull(c, buf)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	return string(buf[:n]), err
}

type dialer struct{}

func (dialer) dial(addr string) (io.Closer, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return c, err
}
