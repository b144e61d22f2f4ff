package callcenter

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

func TestGreetingComesFirstAndExact(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, _ := startServer(t, &Server{Model: m})
		c := labtest.Dial(t, addr)
		// Say nothing: the greeting must arrive before the caller speaks.
		got, err := labtest.ReadGreeting(t, c, 2*time.Second)
		if err != nil || got != "hello\n" {
			t.Fatalf("got %q, %v; want %q", got, err, "hello\n")
		}
	})
}

func TestEcho(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		binary := []byte{0, 1, 2, 0xff, 0xfe, '\r', '\n', 0, 0x80}
		kilo := bytes.Repeat([]byte("0123456789"), 100)
		tests := []struct {
			name string
			msg  []byte
		}{
			{"the lecture's line", []byte("hi back atcha\n")},
			{"telnet's CRLF", []byte("hi back atcha\r\n")},
			{"binary and NUL bytes", binary},
			{"exactly 1000 bytes", kilo},
			{"one byte", []byte("x")},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				addr, log := startServer(t, &Server{Model: m})
				g, echo := labtest.Call(t, addr, tt.msg)
				if string(g) != lab.Greeting {
					t.Fatalf("greeting %q; want %q", g, lab.Greeting)
				}
				if !bytes.Equal(echo, tt.msg) {
					t.Fatalf("echo %q; want %q", echo, tt.msg)
				}
				log.WaitFor(t, "echoed it")
			})
		}
	})
}

// TestLongMessageGetsItsEchoNotAReset is the close the lecture's script gets
// wrong: closing with 2000 unread bytes would send RST and could destroy the
// echo before the caller reads it.
func TestLongMessageGetsItsEchoNotAReset(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, log := startServer(t, &Server{Model: m})
		msg := bytes.Repeat([]byte("abcdefghij"), 300)
		for i := range 20 { // a reset is a race; give it many chances to show
			c := labtest.Dial(t, addr)
			res, err := lab.Exchange(c, msg)
			if err != nil {
				t.Fatalf("call %d: %v (kind %s)", i, err, lab.Classify(err))
			}
			if len(res.Echo) == 0 || len(res.Echo) > lab.MaxRead || !bytes.HasPrefix(msg, res.Echo) {
				t.Fatalf("call %d: echo of %d bytes is not a prefix of at most %d bytes of what was sent", i, len(res.Echo), lab.MaxRead)
			}
			c.Close()
		}
		log.WaitFor(t, "echoed it")
	})
}

func TestReadsOnce(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, _ := startServer(t, &Server{Model: m, Think: 0})
		c := labtest.Dial(t, addr)
		if _, err := labtest.ReadGreeting(t, c, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		c.Write([]byte("first"))
		time.Sleep(100 * time.Millisecond) // let the server's one read take "first" alone
		c.Write([]byte("second"))
		c.CloseWrite()
		echo, err := io.ReadAll(c)
		if err != nil {
			t.Fatal(err)
		}
		if string(echo) != "first" {
			t.Fatalf("echo %q; want %q: the lecture reads once", echo, "first")
		}
	})
}

func TestSilentHangUpIsLogged(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, log := startServer(t, &Server{Model: m})
		c := labtest.Dial(t, addr)
		labtest.ReadGreeting(t, c, 2*time.Second)
		c.Close()
		log.WaitFor(t, "hung up without saying anything, nothing echoed")
	})
}

func TestHalfCloseBeforeSpeaking(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, log := startServer(t, &Server{Model: m})
		c := labtest.Dial(t, addr)
		c.CloseWrite()
		rest, err := io.ReadAll(c)
		if err != nil || string(rest) != lab.Greeting {
			t.Fatalf("got %q, %v; want only the greeting, then EOF", rest, err)
		}
		log.WaitFor(t, "hung up without saying anything")
	})
}

func TestIdleTimeoutHangsUp(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, log := startServer(t, &Server{Model: m, IdleTimeout: 100 * time.Millisecond})
		c := labtest.Dial(t, addr)
		rest, err := io.ReadAll(c) // say nothing: the server must end the call
		if err != nil || string(rest) != lab.Greeting {
			t.Fatalf("got %q, %v; want the greeting, then the server hanging up", rest, err)
		}
		log.WaitFor(t, "said nothing; hung up on them (-idle-timeout)")
	})
}

