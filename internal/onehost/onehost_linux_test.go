package onehost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

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
