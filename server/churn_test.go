package main

// Crowds: thousands of callers, a stop in the middle of a crowd, and churn.
// The server runs in this process through run, so /proc/self/fd counts the
// server's sockets and the callers' together: when both sides are done,
// the count must be back where it was before the crowd.

import (
	"context"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/bench"
	"github.com/socketlab/socketlab/internal/callcenter"
	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count open files here: %v", err)
	}
	return len(ents)
}

// settles waits a bounded while for count to come back down to idle, and
// fails the test if it never does. Closing is asynchronous (the server's
// goroutines finish after the caller reads EOF), so one look is not enough.
func settles(t *testing.T, what string, count func() int, idle int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for n := count(); n > idle; n = count() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, still above the idle count %d after 10s", what, n, idle)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logTally counts a running server's log lines by what they say.
type logTally struct {
	mu     sync.Mutex
	counts map[string]int
	other  []string
	done   chan struct{}
}

// The phrases that tell a call's log line apart.
const (
	lineEchoed = "echoed it"
	lineHungUp = "hung up without saying anything, nothing echoed"
	lineFailed = "the call failed"
)

// callPhrases are the phrases tallyLog counts, in the order it looks for them.
var callPhrases = []string{lineEchoed, lineHungUp, lineFailed}

// tallyLog reads r's stdout to its end, counting call lines; other lines
// are kept. It must run from right after startRun: the server blocks on a
// log nobody reads.
func tallyLog(r *running) *logTally {
	lt := &logTally{counts: map[string]int{}, done: make(chan struct{})}
	go func() {
		defer close(lt.done)
		for line := range r.lines {
			i := slices.IndexFunc(callPhrases, func(p string) bool { return strings.Contains(line, p) })
			lt.mu.Lock()
			if i >= 0 {
				lt.counts[callPhrases[i]]++
			} else if len(lt.other) < 100 {
				lt.other = append(lt.other, line)
			}
			lt.mu.Unlock()
		}
	}()
	return lt
}

func (lt *logTally) count(phrase string) int {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return lt.counts[phrase]
}

// waitFor waits a bounded while until n lines said one of phrases.
func (lt *logTally) waitFor(t *testing.T, n int, phrases ...string) {
	t.Helper()
	total := func() (sum int) {
		for _, p := range phrases {
			sum += lt.count(p)
		}
		return sum
	}
	deadline := time.Now().Add(30 * time.Second)
	for total() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d lines said %q within 30s; want %d", total(), phrases, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// end waits, a bounded while, for the server's stdout to end.
func (lt *logTally) end(t *testing.T) {
	t.Helper()
	select {
	case <-lt.done:
	case <-time.After(10 * time.Second):
		t.Fatal("server's log did not end")
	}
}

// idle is what the process holds with the server up and no caller: taken
// after one ordinary call, so whatever the runtime opens lazily is counted,
// and the least of a few looks, so that call's last close is not.
func idle(t *testing.T, addr string, log *logTally) (fds, goroutines int) {
	t.Helper()
	labtest.ServesNormally(t, addr)
	log.waitFor(t, 1, lineEchoed)
	fds, goroutines = openFDs(t), runtime.NumGoroutine()
	for range 5 {
		time.Sleep(20 * time.Millisecond)
		fds, goroutines = min(fds, openFDs(t)), min(goroutines, runtime.NumGoroutine())
	}
	return fds, goroutines
}

// TestThousandsOfSilentHangUps: 3000 callers connect and hang up without
// saying anything (600 for the processes model, each a process), half after
// reading the greeting and half without reading it (their close is a RST
// whenever the greeting had already arrived). Every one is logged as a
// hang-up, none as a failure, the server keeps serving, and every socket
// and goroutine the calls used is gone.
func TestThousandsOfSilentHangUps(t *testing.T) {
	for _, m := range callcenter.Models {
		t.Run(string(m), func(t *testing.T) {
			callers, concurrency := 3000, 16
			if m == callcenter.ModelProcesses {
				callers = 600
			}
			r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-backlog", "1024", "-model", string(m))
			log := tallyLog(r)
			idleFDs, idleGoroutines := idle(t, r.addr, log)

			var next atomic.Int64
			var wg sync.WaitGroup
			for range concurrency {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(callers); i = next.Add(1) {
						c, err := net.DialTimeout("tcp", r.addr, 5*time.Second)
						if err != nil {
							t.Errorf("caller %d: %v", i, err)
							return
						}
						if i%2 == 0 {
							c.SetReadDeadline(time.Now().Add(5 * time.Second))
							c.Read(make([]byte, len(lab.Greeting)))
						}
						c.Close()
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}
			labtest.ServesNormally(t, r.addr)
			log.waitFor(t, callers, lineHungUp, lineFailed)
			log.waitFor(t, 2, lineEchoed)
			if n := log.count(lineFailed); n > 0 {
				t.Fatalf("%d of %d silent hang-ups logged as failed calls; want none", n, callers)
			}
			settles(t, "open files", func() int { return openFDs(t) }, idleFDs)
			settles(t, "goroutines", runtime.NumGoroutine, idleGoroutines)
		})
	}
}

// TestStopDuringACrowd is SIGTERM while a crowd of 32 calls a thinking
// server: every call either completes with its echo or is never greeted,
// none is cut mid-echo.
//
// The bench's counts alone cannot tell the two apart: a caller waiting in
// the listen queue, accepted by the kernel but not yet by the server, is
// sent RST when the listener closes, and the bench counts that as a reset,
// as it would a call cut after its greeting. The server's log tells them
// apart: it logs every call it picked up. So if every logged call was
// echoed, and exactly as many callers verified their echo, then every
// greeted caller got its echo, and the bench's failures are callers the
// server never picked up: refused (they dialled after the listener closed)
// or reset while waiting for the greeting (queued when it closed). With one
// goroutine per call the queue is almost always empty, so nearly all are
// refused; with four employees 28 callers are on hold, and those are reset.
// None times out: a closed listener answers SYNs with RST at once.
func TestStopDuringACrowd(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		stopAfter int // echoed calls before the stop
	}{
		{"one goroutine per call", nil, 100},
		{"four employees, the rest on hold", []string{"-workers", "4"}, 20},
		{"a process per call", []string{"-model", "processes"}, 30},
		{"four processes, the rest on hold", []string{"-model", "processes", "-workers", "4"}, 20},
		{"the event loop", []string{"-model", "eventloop"}, 100},
		{"the event loop with four employees, the rest on hold", []string{"-model", "eventloop", "-workers", "4"}, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const calls = 2000
			r := startRun(t, append([]string{"-addr", "127.0.0.1", "-port", "0", "-think", "50ms", "-backlog", "64"}, tt.args...)...)
			log := tallyLog(r)
			reports := make(chan bench.Report, 1)
			go func() {
				rep, err := bench.Run(context.Background(), bench.Config{Addr: r.addr, Concurrency: 32, Calls: calls})
				if err != nil {
					t.Errorf("bench: %v", err)
				}
				reports <- rep
			}()
			log.waitFor(t, tt.stopAfter, lineEchoed) // mid-crowd: 32 callers are on the line
			r.cancel()                               // what SIGTERM does through signal.NotifyContext
			if err := r.wait(t); err != nil {
				t.Fatalf("run: %v; want a clean stop", err)
			}
			var rep bench.Report
			select {
			case rep = <-reports:
			case <-time.After(60 * time.Second): // each call is bounded by the bench's 10s timeout
				t.Fatal("bench did not end")
			}
			log.end(t)
			t.Logf("%d calls: %d echoed, failures %v", rep.Calls, rep.OK, rep.Failures)

			if rep.Calls != calls || rep.Interrupted {
				t.Fatalf("bench ended %d of %d calls (interrupted %v)", rep.Calls, calls, rep.Interrupted)
			}
			for kind := range rep.Failures {
				if kind != lab.KindRefused && kind != lab.KindReset {
					t.Errorf("%d calls failed with %s; want only refused or reset-before-greeting", rep.Failures[kind], kind)
				}
			}
			served := log.count(lineEchoed)
			if rep.OK != served {
				t.Errorf("server echoed %d calls, callers verified %d: some greeted call lost its echo", served, rep.OK)
			}
			if n := log.count(lineHungUp) + log.count(lineFailed); n > 0 {
				t.Errorf("%d calls the server picked up did not end in an echo; log: %q", n, log.other)
			}
			if served >= calls {
				t.Errorf("all %d calls were served; the stop did not come mid-crowd", calls)
			}
			if !slices.Contains(log.other, "stopped") {
				t.Errorf("log does not end with \"stopped\": %q", log.other)
			}
			if _, err := net.DialTimeout("tcp", r.addr, time.Second); lab.Classify(err) != lab.KindRefused {
				t.Fatalf("call after the stop: %v; want refused", err)
			}
		})
	}
}

// TestChurnForEachModel is 2,000 calls, 16 at a time, to each model: none
// fails, and afterwards the process holds the same open files and
// goroutines as before (the processes model's children are reaped, and
// the pipes of their log lines closed).
func TestChurnForEachModel(t *testing.T) {
	for _, m := range callcenter.Models {
		t.Run(string(m), func(t *testing.T) {
			const calls = 2000
			r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-backlog", "1024", "-model", string(m))
			log := tallyLog(r)
			idleFDs, idleGoroutines := idle(t, r.addr, log)
			rep, err := bench.Run(t.Context(), bench.Config{Addr: r.addr, Concurrency: 16, Calls: calls})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Calls != calls || rep.Failed != 0 {
				t.Fatalf("%d of %d calls made, %d failed: %v; want none to fail", rep.Calls, calls, rep.Failed, rep.Failures)
			}
			log.waitFor(t, calls+1, lineEchoed)
			settles(t, "open files", func() int { return openFDs(t) }, idleFDs)
			settles(t, "goroutines", runtime.NumGoroutine, idleGoroutines)
		})
	}
}

// TestChurn is 100,000 calls, 64 at a time: none fails, and afterwards
// the process holds the same open files and goroutines as before. The
// server hangs up first, so TIME_WAIT is on its side; those are kernel
// state, not file descriptors, and a reused port is let in again by the
// kernel's TIME_WAIT handling (timestamps), not refused.
func TestChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 calls; skipped with -short")
	}
	const calls = 100_000
	r := startRun(t, "-addr", "127.0.0.1", "-port", "0", "-backlog", "1024")
	log := tallyLog(r)
	idleFDs, idleGoroutines := idle(t, r.addr, log)

	rep, err := bench.Run(t.Context(), bench.Config{Addr: r.addr, Concurrency: 64, Calls: calls})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls in %v, failures %v", rep.Calls, rep.Elapsed.Round(time.Millisecond), rep.Failures)
	if rep.Calls != calls || rep.Failed != 0 {
		t.Fatalf("%d of %d calls made, %d failed: %v; want none to fail", rep.Calls, calls, rep.Failed, rep.Failures)
	}
	log.waitFor(t, calls+1, lineEchoed)
	settles(t, "open files", func() int { return openFDs(t) }, idleFDs)
	settles(t, "goroutines", runtime.NumGoroutine, idleGoroutines)
	labtest.ServesNormally(t, r.addr)
}
