package callcenter

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// limitProcesses makes s's processes model fail to start a process, as
// fork does at a pids limit, whenever full says so (called with s.procs.mu
// held, so it may look at s.procs.live).
func limitProcesses(s *Server, full func() bool) {
	s.procs.forkExec = func(name string, argv []string, attr *os.ProcAttr) (*os.Process, error) {
		if full() {
			return nil, &os.PathError{Op: "fork/exec", Path: name, Err: syscall.EAGAIN}
		}
		return os.StartProcess(name, argv, attr)
	}
}

// TestProcessesWaitForAFreeProcess: with room for one process at a time,
// three callers at once: the server says it waits for a process, and every
// caller is served in turn, none turned away.
func TestProcessesWaitForAFreeProcess(t *testing.T) {
	s := &Server{Model: ModelProcesses, Think: 100 * time.Millisecond}
	limitProcesses(s, func() bool { return len(s.procs.live) >= 1 })
	addr, log := startServer(t, s)
	msg := []byte("my turn?\n")
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		c := labtest.Dial(t, addr)
		wg.Go(func() {
			res, err := lab.Exchange(c, msg)
			if err == nil {
				err = lab.Verify(res, msg)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a caller: %v; want every caller served in turn", err)
		}
	}
	log.WaitFor(t, "resource temporarily unavailable (call from ")
	log.WaitFor(t, "retrying, for up to 2.5s")
	for deadline := time.Now().Add(5 * time.Second); strings.Count(log.String(), "echoed it") < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if out := log.String(); strings.Count(out, "echoed it") != 3 || strings.Contains(out, "the call failed") {
		t.Fatalf("want 3 echoed calls and none failed; log:\n%s", out)
	}
}

// TestProcessesGiveUpAfterTheirPatience: when no process can be had at
// all, the caller is turned away with a reset, not before the 2.5s the
// server's log promises, and the log says the call failed.
func TestProcessesGiveUpAfterTheirPatience(t *testing.T) {
	s := &Server{Model: ModelProcesses}
	limitProcesses(s, func() bool { return true })
	addr, log := startServer(t, s)
	start := time.Now() // before the dial: the server cannot begin to wait sooner
	c := labtest.Dial(t, addr)
	got, err := io.ReadAll(c)
	waited := time.Since(start)
	if len(got) != 0 || lab.Classify(err) != lab.KindReset {
		t.Fatalf("caller got %q, %v; want a reset before any greeting", got, err)
	}
	if waited < spawnPatience {
		t.Fatalf("turned away after %v; the log promises %v of retrying", waited, spawnPatience)
	}
	log.WaitFor(t, "retrying, for up to 2.5s")
	log.WaitFor(t, "the call failed: start a process for the call: fork/exec")
	if n := bytes.Count([]byte(log.String()), []byte("retrying")); n != 1 {
		t.Fatalf("said it retries %d times; want once per call:\n%s", n, log)
	}
}

// TestProcessesThatDieAsTheyStartAreReplaced: at a pids limit fork can
// succeed and the new process still die in the Go runtime's start, unable
// to make a thread, before it runs the call. The server starts another for
// the call, says so in one line, not the runtime's whole dump, and the
// caller is served.
func TestProcessesThatDieAsTheyStartAreReplaced(t *testing.T) {
	s := &Server{Model: ModelProcesses}
	var starts int
	s.procs.forkExec = func(name string, argv []string, attr *os.ProcAttr) (*os.Process, error) {
		if starts++; starts <= 2 {
			dump := `echo "runtime: failed to create new OS thread (have 2 already; errno=11)" >&2; echo "fatal error: newosproc" >&2; echo "goroutine 1 [running]:" >&2; exit 2`
			return os.StartProcess("/bin/sh", []string{"sh", "-c", dump}, attr)
		}
		return os.StartProcess(name, argv, attr)
	}
	addr, log := startServer(t, s)
	labtest.ServesNormally(t, addr)
	log.WaitFor(t, "echoed it")
	out := log.String()
	for _, want := range []string{"start a process for the call: it died as it started: runtime: failed to create new OS thread (have 2 already; errno=11) (call from ", "retrying, for up to 2.5s"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "fatal error") || strings.Contains(out, "goroutine 1") || strings.Count(out, "retrying") != 1 {
		t.Errorf("want one line about the processes that died, not their dump:\n%s", out)
	}
}
