package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	dockernet "github.com/moby/moby/api/types/network"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/socketlab/socketlab/internal/wire"
)

// TestClientsWaitThroughAServerRestart: laptops that call with -wait while
// the server is stopped keep trying, and each gets its echo once the same
// server container is started again. The server has a fixed address, as
// laptop-a has in compose.yaml: Docker gives a stopped container's dynamic
// address to the next container that asks, here one of the callers.
func TestClientsWaitThroughAServerRestart(t *testing.T) {
	t.Parallel()
	nw, subnet := newNetworkWithSubnet(t)
	fixed := subnet.Addr().As4()
	fixed[3] = 10 // like laptop-a's .10; Docker hands out the upper half only
	ip := netip.AddrFrom4(fixed).String()
	server, err := newServerWith(t, nets{nw}, []testcontainers.ContainerCustomizer{
		testcontainers.WithEndpointSettingsModifier(func(eps map[string]*dockernet.EndpointSettings) {
			eps[nw.Name].IPAMConfig = &dockernet.EndpointIPAMConfig{IPv4Address: netip.AddrFrom4(fixed)}
		}),
	}, "-iface", "eth0")
	require.NoError(t, err)
	require.Equal(t, ip, server.ip(nw))
	stopWithin := 10 * time.Second
	require.NoError(t, server.ctr.Stop(t.Context(), &stopWithin))

	// Each caller is running and has found no one at the address at least
	// once before the server comes back. -timeout 2s: a call to an address
	// nobody holds would otherwise end only when ARP gives up, after 3s.
	msgs := []string{"caller 1 holds on", "caller 2 holds on", "caller 3 holds on"}
	var starts []func() (*laptop, error)
	for _, msg := range msgs {
		starts = append(starts, func() (*laptop, error) {
			return newWaitingCaller(t, nw, "-wait", "30s", "-timeout", "2s", "-send", msg, "-expect-echo", ip)
		})
	}
	callers := together(t, starts...)

	require.NoError(t, server.ctr.Start(t.Context()))
	// The logs of a restarted container go on from the first run's.
	server.waitLogs(t, "server listening at", 2, startTimeout)
	back, err := inspectLaptop(t.Context(), server.ctr)
	require.NoError(t, err)
	require.Equal(t, ip, back.ip(nw), "the restarted server has its fixed address back")

	for i, c := range callers {
		require.Equal(t, 0, c.waitExit(t, exitTimeout), "caller %d:\n%s", i+1, c.logs(t))
		logs := c.logs(t)
		require.Contains(t, logs, fmt.Sprintf("client: waiting up to 30s for %s:8000...\n", ip))
		require.Contains(t, logs, fmt.Sprintf("Connected to %s.\nhello\n%s\nConnection closed by foreign host.\n", ip, msgs[i]))
	}
	logs := server.waitLogs(t, "echoed it", len(msgs), 10*time.Second)
	second := logs[strings.LastIndex(logs, "server listening at "):]
	require.True(t, strings.HasPrefix(second, "server listening at "+ip+":8000\n"), "the restarted server listens on the same address:\n%s", logs)
	for _, msg := range msgs {
		require.Contains(t, second, fmt.Sprintf("said %q (%d bytes), echoed it", msg+"\n", len(msg)+1))
	}
}

// newWaitingCaller starts a caller with args and returns once it says it is
// waiting for the server: its first call was refused or found nobody.
func newWaitingCaller(t *testing.T, nw *testcontainers.DockerNetwork, args ...string) (*laptop, error) {
	opts := append(laptopOptions(t, nets{nw}),
		testcontainers.WithCmd(args...),
		testcontainers.WithWaitStrategy(wait.ForLog("client: waiting up to").WithStartupTimeout(startTimeout)),
	)
	ctx := context.Background()
	ctr, err := testcontainers.Run(ctx, clientImage, opts...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		return nil, fmt.Errorf("start caller %q: %w%s", args, err, logsFor(ctr))
	}
	return &laptop{ctr: ctr}, nil
}

// newNetworkWithSubnet makes a network of the test's own on a /24 the test
// picks, so that a laptop can have a fixed address on it, as in compose.yaml
// (Docker allows one only on a network whose subnet was given); addresses
// Docker picks come from the upper half (.128 to .254). The /24 is drawn
// from 10.213.0.0/16, outside Docker's default pools (172.17.0.0 to
// 172.31.255.255 and 192.168.0.0/16), where the networks of the other tests
// come from; a draw that clashes with a network of this machine's Docker
// is drawn again.
func newNetworkWithSubnet(t *testing.T) (*testcontainers.DockerNetwork, netip.Prefix) {
	t.Helper()
	requireImages(t)
	var err error
	for range 8 {
		third := byte(rand.IntN(256))
		subnet := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 213, third, 0}), 24)
		dynamic := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 213, third, 128}), 25)
		var nw *testcontainers.DockerNetwork
		nw, err = network.New(t.Context(), network.WithIPAM(&dockernet.IPAM{
			Config: []dockernet.IPAMConfig{{Subnet: subnet, IPRange: dynamic}},
		}))
		testcontainers.CleanupNetwork(t, nw)
		if err == nil {
			return nw, subnet
		}
		if !strings.Contains(err.Error(), "overlaps") {
			break
		}
	}
	require.NoError(t, err, "create a network on a subnet of 10.213.0.0/16")
	return nil, netip.Prefix{}
}

