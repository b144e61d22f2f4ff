package bench

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// newLocalListener listens on a free port of 127.0.0.1 until the test ends.
func newLocalListener(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// serve answers every call on ln with handle, each in its own goroutine,
// and waits for them all when the test ends; a call lasts 5s at most.
func serve(t testing.TB, ln net.Listener, handle func(net.Conn)) {
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

// lecture is the lecture's server: greet, read once, echo, hang up.
func lecture(c net.Conn) {
	io.WriteString(c, lab.Greeting)
	buf := make([]byte, lab.MaxRead)
	n, _ := c.Read(buf)
	c.Write(buf[:n])
}

// closedAddr is an address on 127.0.0.1 where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln := newLocalListener(t)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		handle  func(net.Conn) // nil: nothing listens
		cfg     Config
		wantOK  int
		wantBad map[lab.Kind]int
	}{
		{"lecture", lecture, Config{Calls: 200, Concurrency: 8}, 200, nil},
		{"busy", func(c net.Conn) { io.WriteString(c, lab.Busy) }, Config{Calls: 20, Concurrency: 4}, 0, map[lab.Kind]int{lab.KindBusy: 20}},
		{"wrong greeting", func(c net.Conn) { io.WriteString(c, "howdy\n"); lecture(c) }, Config{Calls: 10}, 0, map[lab.Kind]int{lab.KindWrongGreeting: 10}},
		{"wrong echo", func(c net.Conn) {
			io.WriteString(c, lab.Greeting)
			c.Read(make([]byte, 100))
			io.WriteString(c, "bye\n")
		},
			Config{Calls: 10}, 0, map[lab.Kind]int{lab.KindWrongEcho: 10}},
		{"never greets", func(c net.Conn) { io.Copy(io.Discard, c) }, Config{Calls: 4, Timeout: 100 * time.Millisecond}, 0, map[lab.Kind]int{lab.KindTimeout: 4}},
		{"refused", nil, Config{Calls: 10, Concurrency: 2}, 0, map[lab.Kind]int{lab.KindRefused: 10}},
		{"message", func(c net.Conn) {
			buf := make([]byte, 100)
			io.WriteString(c, lab.Greeting)
			n, _ := c.Read(buf)
			if string(buf[:n]) == "ring ring\n" {
				c.Write(buf[:n])
			}
		}, Config{Calls: 5, Msg: []byte("ring ring\n")}, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.handle == nil {
				tt.cfg.Addr = closedAddr(t)
			} else {
				ln := newLocalListener(t)
				serve(t, ln, tt.handle)
				tt.cfg.Addr = ln.Addr().String()
			}
			rep, err := Run(context.Background(), tt.cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkReport(t, rep, tt.cfg.Calls, tt.wantOK, tt.wantBad)
			if rep.Mode != "calls" || rep.Interrupted {
				t.Errorf("mode %q, interrupted %v; want calls, false", rep.Mode, rep.Interrupted)
			}
		})
	}
}

// checkReport checks a report's counts.
func checkReport(t *testing.T, rep Report, calls, ok int, bad map[lab.Kind]int) {
	t.Helper()
	if rep.Calls != calls || rep.OK != ok || rep.Failed != calls-ok {
		t.Errorf("calls %d, ok %d, failed %d; want %d, %d, %d (failures %v)", rep.Calls, rep.OK, rep.Failed, calls, ok, calls-ok, rep.Failures)
	}
	if len(rep.Failures) != len(bad) {
		t.Errorf("failures %v; want %v", rep.Failures, bad)
	}
	for k, n := range bad {
		if rep.Failures[k] != n {
			t.Errorf("failures[%s] = %d; want %d", k, rep.Failures[k], n)
		}
	}
}

func TestRunDuration(t *testing.T) {
	ln := newLocalListener(t)
	serve(t, ln, lecture)
	start := time.Now()
	rep, err := Run(context.Background(), Config{Addr: ln.Addr().String(), Duration: 200 * time.Millisecond, Concurrency: 2})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > time.Second {
		t.Errorf("ran %v; want about 200ms", d)
	}
	if rep.OK == 0 || rep.OK != rep.Calls {
		t.Errorf("ok %d of %d calls; want some, all ok", rep.OK, rep.Calls)
	}
}

