package student

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/labtest"
)

// The students' servers as fakes: one call at a time, each in a socket
// with a timeout, so that the grade's silent caller holds the one employee
// for a second, not for the fake's 10s.
var (
	// lecture is the lecture's call as a Python 3 server makes it.
	lecture = labtest.SocketTimeout(time.Second, labtest.LectureScript)
	// recvUntilClose reads until the caller hangs up, then echoes.
	recvUntilClose = labtest.SocketTimeout(3*time.Second, labtest.RecvUntilClose)
	// noNewline greets with "hello" alone.
	noNewline = labtest.SocketTimeout(time.Second, labtest.HelloNoNewline)
)

// serveLike answers calls with h, one at a time, until the test ends, and
// returns where to call.
func serveLike(t *testing.T, h labtest.Handler) string {
	return labtest.Config{Serial: true}.Start(t, h).Addr
}

func writeReport(t *testing.T, r Report) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "laptop-a.json")
	require.NoError(t, WriteReport(p, r))
	return p
}

func ids(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func TestCheckPassesALectureServerThatKeepsAnswering(t *testing.T) {
	addr := serveLike(t, lecture)
	host, _, _ := net.SplitHostPort(addr)
	rep := writeReport(t, Report{State: StateListening, Command: []string{"python3", "-u", "server.py"}, File: "server.py", Listening: []string{addr}})
	var out bytes.Buffer
	v, err := Check(context.Background(), CheckConfig{Addr: addr, Report: rep, Timeout: 300 * time.Millisecond, Out: &out})
	require.NoError(t, err)
	require.True(t, v.Passed, out.String())
	require.Contains(t, out.String(), "Trying "+host+"...\nConnected to "+host+".\nhello\nhi back atcha\nConnection closed by foreign host.\n")
	require.Contains(t, out.String(), "verdict: PASS: your server.py on laptop-a answered laptop-b")
}

func TestCheckExplainsTheLectureScriptWithoutCallingIt(t *testing.T) {
	rep := writeReport(t, Report{State: StateExited, ExitCode: 1, Command: []string{"python3", "-u", "server.py"},
		File: "server.py", Source: lectureSource(t), Stderr: tbPython2Print})
	var out bytes.Buffer
	start := time.Now()
	// Nothing listens at this address: a call would be refused, and none is made.
	v, err := Check(context.Background(), CheckConfig{Addr: "127.0.0.1:1", Report: rep, Out: &out})
	require.NoError(t, err)
	// A ceiling far below the 20s wait for a program to listen, and far
	// above what a loaded machine takes.
	require.Less(t, time.Since(start), 5*time.Second, "a program that ended is not waited for")
	require.False(t, v.Passed)
	require.Equal(t, []string{"python2-print", "hint-en0", "hint-one-call", "hint-str-send"}, ids(v.Findings))
	require.NotContains(t, out.String(), "Trying")
	require.Contains(t, out.String(), "verdict: FAIL: your server.py stopped before it listened.")
	require.Contains(t, out.String(), "line 21: this is Python 2 code")
	require.Contains(t, out.String(), "also in your file:\n  - line 6: en0")
	// Serving one call stops nothing (the lecture's script passes with it):
	// a note after the mistakes that would stop it next.
	require.Contains(t, out.String(), "the mistakes listed below would stop it next.\n  also in your file:\n  - line 6: en0")
	require.Regexp(t, `  - line 17: this sends a str[^\n]*\n  - note: line 14: accept\(\) is called once`, out.String())
}

// The lecture's script in Python 3: one call answered well, then exit 0.
// Under the lecture's policy (the default) it passes, with a note that a
// real server keeps answering, and what needs more calls is "not run",
// never failed; under keep-serving, still-there fails with the cause, and
// the checks that could not run are "not run", not failures of their own.
func TestCheckGradesAServerThatServesOneCall(t *testing.T) {
	for _, policy := range []grade.Policy{grade.PolicyLecture, grade.PolicyKeepServing} {
		t.Run(string(policy), func(t *testing.T) {
			dir := t.TempDir()
			rep := filepath.Join(dir, "laptop-a.json")
			var srv *labtest.Server
			srv = labtest.Config{Once: true}.Start(t, func(c net.Conn) {
				lecture(c)
				WriteReport(rep, Report{State: StateExited, ExitCode: 0, File: "server.py", Listening: []string{srv.Addr}})
			})
			addr := srv.Addr
			require.NoError(t, WriteReport(rep, Report{State: StateListening, File: "server.py", Listening: []string{addr}}))
			var out bytes.Buffer
			v, err := Check(context.Background(), CheckConfig{Addr: addr, NotOn: []string{"127.0.0.2:" + port(addr)}, Report: rep,
				Timeout: 300 * time.Millisecond, Policy: policy, Out: &out})
			require.NoError(t, err)
			require.Equal(t, []string{"one-call"}, ids(v.Findings))
			require.Contains(t, out.String(), "hello\nhi back atcha\nConnection closed by foreign host.\n")
			require.Contains(t, v.Findings[0].Says, "while True:")
			status := map[string]grade.Status{}
			for _, c := range v.Grade.Checks {
				status[c.ID] = c.Status
				if c.Status == grade.Skip {
					require.True(t, strings.HasPrefix(c.Reason, "not run: "), "%s: %s", c.ID, c.Reason)
				}
			}
			for _, id := range []string{"program", "answers", "greeting", "greeting-first", "echo", "hangs-up"} {
				require.Equal(t, grade.Pass, status[id], id)
			}
			require.Equal(t, grade.Pass, status["not-on"], "judged from its socket table: it listened on one address")
			for _, id := range []string{"echo-crlf", "echo-1000", "echo-3000", "silent-caller", "model"} {
				require.Equal(t, grade.Skip, status[id], id)
			}
			if policy == grade.PolicyLecture {
				require.True(t, v.Passed)
				require.Equal(t, grade.Skip, status["still-there"])
				require.Contains(t, out.String(), "verdict: PASS: your server.py on laptop-a answered laptop-b")
				require.Contains(t, out.String(), "  - note: your server served one call, then ended")
				return
			}
			require.False(t, v.Passed)
			require.Equal(t, grade.Fail, status["still-there"])
			require.Contains(t, out.String(), "verdict: FAIL: your server.py served one call, then ended.\n  - your server served one call")
		})
	}
}

func TestCheckExplainsMisbehaviour(t *testing.T) {
	tests := []struct {
		name      string
		handle    labtest.Handler
		listening func(addr string) []string
		want      string
	}{
		{"reads until the caller hangs up", recvUntilClose, nil, "recv-until-close"},
		{"no newline after hello", noNewline, nil, "no-newline"},
		{"every interface", lecture, func(addr string) []string {
			_, port, _ := net.SplitHostPort(addr)
			return []string{"0.0.0.0:" + port}
		}, "all-interfaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := serveLike(t, tt.handle)
			listening := []string{addr}
			if tt.listening != nil {
				listening = tt.listening(addr)
			}
			rep := writeReport(t, Report{State: StateListening, File: "server.py", Listening: listening,
				Interfaces: []string{"lo", "eth0 " + strings.Split(addr, ":")[0], "eth1 10.9.9.9"}}) // the caller calls eth0, here the loopback
			var out bytes.Buffer
			v, err := Check(context.Background(), CheckConfig{Addr: addr, Report: rep, Timeout: 300 * time.Millisecond, Out: &out})
			require.NoError(t, err)
			require.Contains(t, ids(v.Findings), tt.want, out.String())
			if tt.want == "all-interfaces" {
				// In a first year's words: what each network is, and why the lab asks for one.
				require.Contains(t, out.String(), "(lo: the laptop talking to itself; eth0: the lab's network, where your partner is; eth1: another network your laptop is on)", out.String())
				require.Contains(t, out.String(), "binding one interface's address is the lecture's exercise")
			}
			if tt.want != "all-interfaces" {
				require.False(t, v.Passed, out.String())
			}
			require.True(t, strings.Contains(out.String(), "verdict: "), out.String())
		})
	}
}