// TestServerStopDuringACrowdCutsNoEcho: `docker stop` on a server while a
// crowd calls it (client bench, 16 callers, -think 20ms), with an employee
// per caller and with four employees and the rest on hold. Every call either
// gets its echo or ends before the server greeted it: refused once the
// listener is closed, reset or hung up on while it waited in the listen
// queue, given up by the caller (timeout) or never answered at all once the
// container is gone. No call is cut mid-echo.
//
// The bench counts failures by kind but cannot say when a reset came, so
// the crowd's line is watched too: the crowd calls from the network
// namespace of a `client watch` container, which sees every segment of
// every call, and each kind the bench counts is matched with the calls on
// the wire that ended that way before any greeting.
func TestServerStopDuringACrowdCutsNoEcho(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		flags []string
	}{
		{"an employee per caller", nil},
		{"four employees, callers on hold", []string{"-workers", "4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stopDuringACrowd(t, tc.flags...)
		})
	}
}

func stopDuringACrowd(t *testing.T, flags ...string) {
	nw := newNetwork(t)
	server := startServer(t, nets{nw}, append([]string{"-iface", "eth0", "-think", "20ms"}, flags...)...)
	serverIP := netip.MustParseAddr(server.ip(nw))
	watcher := startWatcher(t, nw, "-iface", "eth0", "-port", "8000", "-json")

	// -n bounds the calls after the stop, which are refused at once;
	// -timeout bounds those that go unanswered once the container is gone.
	args := []string{"bench", "-json", "-c", "16", "-n", "2000", "-d", "10s", "-timeout", "2s", serverIP.String()}
	crowd := startInNetworkOf(t, watcher, args...)
	server.waitLogs(t, "echoed it", 100, 20*time.Second)
	stopWithin := 10 * time.Second
	require.NoError(t, server.ctr.Stop(t.Context(), &stopWithin))

	exit := crowd.waitExit(t, exitTimeout)
	rep, err := readBenchReport(ran{logs: crowd.logs(t), exit: exit}, args...)
	require.NoError(t, err)
	require.NoError(t, watcher.ctr.Stop(t.Context(), &stopWithin))
	require.Equal(t, 0, watcher.waitExit(t, time.Second), "watch exits 0 on SIGTERM")
	t.Logf("bench: %d calls, %d ok, failures %v", rep.Calls, rep.OK, rep.Failures)

	// The server stopped as -grace promises: the calls in progress finished.
	logs := server.logs(t)
	st, err := server.ctr.State(t.Context())
	require.NoError(t, err)
	require.Equal(t, 0, st.ExitCode, logs)
	require.Regexp(t, `stopping: no new calls; \d+ in progress get up to 5s to finish\n`, logs)
	require.Contains(t, logs, "\nstopped\n")
	require.NotContains(t, logs, "cut short")
	served := countLines(logs, "call from ")
	require.Equal(t, served, countLines(logs, "echoed it"), "every call the server picked up, it echoed:\n%s", logs)
	require.Equal(t, rep.OK, served, "each echo the server logged is one the crowd got")

	// The bench: no wrong echo, and every failure of a kind that ends a
	// call before its echo is due.
	require.GreaterOrEqual(t, rep.OK, 100, "calls before the stop")
	require.Less(t, rep.OK, rep.Calls, "calls after the stop: was the server stopped mid-way?")
	require.Zero(t, rep.Failures["wrong echo"], "a call cut mid-echo: %v", rep.Failures)
	early := 0
	for _, kind := range []string{"refused", "reset", "wrong greeting", "timeout", "unreachable"} {
		early += rep.Failures[kind]
	}
	require.Equal(t, rep.Calls, rep.OK+early, "every call is served or ends before its echo is due: %v", rep.Failures)

	// The wire, call by call, from the crowd's side.
	var tally wireTally
	for _, c := range readWireCalls(t, watcher.logs(t), serverIP) {
		require.Falsef(t, c.greeted && !c.echoed, "call %d was greeted and never echoed:%s", c.n, c.story)
		require.Falsef(t, c.greeted && c.reset, "call %d was reset after its greeting:%s", c.n, c.story)
		tally.add(c)
	}
	t.Logf("on the wire: %+v", tally)
	require.Equal(t, rep.OK, tally.echoed, "each call the bench counts ok is echoed on the wire: %+v", tally)
	require.Equal(t, rep.Failures["refused"], tally.refused, "refused: a SYN answered with RST: %+v", tally)
	require.Equal(t, rep.Failures["reset"], tally.resetBeforeGreeting, "each reset the bench counts came before any greeting: %+v", tally)
	require.Equal(t, rep.Failures["wrong greeting"], tally.hungUpBeforeGreeting, "each wrong greeting is a hang-up before any greeting: %+v", tally)
	require.LessOrEqual(t, tally.gaveUp, rep.Failures["timeout"], "a caller gives up only at its timeout: %+v", tally)
	require.Zero(t, tally.other, "calls that ended no way above: %+v", tally)
}

