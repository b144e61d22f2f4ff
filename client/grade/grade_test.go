package grade

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// testTimeout is the grade's step timeout in tests: far above what loopback
// takes, small enough that waiting it out a few times stays quick.
const testTimeout = time.Second

// fake is a server that breaks at most one of the lecture's rules.
type fake struct {
	handle labtest.Handler
	serial bool   // one call at a time, in the accept loop (one employee)
	once   bool   // serve one call, then stop listening (the lecture's script)
	listen string // address to listen on (default 127.0.0.1:0)
}

// start serves f until the test ends and returns the address to grade:
// 127.0.0.1 and the port, even when f listens on every address.
func (f fake) start(t *testing.T) string {
	t.Helper()
	return labtest.Config{Listen: f.listen, Serial: f.serial, Once: f.once}.Start(t, f.handle).Addr
}

// lecture is the lecture's call done right: greet, read once, echo,
// half-close and drain before closing, so no echo is lost to a reset.
var lecture = labtest.Lecture

// The fakes: each breaks one rule.
var (
	wrongGreeting = labtest.Scripted("howdy\n", nil)
	noEcho        = labtest.Scripted(lab.Greeting, func([]byte) []byte { return nil })
	lateGreeting  = func(c net.Conn) {
		buf := make([]byte, lab.MaxRead)
		n, _ := c.Read(buf)
		io.WriteString(c, lab.Greeting)
		c.Write(buf[:n])
		labtest.HangUp(c)
	}
	// readsAll reads the whole line, however long: more than one read.
	readsAll = func(c net.Conn) {
		io.WriteString(c, lab.Greeting)
		line, _ := bufio.NewReader(c).ReadString('\n')
		io.WriteString(c, line)
		labtest.HangUp(c)
	}
	// closesAtOnce closes right after the echo, as the lecture's script
	// does: with unread data, the kernel sends a reset.
	closesAtOnce = func(c net.Conn) {
		io.WriteString(c, lab.Greeting)
		buf := make([]byte, lab.MaxRead)
		n, _ := c.Read(buf)
		c.Write(buf[:n])
	}
	neverCloses = func(c net.Conn) {
		io.WriteString(c, lab.Greeting)
		buf := make([]byte, lab.MaxRead)
		n, _ := c.Read(buf)
		c.Write(buf[:n])
		io.Copy(io.Discard, c)
	}
	// patient hangs up on a caller who says nothing for 100ms.
	patient = func(c net.Conn) {
		io.WriteString(c, lab.Greeting)
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		buf := make([]byte, lab.MaxRead)
		n, _ := c.Read(buf)
		c.Write(buf[:n])
		labtest.HangUp(c)
	}
	silent     = labtest.Silent
	hangsUpNow = labtest.HangUpAtOnce
)

// verdicts is every check's status: all PASS (the model INFO) but for the
// exceptions given as id, status pairs.
func verdicts(except ...any) map[string]Status {
	want := map[string]Status{
		"answers": Pass, "greeting": Pass, "greeting-first": Pass, "echo": Pass, "echo-crlf": Pass,
		"echo-1000": Pass, "echo-3000": Pass, "hangs-up": Pass, "silent-caller": Pass, "model": Info,
		"still-there": Pass,
	}
	for i := 0; i < len(except); i += 2 {
		want[except[i].(string)] = except[i+1].(Status)
	}
	return want
}

// skipAll is the exceptions for every check but those named, skipped.
func skipAll(but ...string) []any {
	var ex []any
	for _, id := range []string{"greeting", "greeting-first", "echo", "echo-crlf", "echo-1000", "echo-3000", "hangs-up", "silent-caller", "model", "still-there"} {
		if !strings.Contains(" "+strings.Join(but, " ")+" ", " "+id+" ") {
			ex = append(ex, id, Skip)
		}
	}
	return ex
}