func TestCheckStopsWaitingForAServerThatNeverListens(t *testing.T) {
	rep := writeReport(t, Report{State: StateRunning, File: "server.py"})
	var out bytes.Buffer
	start := time.Now()
	v, err := Check(context.Background(), CheckConfig{Addr: "127.0.0.1:1", Report: rep, ListenWait: 200 * time.Millisecond, Timeout: 200 * time.Millisecond, Out: &out})
	require.NoError(t, err)
	require.False(t, v.Passed)
	require.Less(t, time.Since(start), 5*time.Second)
	require.Contains(t, out.String(), "not listening after")
	require.Contains(t, out.String(), "Unable to connect to remote host: Connection refused")
}

// A program still running but never listening is stuck before listen();
// one the process limit refused is a fork bomb, and says so.
func TestCheckExplainsAProgramThatNeverListens(t *testing.T) {
	for _, tt := range []struct {
		name  string
		forks int
		id    string
		says  string
	}{
		{"stuck in a loop", 0, "stuck", "stuck in a loop before bind() and listen()"},
		{"a fork bomb", 4211, "process-limit", "refused 4211 times): a fork bomb"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := writeReport(t, Report{State: StateRunning, File: "server.py", ForkFailures: tt.forks})
			var out bytes.Buffer
			v, err := Check(context.Background(), CheckConfig{Addr: "127.0.0.1:1", Report: rep,
				ListenWait: 100 * time.Millisecond, Timeout: 100 * time.Millisecond, Out: &out})
			require.NoError(t, err)
			require.False(t, v.Passed)
			require.Equal(t, []string{tt.id}, ids(v.Findings))
			require.Contains(t, out.String(), tt.says)
		})
	}
}

