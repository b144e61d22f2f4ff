package e2e

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// Where the engine is decides where the tests publish ports and call them.
// On this machine's engine (a student's laptop) a port is published on
// 127.0.0.1 alone, as the lab does. On a remote engine (DOCKER_HOST=tcp://,
// a docker context, GitLab CI's dind service) the test process is not on
// that host's loopback: ports are published on the engine host's addresses,
// and called there.
var where struct {
	remote bool
	// publish is the host address ports are published on; host is where
	// the test process reaches them.
	publish netip.Addr
	host    string
}

// findEngine fills in where from the engine Testcontainers talks to (its
// daemon host follows DOCKER_HOST and the docker context alike). Without an
// engine it leaves the local defaults: requireDocker says what is wrong.
func findEngine() {
	where.publish, where.host = loopback, loopback.String()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli, err := dialDockerIn(ctx)
	if err != nil {
		return
	}
	defer cli.Close()
	if h, ok := remoteHost(cli.DaemonHost()); ok {
		where.remote, where.publish, where.host = true, netip.IPv4Unspecified(), h
	}
}

// remoteHost is the host of a daemon address that is not this machine's:
// tcp://docker:2375 gives "docker"; unix sockets, named pipes and tcp to a
// loopback address are local.
func remoteHost(daemon string) (string, bool) {
	u, err := url.Parse(daemon)
	if err != nil || (u.Scheme != "tcp" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ssh") {
		return "", false
	}
	h := u.Hostname()
	if h == "localhost" {
		return "", false
	}
	if ip, err := netip.ParseAddr(h); err == nil && ip.IsLoopback() {
		return "", false
	}
	return h, h != ""
}

func dialDockerIn(ctx context.Context) (cli *testcontainers.DockerClient, err error) {
	defer func() {
		if r := recover(); r != nil {
			cli, err = nil, fmt.Errorf("testcontainers: %v", r)
		}
	}()
	return testcontainers.NewDockerClientWithOpts(ctx)
}

// skipOnRemoteEngine skips a test of something that needs this machine's
// own filesystem shared with the engine (a bind mount), saying so.
func skipOnRemoteEngine(t *testing.T, why string) {
	t.Helper()
	if where.remote {
		t.Skipf("skipping on a remote engine (%s): %s", where.host, why)
	}
}

// labConfig is one run of compose.yaml by a test: its addresses and ports,
// its own, so that it never meets a lab the user has up (`docker compose
// up` on 172.28.5.0/24 and 127.0.0.1:8000, `just view`, `just my-server`,
// `just class`) and never stops or recreates it.
type labConfig struct {
	root            string
	subnet          netip.Prefix
	a, b            string
	hostPort        string
	viewPort        string
	project         string
	env             map[string]string
	publish, dialAt string // where ports are published, and called
}

// labRuns numbers the compose labs of a run, for their subnets.
var labRuns atomic.Int32

// newLab is a lab of the test's own: a subnet in 10.218.0.0/16 (outside
// Docker's default pools, the user's lab, and the other tests' ranges), its
// own host ports, and a compose project named after the test.
func newLab(t *testing.T, name string) labConfig {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	n := 10 + labRuns.Add(1)
	prefix := fmt.Sprintf("10.218.%d.", n)
	lab := labConfig{
		root:     root,
		subnet:   netip.MustParsePrefix(prefix + "0/24"),
		a:        prefix + "10",
		b:        prefix + "20",
		hostPort: freePort(t),
		viewPort: freePort(t),
		project:  fmt.Sprintf("socketlab-e2e-%s-%d", name, n),
		publish:  where.publish.String(),
		dialAt:   where.host,
	}
	lab.env = map[string]string{
		"LAB_SUBNET":  lab.subnet.String(),
		"LAPTOP_A_IP": lab.a,
		"LAPTOP_B_IP": lab.b,
		"HOST_PORT":   lab.hostPort,
		"VIEW_PORT":   lab.viewPort,
		"PUBLISH_IP":  lab.publish,
	}
	return lab
}

// files are the lab's compose files, from the repository's root.
func (l labConfig) files(names ...string) []string {
	paths := make([]string, len(names))
	for i, f := range names {
		paths[i] = filepath.Join(l.root, f)
	}
	return paths
}

// with is the lab's settings plus more.
func (l labConfig) with(more map[string]string) map[string]string {
	env := make(map[string]string, len(l.env)+len(more))
	for k, v := range l.env {
		env[k] = v
	}
	for k, v := range more {
		env[k] = v
	}
	return env
}

// hostAddr is where the test process calls the lab's published port.
func (l labConfig) hostAddr(port string) string {
	return net.JoinHostPort(l.dialAt, port)
}

// removeImageAfter removes the image when the test is over, a lab's own
// image (a student's laptop) that no later test uses.
func removeImageAfter(t *testing.T, image string) {
	t.Helper()
	cli := requireDocker(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := cli.ImageRemove(ctx, image, client.ImageRemoveOptions{PruneChildren: true}); err != nil && !cerrdefs.IsNotFound(err) {
			t.Errorf("remove the lab's image %s: %v", image, err)
		}
	})
}
