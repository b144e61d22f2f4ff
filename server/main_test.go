package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// running is a server started through run, as the binary would be.
type running struct {
	addr   string
	lines  chan string
	stderr *labtest.Buffer
	done   chan error
	cancel context.CancelFunc
}

// startRun runs the server with args and waits for its first line.
func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	r := &running{lines: make(chan string, 100), stderr: &labtest.Buffer{}, done: make(chan error, 1), cancel: cancel}
	go func() {
		err := run(ctx, args, pw, r.stderr)
		pw.Close()
		r.done <- err
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
	})
	first := r.next(t)
	addr, ok := strings.CutPrefix(first, "server listening at ")
	if !ok {
		t.Fatalf("first line %q; want \"server listening at <ip>:<port>\" (stderr: %s)", first, r.stderr)
	}
	r.addr = addr
	return r
}

func (r *running) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-r.lines:
		if !ok {
			t.Fatalf("stdout ended; stderr: %s", r.stderr)
		}
		return l
	case <-time.After(5 * time.Second):
		t.Fatalf("no line on stdout within 5s; stderr: %s", r.stderr)
	}
	return ""
}

func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
	return nil
}

func TestRunPrintsListeningLineFirst(t *testing.T) {
	r := startRun(t, "-addr", "127.0.0.1", "-port", "0")
	if _, port, err := net.SplitHostPort(r.addr); err != nil || port == "0" {
		t.Fatalf("listening at %q; want 127.0.0.1 and the real port", r.addr)
	}
	labtest.Call(t, r.addr, []byte("hi back atcha\n"))
	if got, want := r.next(t), `said "hi back atcha\n" (14 bytes), echoed it`; !strings.Contains(got, want) {
		t.Fatalf("call line %q; want it to contain %q", got, want)
	}
}

func TestRunOnceServesOneCallThenExits(t *testing.T) {
	r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-once")
	// A health probe is not the student's call.
	if err := run(context.Background(), []string{"-probe", "-addr", "127.0.0.1", "-port", port(t, r.addr)}, io.Discard, io.Discard); err != nil {
		t.Fatalf("probe: %v", err)
	}
	g, echo := labtest.Call(t, r.addr, []byte("once\n"))
	if string(g) != lab.Greeting || string(echo) != "once\n" {
		t.Fatalf("got %q %q", g, echo)
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("run: %v; want exit 0 after one call", err)
	}
	if _, err := net.DialTimeout("tcp", r.addr, time.Second); lab.Classify(err) != lab.KindRefused {
		t.Fatalf("second caller: %v; want refused", err)
	}
}

func TestRunStopsGracefullyOnSignal(t *testing.T) {
	r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-think", "300ms")
	c := labtest.Dial(t, r.addr)
	labtest.ReadGreeting(t, c, 2*time.Second)
	c.Write([]byte("goodbye"))
	time.Sleep(50 * time.Millisecond)
	r.cancel() // what SIGTERM does through signal.NotifyContext
	echo, err := io.ReadAll(c)
	if err != nil || string(echo) != "goodbye" {
		t.Fatalf("call in progress got %q, %v; want its echo", echo, err)
	}
	c.Close()
	if err := r.wait(t); err != nil {
		t.Fatalf("run: %v; want a clean stop", err)
	}
}

