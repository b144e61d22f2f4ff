package callcenter

// Bad input and faults, one caller at a time: each test does what a
// misbehaving caller does, checks the documented answer, and then makes an
// ordinary call to show the server kept serving.

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// pattern is n bytes that differ from their neighbours, so an echo that is
// not a prefix of it shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// checkPrefixEcho fails the test unless echo is what one read of msg can
// give back: a non-empty prefix of at most lab.MaxRead bytes.
func checkPrefixEcho(t *testing.T, echo, msg []byte) {
	t.Helper()
	if len(echo) == 0 || len(echo) > lab.MaxRead || !bytes.HasPrefix(msg, echo) {
		t.Fatalf("echo of %d bytes is not a non-empty prefix of at most %d bytes of the %d sent", len(echo), lab.MaxRead, len(msg))
	}
}

// TestFloodOfOneMegabyte: a caller sends 1 MiB in one write. The server
// reads once, echoes at most 1000 bytes, and drains the rest (up to
// maxDrain) before it closes, so the caller gets its echo and a clean EOF,
// never a reset.
func TestFloodOfOneMegabyte(t *testing.T) {
	addr, log := startServer(t, &Server{})
	msg := pattern(1 << 20)
	for i := range 3 { // a reset is a race; give it a few chances to show
		c := labtest.Dial(t, addr)
		res, err := lab.Exchange(c, msg)
		if err != nil {
			t.Fatalf("call %d: %v (kind %s); want the echo and no reset", i, err, lab.Classify(err))
		}
		if string(res.Greeting) != lab.Greeting {
			t.Fatalf("call %d: greeting %q", i, res.Greeting)
		}
		checkPrefixEcho(t, res.Echo, msg)
		c.Close()
	}
	log.WaitFor(t, "echoed it")
	labtest.ServesNormally(t, addr)
}

// TestEndlessFloodIsHungUpOn: a caller who never stops sending cannot keep
// the server's socket open. The server stops draining after maxDrain bytes
// or Drain (2s), whichever comes first, and closes with the caller's bytes
// still unread, which sends RST: the caller's next write fails with a reset.
// That reset is the documented end of such a call; the echo was delivered
// before it, and other callers are served meanwhile.
func TestEndlessFloodIsHungUpOn(t *testing.T) {
	addr, log := startServer(t, &Server{})
	c := labtest.Dial(t, addr)
	// Bounds the flood: a server that never hangs up fails the test here.
	c.SetDeadline(time.Now().Add(30 * time.Second))
	const limit = 1 << 30

	type read struct {
		got []byte
		err error
	}
	reader := make(chan read, 1)
	go func() {
		got, err := io.ReadAll(c)
		reader <- read{got, err}
	}()
	chunk := pattern(64 << 10)
	sent, werr := 0, error(nil)
	for sent < limit && werr == nil {
		var n int
		n, werr = c.Write(chunk)
		sent += n
		if sent == 2*len(chunk) {
			// Mid-flood, other callers still get through.
			labtest.ServesNormally(t, addr)
		}
	}
	if lab.Classify(werr) != lab.KindReset {
		t.Fatalf("flood of %d bytes ended with %v; want the server to hang up (a reset)", sent, werr)
	}
	t.Logf("server hung up on the flood after %d bytes sent", sent)
	r := <-reader
	echo, ok := bytes.CutPrefix(r.got, []byte(lab.Greeting))
	if !ok {
		t.Fatalf("flooding caller read %q; want the greeting first", r.got)
	}
	checkPrefixEcho(t, echo, chunk)
	if r.err != nil && lab.Classify(r.err) != lab.KindReset {
		t.Fatalf("flooding caller's read ended with %v; want EOF or a reset", r.err)
	}
	log.WaitFor(t, "echoed it")
	labtest.ServesNormally(t, addr)
}