// A program that ended before it listened is not called, and its grade
// still lists every check, so that its report reads as everyone's: the
// lab's "program" fails with the cause, and every other check is "not run",
// none of them failed.
func TestCheckListsEveryCheckOfAProgramThatNeverListened(t *testing.T) {
	rep := writeReport(t, Report{State: StateExited, ExitCode: 1, File: "server.py", Stderr: tbPython2Print})
	var out bytes.Buffer
	v, err := Check(context.Background(), CheckConfig{Addr: "127.0.0.1:1", Report: rep, Timeout: 200 * time.Millisecond, Out: &out})
	require.NoError(t, err)
	require.False(t, v.Passed)
	require.NotContains(t, out.String(), "Trying", "a program that ended is not called")
	require.NotNil(t, v.Grade)
	require.False(t, v.Grade.Passed)
	require.Equal(t, "program", v.Grade.Checks[0].ID)
	require.Equal(t, grade.Fail, v.Grade.Checks[0].Status)
	ids := []string{"program"}
	for _, c := range v.Grade.Checks[1:] {
		ids = append(ids, c.ID)
		require.Equal(t, grade.Skip, c.Status, c.ID)
		require.Equal(t, "not run: your server.py ended before it listened", c.Reason, c.ID)
	}
	want := []string{"program"}
	for _, id := range grade.CheckIDs() {
		if id != "not-on" { // no -not-on address given
			want = append(want, id)
		}
	}
	require.Equal(t, want, ids)
	require.Contains(t, out.String(), "FAIL  runs in the lab and listens: it ended (exit status 1) without ever listening.")
	// The SKIP line names the checks as their own lines would, and the
	// summary's count is the checks it names.
	require.Contains(t, out.String(), "SKIP  not run: your server.py ended before it listened: answers on 127.0.0.1:1; greets with \"hello\\n\"; greets before the caller speaks;")
	require.Contains(t, out.String(), fmt.Sprintf("FAIL  one required check failed, %d not run (", len(ids)-1))
	require.NotRegexp(t, `SKIP .*\b(greeting-first|echo-crlf|still-there)\b`, out.String(), "no check id a student never met")
}

// A laptop given no files (a missing folder, or an empty mount, as a bind
// mount of a path the engine cannot see leaves it) is the lab's fault: the
// supervisor runs nothing and says so, and the verdict names the lab, never
// the student's program, nor "python3". (/dev/shm is an empty mount here
// only when nothing uses it, so the test takes the missing folder.)
func TestALaptopWithoutTheStudentsFilesIsTheLabsFault(t *testing.T) {
	for name, dir := range map[string]string{"missing": filepath.Join(t.TempDir(), "student")} {
		t.Run(name, func(t *testing.T) {
			rep := filepath.Join(t.TempDir(), "laptop-a.json")
			var said bytes.Buffer
			code, err := Supervise(context.Background(), Config{Command: []string{"python3", "-u", "server.py"}, Dir: dir, Report: rep, Linger: -1, Say: &said})
			require.NoError(t, err)
			require.Equal(t, 127, code)
			require.Contains(t, said.String(), "your files never reached it")

			var out bytes.Buffer
			v, err := Check(context.Background(), CheckConfig{Addr: "127.0.0.1:1", Report: rep, ListenWait: time.Second, Timeout: 100 * time.Millisecond, Out: &out})
			require.NoError(t, err)
			require.False(t, v.Passed)
			require.Equal(t, []string{"lab"}, ids(v.Findings))
			require.Contains(t, out.String(), "laptop-a could not run your server.py: the lab gave this laptop")
			require.Contains(t, out.String(), "could not be run by the lab (not your program's fault)")
			require.NotContains(t, out.String(), "python3")
			require.NotContains(t, out.String(), "stopped before it listened")
		})
	}
}

// port is the port of addr, host:port.
func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
