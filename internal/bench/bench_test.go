package bench

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		handle  labtest.Handler // nil: nothing listens
		cfg     Config
		wantOK  int
		wantBad map[lab.Kind]int
	}{
		{"lecture", labtest.Lecture, Config{Calls: 200, Concurrency: 8}, 200, nil},
		{"busy", labtest.Busy, Config{Calls: 20, Concurrency: 4}, 0, map[lab.Kind]int{lab.KindBusy: 20}},
		{"wrong greeting", labtest.Scripted("howdy\n", nil), Config{Calls: 10}, 0, map[lab.Kind]int{lab.KindWrongGreeting: 10}},
		{"wrong echo", labtest.Scripted(lab.Greeting, func([]byte) []byte { return []byte("bye\n") }), Config{Calls: 10}, 0, map[lab.Kind]int{lab.KindWrongEcho: 10}},
		{"never greets", labtest.Silent, Config{Calls: 4, Timeout: 100 * time.Millisecond}, 0, map[lab.Kind]int{lab.KindTimeout: 4}},
		{"refused", nil, Config{Calls: 10, Concurrency: 2}, 0, map[lab.Kind]int{lab.KindRefused: 10}},
		// Timeout bounds each step, not the whole call: a greeting and an
		// echo that each take most of it make a call that takes more.
		{"slow steps", func(c net.Conn) {
			time.Sleep(600 * time.Millisecond)
			labtest.Scripted(lab.Greeting, func(said []byte) []byte { time.Sleep(600 * time.Millisecond); return said })(c)
		}, Config{Calls: 2, Concurrency: 2, Timeout: time.Second}, 2, nil},
		{"message", labtest.Scripted(lab.Greeting, func(said []byte) []byte {
			if string(said) == "ring ring\n" {
				return said
			}
			return nil
		}), Config{Calls: 5, Msg: []byte("ring ring\n")}, 5, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.handle == nil {
				tt.cfg.Addr = labtest.ClosedAddr(t)
			} else {
				tt.cfg.Addr = labtest.Start(t, tt.handle).Addr
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
	addr := labtest.Start(t, labtest.Lecture).Addr
	start := time.Now()
	rep, err := Run(context.Background(), Config{Addr: addr, Duration: 200 * time.Millisecond, Concurrency: 2})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second { // a ceiling a loaded machine cannot reach
		t.Errorf("ran %v; want it to stop at its Duration, 200ms, not before, and not seconds later", d)
	}
	if rep.OK == 0 || rep.OK != rep.Calls {
		t.Errorf("ok %d of %d calls; want some, all ok", rep.OK, rep.Calls)
	}
}

func TestRunInterrupted(t *testing.T) {
	for _, hold := range []int{0, 10} {
		t.Run(map[int]string{0: "calls", 10: "hold"}[hold], func(t *testing.T) {
			addr := labtest.Start(t, labtest.Silent).Addr // never greets
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			rep, err := Run(ctx, Config{Addr: addr, Calls: 10, Hold: hold, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if d := time.Since(start); d > 5*time.Second { // the calls' Timeout is 10s
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
		var mu sync.Mutex
		open, most := 0, 0
		srv := labtest.Start(t, func(c net.Conn) {
			mu.Lock()
			open++
			most = max(most, open)
			mu.Unlock()
			defer func() { mu.Lock(); open--; mu.Unlock() }()
			labtest.Lecture(c) // greets, then waits for a message that never comes
		})
		rep, err := Run(context.Background(), Config{Addr: srv.Addr, Hold: 50, Concurrency: 8})
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
		srv := labtest.Config{Serial: true}.Start(t, labtest.Lecture)
		rep, err := Run(context.Background(), Config{Addr: srv.Addr, Hold: 5, HoldTimeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, rep, 5, 1, map[lab.Kind]int{lab.KindTimeout: 4})
	})
	t.Run("busy", func(t *testing.T) {
		rep, err := Run(context.Background(), Config{Addr: labtest.Start(t, labtest.Busy).Addr, Hold: 5})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, rep, 5, 0, map[lab.Kind]int{lab.KindBusy: 5})
	})
	t.Run("refused", func(t *testing.T) {
		rep, err := Run(context.Background(), Config{Addr: labtest.ClosedAddr(t), Hold: 5})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, rep, 5, 0, map[lab.Kind]int{lab.KindRefused: 5})
	})
}

func TestProgress(t *testing.T) {
	srv := labtest.Start(t, func(c net.Conn) { time.Sleep(500 * time.Millisecond); labtest.Lecture(c) })
	var b strings.Builder
	rep, err := Run(context.Background(), Config{Addr: srv.Addr, Calls: 1, Progress: &b, ProgressTTY: true})
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
	cfg, err := Config{Addr: labtest.Start(b, labtest.Lecture).Addr}.withDefaults()
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
