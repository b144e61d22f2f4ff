package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestServerHangsUpOnASilentCaller: a laptop that calls and says nothing is
// hung up on after -idle-timeout, a caller who hangs up before speaking gets
// nothing echoed, and the server goes on serving.
func TestServerHangsUpOnASilentCaller(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	server := startServer(t, nets{nw}, "-iface", "eth0", "-idle-timeout", "1s")

	// An interactive client whose user types nothing: stdin open, empty.
	silent := startSilentCaller(t, nets{nw}, server.ip(nw))
	// Bounded: -idle-timeout is 1s; the default, 30s, would miss this bound.
	require.Equal(t, 0, silent.waitExit(t, 15*time.Second), "the silent caller hears the hang-up")
	require.Contains(t, silent.logs(t), "hello\nConnection closed by foreign host.\n")
	logs := server.waitLog(t, "said nothing; hung up on them (-idle-timeout)", 5*time.Second)
	m := regexp.MustCompile(`call from ` + regexp.QuoteMeta(silent.ip(nw)) +
		`:\d+: said nothing; hung up on them \(-idle-timeout\) \(([0-9.]+m?s)\)`).FindStringSubmatch(logs)
	require.NotNil(t, m, logs)
	took, err := time.ParseDuration(m[1])
	require.NoError(t, err)
	require.GreaterOrEqual(t, took, time.Second, "hung up after -idle-timeout, not before")
	require.Less(t, took, 5*time.Second, "hung up at -idle-timeout")

	// A caller (this machine) who hangs up right after the greeting.
	c := dialHost(t, server.addr)
	require.Equal(t, greeting, string(heard(t, c)))
	require.NoError(t, c.Close())
	server.waitLog(t, "hung up without saying anything, nothing echoed", 5*time.Second)

	out, exit := runClient(t, nets{nw}, "-send", "hi back atcha", "-expect-echo", server.ip(nw))
	require.Equal(t, 0, exit, "the server still serves:\n%s", out)
}

// TestServerKeepsServingWhenACallerIsCutOff: a laptop is unplugged from the
// network in the middle of its call; while that call hangs with nobody at
// the other end, the server serves other laptops, and it drops the dead
// call at -idle-timeout.
func TestServerKeepsServingWhenACallerIsCutOff(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	// -idle-timeout ends the dead call; 8s leaves a loaded machine ample
	// time to start the next caller while the dead call still hangs.
	server := startServer(t, nets{nw}, "-iface", "eth0", "-idle-timeout", "8s")

	cut := startSilentCaller(t, nets{nw}, server.ip(nw))
	cutIP := cut.ip(nw)
	cut.waitLog(t, "hello\n", 10*time.Second)
	cut.disconnect(t, nw)

	out, exit := runClient(t, nets{nw}, "-send", "anyone there?", "-expect-echo", server.ip(nw))
	require.Equal(t, 0, exit, "another laptop is served while the cut call hangs:\n%s", out)
	// Docker may give the cut laptop's address to the next laptop at once:
	// the calls are told apart by what was said.
	logs := server.waitLog(t, "said nothing; hung up on them (-idle-timeout)", 15*time.Second)
	served := strings.Index(logs, `said "anyone there?\n" (14 bytes), echoed it`)
	dropped := strings.Index(logs, "said nothing; hung up on them (-idle-timeout)")
	require.True(t, served >= 0 && served < dropped, "want the other call served before the dead call ended:\n%s", logs)
	require.Regexp(t, `call from `+regexp.QuoteMeta(cutIP)+`:\d+: said nothing; hung up on them \(-idle-timeout\)`, logs)

	// The cut was real: the caller never heard the hang-up.
	st, err := cut.ctr.State(t.Context())
	require.NoError(t, err)
	require.True(t, st.Running, "the cut-off caller should still be waiting")
	require.NotContains(t, cut.logs(t), "Connection closed by foreign host.")
}