func TestGrade(t *testing.T) {
	t.Parallel() // it mostly waits; so does TestGradeLabServer
	tests := []struct {
		name     string
		fake     fake
		notOn    []string // hosts; the fake's port is added
		require  bool     // -require-concurrent
		want     map[string]Status
		model    Model
		passed   bool
		reasons  map[string]string // part of a check's reason
		maxCalls int
	}{
		{name: "lecture", fake: fake{handle: lecture}, notOn: []string{"127.0.0.2"},
			want: verdicts("not-on", Pass), model: ModelMany, passed: true,
			reasons: map[string]string{
				"silent-caller": "answered another caller meanwhile",
				"model":         "many employees: a second caller was greeted while the first was still on the line",
				"not-on":        "refused there",
			}},
		{name: "wrong greeting", fake: fake{handle: wrongGreeting},
			want: verdicts("greeting", Fail), model: ModelMany,
			reasons: map[string]string{"greeting": `it said "howdy\n": the greeting is exactly "hello\n"`}},
		{name: "greeting after the caller speaks", fake: fake{handle: lateGreeting},
			want:    verdicts("greeting-first", Fail, "silent-caller", Skip, "model", Skip),
			reasons: map[string]string{"greeting-first": "before recv()"}},
		{name: "no echo", fake: fake{handle: noEcho},
			want: verdicts("echo", Fail, "echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "hangs-up", Skip), model: ModelMany,
			reasons: map[string]string{"echo": "nothing came back (it hung up)", "echo-1000": "the short line did not come back"}},
		{name: "echo of more than one read", fake: fake{handle: readsAll},
			want: verdicts("echo-3000", Fail), model: ModelMany,
			reasons: map[string]string{"echo-3000": "3000 bytes came back: it read more than once"}},
		{name: "reset on close with unread data", fake: fake{handle: closesAtOnce},
			want: verdicts("echo-3000", Warn), model: ModelMany, passed: true,
			reasons: map[string]string{"echo-3000": "then a reset (RST): closing with unread data sends RST"}},
		{name: "never closes", fake: fake{handle: neverCloses},
			want: verdicts("hangs-up", Fail), model: ModelMany,
			reasons: map[string]string{"hangs-up": "still open 1s after the caller spoke"}},
		{name: "one employee", fake: fake{handle: patient, serial: true},
			want: verdicts(), model: ModelOne, passed: true,
			reasons: map[string]string{
				"silent-caller": "it hung up on the caller who said nothing after ",
				"model":         "one employee: a second caller was greeted only after the server hung up on the first",
			}},
		{name: "silent caller waits forever", fake: fake{handle: lecture, serial: true},
			want: verdicts("silent-caller", Warn), model: ModelOne, passed: true,
			reasons: map[string]string{
				"silent-caller": "one silent caller blocks everyone",
				"model":         "one employee: a second caller was not greeted for 1s while the first said nothing",
			}},
		{name: "one employee, concurrency required", fake: fake{handle: lecture, serial: true}, require: true,
			want: verdicts("silent-caller", Warn, "model", Fail), model: ModelOne,
			reasons: map[string]string{"model": "(-require-concurrent)"}},
		{name: "serves one call, then exits", fake: fake{handle: lecture, once: true}, notOn: []string{"127.0.0.2"},
			want: verdicts("echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "silent-caller", Skip,
				"model", Skip, "not-on", Skip, "still-there", Fail),
			reasons: map[string]string{
				"still-there": "it served one call, then stopped answering: like the lecture's script",
				"echo-crlf":   "not checked: the server stopped answering after one call",
			}},
		{name: "bound to every address", fake: fake{handle: lecture, listen: "0.0.0.0:0"}, notOn: []string{"127.0.0.2"},
			want: verdicts("not-on", Fail), model: ModelMany,
			reasons: map[string]string{"not-on": "it answered there too: it listens on every interface"}},
		{name: "says nothing", fake: fake{handle: silent},
			want:    verdicts(append(skipAll("still-there"), "greeting", Fail)...),
			reasons: map[string]string{"greeting": "it said nothing within 1s, not even after the caller spoke"}},
		{name: "hangs up without a word", fake: fake{handle: hangsUpNow},
			want:    verdicts(append(skipAll("greeting-first", "still-there"), "greeting", Fail, "greeting-first", Skip)...),
			reasons: map[string]string{"greeting": `b"hello\n"`, "echo": "hung up before the caller could speak"}},
	}
	// The grades mostly wait, so they all run at once, each against its
	// own fake; the subtests then judge them.
	type graded struct {
		rep      Report
		err      error
		port     string
		streamed int
	}
	results := make([]graded, len(tests))
	var wg sync.WaitGroup
	for i, tt := range tests {
		addr := tt.fake.start(t)
		_, port, _ := net.SplitHostPort(addr)
		cfg := Config{Addr: addr, Timeout: testTimeout, RequireConcurrent: tt.require}
		for _, h := range tt.notOn {
			cfg.NotOn = append(cfg.NotOn, net.JoinHostPort(h, port))
		}
		results[i].port = port
		cfg.OnCheck = func(Result) { results[i].streamed++ }
		wg.Go(func() { results[i].rep, results[i].err = Run(context.Background(), cfg) })
	}
	wg.Wait()

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := results[i].rep
			if err := results[i].err; err != nil {
				t.Fatalf("Run: %v", err)
			}
			want := map[string]Status{}
			for id, s := range tt.want {
				want[id] = s
			}
			got := map[string]Status{}
			for _, r := range rep.Checks {
				got[r.ID] = r.Status
			}
			for id, s := range want {
				if got[id] != s {
					t.Errorf("%s: got %s; want %s", id, got[id], s)
				}
			}
			if len(got) != len(want) {
				t.Errorf("got %d checks; want %d", len(got), len(want))
			}
			for id, part := range tt.reasons {
				if r := find(rep, id); !strings.Contains(r.Reason, part) {
					t.Errorf("%s: reason %q; want it to contain %q", id, r.Reason, part)
				}
			}
			if rep.Model != tt.model {
				t.Errorf("model %q; want %q", rep.Model, tt.model)
			}
			if rep.Passed != tt.passed {
				t.Errorf("passed %v; want %v", rep.Passed, tt.passed)
			}
			if max := 12 + len(tt.notOn); rep.Calls > max {
				t.Errorf("made %d calls; want at most %d", rep.Calls, max)
			}
			// Every step waits at most the timeout, and few steps wait.
			if rep.Elapsed > 5*testTimeout {
				t.Errorf("took %v; want at most %v", rep.Elapsed, 5*testTimeout)
			}
			if results[i].streamed != len(rep.Checks) {
				t.Errorf("OnCheck saw %d results; want %d", results[i].streamed, len(rep.Checks))
			}
			if t.Failed() {
				var text strings.Builder
				rep.WriteText(&text)
				t.Logf("report:\n%s", text.String())
			}
		})
	}
}

