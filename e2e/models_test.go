package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// models are the server's -model values: each must pass the same tests.
var models = []string{"threads", "processes", "eventloop"}

// modelsImage is the server image these tests run: built from this tree
// under a tag of their own, so that another build of socketlab/server:local
// on a shared engine cannot swap a server without -model in under them.
const modelsImage = "socketlab/server:models-e2e"

var modelsBuild struct {
	once sync.Once
	err  error
}

// newModelServer is newServer on modelsImage.
func newModelServer(t *testing.T, on nets, flags ...string) (*laptop, error) {
	t.Helper()
	return newModelServerWith(t, on, nil, flags...)
}

// newModelServerWith is newServerWith on modelsImage.
func newModelServerWith(t *testing.T, on nets, more []testcontainers.ContainerCustomizer, flags ...string) (*laptop, error) {
	t.Helper()
	modelsBuild.once.Do(func() { modelsBuild.err = buildModelsImage() })
	require.NoError(t, modelsBuild.err)
	image := testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
		req.Image = modelsImage
		return nil
	})
	return newServerWith(t, on, append([]testcontainers.ContainerCustomizer{image}, more...), flags...)
}

// buildModelsImage builds the server stage of deploy/Dockerfile as
// modelsImage, with the Go toolchain image compose would use.
func buildModelsImage() error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	goImage := os.Getenv("GO_IMAGE")
	if goImage == "" {
		dotenv, _ := os.ReadFile(filepath.Join(root, ".env"))
		if m := regexp.MustCompile(`(?m)^\s*GO_IMAGE=(\S+)`).FindSubmatch(dotenv); m != nil {
			goImage = string(m[1])
		}
	}
	args := []string{"build", "-f", filepath.Join(root, "deploy", "Dockerfile"), "--target", "server", "-t", modelsImage}
	if goImage == "" {
		goImage = "socketlab/go:" + strings.TrimPrefix(runtime.Version(), "go")
	}
	args = append(args, "--build-arg", "GO_IMAGE="+goImage, root)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=1", "BUILDKIT_PROGRESS=plain")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker %s: %w\n%s", strings.Join(args, " "), err, lastLines(out, 40))
	}
	return nil
}

// TestEveryModelAcrossHosts: a server of each model (-model threads,
// processes, eventloop) in a container of its own, bound to eth0, greets
// with exactly "hello\n" before the caller speaks and echoes what it heard
// (from this machine, through the published port); answers the lecture's
// call from another laptop, as telnet shows it; and serves a crowd of
// callers from a third, every call echoed and logged.
func TestEveryModelAcrossHosts(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	starts := make([]func() (*laptop, error), len(models))
	for i, m := range models {
		starts[i] = func() (*laptop, error) {
			return newModelServer(t, nets{nw}, "-iface", "eth0", "-model", m, "-backlog", "64")
		}
	}
	servers := together(t, starts...)

	for i, m := range models {
		c := dialHost(t, servers[i].addr)
		require.Equal(t, []byte(greeting), heard(t, c), "-model %s: everything the server said before the caller spoke", m)
		require.NoError(t, c.SetDeadline(time.Now().Add(callTimeout)))
		_, err := c.Write([]byte("hi back atcha\n"))
		require.NoError(t, err)
		rest, err := io.ReadAll(c)
		require.NoError(t, err, "-model %s: the server hangs up after the echo", m)
		require.Equal(t, "hi back atcha\n", string(rest), "-model %s: after the greeting comes the echo, nothing more", m)
	}

	const calls = 200
	var runs []func() (ran, error)
	var crowds []func() (benchReport, error)
	for _, s := range servers {
		runs = append(runs, func() (ran, error) {
			return newClientRun(t, nets{nw}, "-send", "hi back atcha", "-expect-echo", s.ip(nw))
		})
		crowds = append(crowds, func() (benchReport, error) {
			return runBench(t, nets{nw}, "-c", "16", "-n", "200", s.ip(nw))
		})
	}
	calledFrom := together(t, runs...)
	crowdOf := together(t, crowds...)
	for i, m := range models {
		t.Run(m, func(t *testing.T) {
			r := calledFrom[i]
			require.Equal(t, 0, r.exit, r.logs)
			require.Contains(t, r.logs, "hello\nhi back atcha\nConnection closed by foreign host.\n")
			rep := crowdOf[i]
			require.Equal(t, calls, rep.Calls)
			require.Equal(t, calls, rep.OK, "failures: %v", rep.Failures)
			// The host's call, the laptop's and the crowd's, each logged.
			logs := servers[i].waitLogs(t, "echoed it", calls+2, 10*time.Second)
			require.Equal(t, calls+2, countLines(logs, "echoed it"), logs)
			if m != "threads" {
				require.Contains(t, logs, "\nmodel "+m+": ", "the server says which model it runs")
			}
			require.Zero(t, strings.Count(logs, "the call failed"), logs)
		})
	}
}

