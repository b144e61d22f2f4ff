package e2e

import (
	"context"
	"errors"
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
// over an attachable overlay, and the same transcript as `docker compose up`,
// contained as on one host.
//
// laptop-b once found laptop-a "host unreachable" here under load: node 2
// had joined the overlay before gossip told it node 1 was on it, and learns
// the overlay's addresses only at the next full exchange (30 s). lab.sh now
// waits until each node knows the other laptop's address, and joins node 2
// again when that stalls.
func TestSwarmLab(t *testing.T) {
	t.Parallel()
	requireImages(t)
	skipOnRemoteEngine(t, "deploy/swarm/nodes.sh runs its engines on this machine's engine and reaches them through its bridge")
	root, err := repoRoot()
	require.NoError(t, err)
	env := append(os.Environ(), "NODES_SUBNET=10.236.0.0/24", "NODES_NAME=socketlab-swarmtest", "IMAGES_FROM=unix:///var/run/docker.sock")
	var said strings.Builder // what the scripts said on stderr
	run := func(timeout time.Duration, extra []string, script string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(root, "deploy/swarm", script)}, args...)...)
		cmd.Env = append(append([]string{}, env...), extra...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		out, err := cmd.Output()
		t.Logf("%s %s: %.1fs", script, strings.Join(args, " "), time.Since(start).Seconds())
		said.WriteString(stderr.String())
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
	require.Contains(t, only(out, "laptop-b"), "laptop-b  | Trying 172.28.5.10...\nlaptop-b  | Connected to 172.28.5.10.\nlaptop-b  | hello\n"+
		"laptop-b  | hi back atcha\nlaptop-b  | Connection closed by foreign host.\n")
	require.Regexp(t, `laptop-a  \| server listening at 172\.28\.5\.10:8000\n`, out)
	require.Regexp(t, `laptop-a  \| call from `+regexp.QuoteMeta("172.28.5.20")+`:\d+: said "hi back atcha\\n" \(14 bytes\), echoed it`, out)
	require.Contains(t, out, "laptop-b exited with code 0\n")
	// The encryption is probed and said: this kernel has no IPsec (ESP), so
	// it is not on here; where it is, the line says so instead.
	require.Regexp(t, `swarm: the overlay is (encrypted|NOT encrypted: the nodes' kernel passes no encrypted)`, said.String())

	// laptop-a serves on node 1 only, runs as hardened as compose.yaml's
	// laptops, and publishes on that node's loopback only.
	inspect := func(node, format, name string) (string, error) {
		b, err := exec.Command("docker", "-H", "tcp://10.236.0."+node+":2375", "inspect", "-f", format, name).CombinedOutput()
		return strings.TrimSpace(string(b)), err
	}
	got, err := inspect("11", `{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} `+
		`{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NetworkMode}}`, "socketlab-swarm-laptop-a")
	require.NoError(t, err, got)
	require.Regexp(t, `^true \[ALL\] \[no-new-privileges:true\] 134217728 64 container:[0-9a-f]{64}$`, got)
	// Its network is held by a container of its own, which publishes the port.
	got, err = inspect("11", `{{range $p, $b := .HostConfig.PortBindings}}{{$p}}={{range $b}}{{.HostIp}}:{{.HostPort}} {{end}}{{end}}`+
		`{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}}`, "socketlab-swarm-laptop-a-net")
	require.NoError(t, err, got)
	require.Equal(t, "8000/tcp=127.0.0.1:8000 true [ALL]", got, "published on the node's loopback only")
	_, err = inspect("12", "{{.Id}}", "socketlab-swarm-laptop-a")
	require.Error(t, err, "laptop-a runs on node 1, not on node 2")

	// The overlay is internal: no route beyond the lab, for student code
	// either. A caller on it finds this machine's bridge (the nodes' own
	// gateway) unreachable, where one on a plain network would connect.
	got, err = inspect("11", "{{.Internal}} {{.Attachable}}", "socketlab-swarm-lab")
	require.NoError(t, err, got)
	require.Equal(t, "true true", got, "the lab's overlay: internal, attachable")
	b, err := exec.Command("docker", "-H", "tcp://10.236.0.12:2375", "run", "--rm", "--pull", "never", "--network", "socketlab-swarm-lab",
		"socketlab/client:local", "-timeout", "3s", "10.236.0.1", "2375").CombinedOutput()
	require.Error(t, err, "a container on the lab's overlay reached beyond it:\n%s", b)
	require.Contains(t, string(b), "unreachable", "a container on the lab's overlay has no route beyond it")

	// `just swarm-my-server FILE`: the student's server on node 1, graded
	// from node 2, with the verdict `just my-server FILE` gives on one host
	// (TestMyServerPassesACorrectServerAcrossHosts and
	// TestMyServerExplainsTheLecturesScriptAsPrinted assert the same lines
	// there). The laptop image is built as the recipe builds it.
	require.NoError(t, composeBuild(requireDocker(t), composeBuildSpec{
		project: "socketlab-swarm", overlays: []string{"deploy/compose/my-server.yaml", "deploy/compose/class.yaml"},
		services: []string{"laptop-a"}, env: []string{"STUDENT_DIR=" + t.TempDir(), "CLASS_LAPTOP_IMAGE=socketlab/laptop:swarm"},
		images: []string{"socketlab/laptop:swarm"},
	}))
	myServer := func(file string) (string, int) {
		dir, name := filepath.Split(filepath.Join(root, file))
		out, err := run(3*time.Minute, append(mgr, "STUDENT_DIR="+dir, "STUDENT_FILE="+name), "lab.sh", "my-server")
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return out, exit.ExitCode()
		}
		require.NoError(t, err, out)
		return out, 0
	}
	out, code := myServer("deploy/student/server.py")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "laptop-a  | server listening at 172.28.5.10:8000\n")
	require.Contains(t, only(out, "laptop-b"), "laptop-b  | Trying 172.28.5.10...\nlaptop-b  | Connected to 172.28.5.10.\nlaptop-b  | hello\n")
	require.Contains(t, out, "laptop-b  | PASS  not reachable on 172.28.6.10:8000: refused there")
	require.Contains(t, out, "laptop-b  | verdict: PASS: your server.py on laptop-a answered laptop-b across the lab")
	require.Contains(t, out, "laptop-b exited with code 0\n")

	// A crash before listening is explained from laptop-a's report, which
	// only the relay between the nodes brings to laptop-b.
	out, code = myServer("e2e/testdata/student/lecture/server.py")
	require.Equal(t, exitFail, code, out)
	require.Contains(t, out, "laptop-a  | SyntaxError: Missing parentheses in call to 'print'")
	require.Contains(t, out, "laptop-b  | laptop-a's server.py ended before it listened: not calling it\n")
	require.Contains(t, out, "laptop-b  | verdict: FAIL: your server.py stopped before it listened.\n")
	require.Contains(t, out, "laptop-b  |   - line 21: this is Python 2 code, and the lab runs Python 3")
	require.NotContains(t, out, "Trying", "a program that ended is not called")
}

// only keeps one laptop's lines of a transcript: the two sides interleave
// in time order, as docker compose prints them.
func only(transcript, laptop string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(transcript, "\n") {
		if strings.HasPrefix(line, laptop+"  | ") {
			b.WriteString(line)
		}
	}
	return b.String()
}
