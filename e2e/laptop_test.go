package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	dockernet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

const (
	// serverPort is the lecture's port, inside every server container.
	serverPort = "8000/tcp"
	// startTimeout bounds a server's start; exitTimeout a one-shot client's run.
	// Every client call is bounded by its own -timeout (10s by default) too.
	startTimeout = 60 * time.Second
	exitTimeout  = 60 * time.Second
)

// loopback is where the test process reaches published ports, and the only
// host address a test ever publishes a port on, when the engine is this
// machine's (engine_test.go says what changes on a remote one).
var loopback = netip.MustParseAddr("127.0.0.1")

// nets is the networks a laptop is plugged into, in the order it is attached.
type nets []*testcontainers.DockerNetwork

// newNetwork makes a network of its own for a test, whose subnet Docker
// picks, once the lab's images are there for the laptops to plug in.
func newNetwork(t *testing.T) *testcontainers.DockerNetwork {
	t.Helper()
	requireImages(t)
	nw, err := network.New(t.Context())
	testcontainers.CleanupNetwork(t, nw)
	require.NoError(t, err)
	return nw
}

// laptop is one container of the lab as a test sees it.
type laptop struct {
	ctr *testcontainers.DockerContainer
	// ips is the laptop's IPv4 address on each network, by network name, as
	// Docker reports it. A container has addresses only while it runs.
	ips map[string]netip.Prefix
	// addr is, for a server, its port 8000 as published on 127.0.0.1: the
	// only way the test process reaches it.
	addr string
}

// ip is the laptop's address on nw.
func (l *laptop) ip(nw *testcontainers.DockerNetwork) string {
	return l.ips[nw.Name].Addr().String()
}

// hardened is how compose.yaml runs the laptops: nothing to write, no
// capabilities, no privilege gain. The tests run the images the same way.
func hardened(hc *container.HostConfig) {
	hc.ReadonlyRootfs = true
	hc.CapDrop = []string{"ALL"}
	hc.SecurityOpt = []string{"no-new-privileges:true"}
}

// notCompose replaces the compose labels that `docker compose build` stamps
// on the images: without it, a student's `docker compose down` (or the lab
// test's) would count a test's containers as the lab's and remove them.
var notCompose = map[string]string{
	"com.docker.compose.project": "socketlab-e2e",
	"com.docker.compose.service": "",
}

// laptopOptions are what every laptop of a test gets: its networks, the
// hardening, and Testcontainers' chatter in the test's log.
func laptopOptions(t *testing.T, on nets) []testcontainers.ContainerCustomizer {
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(log.TestLogger(t)),
		testcontainers.WithHostConfigModifier(hardened),
		testcontainers.WithLabels(notCompose),
	}
	for _, nw := range on {
		opts = append(opts, network.WithNetwork(nil, nw))
	}
	return opts
}

// startServer starts a laptop serving, on the networks given (attached in
// that order, so the first is usually eth0), with the server flags given,
// and waits until it says it is listening.
func startServer(t *testing.T, on nets, flags ...string) *laptop {
	t.Helper()
	l, err := newServer(t, on, flags...)
	require.NoError(t, err)
	return l
}

func newServer(t *testing.T, on nets, flags ...string) (*laptop, error) {
	return newServerWith(t, on, nil, flags...)
}

// newServerWith is newServer with more options for the container, such as
// a fixed address.
func newServerWith(t *testing.T, on nets, more []testcontainers.ContainerCustomizer, flags ...string) (*laptop, error) {
	opts := append(laptopOptions(t, on),
		testcontainers.WithCmd(flags...),
		// Published on 127.0.0.1 only (where.publish), on a port Docker
		// picks: without a binding of our own, Testcontainers would publish
		// the image's EXPOSE 8000 on every host address.
		testcontainers.WithExposedPorts(serverPort),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = dockernet.PortMap{
				dockernet.MustParsePort(serverPort): {{HostIP: where.publish}},
			}
		}),
		testcontainers.WithWaitStrategy(wait.ForLog("server listening at").WithStartupTimeout(startTimeout)),
	)
	opts = append(opts, more...)
	ctx := context.Background()
	ctr, err := testcontainers.Run(ctx, serverImage, opts...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		return nil, fmt.Errorf("start server %q: %w%s", flags, err, logsFor(ctr))
	}
	l, err := inspectLaptop(ctx, ctr)
	if err != nil {
		return nil, err
	}
	if l.addr, err = publishedAddr(ctx, ctr); err != nil {
		return nil, err
	}
	return l, nil
}

