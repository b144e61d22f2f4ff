package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/bench"
	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// target is the HOST PORT operands that call s.
func target(s *labtest.Server) []string { return []string{s.Host(), s.Port()} }

// closedPort is the HOST PORT operands of a port on 127.0.0.1 where nothing
// listens.
func closedPort(t *testing.T) []string {
	t.Helper()
	host, port, _ := net.SplitHostPort(labtest.ClosedAddr(t))
	return []string{host, port}
}

// replies answers every call with reply, whatever was said.
func replies(reply string) func([]byte) []byte {
	return func([]byte) []byte { return []byte(reply) }
}

// heard keeps what the server read in got and echoes it.
func heard(got chan<- string) func([]byte) []byte {
	return func(said []byte) []byte { got <- string(said); return said }
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
		{"lecture", labtest.Lecture, []string{"-send", "hi back atcha", "-expect-echo"}, exitOK, transcript, ""},
		{"wrong echo unchecked", labtest.Scripted(lab.Greeting, replies("bye\n")), []string{"-send", "hi"}, exitOK,
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nbye\nConnection closed by foreign host.\n", ""},
		{"wrong greeting", labtest.Scripted("howdy\n", nil), []string{"-send", "hi", "-expect-echo"}, exitMismatch, "", "wrong greeting"},
		{"wrong echo", labtest.Scripted(lab.Greeting, replies("bye\n")), []string{"-send", "hi", "-expect-echo"}, exitMismatch, "", "wrong echo"},
		{"busy", labtest.Busy, []string{"-send", "hi", "-expect-echo"}, exitMismatch,
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nbusy\nConnection closed by foreign host.\n", "busy"},
		{"hang-up before greeting", labtest.HangUpAtOnce, []string{"-send", "hi", "-expect-echo"}, exitMismatch, "", "hung up before greeting"},
		{"echo without newline", labtest.Scripted(lab.Greeting, replies("abc")), []string{"-send", "hi"}, exitOK,
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nabc\nConnection closed by foreign host.\n", ""},
		{"never greets", labtest.Silent, []string{"-send", "hi", "-timeout", "200ms"}, exitMismatch, "",
			"no greeting within 200ms: the server never said hello; it may be waiting for you to speak first"},
		{"a web server", labtest.HTTP, []string{"-send", "hi", "-timeout", "200ms"}, exitMismatch, "",
			"like a web server (HTTP)"},
		{"reset", func(c net.Conn) {
			io.WriteString(c, lab.Greeting)
			c.Read(make([]byte, 100))
			c.(*net.TCPConn).SetLinger(0) // close with RST
		}, []string{"-send", "hi"}, exitNetwork, "", "connection reset by peer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := labtest.Start(t, tt.handle)
			out, errOut, code := runClient(t, "", append(tt.flags, target(srv)...)...)
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

// TestHostPort: HOST:PORT in one operand calls that port, instead of
// looking up a host named "127.0.0.1:PORT".
func TestHostPort(t *testing.T) {
	srv := labtest.Start(t, labtest.Lecture)
	for _, addr := range []string{srv.Addr, "[" + srv.Host() + "]:" + srv.Port()} {
		out, errOut, code := runClient(t, "", "-send", "hi back atcha", "-expect-echo", addr)
		if code != exitOK || !strings.Contains(out, "hello\nhi back atcha\n") {
			t.Errorf("client %s: exit %d\nstdout:\n%s\nstderr:\n%s", addr, code, out, errOut)
		}
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
			got := make(chan string, 1)
			srv := labtest.Start(t, labtest.Scripted(lab.Greeting, heard(got)))
			args := append([]string{"-send", "hi back atcha", "-expect-echo"}, tt.flags...)
			if _, errOut, code := runClient(t, "", append(args, target(srv)...)...); code != exitOK {
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
	if d := time.Since(start); d > 5*time.Second { // a ceiling a loaded machine cannot reach
		t.Errorf("took %v without -wait; want one quick attempt", d)
	}
}

func TestWait(t *testing.T) {
	t.Run("server starts late", func(t *testing.T) {
		hp := closedPort(t)
		type result struct {
			out, errOut string
			code        int
		}
		called := make(chan result, 1)
		go func() {
			out, errOut, code := runClient(t, "", append([]string{"-wait", "5s", "-send", "hi back atcha", "-expect-echo"}, hp...)...)
			called <- result{out, errOut, code}
		}()
		time.Sleep(300 * time.Millisecond)
		labtest.Config{Listen: net.JoinHostPort(hp[0], hp[1])}.Start(t, labtest.Lecture)
		r := <-called
		out, errOut, code := r.out, r.errOut, r.code
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
		if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
			t.Errorf("gave up after %v; want at its -wait, 300ms, not before, and not seconds later", d)
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
		{"lecture", labtest.Lecture, nil, "hi back atcha\n",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nhi back atcha\nConnection closed by foreign host.\n"},
		{"echo until stdin ends", labtest.EchoAll, nil, "one\ntwo\nthree\n",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\none\ntwo\nthree\nConnection closed by foreign host.\n"},
		{"crlf", labtest.EchoAll, []string{"-crlf"}, "one\ntwo\r\n",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\none\r\ntwo\r\nConnection closed by foreign host.\n"},
		{"last line unended", labtest.EchoAll, nil, "one\ntwo",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\none\ntwo\nConnection closed by foreign host.\n"},
		{"empty stdin", labtest.EchoAll, nil, "",
			"Trying 127.0.0.1...\nConnected to 127.0.0.1.\nhello\nConnection closed by foreign host.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := labtest.Start(t, tt.handle)
			out, errOut, code := runClient(t, tt.stdin, append(tt.flags, target(srv)...)...)
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
	srv := labtest.Start(t, labtest.Silent)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	stdin, w := io.Pipe() // a user who never types
	t.Cleanup(func() { w.Close() })
	var out, errb bytes.Buffer
	code := run(ctx, target(srv), stdin, &out, &errb)
	if code != exitNetwork || !strings.Contains(errb.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q; want 1 and interrupted", code, errb.String())
	}
}

func TestUsage(t *testing.T) {
	tests := []usageCase{
		{"help", []string{"-h"}, exitOK, []string{"usage: client [flags] HOST [PORT]", "\n  bench ", "-crlf", "-send TEXT", "-expect-echo", "-wait D", "-timeout D", "(default 10s)"}},
		{"bench help", []string{"bench", "-h"}, exitOK, []string{"usage: client bench", "-c N", "(default 64)", "-n N", "-d D", "-msg TEXT", "-timeout D", "-json", "-hold N", "-hold-timeout D"}},
		{"unknown flag", []string{"-x", "host"}, exitUsage, []string{"flag provided but not defined: -x", "usage: client"}},
		{"no host", nil, exitUsage, []string{"missing HOST", "usage: client"}},
		{"bad port", []string{"host", "eighty"}, exitUsage, []string{`bad PORT "eighty"`}},
		{"port out of range", []string{"host", "70000"}, exitUsage, []string{`bad PORT "70000"`}},
		{"too many", []string{"host", "80", "-send"}, exitUsage, []string{"too many arguments"}},
		{"HOST:PORT and PORT", []string{"host:80", "81"}, exitUsage, []string{`"host:80" already has a port`}},
		{"bad port in HOST:PORT", []string{"host:eighty"}, exitUsage, []string{`bad PORT "eighty" in "host:eighty"`}},
		{"empty host in HOST:PORT", []string{":80"}, exitUsage, []string{`empty HOST in ":80"`}},
		{"expect-echo alone", []string{"-expect-echo", "host"}, exitUsage, []string{"-expect-echo needs -send"}},
		{"zero timeout", []string{"-timeout", "0s", "host"}, exitUsage, []string{"-timeout must be positive"}},
		{"bench unknown flag", []string{"bench", "-x", "host"}, exitUsage, []string{"flag provided but not defined: -x", "usage: client bench"}},
		{"bench no host", []string{"bench"}, exitUsage, []string{"missing HOST"}},
		{"bench hold with n", []string{"bench", "-hold", "5", "-n", "5", "host"}, exitUsage, []string{"drop -n and -d"}},
		{"bench no callers", []string{"bench", "-c", "0", "host"}, exitUsage, []string{"-c must be at least 1"}},
		{"bench hold-timeout without hold", []string{"bench", "-hold-timeout", "5s", "host"}, exitUsage, []string{"-hold-timeout needs -hold N"}},
	}
	checkUsage(t, tests)
}

// usageCase is a command line that must end at once with wantCode, print
// nothing on stdout, and say each of wantErr on stderr.
type usageCase struct {
	name     string
	args     []string
	wantCode int
	wantErr  []string
}

// checkUsage runs each case as a subtest.
func checkUsage(t *testing.T, tests []usageCase) {
	t.Helper()
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
	srv := labtest.Start(t, labtest.Lecture)
	t.Run("json", func(t *testing.T) {
		out, errOut, code := runClient(t, "", append([]string{"bench", "-json", "-n", "20", "-c", "4"}, target(srv)...)...)
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
		out, errOut, code := runClient(t, "", append([]string{"bench", "-n", "20", "-c", "4"}, target(srv)...)...)
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
		out, errOut, code := runClient(t, "", append([]string{"bench", "-hold", "10"}, target(srv)...)...)
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
