package grade

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// The fakes only these tests use; the shared ones are in labtest.
var (
	wrongGreeting = labtest.Scripted("howdy\n", nil)
	noEcho        = labtest.Scripted(lab.Greeting, func([]byte) []byte { return nil })
	// shouts answers in capitals, one student's wrong echo, then hangs up.
	shouts = labtest.Scripted(lab.Greeting, func(b []byte) []byte { return bytes.ToUpper(b) })
	// firstByte answers with the first byte of the line alone, then hangs up.
	firstByte    = labtest.Scripted(lab.Greeting, func(b []byte) []byte { return b[:1] })
	lateGreeting = func(c net.Conn) {
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
	for _, id := range []string{"greeting", "greeting-first", "echo", "echo-crlf", "echo-1000", "echo-3000",
		"hangs-up", "silent-caller", "model", "still-there"} {
		if !strings.Contains(" "+strings.Join(but, " ")+" ", " "+id+" ") {
			ex = append(ex, id, Skip)
		}
	}
	return ex
}

// gradeCase is one server graded, and what its report must say.
type gradeCase struct {
	name    string
	fake    fake
	notOn   bool // -not-on 127.0.0.2 with the fake's port
	cfg     Config
	want    map[string]Status
	model   Model
	passed  bool
	reasons map[string]string // part of a check's reason
	fixes   map[string]string // part of a check's fix
	// optional are required checks the grade did not require (-allow-once).
	optional []string
	advisory []string // checks whose WARN is advisory
}

func TestGrade(t *testing.T) {
	t.Parallel() // it mostly waits; so does TestGradeLabServer
	tests := []gradeCase{
		{name: "lecture", fake: fake{handle: labtest.Lecture}, notOn: true,
			want: verdicts("not-on", Pass), model: ModelMany, passed: true,
			reasons: map[string]string{
				"silent-caller": "answered another caller meanwhile",
				"model":         "many employees: a second caller was greeted during the first call",
				"not-on":        "refused there, while it answers on 127.0.0.1:",
			}},
		{name: "wrong greeting", fake: fake{handle: wrongGreeting},
			want: verdicts("greeting", Fail), model: ModelMany,
			reasons: map[string]string{"greeting": `it said "howdy\n"`},
			fixes:   map[string]string{"greeting": `exactly b"hello\n"`}},
		{name: "greeting after the caller speaks", fake: fake{handle: lateGreeting},
			want:  verdicts("greeting-first", Fail, "silent-caller", Skip, "model", Skip),
			fixes: map[string]string{"greeting-first": "before recv()"}},
		{name: "no echo", fake: fake{handle: noEcho},
			want:  verdicts("echo", Fail, "echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "hangs-up", Skip),
			model: ModelMany,
			reasons: map[string]string{"echo": "nothing came back: it hung up", "echo-1000": "the short line did not come back",
				"hangs-up": "not observed: nothing came back after the greeting"}},
		// A wrong echo is still a reply: the hang-up after it was seen,
		// and it earns its point.
		{name: "wrong echo, then hangs up", fake: fake{handle: shouts},
			want: verdicts("echo", Fail, "echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip), model: ModelMany,
			reasons: map[string]string{"echo": `got back "HI BACK ATCHA\n"`,
				"hangs-up": "the caller saw the call end right after its reply"}},
		{name: "one byte back, then hangs up", fake: fake{handle: firstByte},
			want: verdicts("echo", Fail, "echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip), model: ModelMany,
			reasons: map[string]string{"hangs-up": "the caller saw the call end right after its reply"}},
		{name: "echo of more than one read", fake: fake{handle: readsAll},
			want: verdicts("echo-3000", Fail), model: ModelMany,
			reasons: map[string]string{"echo-3000": "3000 bytes came back: more than one read of up to 1024"}},
		{name: "the lecture's script: reset on close with unread data", fake: fake{handle: labtest.LectureScript},
			want: verdicts("echo-3000", Warn), model: ModelMany, passed: true, advisory: []string{"echo-3000"},
			reasons: map[string]string{"echo-3000": "the first 1000 came back, then a reset: 2000 were left unread"},
			fixes:   map[string]string{"echo-3000": "note: fine for this exercise"}},
		{name: "the lecture's script, advice quieted", fake: fake{handle: labtest.LectureScript},
			cfg:  Config{QuietWarn: true},
			want: verdicts(), model: ModelMany, passed: true, advisory: []string{"echo-3000"},
			reasons: map[string]string{"echo-3000": "then a reset"}},
		{name: "recv(1024)", fake: fake{handle: labtest.Recv1024},
			want: verdicts("echo-3000", Warn), model: ModelMany, passed: true, advisory: []string{"echo-3000"},
			reasons: map[string]string{"echo-3000": "1024 bytes came back: one read of up to 1024, not 1000"},
			fixes:   map[string]string{"echo-3000": "conn.recv(1000)"}},
		{name: "recv(1024), recv(1000) required", fake: fake{handle: labtest.Recv1024},
			cfg:  Config{MaxRead: lab.MaxRead},
			want: verdicts("echo-3000", Fail), model: ModelMany,
			reasons: map[string]string{"echo-3000": "1024 bytes came back: more than one read of up to 1000"}},
		{name: "an added newline at byte 1001", fake: fake{handle: labtest.EnsureNewline},
			want: verdicts("echo-3000", Fail), model: ModelMany,
			reasons: map[string]string{"echo-3000": `the echo is right up to byte 1000, then "\n" was added`}},
		{name: "never closes", fake: fake{handle: neverCloses},
			want: verdicts("hangs-up", Fail), model: ModelMany,
			reasons: map[string]string{"hangs-up": "still open 1s after the echo"}},
		{name: "one employee", fake: fake{handle: patient, serial: true},
			want: verdicts(), model: ModelOne, passed: true,
			reasons: map[string]string{
				"silent-caller": "it hung up on the silent caller after ",
				"model":         "one employee: a second caller was greeted only after the first call",
			}},
		{name: "silent caller waits forever", fake: fake{handle: labtest.Lecture, serial: true},
			want: verdicts("silent-caller", Warn), model: ModelOne, passed: true, advisory: []string{"silent-caller"},
			reasons: map[string]string{
				"silent-caller": "it waited 1s for it and answered nobody else meanwhile",
				"model":         "one employee: a second caller waited 1s in vain during the first call",
			}},
		{name: "one employee, concurrency required", fake: fake{handle: labtest.Lecture, serial: true},
			cfg:  Config{RequireConcurrent: true},
			want: verdicts("silent-caller", Warn, "model", Fail), model: ModelOne, advisory: []string{"silent-caller"},
			fixes: map[string]string{"model": "(-require-concurrent)"}},
		{name: "serves one call, then exits", fake: fake{handle: labtest.Lecture, once: true}, notOn: true,
			want: verdicts("echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "silent-caller", Skip,
				"model", Skip, "not-on", Skip, "still-there", Fail),
			reasons: map[string]string{
				"still-there": "it served one call and ended, like the lecture's script",
				"echo-crlf":   "not run: it stopped answering after one call",
			},
			fixes: map[string]string{"still-there": "loop around accept()"}},
		{name: "serves one call, then exits, allowed", fake: fake{handle: labtest.Lecture, once: true}, notOn: true,
			cfg: Config{Policy: PolicyLecture},
			want: verdicts("echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "silent-caller", Skip,
				"model", Skip, "not-on", Skip, "still-there", Skip),
			passed:   true,
			optional: []string{"echo-crlf", "echo-1000", "echo-3000", "not-on", "still-there"},
			reasons:  map[string]string{"still-there": "not run: it ended after one call, like the lecture's script"}},
		{name: "bound to every address", fake: fake{handle: labtest.Lecture, listen: "0.0.0.0:0"}, notOn: true,
			want: verdicts("not-on", Fail), model: ModelMany,
			reasons: map[string]string{"not-on": "it answered there too: bound to all addresses (0.0.0.0, ::)"}},
		{name: "says nothing", fake: fake{handle: labtest.Silent}, notOn: true,
			want: verdicts(append(skipAll(), "greeting", Fail, "not-on", Skip)...),
			reasons: map[string]string{
				"greeting":    "it said nothing within 1s, not even after the caller spoke",
				"not-on":      "not observed: it said nothing on its own address either",
				"still-there": "not observed: it said nothing on any call",
			}},
		{name: "hangs up without a word", fake: fake{handle: labtest.HangUpAtOnce},
			want:    verdicts(append(skipAll(), "greeting", Fail)...),
			reasons: map[string]string{"echo": "hung up before the caller spoke"},
			fixes:   map[string]string{"greeting": `note: a Python 3 server that sends a str`}},
		// The lecture's script in Python 3 dies on send("hello\n"): the
		// refusal on another address is that of a dead server.
		{name: "crashed", fake: fake{handle: labtest.HangUpAtOnce, once: true}, notOn: true,
			want: verdicts(append(skipAll("still-there"), "greeting", Fail, "still-there", Fail, "not-on", Skip)...),
			reasons: map[string]string{
				"not-on":      "not observed: its own address refused calls too",
				"still-there": "silent on the first call, refused on the last: did it crash?",
			}},
		// nc -l PORT: picks up one call, says nothing, exits.
		{name: "nc -l", fake: fake{handle: labtest.Silent, once: true}, notOn: true,
			want: verdicts(append(skipAll("still-there"), "greeting", Fail, "still-there", Fail, "not-on", Skip)...),
			reasons: map[string]string{
				"greeting": "it said nothing within 1s",
				"not-on":   "not observed: its own address refused calls too",
			}},
		{name: "reads until the caller hangs up", fake: fake{handle: labtest.RecvUntilClose}, notOn: true,
			want: verdicts("echo", Fail, "echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "hangs-up", Skip,
				"not-on", Pass),
			model: ModelMany,
			reasons: map[string]string{
				"echo":     "no echo in 1s; it came only once the caller hung up its side",
				"hangs-up": "not observed: the echo came only after the caller hung up",
			},
			fixes: map[string]string{"echo": "it reads until the caller closes; telnet never does"}},
		{name: "never echoes", fake: fake{handle: labtest.NeverEchoes},
			want:  verdicts("echo", Fail, "echo-crlf", Skip, "echo-1000", Skip, "echo-3000", Skip, "hangs-up", Skip),
			model: ModelMany,
			reasons: map[string]string{
				"echo":     "nothing came back in 1s; it hung up when the caller did",
				"hangs-up": "not observed: nothing came back after the greeting",
			},
			fixes: map[string]string{"echo": sendBack}},
		{name: "a web server", fake: fake{handle: labtest.HTTP},
			want: verdicts("greeting", Fail, "greeting-first", Fail, "echo", Fail, "echo-crlf", Skip, "echo-1000", Skip,
				"echo-3000", Skip, "hangs-up", Skip, "silent-caller", Skip, "model", Skip),
			reasons: map[string]string{
				"greeting": "like a web server (HTTP)",
				"echo":     `got back "HTTP/1.1 400 Bad Request"`,
				"hangs-up": "not observed: no greeting, so what came back is no echo",
			}},
		{name: "hello without a newline", fake: fake{handle: labtest.HelloNoNewline},
			want: verdicts("greeting", Fail), model: ModelMany,
			reasons: map[string]string{"greeting": `it said "hello" with no newline`}},
	}
	// The grades mostly wait, so they all run at once, each against its
	// own fake; the subtests then judge them.
	type graded struct {
		rep      Report
		err      error
		streamed int
	}
	results := make([]graded, len(tests))
	var wg sync.WaitGroup
	for i, tt := range tests {
		addr := tt.fake.start(t)
		cfg := tt.cfg
		cfg.Addr, cfg.Timeout = addr, testTimeout
		if tt.notOn {
			_, port, _ := net.SplitHostPort(addr)
			cfg.NotOn = []string{net.JoinHostPort("127.0.0.2", port)}
		}
		cfg.OnCheck = func(Result) { results[i].streamed++ }
		wg.Go(func() { results[i].rep, results[i].err = Run(context.Background(), cfg) })
	}
	wg.Wait()

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := results[i].rep
			require.NoError(t, results[i].err)
			var text strings.Builder
			require.NoError(t, rep.WriteText(&text))
			defer func() {
				if t.Failed() {
					t.Logf("report:\n%s", text.String())
				}
			}()
			got := map[string]Status{}
			for _, r := range rep.Checks {
				got[r.ID] = r.Status
			}
			assert.Equal(t, tt.want, got)
			for id, part := range tt.reasons {
				assert.Contains(t, rep.check(id).Reason, part, id)
			}
			for id, part := range tt.fixes {
				assert.Contains(t, rep.check(id).Fix, part, id)
			}
			for _, r := range rep.Checks {
				optional := strings.Contains(" "+strings.Join(tt.optional, " ")+" ", " "+r.ID+" ")
				if r.ID != "silent-caller" && r.ID != "model" {
					assert.Equal(t, !optional, r.Required, "%s required", r.ID)
				}
				advisory := strings.Contains(" "+strings.Join(tt.advisory, " ")+" ", " "+r.ID+" ")
				assert.Equal(t, advisory, r.Advisory, "%s advisory", r.ID)
				assert.NotContains(t, r.Reason, "see the last line", r.ID)
				assert.NotContains(t, r.Name, "127.0.0", r.ID)
				// A check that could not observe says so, and never passes.
				if strings.HasPrefix(r.Reason, "not observed") || strings.HasPrefix(r.Reason, "not checked") {
					assert.Equal(t, Skip, r.Status, r.ID)
				}
			}
			for _, l := range strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n") {
				assert.LessOrEqual(t, len([]rune(l)), 100, "line too long: %s", l)
			}
			assert.Equal(t, tt.model, rep.Model)
			assert.Equal(t, tt.passed, rep.Passed)
			assert.LessOrEqual(t, rep.Calls, 12+len(rep.Checks)-11)
			assert.Equal(t, len(rep.Checks), results[i].streamed, "OnCheck calls")
		})
	}
}