// TestEveryByteValueIsEchoed: the echo is bytes, not text. Every byte value,
// NUL included, comes back exactly, and the log line quotes them, so a
// caller's bytes cannot put control characters on the student's terminal.
func TestEveryByteValueIsEchoed(t *testing.T) {
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	tests := []struct {
		name    string
		msg     []byte
		wantLog string
	}{
		{"every byte value once", every, `said "\x00\x01\x02\x03\x04\x05\x06\a\b\t\n\v\f\r\x0e`},
		{"a thousand NULs", make([]byte, lab.MaxRead), `said "\x00\x00\x00`},
		{"every byte value backwards, cycled to a thousand", cycled(lab.MaxRead), `said "\xff\xfe\xfd`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, log := startServer(t, &Server{})
			g, echo := labtest.Call(t, addr, tt.msg)
			if string(g) != lab.Greeting || !bytes.Equal(echo, tt.msg) {
				t.Fatalf("greeting %q, echo %q; want %q and the %d bytes sent", g, echo, lab.Greeting, len(tt.msg))
			}
			log.WaitFor(t, tt.wantLog)
			labtest.ServesNormally(t, addr)
			log.WaitFor(t, `said "hi back atcha\n"`)
			if out := log.String(); strings.ContainsAny(out, "\x00\r\x1b") || strings.Count(out, "\n") != 2 {
				t.Fatalf("log is not two quoted lines:\n%q", out)
			}
		})
	}
}

func cycled(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(255 - i%256)
	}
	return b
}

// TestMisbehavingCallers: callers who hang up, go quiet or vanish at each
// step of the call. Each gets the documented answer and log line; then an
// ordinary caller is served.
func TestMisbehavingCallers(t *testing.T) {
	tests := []struct {
		name    string
		srv     *Server
		caller  func(t *testing.T, c *net.TCPConn)
		wantLog string
	}{{
		name: "half-closes before speaking: greeting, then EOF",
		srv:  &Server{},
		caller: func(t *testing.T, c *net.TCPConn) {
			c.CloseWrite()
			if rest, err := io.ReadAll(c); err != nil || string(rest) != lab.Greeting {
				t.Fatalf("got %q, %v; want only the greeting, then EOF", rest, err)
			}
		},
		wantLog: "hung up without saying anything, nothing echoed",
	}, {
		// Closing with the greeting unread sends RST, not FIN; the caller
		// still hung up without speaking, and is logged as such.
		name:    "hangs up without reading the greeting",
		srv:     &Server{},
		caller:  func(t *testing.T, c *net.TCPConn) { waitGreetingQueued(t, c); c.Close() },
		wantLog: "hung up without saying anything, nothing echoed",
	}, {
		name: "resets the call before speaking",
		srv:  &Server{},
		caller: func(t *testing.T, c *net.TCPConn) {
			labtest.ReadGreeting(t, c, 2*time.Second)
			c.SetLinger(0)
			c.Close()
		},
		wantLog: "hung up without saying anything, nothing echoed",
	}, {
		name: "silent after the greeting: hung up on at -idle-timeout",
		srv:  &Server{IdleTimeout: 200 * time.Millisecond},
		caller: func(t *testing.T, c *net.TCPConn) {
			// The dial helper's 10s deadline bounds the wait.
			if rest, err := io.ReadAll(c); err != nil || string(rest) != lab.Greeting {
				t.Fatalf("got %q, %v; want the greeting, then the server hanging up", rest, err)
			}
		},
		wantLog: "said nothing; hung up on them (-idle-timeout)",
	}, {
		// The RST arrives while the employee thinks: the bytes sent before
		// it are still read, the echo's write fails, and the log says so.
		name: "vanishes mid-call while the server thinks",
		srv:  &Server{Think: 200 * time.Millisecond},
		caller: func(t *testing.T, c *net.TCPConn) {
			labtest.ReadGreeting(t, c, 2*time.Second)
			c.Write([]byte("are you there"))
			c.SetLinger(0)
			c.Close()
		},
		wantLog: `said "are you there" (13 bytes), then the call failed: write`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, log := startServer(t, tt.srv)
			tt.caller(t, labtest.Dial(t, addr))
			log.WaitFor(t, tt.wantLog)
			labtest.ServesNormally(t, addr)
		})
	}
}

