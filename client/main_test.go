package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/client/bench"
	"github.com/socketlab/socketlab/internal/lab"
)

// newLocalListener listens on a free port of 127.0.0.1 until the test ends.
func newLocalListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// serve answers every call on ln with handle, each in its own goroutine,
// and waits for them all when the test ends. A call lasts 5s at most, so a
// handler that waits for the client cannot hang the test.
func serve(t *testing.T, ln net.Listener, handle func(net.Conn)) {
	t.Helper()
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
}

// target is the HOST PORT operands that call ln.
func target(ln net.Listener) []string {
	a := ln.Addr().(*net.TCPAddr)
	return []string{a.IP.String(), strconv.Itoa(a.Port)}
}

// closedPort is a port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) []string {
	t.Helper()
	ln := newLocalListener(t)
	hp := target(ln)
	ln.Close()
	return hp
}

// lecture is the lecture's server: greet, read once, echo, hang up. It
// drains what is left before closing, as SPEC.md asks, so the client sees
// an orderly end rather than a reset. got, if not nil, receives what it read.
func lecture(got chan<- string) func(net.Conn) {
	return func(c net.Conn) {
		scripted(lab.Greeting, nil, got)(c)
	}
}

// scripted greets with greeting, reads once, and answers with reply (nil:
// echo what it read).
func scripted(greeting string, reply []byte, got chan<- string) func(net.Conn) {
	return func(c net.Conn) {
		io.WriteString(c, greeting)
		buf := make([]byte, lab.MaxRead)
		n, _ := c.Read(buf)
		if got != nil {
			got <- string(buf[:n])
		}
		out := reply
		if out == nil {
			out = buf[:n]
		}
		c.Write(out)
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
	}
}

// echoAll greets, then echoes everything until the caller hangs up: the
// server's -mode echo, for interactive sessions.
func echoAll(c net.Conn) {
	io.WriteString(c, lab.Greeting)
	io.Copy(c, c)
}

