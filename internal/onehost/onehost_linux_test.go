package onehost

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/netif"
)

// helperArg makes this test binary the helper (ExecLimited), as "client
// student limits" is in the client.
const helperArg = "-onehost.helper"

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == helperArg {
		if err := ExecLimited(os.Args[2:], os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", HelperFailed, err)
			os.Exit(HelperExit)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The servers the tests grade: Python 3 without netifaces (not every
// machine has it), given the address to bind as arguments.
const (
	goodServer = `import os, resource, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(5)
print("uid", os.getuid(), "nproc", resource.getrlimit(resource.RLIMIT_NPROC)[0],
      "as", resource.getrlimit(resource.RLIMIT_AS)[0], "fsize", resource.getrlimit(resource.RLIMIT_FSIZE)[0],
      "nofile", resource.getrlimit(resource.RLIMIT_NOFILE)[0], "pgid", os.getpgid(0) == os.getpid(), flush=True)
while True:
    c, _ = s.accept()
    c.send(b"hello\n")
    c.send(c.recv(1000))
    c.close()
`
	everywhere = `import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[2])))
s.listen(5)
while True:
    c, _ = s.accept()
    c.send(b"hello\n")
    c.send(c.recv(1000))
    c.close()
`
	forkBomb = `import os
while True:
    try:
        os.fork()
    except OSError:
        pass
`
	memoryHog = `hog = []
while True:
    hog.append(bytearray(16 * 1024 * 1024))
`
	// escapes starts a child in a session of its own, which outlives the
	// server's process group, then serves nothing and ends.
	escapes = `import os, time
if os.fork() == 0:
    os.setsid()
    open("/tmp/escaped-%d" % os.getuid(), "w").write("x")
    time.sleep(60)
time.sleep(60)
`
)

// hereTest is one grade of src on this machine, on a free port of its
// eth0 (or first) address.
type hereTest struct {
	t    *testing.T
	cfg  Config
	addr string
}

func newHereTest(t *testing.T, src string) *hereTest {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and no python3 on this machine")
		}
		t.Skip("no python3 here")
	}
	ifs, err := netif.System()
	require.NoError(t, err)
	tgt, err := pickTarget(ifs, "", 8000)
	if err != nil {
		t.Skipf("this machine has no address but loopback: %v", err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(tgt.ip.String(), "0"))
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "server.py"), []byte(src), 0o644))
	h := &hereTest{t: t, addr: net.JoinHostPort(tgt.ip.String(), strconv.Itoa(port))}
	h.cfg = Config{
		Dir: dir, Port: port, Helper: []string{os.Args[0], helperArg},
		Find: func(string) (Program, error) {
			return Program{Command: []string{"python3", "-u", "server.py", tgt.ip.String(), strconv.Itoa(port)}, Dir: ".", File: "server.py"}, nil
		},
		// Room for a loaded CI machine: the program runs at nice 19, and
		// waits end as soon as it listens or answers.
		ListenWait: 15 * time.Second, Timeout: 3 * time.Second, Time: 45 * time.Second,
	}
	return h
}

func (h *hereTest) grade() Result {
	h.t.Helper()
	res, err := Grade(h.t.Context(), h.cfg)
	require.NoError(h.t, err)
	require.True(h.t, res.Graded, "not graded: %s", res.Why)
	h.t.Logf("transcript:\n%s\noutput:\n%s\nverdict:\n%s", res.Transcript, res.Output, res.VerdictText())
	return res
}

func check(r grade.Report, id string) grade.Result {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return grade.Result{}
}

// A correct server passes on one host as in the lab: called on this
// machine's own non-loopback address, refused on loopback, run as a user
// that is not root, in a process group of its own, under the limits.
func TestGradeHerePassesACorrectServer(t *testing.T) {
	h := newHereTest(t, goodServer)
	res := h.grade()
	require.True(t, res.Verdict.Passed)
	require.True(t, res.Grade.Passed)
	require.Equal(t, h.addr, res.Addr)
	require.Equal(t, grade.Pass, check(res.Grade, "answers").Status)
	require.Equal(t, grade.Pass, check(res.Grade, "not-on").Status, "refused on 127.0.0.1")
	require.Contains(t, check(res.Grade, "not-on").Title, "127.0.0.1")
	require.Equal(t, grade.Info, check(res.Grade, "one-host").Status)
	require.Contains(t, check(res.Grade, "one-host").Reason, "did not cross a network")
	require.Contains(t, res.VerdictText(), "verdict: PASS")

	f := strings.Fields(strings.SplitN(res.Output, "\n", 2)[0])
	require.Len(t, f, 12, res.Output)
	uid, _ := strconv.Atoi(f[1])
	if os.Geteuid() == 0 {
		require.Greater(t, uid, 0, "never root")
		require.GreaterOrEqual(t, uid, freshLow, "a fresh uid of its own")
	}
	require.Equal(t, strconv.FormatInt(DefaultMemory, 10), f[5])
	require.Equal(t, strconv.Itoa(DefaultFileSize), f[7])
	require.Equal(t, strconv.Itoa(DefaultFiles), f[9])
	require.Equal(t, "True", f[11], "the program leads a process group of its own")
	if os.Geteuid() == 0 {
		require.Equal(t, strconv.Itoa(DefaultProcs), f[3])
		require.Zero(t, userThreads(uid), "nothing of the program's user is left")
	}
}

// Bound to 0.0.0.0, it answers on loopback too, and fails as in the lab.
func TestGradeHereFailsAServerOnEveryAddress(t *testing.T) {
	res := newHereTest(t, everywhere).grade()
	require.False(t, res.Verdict.Passed)
	require.Equal(t, grade.Pass, check(res.Grade, "answers").Status)
	require.Equal(t, grade.Fail, check(res.Grade, "not-on").Status)
	require.Contains(t, check(res.Grade, "not-on").Reason, "0.0.0.0")
}