func TestRunInterrupted(t *testing.T) {
	for _, hold := range []int{0, 10} {
		t.Run(map[int]string{0: "calls", 10: "hold"}[hold], func(t *testing.T) {
			ln := newLocalListener(t)
			serve(t, ln, func(c net.Conn) { io.Copy(io.Discard, c) }) // never greets
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			rep, err := Run(ctx, Config{Addr: ln.Addr().String(), Calls: 10, Hold: hold, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v after the cancel at 100ms; want it to stop at once", d)
			}
			if !rep.Interrupted || rep.Calls != 0 {
				t.Errorf("interrupted %v, calls %d; want true, 0: cancelled calls are not failures", rep.Interrupted, rep.Calls)
			}
		})
	}
}

func TestHold(t *testing.T) {
	t.Run("all greeted", func(t *testing.T) {
		ln := newLocalListener(t)
		var mu sync.Mutex
		open, most := 0, 0
		serve(t, ln, func(c net.Conn) {
			mu.Lock()
			open++
			most = max(most, open)
			mu.Unlock()
			defer func() { mu.Lock(); open--; mu.Unlock() }()
			lecture(c) // greets, then waits for a message that never comes
		})
		rep, err := Run(context.Background(), Config{Addr: ln.Addr().String(), Hold: 50, Concurrency: 8})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, rep, 50, 50, nil)
		if rep.Mode != "hold" || rep.LastGreeting <= 0 || rep.Latency.Max <= 0 || rep.LastGreeting > time.Second {
			t.Errorf("mode %q, last greeting %v, max wait %v; want hold and a short positive wait", rep.Mode, rep.LastGreeting, rep.Latency.Max)
		}
		mu.Lock()
		defer mu.Unlock()
		if most != 50 {
			t.Errorf("the server saw at most %d callers at once; want all 50 held together", most)
		}
	})
	t.Run("one employee", func(t *testing.T) {
		// A server that greets one caller at a time keeps the rest on
		// hold until the timeout: one greeted, the others time out.
		ln := newLocalListener(t)
		var mu sync.Mutex
		serve(t, ln, func(c net.Conn) {
			mu.Lock()
			defer mu.Unlock()
			lecture(c)
		})
		rep, err := Run(context.Background(), Config{Addr: ln.Addr().String(), Hold: 5, Timeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, rep, 5, 1, map[lab.Kind]int{lab.KindTimeout: 4})
	})
	t.Run("busy", func(t *testing.T) {
		ln := newLocalListener(t)
		serve(t, ln, func(c net.Conn) { io.WriteString(c, lab.Busy) })
		rep, err := Run(context.Background(), Config{Addr: ln.Addr().String(), Hold: 5})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, rep, 5, 0, map[lab.Kind]int{lab.KindBusy: 5})
	})
	t.Run("refused", func(t *testing.T) {
		rep, err := Run(context.Background(), Config{Addr: closedAddr(t), Hold: 5})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, rep, 5, 0, map[lab.Kind]int{lab.KindRefused: 5})
	})
}

func TestProgress(t *testing.T) {
	ln := newLocalListener(t)
	serve(t, ln, func(c net.Conn) { time.Sleep(500 * time.Millisecond); lecture(c) })
	var b strings.Builder
	rep, err := Run(context.Background(), Config{Addr: ln.Addr().String(), Calls: 1, Progress: &b, ProgressTTY: true})
	if err != nil || rep.OK != 1 {
		t.Fatalf("Run: %v, ok %d; want 1 ok", err, rep.OK)
	}
	got := b.String()
	for _, w := range []string{"\rbench: 0/1 calls, 0 ok, 0 failed", "\rbench: 1/1 calls, 1 ok, 0 failed"} {
		if !strings.Contains(got, w) {
			t.Errorf("progress %q lacks %q", got, w)
		}
	}
	if !strings.HasSuffix(got, "\n") {
		t.Errorf("progress %q does not end its line", got)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no address", Config{}},
		{"negative calls", Config{Addr: "127.0.0.1:1", Calls: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Run(context.Background(), tt.cfg); err == nil {
				t.Errorf("Run(%+v) = nil error; want one", tt.cfg)
			}
		})
	}
}

// BenchmarkCall measures one lecture call on loopback, the bench's unit of work.
func BenchmarkCall(b *testing.B) {
	ln := newLocalListener(b)
	serve(b, ln, lecture)
	cfg, err := Config{Addr: ln.Addr().String()}.withDefaults()
	if err != nil {
		b.Fatal(err)
	}
	w := newWorker(cfg)
	b.ReportAllocs()
	for b.Loop() {
		if r, _ := w.call(context.Background()); r.kind != "" {
			b.Fatalf("call failed: %s", r.kind)
		}
	}
}