func TestEchoMode(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, log := startServer(t, &Server{Model: m, Mode: ModeEcho})
		c := labtest.Dial(t, addr)
		labtest.ReadGreeting(t, c, 2*time.Second)
		for _, line := range []string{"one\n", "two\r\n", "three\n"} {
			c.Write([]byte(line))
			got := make([]byte, len(line))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != line {
				t.Fatalf("got %q, %v; want %q", got, err, line)
			}
		}
		c.CloseWrite()
		if rest, err := io.ReadAll(c); err != nil || len(rest) != 0 {
			t.Fatalf("after hanging up got %q, %v; want EOF", rest, err)
		}
		log.WaitFor(t, `said "two\r\n" (5 bytes)`)
		log.WaitFor(t, "echoed 15 bytes, caller hung up")
	})
}

// crowd dials n callers at once, who say nothing, and counts what they
// hear: the greeting (an employee picked up) or the busy signal. It waits
// for want answers as long as a loaded machine may need, then quiet more
// for any answer beyond them; callers on hold hear nothing, since the
// employees wait for their silent callers to speak. Load can delay an
// answer, so it can only hide a wrong extra one, never make one up.
func crowd(t *testing.T, addr string, n, want int, quiet time.Duration) (greeted, busy int) {
	t.Helper()
	heard := make(chan string, n)
	var wg sync.WaitGroup
	conns := make([]net.Conn, n)
	for i := range conns {
		c := labtest.Dial(t, addr)
		conns[i] = c
		wg.Go(func() {
			g, _ := labtest.ReadGreeting(t, c, 10*time.Second)
			heard <- g
		})
	}
	defer func() {
		for _, c := range conns {
			c.Close() // ends the reads of those still on hold
		}
		wg.Wait()
	}()
	count := func(g string) {
		switch g {
		case lab.Greeting:
			greeted++
		case lab.Busy:
			busy++
		}
	}
	for deadline := time.After(10 * time.Second); greeted+busy < want; {
		select {
		case g := <-heard:
			count(g)
		case <-deadline:
			return greeted, busy
		}
	}
	for quietEnd := time.After(quiet); ; {
		select {
		case g := <-heard:
			count(g)
		case <-quietEnd:
			return greeted, busy
		}
	}
}

func TestCallCenter(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		think := 300 * time.Millisecond
		tests := []struct {
			name                string
			srv                 *Server
			wantGreeted, wantBy int
		}{
			{name: "one employee: one caller answered, four on hold", srv: &Server{Model: m, Workers: 1, Think: think}, wantGreeted: 1},
			{name: "one goroutine per call: all five answered", srv: &Server{Model: m, Think: think}, wantGreeted: 5},
			{name: "four employees: four answered", srv: &Server{Model: m, Workers: 4, Think: think}, wantGreeted: 4},
			{name: "one employee with -busy: four hear busy", srv: &Server{Model: m, Workers: 1, Busy: true, Think: think}, wantGreeted: 1, wantBy: 4},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				addr, _ := startServer(t, tt.srv)
				greeted, busy := crowd(t, addr, 5, tt.wantGreeted+tt.wantBy, think)
				if greeted != tt.wantGreeted || busy != tt.wantBy {
					t.Fatalf("greeted %d, busy %d; want %d and %d", greeted, busy, tt.wantGreeted, tt.wantBy)
				}
			})
		}
	})
}

func TestOneEmployeeServesCallersOneAfterAnother(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		const think = 300 * time.Millisecond
		addr, log := startServer(t, &Server{Model: m, Workers: 1, Think: think})
		var wg sync.WaitGroup
		done := make([]time.Time, 5)
		for i := range done {
			wg.Add(1)
			go func() {
				defer wg.Done()
				labtest.Call(t, addr, []byte("balance?"))
				done[i] = time.Now()
			}()
		}
		wg.Wait()
		first, last := done[0], done[0]
		for _, d := range done {
			first, last = minTime(first, d), maxTime(last, d)
		}
		// One employee thinking 300ms per call cannot finish five calls faster
		// than four thinks apart: the bound is a floor, not a speed target.
		if gap := last.Sub(first); gap < 4*think {
			t.Fatalf("five calls finished within %v; one employee needs at least %v", gap, 4*think)
		}
		log.WaitFor(t, "balance?")
		deadline := time.Now().Add(5 * time.Second)
		for strings.Count(log.String(), "echoed it") < 5 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := strings.Count(log.String(), "echoed it"); n != 5 {
			t.Fatalf("logged %d echoed calls; want 5", n)
		}
	})
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestShutdownLetsCallsInProgressFinish(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		s := &Server{Model: m, Think: 500 * time.Millisecond}
		addr, _ := startServer(t, s)
		c := labtest.Dial(t, addr)
		labtest.ReadGreeting(t, c, 2*time.Second)
		c.Write([]byte("still there?"))
		time.Sleep(50 * time.Millisecond) // the employee is now thinking

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopped := make(chan error, 1)
		go func() { stopped <- s.Shutdown(ctx) }()

		echo, err := io.ReadAll(c)
		c.Close()
		if err != nil || string(echo) != "still there?" {
			t.Fatalf("call in progress got %q, %v; want its echo", echo, err)
		}
		if err := <-stopped; err != nil {
			t.Fatalf("shutdown: %v", err)
		}
		if _, err := net.DialTimeout("tcp", addr, time.Second); lab.Classify(err) != lab.KindRefused {
			t.Fatalf("new call after shutdown: %v; want refused", err)
		}
	})
}