// waitGreetingQueued waits until the greeting sits unread in c's receive
// queue, so closing c now sends RST. Peeking leaves it unread.
func waitGreetingQueued(t *testing.T, c *net.TCPConn) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !unreadInput(c); {
		if time.Now().After(deadline) {
			t.Fatal("no greeting within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSlowCallers: a caller who types one byte every 100ms. The lecture's
// server reads once, so it echoes what that read found (the first byte, or
// the first few if the server was slow to read), hangs up, and the bytes
// typed after that are refused with a reset, exactly as the lecture's
// script would. Meanwhile other callers are served: with one goroutine per
// call nobody waits for the slow one.
func TestSlowCallers(t *testing.T) {
	addr, log := startServer(t, &Server{})
	c := labtest.Dial(t, addr)
	if _, err := labtest.ReadGreeting(t, c, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	typed := []byte("slowly")
	writes := make(chan error, 1)
	go func() {
		var err error
		for i := range typed {
			if _, err = c.Write(typed[i : i+1]); err != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		writes <- err
	}()
	labtest.ServesNormally(t, addr)
	echo, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("slow caller: %v; want its echo, then EOF", err)
	}
	if len(echo) == 0 || !bytes.HasPrefix(typed, echo) {
		t.Fatalf("slow caller's echo %q; want the first byte(s) of %q", echo, typed)
	}
	if err := <-writes; err != nil && lab.Classify(err) != lab.KindReset {
		t.Fatalf("slow caller's typing after the hang-up: %v; want success or a reset", err)
	}
	log.WaitFor(t, `said "`+string(echo)+`"`)
	labtest.ServesNormally(t, addr)
}

// TestSlowCallerHoldsTheOnlyEmployee: with -workers 1 a caller who says
// nothing keeps the one employee, and the next caller waits on hold,
// ungreeted, until the first hangs up or -idle-timeout hangs up on it.
// That is the lecture's point about one employee, not a fault to fix.
func TestSlowCallerHoldsTheOnlyEmployee(t *testing.T) {
	t.Run("until it hangs up", func(t *testing.T) {
		addr, _ := startServer(t, &Server{Workers: 1})
		silent := labtest.Dial(t, addr)
		if _, err := labtest.ReadGreeting(t, silent, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		next := labtest.Dial(t, addr)
		// With no idle timeout the employee is held for good, so no wait
		// is long enough for a greeting: this checks behaviour, not speed.
		if g, err := labtest.ReadGreeting(t, next, 200*time.Millisecond); lab.Classify(err) != lab.KindTimeout {
			t.Fatalf("next caller got %q, %v while the employee was held; want to wait on hold", g, err)
		}
		silent.Close()
		res, err := lab.Exchange(next, []byte("my turn"))
		if err != nil || lab.Verify(res, []byte("my turn")) != nil {
			t.Fatalf("next caller after the hang-up: %q %q, %v; want greeted and echoed", res.Greeting, res.Echo, err)
		}
		labtest.ServesNormally(t, addr)
	})
	t.Run("until -idle-timeout", func(t *testing.T) {
		addr, log := startServer(t, &Server{Workers: 1, IdleTimeout: 300 * time.Millisecond})
		silent := labtest.Dial(t, addr)
		if _, err := labtest.ReadGreeting(t, silent, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		// Bounded by the dial helper's deadline: the idle timeout frees the
		// employee long before it.
		labtest.ServesNormally(t, addr)
		log.WaitFor(t, "said nothing; hung up on them (-idle-timeout)")
		if rest, err := io.ReadAll(silent); err != nil || len(rest) != 0 {
			t.Fatalf("silent caller got %q, %v; want EOF", rest, err)
		}
	})
}
