package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
)

// runSetup runs the zip's setup.sh in image, with no network at all, as an
// image build where apt reaches no mirror, and returns its exit status and
// what it printed.
func runSetup(t *testing.T, image string, opts ...testcontainers.ContainerCustomizer) (int, string) {
	t.Helper()
	opts = append(opts,
		testcontainers.WithLogger(log.TestLogger(t)),
		testcontainers.WithCmd("bash", "/autograder/source/setup.sh"),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) { hc.NetworkMode = "none" }),
		testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(2*time.Minute)),
	)
	ctr, err := testcontainers.Run(t.Context(), image, opts...)
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err)
	state, err := ctr.State(t.Context())
	require.NoError(t, err)
	return state.ExitCode, logsFor(ctr)
}

// TestGradescopeSetupInstallsOnlyWhatIsMissing: setup.sh asks apt for
// nothing where Python 3 and netifaces are there already, so it works where
// apt has no network; where they are missing and apt reaches no mirror, it
// stops and says so.
func TestGradescopeSetupInstallsOnlyWhatIsMissing(t *testing.T) {
	t.Run("with netifaces, no network: nothing to install", func(t *testing.T) {
		code, logs := runSetup(t, requireGradescopeImage(t))
		require.Zero(t, code, logs)
		require.Contains(t, logs, "setup.sh: ready: Python 3")
		require.NotContains(t, logs, "installing")
	})
	t.Run("without them, no network: says apt cannot", func(t *testing.T) {
		root, err := repoRoot()
		require.NoError(t, err)
		code, logs := runSetup(t, requireCleanDebian(t),
			testcontainers.WithFiles(testcontainers.ContainerFile{
				HostFilePath: filepath.Join(root, "deploy/grading/gradescope/setup.sh"), ContainerFilePath: "/autograder/source/setup.sh", FileMode: 0o755,
			}))
		require.Equal(t, 1, code, logs)
		require.Contains(t, logs, "setup.sh: installing python3 python3-netifaces")
		require.Contains(t, logs, "setup.sh: apt-get could not install python3 python3-netifaces: does apt reach a mirror from this image?")
	})
}

// requireCleanDebian is a Debian 12 root with nothing but debootstrap's
// minimum, no Python (deploy/engine/debian-root.sh, cached as setup's own test
// caches it), as an image tagged by its tarball.
func requireCleanDebian(t *testing.T) string {
	t.Helper()
	requireDocker(t)
	if _, err := exec.LookPath("debootstrap"); err != nil || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true: a clean Debian root needs root and debootstrap (apt-get install debootstrap)")
		}
		t.Skip("a clean Debian root needs root and debootstrap (apt-get install debootstrap)")
	}
	root, err := repoRoot()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", filepath.Join(root, "deploy/engine/debian-root.sh"), "bookworm").Output()
	require.NoError(t, err, "deploy/engine/debian-root.sh bookworm")
	tarball := strings.TrimSpace(string(out))
	key := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(tarball), "debian-bookworm-"), ".tar")
	tag := "socketlab-plat/debian-clean:bookworm-" + key
	if _, err := requireDocker(t).ImageInspect(ctx, tag); err != nil {
		b, err := exec.CommandContext(ctx, "docker", "import", tarball, tag).CombinedOutput()
		require.NoError(t, err, "docker import %s: %s", tarball, b)
	}
	return tag
}
