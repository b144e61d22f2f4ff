// Package labtest is the lab's httptest: servers on 127.0.0.1 and a free
// port for the tests of every package, and a caller to call them with.
//
// A fake server answers each call with a Handler; the ready ones play the
// lecture's server and the ways a student's server goes wrong. Serve runs a
// real engine, such as the call center, the same way. Either is stopped when
// the test ends, waiting for the calls in progress and naming the ones that
// hang, so a test cannot leak a call unnoticed.
package labtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// callTimeout bounds every call a fake serves, so a handler waiting for a
// caller that never comes cannot outlive a failed test for long.
const callTimeout = 10 * time.Second

// closeWait is how long close waits for calls still in progress before it
// names them and hangs up on them: far above what any call on loopback
// takes once its caller is done. A variable so that this package's tests
// can watch a hang without waiting this long.
var closeWait = 5 * time.Second

// Handler answers one call. The server closes conn after it returns.
type Handler func(conn net.Conn)

// Config is a fake server's shape; the zero value answers calls on
// 127.0.0.1, each in its own goroutine.
type Config struct {
	// Listen is the address to listen on (default 127.0.0.1:0); 0.0.0.0:0
	// is a server bound to every interface.
	Listen string
	// Serial answers one call at a time, in the accept loop: one employee.
	Serial bool
	// Once answers one call and then stops listening, as the lecture's
	// script does.
	Once bool
}

// Server is a fake server, or an engine served by Serve, running until the
// test ends.
type Server struct {
	// Addr is where to call it: 127.0.0.1 and its port, even when it
	// listens on every address.
	Addr string

	t      testing.TB
	ln     net.Listener
	calls  sync.WaitGroup
	mu     sync.Mutex
	open   map[net.Conn]time.Time // calls in progress, and when each began
	closed sync.Once
	stop   func() // stops whatever serves ln; nil for a fake
}

// Start answers calls with h until the test ends.
func Start(t testing.TB, h Handler) *Server { return Config{}.Start(t, h) }

// Start answers calls with h, shaped by c, until the test ends.
func (c Config) Start(t testing.TB, h Handler) *Server {
	t.Helper()
	s := listen(t, c.Listen)
	s.calls.Go(func() { s.accept(c, h) })
	return s
}

func listen(t testing.TB, addr string) *Server {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatalf("labtest: listen %s: %v", addr, err)
	}
	s := &Server{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)),
		t:    t,
		ln:   ln,
		open: map[net.Conn]time.Time{},
	}
	t.Cleanup(s.close)
	return s
}

func (s *Server) accept(c Config, h Handler) {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.open[conn] = time.Now()
		s.mu.Unlock()
		switch {
		case c.Once:
			s.serve(conn, h)
			// A program ending after its call keeps its listening socket
			// a moment longer, as the lecture's script does.
			time.Sleep(20 * time.Millisecond)
			s.ln.Close()
			return
		case c.Serial:
			s.serve(conn, h)
		default:
			s.calls.Go(func() { s.serve(conn, h) })
		}
	}
}

// serve runs one call's handler; hangs below finds its goroutine by this
// function's name.
func (s *Server) serve(conn net.Conn, h Handler) {
	defer func() {
		conn.Close()
		s.mu.Lock()
		delete(s.open, conn)
		s.mu.Unlock()
	}()
	conn.SetDeadline(time.Now().Add(callTimeout))
	h(conn)
}

// Host is the server's IP address, as a HOST operand.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Port is the server's port, as a PORT operand.
func (s *Server) Port() string { _, p, _ := net.SplitHostPort(s.Addr); return p }

// close stops listening when the test ends, and waits for the calls in
// progress to end. Calls still open after a few seconds are a leak or a
// hang: close fails the test naming them and where their handlers wait, and
// hangs up on them; it returns without waiting for handlers that still do
// not return.
func (s *Server) close() {
	s.closed.Do(func() {
		if s.stop != nil {
			s.stop() // the engine closes its listener itself
		} else {
			s.ln.Close()
		}
		done := make(chan struct{})
		go func() { s.calls.Wait(); close(done) }()
		t := time.NewTimer(closeWait)
		defer t.Stop()
		select {
		case <-done:
			return
		case <-t.C:
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var open []string
		for conn, since := range s.open {
			open = append(open, fmt.Sprintf("call from %s, open %v", conn.RemoteAddr(), time.Since(since).Round(time.Millisecond)))
		}
		slices.Sort(open)
		s.t.Errorf("labtest: server at %s: %d calls still open %v after the test: %s\nwhere they wait:\n%s",
			s.Addr, len(open), closeWait, strings.Join(open, "; "), hangs())
		for conn := range s.open {
			conn.Close()
		}
	})
}

// hangs is the stacks of the goroutines still answering calls.
func hangs() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var b strings.Builder
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "labtest.(*Server).serve(") {
			b.WriteString(g + "\n\n")
		}
	}
	return b.String()
}

// Engine is a real server: it answers calls on the listener it is given
// until Shutdown, as the call center does.
type Engine interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
}

// Serve runs e on 127.0.0.1 and a free port until the test ends, and
// returns where to call it. Then it shuts e down, giving its calls a few
// seconds, and fails the test if calls were cut short, or if Serve returned
// an error other than closed: what e's Serve returns after Shutdown, a
// deliberate stop (as http.ErrServerClosed is for net/http).
func Serve(t testing.TB, e Engine, closed error) *Server {
	t.Helper()
	s := listen(t, "")
	served := make(chan error, 1)
	go func() { served <- e.Serve(s.ln) }()
	s.stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		if err := e.Shutdown(ctx); err != nil {
			s.t.Errorf("labtest: shut down the server at %s: %v", s.Addr, err)
		}
		if err := <-served; err != nil && !errors.Is(err, closed) {
			s.t.Errorf("labtest: serve %s: %v", s.Addr, err)
		}
	}
	return s
}

// ClosedAddr is an address on 127.0.0.1 where nothing listens: a call to it
// is refused.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("labtest: listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