// inspectLaptop reads the laptop's addresses back from Docker.
func inspectLaptop(ctx context.Context, ctr *testcontainers.DockerContainer) (*laptop, error) {
	in, err := ctr.Inspect(ctx)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", ctr.GetContainerID(), err)
	}
	l := &laptop{ctr: ctr, ips: map[string]netip.Prefix{}}
	for name, ep := range in.NetworkSettings.Networks {
		if !ep.IPAddress.IsValid() {
			return nil, fmt.Errorf("container %s has no address on %s (state %s)", ctr.GetContainerID(), name, in.State.Status)
		}
		l.ips[name] = netip.PrefixFrom(ep.IPAddress, ep.IPPrefixLen)
	}
	return l, nil
}

// publishedAddr is where the test process calls the server: Testcontainers'
// Host and MappedPort, after checking that port 8000 is published on
// 127.0.0.1 alone (where.publish).
func publishedAddr(ctx context.Context, ctr *testcontainers.DockerContainer) (string, error) {
	in, err := ctr.Inspect(ctx)
	if err != nil {
		return "", err
	}
	for _, b := range in.NetworkSettings.Ports[dockernet.MustParsePort(serverPort)] {
		if b.HostIP != where.publish {
			return "", fmt.Errorf("port 8000 is published on %s, not only on %s", b.HostIP, where.publish)
		}
	}
	host, err := ctr.Host(ctx)
	if err != nil {
		return "", err
	}
	if host == "localhost" {
		host = loopback.String() // the binding is IPv4 only; localhost may mean ::1 first
	}
	port, err := ctr.MappedPort(ctx, serverPort)
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(host, port.Port()), nil
}

// listeningAt is the address in the server's first line, "server listening at IP:PORT".
func (l *laptop) listeningAt(t *testing.T) string {
	t.Helper()
	first, _, _ := strings.Cut(l.logs(t), "\n")
	at, ok := strings.CutPrefix(first, "server listening at ")
	require.Truef(t, ok, "the server's first line is %q, want \"server listening at IP:PORT\"", first)
	return at
}

// logs is everything the laptop printed so far, stdout and stderr together.
func (l *laptop) logs(t *testing.T) string {
	t.Helper()
	s, err := readLogs(l.ctr)
	require.NoError(t, err)
	return s
}

func readLogs(ctr *testcontainers.DockerContainer) (string, error) {
	rc, err := ctr.Logs(context.Background())
	if err != nil {
		return "", fmt.Errorf("logs of %s: %w", ctr.GetContainerID(), err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
}

// logsFor adds a container's logs to an error message, when there are any.
func logsFor(ctr *testcontainers.DockerContainer) string {
	if ctr == nil {
		return ""
	}
	s, err := readLogs(ctr)
	if err != nil || s == "" {
		return ""
	}
	return "\n--- container logs ---\n" + s
}

// waitExit waits, up to within, for the laptop's process to end, and
// returns its exit code.
func (l *laptop) waitExit(t *testing.T, within time.Duration) int {
	t.Helper()
	code, err := waitExit(l.ctr, within)
	require.NoError(t, err)
	return code
}

func waitExit(ctr *testcontainers.DockerContainer, within time.Duration) (int, error) {
	ctx := context.Background()
	if err := wait.ForExit().WithExitTimeout(within).WaitUntilReady(ctx, ctr); err != nil {
		return 0, fmt.Errorf("container %s did not exit within %v: %w%s", ctr.GetContainerID(), within, err, logsFor(ctr))
	}
	st, err := ctr.State(ctx)
	if err != nil {
		return 0, err
	}
	return st.ExitCode, nil
}

// ran is a one-shot client container's run: what it printed and how it exited.
type ran struct {
	logs string
	exit int
}

// runClient runs the client image once with args (a call or a bench), on the
// networks given, and waits for it to exit.
func runClient(t *testing.T, on nets, args ...string) (logs string, exit int) {
	t.Helper()
	r, err := newClientRun(t, on, args...)
	require.NoError(t, err)
	return r.logs, r.exit
}

func newClientRun(t *testing.T, on nets, args ...string) (ran, error) {
	return newClientRunWith(t, on, nil, args...)
}

// newClientRunWith is newClientRun with more options for the container.
func newClientRunWith(t *testing.T, on nets, more []testcontainers.ContainerCustomizer, args ...string) (ran, error) {
	opts := append(append(laptopOptions(t, on), more...),
		testcontainers.WithCmd(args...),
		testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(exitTimeout)),
	)
	ctr, err := testcontainers.Run(context.Background(), clientImage, opts...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		return ran{}, fmt.Errorf("run client %q: %w%s", args, err, logsFor(ctr))
	}
	code, err := waitExit(ctr, exitTimeout)
	if err != nil {
		return ran{}, err
	}
	logs, err := readLogs(ctr)
	return ran{logs: logs, exit: code}, err
}

// startCaller starts a client container with args and returns as soon as it
// runs, with its addresses read back while it has them: Docker forgets them
// when the container exits.
func startCaller(t *testing.T, on nets, args ...string) *laptop {
	t.Helper()
	return newCaller(t, on, false, args...)
}

// startSilentCaller calls host as an interactive client whose user types
// nothing: its stdin is open and stays empty, so it says nothing and stays
// on the line until the server hangs up.
func startSilentCaller(t *testing.T, on nets, host string) *laptop {
	t.Helper()
	return newCaller(t, on, true, host)
}

func newCaller(t *testing.T, on nets, stdin bool, args ...string) *laptop {
	t.Helper()
	opts := append(laptopOptions(t, on), testcontainers.WithCmd(args...))
	if stdin {
		opts = append(opts, testcontainers.WithConfigModifier(func(c *container.Config) { c.OpenStdin = true }))
	}
	ctx := context.Background()
	ctr, err := testcontainers.Run(ctx, clientImage, opts...)
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err, "start client %q%s", args, logsFor(ctr))
	l, err := inspectLaptop(ctx, ctr)
	require.NoError(t, err, "the caller must still be on the line when the test reads its address")
	return l
}

