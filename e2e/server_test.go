package e2e

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// TestServerListensOnlyOnTheInterfaceItBindsTo: a server plugged into two
// networks and started with -iface eth0 answers laptops on eth0's network
// and refuses a laptop on the other network calling its address there;
// with -addr 0.0.0.0 it answers both.
func TestServerListensOnlyOnTheInterfaceItBindsTo(t *testing.T) {
	t.Parallel()
	both := nets{newNetwork(t), newNetwork(t)}
	servers := together(t,
		func() (*laptop, error) { return newServer(t, both, "-iface", "eth0") },
		func() (*laptop, error) { return newServer(t, both, "-addr", "0.0.0.0") },
	)
	bound, anyAddr := servers[0], servers[1]

	// Which network is eth0 is Docker's choice: find it from the address
	// the server says it listens at.
	at := bound.listeningAt(t)
	var on, other *testcontainers.DockerNetwork
	for i, nw := range both {
		if at == net.JoinHostPort(bound.ip(nw), "8000") {
			on, other = nw, both[1-i]
		}
	}
	require.NotNilf(t, on, "the server listens at %s, which is none of its addresses %v", at, bound.ips)
	require.NotEqual(t, bound.ip(on), bound.ip(other))
	require.Equal(t, "0.0.0.0:8000", anyAddr.listeningAt(t))

	call := func(from *testcontainers.DockerNetwork, to string) func() (ran, error) {
		return func() (ran, error) {
			return newClientRun(t, nets{from}, "-send", "hi back atcha", "-expect-echo", to)
		}
	}
	runs := together(t,
		call(on, bound.ip(on)),
		call(other, bound.ip(other)),
		call(on, anyAddr.ip(on)),
		call(other, anyAddr.ip(other)),
	)
	require.Equal(t, 0, runs[0].exit, "-iface eth0, called on eth0's network:\n%s", runs[0].logs)
	require.Contains(t, runs[0].logs, "hello\nhi back atcha\nConnection closed by foreign host.\n")
	require.Equal(t, 1, runs[1].exit, "-iface eth0, called on the other network must fail as a network error:\n%s", runs[1].logs)
	require.Contains(t, runs[1].logs, "connection refused")
	require.NotContains(t, runs[1].logs, "hello")
	require.Equal(t, 0, runs[2].exit, "-addr 0.0.0.0, called on the first network:\n%s", runs[2].logs)
	require.Equal(t, 0, runs[3].exit, "-addr 0.0.0.0, called on the second network:\n%s", runs[3].logs)
	logs := bound.waitLogs(t, "call from ", 1, 5*time.Second)
	require.Equal(t, 1, countLines(logs, "call from "), "the bound server served one call:\n%s", logs)
	logs = anyAddr.waitLogs(t, "call from ", 2, 5*time.Second)
	require.Equal(t, 2, countLines(logs, "call from "), "the 0.0.0.0 server served both calls:\n%s", logs)
}

// TestServerGreetsWithHelloBeforeTheCallerSpeaks: the first bytes on the
// wire are exactly "hello\n", sent before the caller says anything, and
// nothing else comes until the caller speaks.
func TestServerGreetsWithHelloBeforeTheCallerSpeaks(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	server := startServer(t, nets{nw}, "-iface", "eth0")

	c := dialHost(t, server.addr)
	require.Equal(t, []byte(greeting), heard(t, c), "everything the server said before the caller spoke")
	require.NoError(t, c.SetDeadline(time.Now().Add(callTimeout)))
	_, err := c.Write([]byte("hi back atcha\n"))
	require.NoError(t, err)
	rest, err := io.ReadAll(c)
	require.NoError(t, err, "the server hangs up after the echo")
	require.Equal(t, "hi back atcha\n", string(rest), "after the greeting comes the echo, nothing more")
}

// TestServerOnceServesOneCallThenExits: with -once the container serves one
// call, exits 0, and a second caller is refused.
func TestServerOnceServesOneCallThenExits(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	server := startServer(t, nets{nw}, "-iface", "eth0", "-once")

	logs, exit := runClient(t, nets{nw}, "-send", "just once", "-expect-echo", server.ip(nw))
	require.Equal(t, 0, exit, logs)
	require.Equal(t, 0, server.waitExit(t, 10*time.Second), "the server's exit code after its one call")
	require.Equal(t, 1, countLines(server.logs(t), "call from "), server.logs(t))

	// The second caller, from this machine: nothing listens on the published port any more.
	refused := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", server.addr, time.Second)
		if errors.Is(err, syscall.ECONNREFUSED) {
			refused = true
			break
		}
		require.NoError(t, err)
		// Docker may still be tearing down the port; it must not greet anyone.
		c.SetReadDeadline(time.Now().Add(time.Second))
		b := make([]byte, len(greeting))
		n, _ := c.Read(b)
		c.Close()
		require.NotEqual(t, greeting, string(b[:n]), "a second caller was greeted")
	}
	require.True(t, refused, "a second caller on %s must be refused", server.addr)
}

// TestServerStopLetsTheCallInProgressFinish: `docker stop` on a server in the
// middle of a call stops it taking calls, lets the call finish, and the
// container exits 0 well before Docker would kill it.
func TestServerStopLetsTheCallInProgressFinish(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	// -think keeps the call in progress long enough to stop the server in
	// its middle: 2s rather than 1s, so that a loaded machine still sends
	// the stop before the answer (the log line below checks it did).
	server := startServer(t, nets{nw}, "-iface", "eth0", "-think", "2s")
	caller := startCaller(t, nets{nw}, "-send", "still there?", "-expect-echo", server.ip(nw))
	caller.waitLog(t, "hello\n", 10*time.Second)

	const killAfter = 10 * time.Second // docker stop's default
	timeout := killAfter
	stop := time.Now()
	require.NoError(t, server.ctr.Stop(t.Context(), &timeout))
	t.Logf("docker stop returned after %v", time.Since(stop))

	logs := server.logs(t)
	stopping := strings.Index(logs, "stopping: no new calls; 1 in progress get up to 5s to finish\n")
	call := strings.Index(logs, `: said "still there?\n" (13 bytes), echoed it`)
	stopped := strings.Index(logs, "\nstopped\n")
	require.True(t, stopping >= 0 && call > stopping && stopped > call,
		"want the stop with 1 call in progress, then the call, then stopped:\n%s", logs)
	st, err := server.ctr.State(t.Context())
	require.NoError(t, err)
	require.Equal(t, 0, st.ExitCode, logs)
	// When the process ended, by the engine's clock (the same machine's):
	// docker stop itself returns later, after the engine has cleaned up.
	exited, err := time.Parse(time.RFC3339Nano, st.FinishedAt)
	require.NoError(t, err)
	t.Logf("the server exited %v after docker stop", exited.Sub(stop))
	require.Less(t, exited.Sub(stop), killAfter/2, "the server exited %v after docker stop", exited.Sub(stop))

	require.Equal(t, 0, caller.waitExit(t, exitTimeout), "the caller got its echo")
	require.Contains(t, caller.logs(t), "hello\nstill there?\nConnection closed by foreign host.\n")
}