// TestEveryModelStopsGracefully: `docker stop` in the middle of a call
// stops each model taking calls, lets the call finish with its echo, and
// the container exits 0 (for the processes model: the call's own process
// finishes it, and the server waits for it).
func TestEveryModelStopsGracefully(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	starts := make([]func() (*laptop, error), len(models))
	for i, m := range models {
		starts[i] = func() (*laptop, error) {
			return newModelServer(t, nets{nw}, "-iface", "eth0", "-model", m, "-think", "3s")
		}
	}
	servers := together(t, starts...)
	// Each server is stopped as soon as its caller is greeted, well
	// within the 3s its employee thinks.
	callers := make([]*laptop, len(servers))
	errs := make([]error, len(servers))
	var stopping sync.WaitGroup
	for i, s := range servers {
		callers[i] = startCaller(t, nets{nw}, "-send", "still there?", "-expect-echo", s.ip(nw))
		stopping.Go(func() {
			greeted := wait.ForLog("hello\n").WithStartupTimeout(10 * time.Second).WithPollInterval(20 * time.Millisecond)
			if err := greeted.WaitUntilReady(context.Background(), callers[i].ctr); err != nil {
				errs[i] = fmt.Errorf("-model %s: the caller was not greeted: %w", models[i], err)
				return
			}
			timeout := 10 * time.Second
			errs[i] = s.ctr.Stop(context.Background(), &timeout) // returns once the server has exited
		})
	}
	stopping.Wait()
	require.NoError(t, errors.Join(errs...))
	for i, m := range models {
		t.Run(m, func(t *testing.T) {
			require.Equal(t, 0, callers[i].waitExit(t, exitTimeout), "the caller got its echo")
			require.Equal(t, 0, servers[i].waitExit(t, exitTimeout))
			logs := servers[i].logs(t)
			stopping := strings.Index(logs, "stopping: no new calls; 1 in progress get up to 5s to finish\n")
			call := strings.Index(logs, `: said "still there?\n" (13 bytes), echoed it`)
			stopped := strings.Index(logs, "\nstopped\n")
			require.True(t, stopping >= 0 && call > stopping && stopped > call,
				"want the stop with 1 call in progress, then the call, then stopped:\n%s", logs)
		})
	}
}

// TestProcessesWithinAPidsLimit: the processes model in a container with
// the lab's pids limit (64, as compose.yaml gives laptop-a), called by 32
// callers at once, more processes than the limit allows: the server waits
// for processes to end instead of turning callers away, says so, and every
// call is echoed.
func TestProcessesWithinAPidsLimit(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	limit := testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		pids := int64(64)
		hc.PidsLimit = &pids
	})
	server, err := newModelServerWith(t, nets{nw}, []testcontainers.ContainerCustomizer{limit}, "-iface", "eth0", "-model", "processes", "-backlog", "64",
		// Each call's process lives 50ms at least, so 32 callers at once
		// always need more processes than 64 pids allow (a fast machine
		// would otherwise end each before the next began).
		"-think", "50ms")
	require.NoError(t, err)
	rep, err := runBench(t, nets{nw}, "-c", "32", "-n", "300", server.ip(nw))
	require.NoError(t, err)
	logs := server.waitLogs(t, "echoed it", 300, 10*time.Second)
	require.Equal(t, 300, rep.OK, "failures: %v\n%s", rep.Failures, logs)
	require.Contains(t, logs, "resource temporarily unavailable (call from ", "32 callers at once need more processes than 64 pids")
	require.Contains(t, logs, "retrying, for up to 2.5s")
	require.NotContains(t, logs, "the call failed")
}