// waitLog waits, up to within, until the laptop has printed s, and returns its logs.
func (l *laptop) waitLog(t *testing.T, s string, within time.Duration) string {
	t.Helper()
	return l.waitLogs(t, s, 1, within)
}

// waitLogs waits, up to within, until s is in the laptop's logs n times,
// and returns the logs. A server logs a call as it ends, a moment after its
// caller has heard the last of it.
func (l *laptop) waitLogs(t *testing.T, s string, n int, within time.Duration) string {
	t.Helper()
	err := wait.ForLog(s).WithOccurrence(n).WithStartupTimeout(within).WithPollInterval(20*time.Millisecond).
		WaitUntilReady(context.Background(), l.ctr)
	require.NoError(t, err, "waiting for %d x %q%s", n, s, logsFor(l.ctr))
	return l.logs(t)
}

// disconnect unplugs the laptop from nw, as if its cable were pulled.
func (l *laptop) disconnect(t *testing.T, nw *testcontainers.DockerNetwork) {
	t.Helper()
	cli := requireDocker(t)
	_, err := cli.NetworkDisconnect(context.Background(), nw.ID,
		client.NetworkDisconnectOptions{Container: l.ctr.GetContainerID(), Force: true})
	require.NoError(t, err)
}

// benchReport is the part of `client bench -json`'s report the tests rely on.
type benchReport struct {
	Mode     string         `json:"mode"`
	Calls    int            `json:"calls"`
	OK       int            `json:"ok"`
	Failed   int            `json:"failed"`
	Failures map[string]int `json:"failures"`
	Elapsed  time.Duration  `json:"elapsed_ns"`
	Latency  struct {
		P50  time.Duration `json:"p50_ns"`
		Max  time.Duration `json:"max_ns"`
		Mean time.Duration `json:"mean_ns"`
	} `json:"latency"`
	Interrupted bool `json:"interrupted"`
}

// runBench runs `client bench -json args...` from a container of its own on
// the networks given and returns its report. Progress lines go to stderr,
// the report is the one JSON line on stdout.
func runBench(t *testing.T, on nets, args ...string) (benchReport, error) {
	r, err := newClientRun(t, on, append([]string{"bench", "-json"}, args...)...)
	if err != nil {
		return benchReport{}, err
	}
	return readBenchReport(r, args...)
}

// readBenchReport reads the report of a finished `client bench -json args...`.
func readBenchReport(r ran, args ...string) (benchReport, error) {
	if r.exit != 0 {
		return benchReport{}, fmt.Errorf("client bench %q exited %d:\n%s", args, r.exit, r.logs)
	}
	for line := range strings.Lines(r.logs) {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rep benchReport
		if err := json.Unmarshal([]byte(line), &rep); err != nil {
			return rep, fmt.Errorf("client bench %q: bad JSON report %q: %w", args, line, err)
		}
		return rep, nil
	}
	return benchReport{}, errors.New("client bench printed no JSON report:\n" + r.logs)
}