func TestGradeNothingListens(t *testing.T) {
	addr := labtest.ClosedAddr(t)
	rep, err := Run(context.Background(), Config{Addr: addr, Timeout: testTimeout})
	require.NoError(t, err)
	r := rep.Checks[0]
	require.Equal(t, "answers", r.ID)
	require.Equal(t, Fail, r.Status)
	require.Contains(t, r.Reason, "connection refused")
	for _, r := range rep.Checks[1:] {
		require.Equal(t, Skip, r.Status, r.ID)
		require.Equal(t, "not run: nothing answered", r.Reason, r.ID)
	}
	require.False(t, rep.Passed)
	require.Equal(t, 1, rep.Calls)
}

func TestGradeInterrupted(t *testing.T) {
	addr := fake{handle: labtest.Silent}.start(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	rep, err := Run(ctx, Config{Addr: addr, Timeout: 10 * time.Second})
	require.NoError(t, err)
	require.True(t, rep.Interrupted)
	require.False(t, rep.Passed)
	require.Equal(t, Skip, rep.check("greeting").Status)
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
		{"max read below the lecture's", Config{Addr: "127.0.0.1:1", MaxRead: 999}, "max read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.cfg)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestDiffWords(t *testing.T) {
	tests := []struct {
		name, sent, got, want string
	}{
		{"shorter", "abcdef", "abc", "only the first 3 of 6 bytes"},
		{"longer", "abc", "abcd\n", `right up to byte 3, then "d\n" was added`},
		{"wrong from the start", "abc", "xbc", `wrong from byte 1: got "xbc", sent "abc"`},
		{"wrong in the middle", "abcdef", "abXdef", `right up to byte 2, then got "Xdef", sent "cdef"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, diffWords([]byte(tt.sent), []byte(tt.got)))
		})
	}
}

func TestLooksHTTP(t *testing.T) {
	for in, want := range map[string]bool{
		"HTTP/1.1 400 Bad Request\r\n": true,
		// Python's http.server answers a line it cannot read as HTTP/0.9:
		// the error page alone.
		"<!DOCTYPE HTML>\n<html lang=\"en\">": true,
		"<html><body>":                        true,
		"hi back atcha\n":                     false,
		"":                                    false,
	} {
		require.Equal(t, want, looksHTTP([]byte(in)), in)
	}
}
