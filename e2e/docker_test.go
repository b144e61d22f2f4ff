package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

// The images compose.yaml builds and tags; the tests run them by name.
const (
	serverImage = "socketlab/server:local"
	clientImage = "socketlab/client:local"
)

// engine is the Docker engine as the first test found it.
var engine struct {
	once sync.Once
	cli  *testcontainers.DockerClient
	err  error
}

// requireDocker skips the test when no Docker engine answers, with a message
// that says so, except in CI (CI=true), where a missing engine fails it.
func requireDocker(t *testing.T) *testcontainers.DockerClient {
	t.Helper()
	engine.once.Do(func() { engine.cli, engine.err = dialDocker() })
	if engine.err == nil {
		return engine.cli
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and no Docker engine answers: %v", engine.err)
	}
	t.Skipf("skipping the end-to-end tests: no Docker engine answers (%v); start Docker (deploy/setup.sh) to run them", engine.err)
	return nil
}

func dialDocker() (cli *testcontainers.DockerClient, err error) {
	// Testcontainers panics on some broken Docker setups instead of failing.
	defer func() {
		if r := recover(); r != nil {
			cli, err = nil, fmt.Errorf("testcontainers: %v", r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return testcontainers.NewDockerClientWithOpts(ctx)
}

// images is the one build of the run, shared by every test.
var images struct {
	once sync.Once
	err  error
}

// requireImages builds the server and client images once per test run, the
// way a user does (`docker compose build`), so every test runs the current
// sources, and makes sure both are there before any test starts a container:
// Testcontainers pulls a missing image, and there is no registry to pull from.
func requireImages(t *testing.T) {
	t.Helper()
	cli := requireDocker(t)
	images.once.Do(func() { images.err = buildImages(cli) })
	require.NoError(t, images.err)
}

func buildImages(cli *testcontainers.DockerClient) error {
	// Compose reads GO_IMAGE, the build stage's toolchain image, from the
	// environment or from .env next to compose.yaml.
	return composeBuild(cli, composeBuildSpec{
		services: []string{"laptop-a", "laptop-b"},
		images:   []string{serverImage, clientImage},
		hint:     "with no image registry, `just offline` builds a local Go toolchain image and points .env at it",
	})
}

// composeBuildSpec is one `docker compose build`: the overlays on top of
// compose.yaml, the services to build, settings beyond buildEnv's, the
// images it must make, and what to try when it fails.
type composeBuildSpec struct {
	project                         string // "" for compose.yaml's own
	overlays, services, env, images []string
	hint                            string
}

// composeBuild builds images as a user does, with `docker compose build`
// from the repository's root, and checks that each image is there after.
func composeBuild(cli *testcontainers.DockerClient, spec composeBuildSpec) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"compose", "-f", filepath.Join(root, "compose.yaml")}
	if spec.project != "" {
		args = append(args, "-p", spec.project)
	}
	for _, o := range spec.overlays {
		args = append(args, "-f", filepath.Join(root, o))
	}
	args = append(append(args, "build"), spec.services...)
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Dir = root
	cmd.Env = append(buildEnv(ctx, cli, root), spec.env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker %s: %w\n%s\n(%s)", strings.Join(args, " "), err, lastLines(out, 40), spec.hint)
	}
	for _, img := range spec.images {
		if _, err := cli.ImageInspect(ctx, img); err != nil {
			return fmt.Errorf("docker compose build did not make %s: %w", img, err)
		}
	}
	return nil
}

// buildEnv is the environment for a `docker compose` that builds the lab's
// images: the local base images that `deploy/setup.sh --offline` makes
// (the Go toolchain, the Python base), where they are on this engine and
// neither the environment nor .env names one, so that a fresh clone builds
// offline without .env.
func buildEnv(ctx context.Context, cli *testcontainers.DockerClient, root string) []string {
	env := append(os.Environ(), "COMPOSE_ANSI=never", "BUILDKIT_PROGRESS=plain")
	dotenv, _ := os.ReadFile(filepath.Join(root, ".env"))
	for _, base := range []struct {
		name   string
		images []string
	}{
		{"GO_IMAGE", []string{"socketlab/go:" + strings.TrimPrefix(runtime.Version(), "go")}},
		{"PYTHON_BASE", []string{"socketlab/python:bookworm", "socketlab/python:trixie"}},
		{"LAPTOP_BASE", []string{"socketlab/laptop-base:bookworm", "socketlab/laptop-base:trixie"}},
	} {
		if os.Getenv(base.name) != "" || regexp.MustCompile(`(?m)^\s*`+base.name+`=`).Match(dotenv) {
			continue
		}
		for _, img := range base.images {
			if _, err := cli.ImageInspect(ctx, img); err == nil {
				env = append(env, base.name+"="+img)
				break
			}
		}
	}
	return env
}

// repoRoot is the directory with go.mod and compose.yaml: the tests run in e2e/.
func repoRoot() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "compose.yaml")); err != nil {
		return "", fmt.Errorf("find the repository root: %w", err)
	}
	return root, nil
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// together runs each f at once, waits for all of them and fails t with
// every error: independent containers start in parallel, and the test
// goroutine alone stops the test.
func together[T any](t *testing.T, fs ...func() (T, error)) []T {
	t.Helper()
	out := make([]T, len(fs))
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Go(func() { out[i], errs[i] = f() })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	return out
}

// countLines counts the lines of logs that contain s.
func countLines(logs, s string) int {
	n := 0
	for line := range strings.Lines(logs) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}