func TestShutdownGivesUpAfterGrace(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		s := &Server{Model: m, Think: time.Second}
		addr, _ := startServer(t, s)
		c := labtest.Dial(t, addr)
		labtest.ReadGreeting(t, c, 2*time.Second)
		c.Write([]byte("slow"))
		time.Sleep(50 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		err := s.Shutdown(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 calls still in progress") {
			t.Fatalf("got %v; want the grace period to run out with 1 call in progress", err)
		}
	})
}

// TestBytesAfterTheReadAreDrained: the caller speaks again while the
// employee thinks. Those bytes are never read, so a plain close would answer
// them with RST; the server must drain them and the caller keep its echo.
func TestBytesAfterTheReadAreDrained(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		addr, _ := startServer(t, &Server{Model: m, Think: 200 * time.Millisecond})
		for i := range 5 {
			c := labtest.Dial(t, addr)
			if _, err := labtest.ReadGreeting(t, c, 2*time.Second); err != nil {
				t.Fatal(err)
			}
			c.Write([]byte("first"))
			time.Sleep(50 * time.Millisecond) // the server has read "first" and is thinking
			c.Write(bytes.Repeat([]byte("more"), 2000))
			echo, err := io.ReadAll(c)
			if err != nil || string(echo) != "first" {
				t.Fatalf("call %d: got %q, %v; want the echo %q and a clean hang-up", i, echo, err, "first")
			}
			c.Close()
		}
	})
}

// TestIdleTimeoutIsEachCallsOwn: two silent callers, the second half an
// -idle-timeout after the first, are each hung up on when their own time
// runs out: neither sooner (the first's time does not cut the second's
// short) nor both when the second's runs out (the second call does not
// put the first's time off). The bounds are floors, and one ceiling that
// is half a timeout (a second) away, so a loaded machine that runs the
// server or wakes the test late cannot fail it.
func TestIdleTimeoutIsEachCallsOwn(t *testing.T) {
	forEachModel(t, func(t *testing.T, m Model) {
		t.Parallel() // each model's callers mostly wait: seconds, not CPU
		const idle = 2 * time.Second
		addr, _ := startServer(t, &Server{Model: m, IdleTimeout: idle})
		var dialed [2]time.Time
		var hungUp [2]chan time.Time
		for i := range 2 {
			if i == 1 {
				time.Sleep(idle / 2)
			}
			// Before the dial: the server cannot start a call's time sooner.
			dialed[i] = time.Now()
			c := labtest.Dial(t, addr)
			hungUp[i] = make(chan time.Time, 1)
			go func() {
				io.ReadAll(c) // the greeting, then the server's hang-up
				hungUp[i] <- time.Now()
			}()
		}
		first, second := <-hungUp[0], <-hungUp[1]
		for i, end := range []time.Time{first, second} {
			if d := end.Sub(dialed[i]); d < idle {
				t.Errorf("caller %d was hung up on %v after it called; want no sooner than its -idle-timeout, %v", i+1, d, idle)
			}
		}
		if secondsEnd := dialed[1].Add(idle); !first.Before(secondsEnd) {
			t.Errorf("the first caller was hung up on %v after it called, no sooner than the second caller's time ran out (%v): its time was put off by the second call",
				first.Sub(dialed[0]), secondsEnd.Sub(dialed[0]))
		}
	})
}