// startWatcher runs `client watch args...` on nw the way compose.yaml's wire
// service runs: root with NET_RAW and no other capability, read-only. It
// returns once the capture is open.
func startWatcher(t *testing.T, nw *testcontainers.DockerNetwork, args ...string) *laptop {
	t.Helper()
	opts := append(laptopOptions(t, nets{nw}),
		testcontainers.WithCmd(append([]string{"watch"}, args...)...),
		testcontainers.WithConfigModifier(func(c *container.Config) { c.User = "0:0" }),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) { hc.CapAdd = []string{"NET_RAW"} }),
		testcontainers.WithWaitStrategy(wait.ForLog("client: watching TCP port").WithStartupTimeout(startTimeout)),
	)
	ctr, err := testcontainers.Run(context.Background(), clientImage, opts...)
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err, "start client watch%s", logsFor(ctr))
	return &laptop{ctr: ctr}
}

// startInNetworkOf starts the client image with args in the network
// namespace of host, as compose's network_mode: service:NAME does, and
// returns as soon as it runs.
func startInNetworkOf(t *testing.T, host *laptop, args ...string) *laptop {
	t.Helper()
	opts := append(laptopOptions(t, nil),
		testcontainers.WithCmd(args...),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.NetworkMode = container.NetworkMode("container:" + host.ctr.GetContainerID())
		}),
	)
	ctr, err := testcontainers.Run(context.Background(), clientImage, opts...)
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err, "start client %q%s", args, logsFor(ctr))
	return &laptop{ctr: ctr}
}

// wireCall is one call as watch saw it from the caller's side.
type wireCall struct {
	n int
	// what the server did: answered the SYN (SYN-ACK), greeted, echoed,
	// hung up (FIN), reset the call after answering, refused the SYN (RST)
	answered, greeted, echoed, hungUp, reset, refused bool
	// the caller hung up or reset the call before the server did either
	callerFirst bool
	story       string // the call's segments, for a failure message
}

// readWireCalls reads watch -json's segments and sums each call up.
func readWireCalls(t *testing.T, logs string, server netip.Addr) []*wireCall {
	t.Helper()
	byN := map[int]*wireCall{}
	var calls []*wireCall
	for line := range strings.Lines(logs) {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var e wire.Event
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		c := byN[e.Call]
		if c == nil {
			c = &wireCall{n: e.Call}
			byN[e.Call] = c
			calls = append(calls, c)
		}
		c.story += fmt.Sprintf("\n  %s → %s %s len=%d %q %v", e.Src, e.Dst, e.Flags, e.Len, e.Data, e.Moments)
		ends := strings.Contains(e.Flags, "FIN") || strings.Contains(e.Flags, "RST")
		if e.Src.Addr() != server {
			// The caller's RST that clears an old call still closing on
			// these ports is not hanging up: the call rings again after it.
			clearing := slices.Contains(e.Moments, wire.MomentResetOldCall)
			c.callerFirst = c.callerFirst || ends && !clearing && !c.hungUp && !c.reset
			continue
		}
		c.answered = c.answered || slices.Contains(e.Moments, wire.MomentAnswer)
		c.greeted = c.greeted || slices.Contains(e.Moments, wire.MomentGreeting) && e.Data == greeting
		c.echoed = c.echoed || slices.Contains(e.Moments, wire.MomentEcho)
		c.refused = c.refused || slices.Contains(e.Moments, wire.MomentRefused)
		c.hungUp = c.hungUp || strings.Contains(e.Flags, "FIN")
		c.reset = c.reset || strings.Contains(e.Flags, "RST") && !c.refused
	}
	require.NotEmpty(t, calls, "watch saw no call:\n%s", logs)
	return calls
}

// wireTally counts the calls on the wire by how they ended.
type wireTally struct {
	calls, echoed, refused int
	// the server reset or hung up on a call it never greeted
	resetBeforeGreeting, hungUpBeforeGreeting int
	// the caller ended a call that was answered and never greeted
	gaveUp int
	// SYNs with no SYN-ACK: into the void once the container is gone. (A SYN
	// met by an old call still closing rings again within the same call.)
	unanswered int
	other      int
}

func (w *wireTally) add(c *wireCall) {
	w.calls++
	switch {
	case c.echoed:
		w.echoed++
	case c.refused:
		w.refused++
	case !c.answered:
		w.unanswered++
	case c.greeted:
		w.other++
	case c.callerFirst:
		w.gaveUp++
	case c.reset:
		w.resetBeforeGreeting++
	case c.hungUp:
		w.hungUpBeforeGreeting++
	default:
		w.other++
	}
}
