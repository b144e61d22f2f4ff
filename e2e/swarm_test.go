package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSwarmLab runs the lecture's exercise across two machines of a Docker
// Swarm, as an instructor does with `just swarm-up`: three engines made by
// deploy/swarm/nodes.sh (on a subnet and names of the test's own, so a Swarm
// the user has up is left alone), laptop-a on node 1 and laptop-b on node 2
// over an attachable overlay, and the same transcript as `docker compose up`.
//
// It runs only with SOCKETLAB_SWARM_TEST=1: the overlay between the test's
// engines passed traffic in the runs it was written in, but once, in a full
// suite, laptop-b found laptop-a unreachable across the nodes (VXLAN), and
// the cause is not known yet. A test that cannot be trusted stays out of CI
// until it is (issue 27 is open for it).
func TestSwarmLab(t *testing.T) {
	if os.Getenv("SOCKETLAB_SWARM_TEST") != "1" {
		t.Skip("the Swarm test is opt-in until its overlay is reliable here: SOCKETLAB_SWARM_TEST=1 runs it")
	}
	requireImages(t)
	skipOnRemoteEngine(t, "deploy/swarm/nodes.sh runs its engines on this machine's engine and reaches them through its bridge")
	root, err := repoRoot()
	require.NoError(t, err)
	env := append(os.Environ(), "NODES_SUBNET=10.236.0.0/24", "NODES_NAME=socketlab-swarmtest", "IMAGES_FROM=unix:///var/run/docker.sock")
	run := func(timeout time.Duration, extra []string, script string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(root, "deploy/swarm", script)}, args...)...)
		cmd.Env = append(append([]string{}, env...), extra...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Logf("%s %s: %v\n%s", script, strings.Join(args, " "), err, stderr.String())
		}
		return string(out), err
	}
	t.Cleanup(func() { _, _ = run(2*time.Minute, nil, "nodes.sh", "down", "3") })
	out, err := run(3*time.Minute, nil, "nodes.sh", "up", "3")
	require.NoError(t, err)
	manager := strings.TrimSpace(out)
	require.Equal(t, "tcp://10.236.0.11:2375", manager, "nodes.sh prints the manager's DOCKER_HOST")
	mgr := []string{"DOCKER_HOST=" + manager}
	t.Cleanup(func() { _, _ = run(time.Minute, mgr, "lab.sh", "down") })

	out, err = run(3*time.Minute, mgr, "lab.sh", "up")
	require.NoError(t, err, out)
	require.Contains(t, out, "laptop-b  | Trying 172.28.5.10...\nlaptop-b  | Connected to 172.28.5.10.\nlaptop-b  | hello\n"+
		"laptop-b  | hi back atcha\nlaptop-b  | Connection closed by foreign host.\n")
	require.Regexp(t, `laptop-a  \| server listening at 172\.28\.5\.10:8000\n`, out)
	require.Regexp(t, `laptop-a  \| call from `+regexp.QuoteMeta("172.28.5.20")+`:\d+: said "hi back atcha\\n" \(14 bytes\), echoed it`, out)
	require.Contains(t, out, "laptop-b exited with code 0\n")

	// laptop-a serves on node 1 only, published on that node's loopback, and
	// runs as hardened as compose.yaml's laptops.
	inspect := func(node, format string) (string, error) {
		b, err := exec.Command("docker", "-H", "tcp://10.236.0."+node+":2375", "inspect", "-f", format, "socketlab-swarm-laptop-a").CombinedOutput()
		return strings.TrimSpace(string(b)), err
	}
	got, err := inspect("11", `{{(index (index .HostConfig.PortBindings "8000/tcp") 0).HostIp}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.PidsLimit}}`)
	require.NoError(t, err, got)
	require.Equal(t, "127.0.0.1 true [ALL] 64", got)
	_, err = inspect("12", "{{.Id}}")
	require.Error(t, err, "laptop-a runs on node 1, not on node 2")
}
