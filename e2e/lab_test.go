package e2e

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	dockernet "github.com/moby/moby/api/types/network"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/modules/compose"
	"github.com/testcontainers/testcontainers-go/wait"
)

// The compose tests run compose.yaml as a user does, but each on a subnet,
// host ports and a project name of its own (newLab): a lab the user has up
// keeps running, untouched, beside them. They are not parallel: they are the
// heaviest tests, and sequential they run before every parallel one.

// TestLabComposeUpRunsTheLectureAcrossTwoLaptops is the user's path,
// `docker compose up`: laptop-a serves on its eth0 address, laptop-b calls
// it, gets the echo and exits 0, both sides of the lecture's transcript are
// in the logs, and `telnet localhost 8000` reaches laptop-a from this machine.
func TestLabComposeUpRunsTheLectureAcrossTwoLaptops(t *testing.T) {
	requireImages(t)
	lab := newLab(t, "lab")
	runLab(t, lab, "laptop-a", lab.a, "laptop-b", lab.b, "compose.yaml")
}

// TestLabSwappedRolesWorkTheOtherWayRound is the exercise's second half, the
// documented swap (`docker compose -f compose.yaml -f deploy/compose/swap.yaml up`,
// `just swap`): laptop-b serves on its own address and laptop-a calls it.
func TestLabSwappedRolesWorkTheOtherWayRound(t *testing.T) {
	requireImages(t)
	lab := newLab(t, "swap")
	runLab(t, lab, "laptop-b", lab.b, "laptop-a", lab.a, "compose.yaml", "deploy/compose/swap.yaml")
}

// runLab brings the lab up from the compose files, checks the call from the
// caller service to the server service, then calls the server from this
// machine through the published port.
func runLab(t *testing.T, lab labConfig, server, serverIP, caller, callerIP string, files ...string) {
	t.Helper()
	stack := newStack(t, lab.project, compose.WithStackFiles(lab.files(files...)...))
	// Up starts the server, waits for its health check (depends_on), then
	// starts the caller; the waits below end when the caller has exited.
	err := stack.WithEnv(lab.env).
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

	// `telnet localhost 8000`: published on this machine's loopback only
	// (on a remote engine, on its host's addresses: PUBLISH_IP).
	in, err := srv.Inspect(t.Context())
	require.NoError(t, err)
	want := []dockernet.PortBinding{{HostIP: where.publish, HostPort: lab.hostPort}}
	require.Equal(t, want, in.NetworkSettings.Ports[dockernet.MustParsePort(serverPort)], "%s's published port", server)
	echo, end := talk(t, dialHost(t, lab.hostAddr(lab.hostPort)), []byte("hi from the host\n"))
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