func find(rep Report, id string) Result {
	for _, r := range rep.Checks {
		if r.ID == id {
			return r
		}
	}
	return Result{}
}

func TestGradeNothingListens(t *testing.T) {
	addr := labtest.ClosedAddr(t)
	rep, err := Run(context.Background(), Config{Addr: addr, Timeout: testTimeout})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Checks[0]; r.ID != "answers" || r.Status != Fail || !strings.Contains(r.Reason, "connection refused") {
		t.Errorf("first check %+v; want answers FAIL, connection refused", r)
	}
	for _, r := range rep.Checks[1:] {
		if r.Status != Skip || r.Reason != "not checked: nothing answered" {
			t.Errorf("%s: %s %q; want SKIP, nothing answered", r.ID, r.Status, r.Reason)
		}
	}
	if rep.Passed || rep.Calls != 1 {
		t.Errorf("passed %v after %d calls; want a failed grade after one call", rep.Passed, rep.Calls)
	}
}

func TestGradeInterrupted(t *testing.T) {
	addr := fake{handle: silent}.start(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	rep, err := Run(ctx, Config{Addr: addr, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v after the cancel; want it to stop at once", d)
	}
	if !rep.Interrupted || rep.Passed {
		t.Errorf("interrupted %v, passed %v; want an interrupted, failed grade", rep.Interrupted, rep.Passed)
	}
	if r := find(rep, "greeting"); r.Status != Skip {
		t.Errorf("greeting %s %q; want SKIP", r.Status, r.Reason)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no address", Config{}, "address to grade"},
		{"negative timeout", Config{Addr: "127.0.0.1:1", Timeout: -1}, "negative timeout"},
		{"not-on without port", Config{Addr: "127.0.0.1:1", NotOn: []string{"127.0.0.2"}}, "not-on address"},
		{"not-on the graded address", Config{Addr: "127.0.0.1:1", NotOn: []string{"127.0.0.1:1"}}, "is the address being graded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
}