// runClient runs the client as a user would, with stdin as its input.
func runClient(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestSend(t *testing.T) {
	const transcript = "Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nhi back atcha\nConnection closed by foreign host.\n"
	tests := []struct {
		name     string
		handle   func(net.Conn)
		flags    []string
		wantCode int
		wantOut  string // the whole of stdout, when not empty
		wantErr  string // part of stderr
	}{
		{"lecture", lecture(nil), []string{"-send", "hi back atcha", "-expect-echo"}, exitOK, transcript, ""},
		{"wrong echo unchecked", scripted(lab.Greeting, []byte("bye\n"), nil), []string{"-send", "hi"}, exitOK,
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nbye\nConnection closed by foreign host.\n", ""},
		{"wrong greeting", scripted("howdy\n", nil, nil), []string{"-send", "hi", "-expect-echo"}, exitMismatch, "", "wrong greeting"},
		{"wrong echo", scripted(lab.Greeting, []byte("bye\n"), nil), []string{"-send", "hi", "-expect-echo"}, exitMismatch, "", "wrong echo"},
		{"busy", func(c net.Conn) { io.WriteString(c, lab.Busy) }, []string{"-send", "hi", "-expect-echo"}, exitMismatch,
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nbusy\nConnection closed by foreign host.\n", "busy"},
		{"hang-up before greeting", func(net.Conn) {}, []string{"-send", "hi", "-expect-echo"}, exitMismatch, "", "hung up before greeting"},
		{"echo without newline", scripted(lab.Greeting, []byte("abc"), nil), []string{"-send", "hi"}, exitOK,
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nabc\nConnection closed by foreign host.\n", ""},
		{"never greets", func(c net.Conn) { io.Copy(io.Discard, c) }, []string{"-send", "hi", "-timeout", "200ms"}, exitNetwork, "",
			"waiting for the greeting: timed out"},
		{"reset", func(c net.Conn) {
			io.WriteString(c, lab.Greeting)
			c.Read(make([]byte, 100))
			c.(*net.TCPConn).SetLinger(0) // close with RST
		}, []string{"-send", "hi"}, exitNetwork, "", "connection reset by peer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln := newLocalListener(t)
			serve(t, ln, tt.handle)
			out, errOut, code := runClient(t, "", append(tt.flags, target(ln)...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			if tt.wantOut != "" && out != tt.wantOut {
				t.Errorf("stdout:\n%q\nwant:\n%q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q; want it to contain %q", errOut, tt.wantErr)
			}
			if tt.wantCode == exitOK && errOut != "" {
				t.Errorf("stderr %q; want nothing", errOut)
			}
		})
	}
}

func TestSendLineEnding(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  string
	}{
		{"newline", nil, "hi back atcha\n"},
		{"crlf", []string{"-crlf"}, "hi back atcha\r\n"},
		{"empty", []string{"-send", ""}, "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln := newLocalListener(t)
			got := make(chan string, 1)
			serve(t, ln, lecture(got))
			args := append([]string{"-send", "hi back atcha", "-expect-echo"}, tt.flags...)
			if _, errOut, code := runClient(t, "", append(args, target(ln)...)...); code != exitOK {
				t.Fatalf("exit %d; want 0; stderr: %s", code, errOut)
			}
			if g := <-got; g != tt.want {
				t.Errorf("server read %q; want %q", g, tt.want)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	start := time.Now()
	out, errOut, code := runClient(t, "", closedPort(t)...)
	if code != exitNetwork {
		t.Fatalf("exit %d; want %d", code, exitNetwork)
	}
	if want := "connection refused (nothing is listening there)"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q; want it to contain %q", errOut, want)
	}
	if !strings.HasPrefix(out, "Trying 127.0.0.1...\n") || strings.Contains(out, "Connected") {
		t.Errorf("stdout %q; want only the Trying line", out)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v without -wait; want one quick attempt", d)
	}
}

func TestWait(t *testing.T) {
	t.Run("server starts late", func(t *testing.T) {
		hp := closedPort(t)
		done := make(chan struct{})
		go func() {
			defer close(done)
			time.Sleep(300 * time.Millisecond)
			ln, err := net.Listen("tcp", net.JoinHostPort(hp[0], hp[1]))
			if err != nil {
				t.Errorf("listen late: %v", err)
				return
			}
			defer ln.Close()
			ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
			c, err := ln.Accept()
			if err != nil {
				t.Errorf("accept: %v", err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			lecture(nil)(c)
		}()
		t.Cleanup(func() { <-done })
		out, errOut, code := runClient(t, "", append([]string{"-wait", "5s", "-send", "hi back atcha", "-expect-echo"}, hp...)...)
		if code != exitOK {
			t.Fatalf("exit %d; want 0\nstdout: %s\nstderr: %s", code, out, errOut)
		}
		if !strings.Contains(errOut, "waiting up to 5s for 127.0.0.1:") {
			t.Errorf("stderr %q; want one waiting line", errOut)
		}
		if n := strings.Count(out, "Trying"); n != 1 {
			t.Errorf("stdout says Trying %d times; want once:\n%s", n, out)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		start := time.Now()
		_, errOut, code := runClient(t, "", append([]string{"-wait", "300ms"}, closedPort(t)...)...)
		if code != exitNetwork {
			t.Fatalf("exit %d; want %d", code, exitNetwork)
		}
		if want := "connection refused (nothing is listening there) (gave up after waiting 300ms)"; !strings.Contains(errOut, want) {
			t.Errorf("stderr %q; want it to contain %q", errOut, want)
		}
		if d := time.Since(start); d < 300*time.Millisecond || d > time.Second {
			t.Errorf("gave up after %v; want just over 300ms", d)
		}
	})
}

func TestInteractive(t *testing.T) {
	tests := []struct {
		name    string
		handle  func(net.Conn)
		flags   []string
		stdin   string
		wantOut string
	}{
		{"lecture", lecture(nil), nil, "hi back atcha\n",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nhi back atcha\nConnection closed by foreign host.\n"},
		{"echo until stdin ends", echoAll, nil, "one\ntwo\nthree\n",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\none\ntwo\nthree\nConnection closed by foreign host.\n"},
		{"crlf", echoAll, []string{"-crlf"}, "one\ntwo\r\n",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\none\r\ntwo\r\nConnection closed by foreign host.\n"},
		{"last line unended", echoAll, nil, "one\ntwo",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\none\ntwo\nConnection closed by foreign host.\n"},
		{"empty stdin", echoAll, nil, "",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nConnection closed by foreign host.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln := newLocalListener(t)
			serve(t, ln, tt.handle)
			out, errOut, code := runClient(t, tt.stdin, append(tt.flags, target(ln)...)...)
			if code != exitOK {
				t.Fatalf("exit %d; want 0; stderr: %s", code, errOut)
			}
			if out != tt.wantOut {
				t.Errorf("stdout:\n%q\nwant:\n%q", out, tt.wantOut)
			}
		})
	}
}

func TestInterrupt(t *testing.T) {
	ln := newLocalListener(t)
	serve(t, ln, func(c net.Conn) { io.Copy(io.Discard, c) })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	stdin, w := io.Pipe() // a user who never types
	t.Cleanup(func() { w.Close() })
	var out, errb bytes.Buffer
	code := run(ctx, target(ln), stdin, &out, &errb)
	if code != exitNetwork || !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q; want 1 and interrupted", code, errb.String())
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  []string
	}{
		{"help", []string{"-h"}, exitOK, []string{"usage: client [flags] HOST [PORT]", "client bench", "-crlf", "-send TEXT", "-expect-echo", "-wait D", "-timeout D", "(default 10s)"}},
		{"bench help", []string{"bench", "-h"}, exitOK, []string{"usage: client bench", "-c N", "(default 64)", "-n N", "-d D", "-msg TEXT", "-timeout D", "-json", "-hold N"}},
		{"unknown flag", []string{"-x", "host"}, exitUsage, []string{"flag provided but not defined: -x", "usage: client"}},
		{"no host", nil, exitUsage, []string{"missing HOST", "usage: client"}},
		{"bad port", []string{"host", "eighty"}, exitUsage, []string{`bad PORT "eighty"`}},
		{"port out of range", []string{"host", "70000"}, exitUsage, []string{`bad PORT "70000"`}},
		{"too many", []string{"host", "80", "-send"}, exitUsage, []string{"too many arguments"}},
		{"expect-echo alone", []string{"-expect-echo", "host"}, exitUsage, []string{"-expect-echo needs -send"}},
		{"zero timeout", []string{"-timeout", "0s", "host"}, exitUsage, []string{"-timeout must be positive"}},
		{"bench unknown flag", []string{"bench", "-x", "host"}, exitUsage, []string{"flag provided but not defined: -x", "usage: client bench"}},
		{"bench no host", []string{"bench"}, exitUsage, []string{"missing HOST"}},
		{"bench hold with n", []string{"bench", "-hold", "5", "-n", "5", "host"}, exitUsage, []string{"drop -n and -d"}},
		{"bench no callers", []string{"bench", "-c", "0", "host"}, exitUsage, []string{"-c must be at least 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runClient(t, "", tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q; want nothing: usage goes to stderr", out)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestBenchCommand(t *testing.T) {
	ln := newLocalListener(t)
	serve(t, ln, lecture(nil))
	t.Run("json", func(t *testing.T) {
		out, errOut, code := runClient(t, "", append([]string{"bench", "-json", "-n", "20", "-c", "4"}, target(ln)...)...)
		if code != exitOK {
			t.Fatalf("exit %d; want 0; stderr: %s", code, errOut)
		}
		var rep bench.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("stdout is not one JSON report: %v\n%s", err, out)
		}
		if rep.Calls != 20 || rep.OK != 20 || rep.Mode != "calls" {
			t.Errorf("report %+v; want 20 calls, all ok", rep)
		}
	})
	t.Run("text", func(t *testing.T) {
		out, errOut, code := runClient(t, "", append([]string{"bench", "-n", "20", "-c", "4"}, target(ln)...)...)
		if code != exitOK {
			t.Fatalf("exit %d; want 0; stderr: %s", code, errOut)
		}
		for _, w := range []string{"bench: 20 calls to 127.0.0.1:", "ok 20, failed 0", "p50", "|#"} {
			if !strings.Contains(out, w) {
				t.Errorf("report lacks %q:\n%s", w, out)
			}
		}
	})
	t.Run("hold", func(t *testing.T) {
		out, errOut, code := runClient(t, "", append([]string{"bench", "-hold", "10"}, target(ln)...)...)
		if code != exitOK || !strings.Contains(out, "greeted 10, failed 0") {
			t.Errorf("exit %d; report:\n%s\nstderr: %s\nwant exit 0 and 10 greeted", code, out, errOut)
		}
	})
	t.Run("refused", func(t *testing.T) {
		out, _, code := runClient(t, "", append([]string{"bench", "-n", "5"}, closedPort(t)...)...)
		if code != exitOK || !strings.Contains(out, "failures: refused 5") {
			t.Errorf("exit %d; report:\n%s\nwant exit 0 and 5 refused", code, out)
		}
	})
}
