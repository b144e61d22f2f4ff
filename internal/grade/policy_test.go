package grade

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

// byID is a report's checks by id.
func byID(rep Report) map[string]Result {
	out := map[string]Result{}
	for _, c := range rep.Checks {
		out[c.ID] = c
	}
	return out
}

// TestLecturePolicyCountsOneCall: under the lecture's policy a server that
// keeps serving is still graded on every call, but what needs more than
// the one call is never required: a failure of it is a warning, marked
// Extra (worth nothing), and the grade passes on the one call.
func TestLecturePolicyCountsOneCall(t *testing.T) {
	t.Parallel()
	// recv(100): the one call's short line comes back; 1000 bytes do not.
	short := func(c net.Conn) {
		c.Write([]byte(lab.Greeting))
		buf := make([]byte, 100)
		n, _ := c.Read(buf)
		c.Write(buf[:n])
		labtest.HangUp(c)
	}
	addr := labtest.Start(t, short).Addr
	for _, policy := range []Policy{PolicyLecture, PolicyKeepServing} {
		rep, err := Run(context.Background(), Config{Addr: addr, Timeout: testTimeout, Policy: policy})
		require.NoError(t, err)
		require.Equal(t, policy, rep.Policy)
		echo := byID(rep)["echo-1000"]
		if policy == PolicyLecture {
			require.True(t, rep.Passed, "the one call was right")
			require.Equal(t, Warn, echo.Status)
			require.True(t, echo.Extra)
			require.False(t, echo.Required)
			require.False(t, byID(rep)["echo"].Extra, "the one call's checks count")
			require.False(t, byID(rep)["hangs-up"].Extra)
			continue
		}
		require.False(t, rep.Passed)
		require.Equal(t, Fail, echo.Status)
		require.False(t, echo.Extra)
	}
}

// TestAFirstCallMadeBeforeTheGrade: the lab's transcript is the grade's
// first call, so the lecture's one-call script is judged on the call the
// student saw; a server whose program had ended is called no more, and
// "not reachable on another address" is judged from its socket table.
func TestAFirstCallMadeBeforeTheGrade(t *testing.T) {
	t.Parallel()
	refused := "127.0.0.1:1" // nothing listens on port 1
	heard := &Call{Early: []byte("hello\n"), Spoke: true, Late: []byte("hi back atcha\n"), End: "closed"}
	rep, err := Run(context.Background(), Config{Addr: refused, NotOn: []string{"127.0.0.2:1"}, Timeout: testTimeout,
		Policy: PolicyLecture, First: heard, Ended: true, Listening: []string{refused}})
	require.NoError(t, err)
	c := byID(rep)
	for _, id := range []string{"answers", "greeting", "greeting-first", "echo", "hangs-up"} {
		require.Equal(t, Pass, c[id].Status, id)
	}
	require.Equal(t, Pass, c["not-on"].Status, c["not-on"].Reason)
	require.Contains(t, c["not-on"].Reason, "it listened only on 127.0.0.1:1, as its socket table shows")
	for _, id := range []string{"echo-crlf", "echo-1000", "echo-3000", "silent-caller", "model", "still-there"} {
		require.Equal(t, Skip, c[id].Status, id)
		require.Contains(t, c[id].Reason, "not run: it ended after one call", id)
		require.False(t, c[id].Required, id)
	}
	require.True(t, rep.Passed)
	require.Equal(t, 1, rep.Calls, "no call after the first to a program that had ended")

	// Bound to every address: the socket table shows it answers there too.
	rep, err = Run(context.Background(), Config{Addr: refused, NotOn: []string{"127.0.0.2:1"}, Timeout: testTimeout,
		Policy: PolicyLecture, First: heard, Ended: true, Listening: []string{"0.0.0.0:1"}})
	require.NoError(t, err)
	require.Equal(t, Fail, byID(rep)["not-on"].Status)
	require.False(t, rep.Passed)

	// Under keep-serving the same script fails still-there, the cause; the
	// checks it could not be asked are not run, still required.
	rep, err = Run(context.Background(), Config{Addr: refused, Timeout: testTimeout, Policy: PolicyKeepServing,
		First: heard, Ended: true})
	require.NoError(t, err)
	c = byID(rep)
	require.Equal(t, Fail, c["still-there"].Status)
	require.Equal(t, Skip, c["echo-1000"].Status)
	require.True(t, c["echo-1000"].Required)

	// A program that died on its first call (a str sent, not bytes): the
	// greeting fails, and nothing after it fails for the same reason.
	died := &Call{End: "closed"}
	rep, err = Run(context.Background(), Config{Addr: refused, Timeout: testTimeout, Policy: PolicyKeepServing,
		First: died, Ended: true})
	require.NoError(t, err)
	fails := 0
	for _, r := range rep.Checks {
		if r.Status == Fail {
			fails++
			require.Equal(t, "greeting", r.ID)
		}
	}
	require.Equal(t, 1, fails, "one mistake, one failed check")
	require.Contains(t, byID(rep)["still-there"].Reason, "not run: the program had ended during the first call")

	// A first call that was refused: answers fails, and says how.
	rep, err = Run(context.Background(), Config{Addr: refused, Timeout: testTimeout,
		First: &Call{DialErr: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}})
	require.NoError(t, err)
	require.Equal(t, Fail, byID(rep)["answers"].Status)
}

// TestNotRun: the grade of a server that was never called lists every
// check, none of them run, the policy's extras neither required nor counted.
func TestNotRun(t *testing.T) {
	cfg := Config{Addr: "192.0.2.1:8000", NotOn: []string{"192.0.2.2:8000"}, Policy: PolicyLecture}
	rep := NotRun(cfg, "your server.py ended before it listened")
	require.Equal(t, CheckIDs(), func() []string {
		var ids []string
		for _, c := range rep.Checks {
			ids = append(ids, c.ID)
		}
		return ids
	}())
	for _, c := range rep.Checks {
		require.Equal(t, Skip, c.Status)
		require.Equal(t, "not run: your server.py ended before it listened", c.Reason)
	}
	require.False(t, byID(rep)["still-there"].Required)
	require.True(t, byID(rep)["still-there"].Extra)
	require.True(t, byID(rep)["not-on"].Required, "one interface's address is the lecture's")
	require.False(t, rep.Passed)
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy("keep-serving")
	require.NoError(t, err)
	require.Equal(t, PolicyKeepServing, p)
	_, err = ParsePolicy("once")
	require.ErrorContains(t, err, `no policy is called "once"`)
}