// The hostile programs end in a verdict that says what happened, and
// nothing of theirs is left: no process of their user, no file.
func TestGradeHereContainsHostilePrograms(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a program of its own user needs a root grader")
	}
	// listenWait is how long the grade waits for the program to listen:
	// the fork bomb and the escaping child are stopped then, and must get
	// far enough by then on a loaded machine (Python starting at nice 19
	// can take a second or more); the memory hog ends by itself, so the
	// wait only bounds it.
	for _, tc := range []struct {
		name, src, finding string
		procs              int
		memory             int64
		listenWait         time.Duration
	}{
		// A small bomb, for the other packages' tests that run meanwhile.
		{"fork bomb", forkBomb, "more processes or threads than the grader allows (it reached its limit of 16)", 16, 0, 4 * time.Second},
		// A small hog: filling 512 MB at nice 19 on a busy machine takes seconds.
		{"memory hog", memoryHog, "ran out of memory", 0, 128 << 20, 20 * time.Second},
		{"escaping child", escapes, "still running but had not called listen()", 0, 0, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHereTest(t, tc.src)
			h.cfg.UID = freshUID()
			h.cfg.Limits.Procs, h.cfg.Limits.Memory = tc.procs, tc.memory
			h.cfg.ListenWait = tc.listenWait
			start := time.Now()
			res := h.grade()
			require.Less(t, time.Since(start), tc.listenWait+15*time.Second, "the grade ends soon after its wait for the program to listen")
			require.False(t, res.Verdict.Passed)
			require.Contains(t, res.VerdictText(), tc.finding)
			require.Zero(t, userThreads(h.cfg.UID), "a process of the program's user is left")
			_, err := os.Stat(fmt.Sprintf("/tmp/escaped-%d", h.cfg.UID))
			require.ErrorIs(t, err, os.ErrNotExist, "its file in /tmp is removed")
		})
	}
}

// The grade's own time limit ends it, program and all.
func TestGradeHereStopsAtItsTimeLimit(t *testing.T) {
	h := newHereTest(t, escapes)
	h.cfg.Time, h.cfg.ListenWait = 2*time.Second, time.Minute
	start := time.Now()
	res := h.grade()
	require.Less(t, time.Since(start), 15*time.Second)
	require.False(t, res.Verdict.Passed)
	require.Contains(t, strings.Join(res.Notes, " "), "time limit")
}

// A signal to the grader (its ctx cancelled) stops the grade of a program
// that would keep it waiting a minute: the grade comes back, marked
// interrupted, never as the grader's time limit. The bound only tells
// "stopped" from "stuck": SIGTERM, 2 s, SIGKILL, the escaped child's kill.
func TestGradeHereStopsWhenTheGraderIsStopped(t *testing.T) {
	h := newHereTest(t, escapes)
	h.cfg.Time, h.cfg.ListenWait = time.Minute, time.Minute
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	done := make(chan graded, 1)
	go func() {
		res, err := Grade(ctx, h.cfg)
		done <- graded{res, err}
	}()
	waitForProgram(t, h.cfg.Port, done)
	stop()
	var g graded
	select {
	case g = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the grade did not stop within 10s of the signal: stuck")
	}
	require.NoError(t, g.err)
	require.True(t, g.res.Graded, g.res.Why)
	require.True(t, g.res.Grade.Interrupted)
	require.Contains(t, g.res.Grade.Summary(), "interrupted")
	require.NotContains(t, strings.Join(g.res.Notes, " "), "time limit", "a signal, not the grader's time limit")
}

// graded is a Grade's return, from a goroutine.
type graded struct {
	res Result
	err error
}

// waitForProgram waits until the program graded on port runs (python3
// with the port as its last argument), so that a test stops the grade of
// a program, not the set-up before it; a grade that ends first fails the
// test.
func waitForProgram(t *testing.T, port int, done <-chan graded) {
	t.Helper()
	for range 600 {
		cmds, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, c := range cmds {
			b, err := os.ReadFile(c)
			if err == nil && strings.HasPrefix(string(b), "python3\x00-u\x00server.py\x00") && strings.HasSuffix(string(b), "\x00"+strconv.Itoa(port)+"\x00") {
				return
			}
		}
		select {
		case g := <-done:
			t.Fatalf("the grade ended before the program ran: %+v", g)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("the program did not start within 30s")
}

// A machine that cannot start the program is the grader's set-up, never
// the student's fault.
func TestGradeHereBlamesTheSetupForAMissingInterpreter(t *testing.T) {
	h := newHereTest(t, goodServer)
	h.cfg.Find = func(string) (Program, error) {
		return Program{Command: []string{"python-that-is-not-here", "server.py"}, Dir: "."}, nil
	}
	res, err := Grade(t.Context(), h.cfg)
	require.NoError(t, err)
	require.False(t, res.Graded)
	require.True(t, res.Setup)
	require.Contains(t, res.Why, "python-that-is-not-here")
	require.Contains(t, res.Why, "not the program")
}

// A rootless engine maps 65536 ids, not 2^32: a fresh uid must be one of
// them, or the program cannot start.
func TestFreshRange(t *testing.T) {
	for _, tc := range []struct {
		uids, gids, low, high int
	}{
		{4294967295, 4294967295, freshLow, freshHigh},
		{0, 0, freshLow, freshHigh},
		{65536, 65536, 32768, 65536},
		{4294967295, 65536, 32768, 65536},
	} {
		low, high := freshRange(tc.uids, tc.gids)
		require.Equal(t, []int{tc.low, tc.high}, []int{low, high}, "%d %d", tc.uids, tc.gids)
	}
}