func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunBadInput(t *testing.T) {
	busy := labtest.Start(t, labtest.Lecture)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"help", []string{"-h"}, 0, "-backlog int"},
		{"unknown flag", []string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{"unknown interface lists the real ones", []string{"-iface", "en0"}, 2, "no such interface (en0 is macOS's name; on Linux it is usually eth0); have: lo"},
		{"bad mode", []string{"-mode", "shout"}, 2, `-mode "shout": want lecture or echo`},
		{"busy without workers", []string{"-busy"}, 2, "-busy needs -workers N"},
		{"stray argument", []string{"8000"}, 2, `unexpected argument "8000"`},
		{"not an IP", []string{"-addr", "laptop-a"}, 2, `-addr "laptop-a" is not an IP address`},
		{"port in use", []string{"-addr", "127.0.0.1", "-port", busy.Port()}, 1, "address already in use"},
		{"address not on this machine", []string{"-addr", "192.0.2.254", "-port", "0"}, 1, "this machine has no such address"},
		{"probe finds nobody", []string{"-probe", "-addr", "127.0.0.1", "-port", "1"}, 1, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := run(context.Background(), tt.args, &stdout, &stderr)
			code := exitCode(err, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d (err %v, stderr %s)", code, tt.wantCode, err, stderr.String())
			}
			if out := stdout.String() + stderr.String(); !strings.Contains(out, tt.want) {
				t.Fatalf("output does not contain %q:\n%s", tt.want, out)
			}
		})
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	var stderr strings.Builder
	run(context.Background(), []string{"-h"}, io.Discard, &stderr)
	for _, f := range []string{"-iface", "-addr", "-port", "-backlog", "-once", "-mode", "-workers", "-busy", "-think", "-idle-timeout", "-grace", "-list-interfaces", "-probe", "(default 8000)", "(default 5)", "(default 30s)", "(default 5s)"} {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("usage lacks %s", f)
		}
	}
}

func TestListInterfacesShowsLoopback(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"-list-interfaces"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "127.0.0.1/8") {
		t.Fatalf("got %q; want lo with 127.0.0.1/8", out.String())
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("accept: boom"), 1},
		{usageError{errors.New("bad")}, 2},
		{silenced(errors.New("bad")), 2},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err, io.Discard); got != tt.want {
			t.Errorf("exitCode(%v) = %d; want %d", tt.err, got, tt.want)
		}
	}
}

func TestProbe(t *testing.T) {
	for _, mode := range []string{"lecture", "echo"} {
		t.Run(mode, func(t *testing.T) {
			r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-mode", mode)
			var out strings.Builder
			err := run(context.Background(), []string{"-probe", "-probe-timeout", "2s", "-addr", "127.0.0.1", "-port", port(t, r.addr)}, &out, io.Discard)
			if err != nil {
				t.Fatalf("probe of a %s server: %v", mode, err)
			}
			if !strings.Contains(out.String(), "greeted and echoed") {
				t.Fatalf("probe said %q", out.String())
			}
			// The probe is not a student's call: no line for it.
			select {
			case l := <-r.lines:
				t.Fatalf("the probe was logged: %q", l)
			case <-time.After(100 * time.Millisecond):
			}
		})
	}
}

// TestStopThatCutsCallsShortNeverPanics: with -grace shorter than the calls
// in progress, run gives up on them and returns, and they go on: each still
// gets its echo and logs it, after run has returned. Many times over, that
// must never panic (a log closed under a call did), and the stop must count
// the calls it cut short.
func TestStopThatCutsCallsShortNeverPanics(t *testing.T) {
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	const callers = 4
	for range rounds {
		r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-think", "100ms", "-grace", "1ms")
		conns := make([]*net.TCPConn, callers)
		for i := range conns {
			conns[i] = labtest.Dial(t, r.addr)
			if _, err := labtest.ReadGreeting(t, conns[i], 2*time.Second); err != nil {
				t.Fatal(err)
			}
			conns[i].Write([]byte("cut short?"))
		}
		r.cancel() // what SIGTERM does through signal.NotifyContext
		if err := r.wait(t); err != nil {
			t.Fatalf("run: %v; want a stop that gives up on the calls, exit 0", err)
		}
		if got, want := r.next(t), fmt.Sprintf("stopping: no new calls; %d in progress", callers); !strings.HasPrefix(got, want) {
			t.Errorf("stop line %q; want %q", got, want)
		}
		if got, want := r.stderr.String(), fmt.Sprintf("server: stopped with calls cut short: %d calls still in progress", callers); !strings.Contains(got, want) {
			t.Errorf("stderr %q; want %q", got, want)
		}
		for i, c := range conns {
			if echo, err := io.ReadAll(c); err != nil || string(echo) != "cut short?" {
				t.Fatalf("caller %d after the stop: %q, %v; want its echo", i, echo, err)
			}
		}
	}
}
