package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dockernet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/modules/compose"
	"github.com/testcontainers/testcontainers-go/wait"
)

// The compose tests run compose.yaml as a user does, on its fixed subnet
// and host port. They are not parallel: they would clash with each other,
// and being sequential they run before every parallel test, so no network
// of another test can hold a piece of the lab's subnet when they start.

// TestLabComposeUpRunsTheLectureAcrossTwoLaptops is the user's path,
// `docker compose up`: laptop-a serves on its eth0 address, laptop-b calls
// it, gets the echo and exits 0, both sides of the lecture's transcript are
// in the logs, and `telnet localhost 8000` reaches laptop-a from this machine.
func TestLabComposeUpRunsTheLectureAcrossTwoLaptops(t *testing.T) {
	requireImages(t)
	lab := readLab(t)
	runLab(t, lab, "socketlab-e2e-lab", "laptop-a", lab.a, "laptop-b", lab.b, "compose.yaml")
}

// TestLabSwappedRolesWorkTheOtherWayRound is the exercise's second half, the
// documented swap (`docker compose -f compose.yaml -f deploy/swap.yaml up`,
// `just swap`): laptop-b serves on its own address and laptop-a calls it.
func TestLabSwappedRolesWorkTheOtherWayRound(t *testing.T) {
	requireImages(t)
	lab := readLab(t)
	runLab(t, lab, "socketlab-e2e-swap", "laptop-b", lab.b, "laptop-a", lab.a, "compose.yaml", "deploy/swap.yaml")
}

// runLab brings the lab up from the compose files, checks the call from the
// caller service to the server service, then calls the server from this
// machine through the published port.
func runLab(t *testing.T, lab labConfig, project, server, serverIP, caller, callerIP string, files ...string) {
	t.Helper()
	requireLabFree(t, lab)
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(lab.root, f)
	}
	stack := newStack(t, project, compose.WithStackFiles(paths...))
	// Up starts the server, waits for its health check (depends_on), then
	// starts the caller; the waits below end when the caller has exited.
	err := stack.
		WaitForService(server, wait.ForLog("server listening at").WithStartupTimeout(startTimeout)).
		WaitForService(caller, wait.ForExit().WithExitTimeout(exitTimeout)).
		Up(t.Context(), compose.RemoveOrphans(true))
	require.NoError(t, err, "docker compose up")

	srv, err := stack.ServiceContainer(t.Context(), server)
	require.NoError(t, err)
	call, err := stack.ServiceContainer(t.Context(), caller)
	require.NoError(t, err)
	s, c := &laptop{ctr: srv}, &laptop{ctr: call}

	st, err := call.State(t.Context())
	require.NoError(t, err)
	require.Equal(t, 0, st.ExitCode, "%s's exit code:\n%s", caller, c.logs(t))
	require.Contains(t, c.logs(t), fmt.Sprintf("Trying %s...\nConnected to %[1]s.\nhello\nhi back atcha\nConnection closed by foreign host.\n", serverIP))

	require.Equal(t, serverIP+":8000", s.listeningAt(t))
	logs := s.waitLog(t, "call from "+callerIP+":", 5*time.Second)
	require.Regexp(t, `call from `+regexp.QuoteMeta(callerIP)+`:\d+: said "hi back atcha\\n" \(14 bytes\), echoed it`, logs)

	// `telnet localhost 8000`: published on this machine's loopback only.
	in, err := srv.Inspect(t.Context())
	require.NoError(t, err)
	want := []dockernet.PortBinding{{HostIP: loopback, HostPort: lab.hostPort}}
	require.Equal(t, want, in.NetworkSettings.Ports[dockernet.MustParsePort(serverPort)], "%s's published port", server)
	echo, end := talk(t, dialHost(t, net.JoinHostPort(loopback.String(), lab.hostPort)), []byte("hi from the host\n"))
	require.NoError(t, end)
	require.Equal(t, "hi from the host\n", string(echo))
}

// newStack is the compose project called project, made from opts (the
// files, profiles), and taken down with its volumes when the test ends.
func newStack(t *testing.T, project string, opts ...compose.ComposeStackOption) *compose.DockerCompose {
	t.Helper()
	opts = append(opts, compose.StackIdentifier(project), compose.WithLogger(log.TestLogger(t)))
	stack, err := compose.NewDockerComposeWith(opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		err := stack.Down(context.Background(), compose.RemoveOrphans(true), compose.RemoveVolumes(true))
		stack.Close()
		require.NoError(t, err, "docker compose down")
	})
	return stack
}

// labConfig is the lab's addresses as compose.yaml resolves them: its
// defaults, unless the environment or .env sets them.
type labConfig struct {
	root           string
	subnet         netip.Prefix
	a, b, hostPort string
}

func readLab(t *testing.T) labConfig {
	t.Helper()
	root, err := repoRoot()
	require.NoError(t, err)
	dotenv := readDotEnv(t, filepath.Join(root, ".env"))
	get := func(key, def string) string { // compose's ${KEY:-def}
		if v := os.Getenv(key); v != "" {
			return v
		}
		if v := dotenv[key]; v != "" {
			return v
		}
		return def
	}
	subnet, err := netip.ParsePrefix(get("LAB_SUBNET", "172.28.5.0/24"))
	require.NoError(t, err, "LAB_SUBNET")
	return labConfig{
		root:     root,
		subnet:   subnet,
		a:        get("LAPTOP_A_IP", "172.28.5.10"),
		b:        get("LAPTOP_B_IP", "172.28.5.20"),
		hostPort: get("HOST_PORT", "8000"),
	}
}

// readDotEnv reads the KEY=VALUE lines of an env file; a missing file is empty.
func readDotEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	env := map[string]string{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return env
	}
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[strings.TrimSpace(strings.TrimPrefix(k, "export "))] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	require.NoError(t, sc.Err())
	return env
}

// requireLabFree fails, saying why, when the lab's subnet or host port is
// taken, most likely by a lab left running (`docker compose down` ends it).
func requireLabFree(t *testing.T, lab labConfig) {
	t.Helper()
	cli := requireDocker(t)
	res, err := cli.NetworkList(t.Context(), client.NetworkListOptions{})
	require.NoError(t, err)
	for _, nw := range res.Items {
		for _, cfg := range nw.IPAM.Config {
			if !cfg.Subnet.IsValid() || !cfg.Subnet.Overlaps(lab.subnet) {
				continue
			}
			remove := "docker network rm " + nw.Name
			if p := nw.Labels["com.docker.compose.project"]; p != "" {
				remove = "docker compose -p " + p + " down"
			}
			t.Fatalf("the lab's subnet %s is taken by Docker network %s (%s): is a lab still up? "+
				"`%s`, or set LAB_SUBNET, LAPTOP_A_IP and LAPTOP_B_IP", lab.subnet, nw.Name, cfg.Subnet, remove)
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort(loopback.String(), lab.hostPort))
	if err != nil {
		t.Fatalf("the lab's host port 127.0.0.1:%s is taken (%v): is a lab still up? `docker compose down`, or set HOST_PORT", lab.hostPort, err)
	}
	l.Close()
}
