package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// These tests type the student's recipes as a student does, from a folder
// of their own, and need no Docker: a file that is not there stops the
// recipe before any lab is built.

// requireJust is the just the student types; CI installs it (.ci/run).
func requireJust(t *testing.T) string {
	t.Helper()
	just, err := exec.LookPath("just")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("just is not installed: CI installs it (deploy/setup.sh)")
		}
		t.Skip("just is not installed")
	}
	return just
}

// runJust runs `just RECIPE ARGS...` with the repository's Justfile from
// the folder dir, and returns its exit status and its whole output.
func runJust(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	return runJustEnv(t, dir, nil, args...)
}

// runJustEnv is runJust with settings added to the environment.
func runJustEnv(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(requireJust(t), append([]string{"--justfile", filepath.Join(mustRoot(t), "Justfile")}, args...)...)
	cmd.Dir = dir
	// No engine: whatever the recipe would reach of Docker fails at once
	// instead of building (a recipe that got that far is the bug).
	cmd.Env = append(append(os.Environ(), "DOCKER_HOST=unix:///nonexistent/docker.sock"), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), string(out)
	}
	require.NoError(t, err)
	return 0, string(out)
}

// TestMyServerWithAFileThatIsNotThereIsAUsageError: `just my-server
// server.py` where there is none (the guide once said there was) stops at
// once with exit status 2, naming the file and the folder it looked in,
// and with none of just's own "recipe failed" words.
func TestMyServerWithAFileThatIsNotThereIsAUsageError(t *testing.T) {
	dir := t.TempDir()
	for _, recipe := range []string{"my-server", "my-client"} {
		code, out := runJust(t, dir, recipe, "server.py")
		require.Equal(t, 2, code, "just %s server.py: %s", recipe, out)
		require.Contains(t, out, "just "+recipe+": there is no file server.py in the folder "+dir+"\n")
		require.Contains(t, out, "Nothing was run (exit status 2: a command typed wrong).")
		require.NotContains(t, out, "error: recipe", "just's own line reads as the tool breaking")
		require.NotContains(t, out, "building", "nothing is built for a file that is not there")
	}
	code, out := runJust(t, dir, "my-server", "mine/server.py")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "there is no folder "+filepath.Join(dir, "mine")+", so no file server.py in it")
}

// TestStudentRecipesSayTheirVerdictNotJusts: every student recipe whose
// exit status is a verdict carries [no-exit-message], so a FAIL (exit 4)
// ends with the verdict's own words, not just's "recipe failed".
func TestStudentRecipesSayTheirVerdictNotJusts(t *testing.T) {
	justfile := readRepoFile(t, "Justfile")
	for _, recipe := range []string{"my-server", "my-client"} {
		i := strings.Index(justfile, "\n"+recipe+" file:")
		require.Positive(t, i, recipe)
		attrs := justfile[strings.LastIndex(justfile[:i], "\n#")+1 : i]
		require.Contains(t, attrs, "[no-exit-message]", "the recipe %s", recipe)
	}
}

// fakeDocker is a docker command that plays a build and a lab without an
// engine: the build prints BuildKit's lines (which a student took for a
// download) and fails when FAKE_BUILD_FAIL is set; up prints a FAIL
// verdict's last lines and exits 4, as laptop-b does.
const fakeDocker = `#!/bin/sh
case " $* " in
*" build "*)
	echo '#2 [laptop-a internal] load metadata for docker.io/socketlab/go:1.26.8'
	echo '#3 [laptop-a 1/4] FROM socketlab/laptop-base:bookworm'
	[ -n "$FAKE_BUILD_FAIL" ] && { echo 'ERROR: failed to solve: no space left on device'; exit 17; }
	exit 0 ;;
*" up "*)
	echo 'laptop-b-1  | verdict: FAIL: your server.py stopped before it listened.'
	echo 'laptop-b-1 exited with code 4'
	exit 4 ;;
esac
exit 0
`

// TestMyServerBuildsQuietlyAndSaysWhatTheExitStatusMeans: the build is one
// line, its own lines only when it fails (then exit 1, the lab's fault);
// a FAIL verdict ends with what exit status 4 means, not with just's
// "recipe failed".
func TestMyServerBuildsQuietlyAndSaysWhatTheExitStatusMeans(t *testing.T) {
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker"), []byte(fakeDocker), 0o755))
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	root := mustRoot(t)

	code, out := runJustEnv(t, root, []string{path}, "my-server", "deploy/student/server.py")
	require.Equal(t, 4, code, out)
	require.True(t, strings.HasPrefix(out, "building the lab's two laptops, laptop-a with your folder in it"), out)
	require.NotContains(t, out, "load metadata", "a build that worked is one line")
	require.True(t, strings.HasSuffix(out, "exit status 4: FAIL: the verdict: line above says what to change in your server.py.\n"), out)
	require.NotContains(t, out, "error: recipe")

	code, out = runJustEnv(t, root, []string{path, "FAKE_BUILD_FAIL=1"}, "my-server", "deploy/student/server.py")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "ERROR: failed to solve: no space left on device", "a build that failed shows its lines")
	require.Contains(t, out, "the lab's build failed (the lines above say why): your program was not run.")
	require.NotContains(t, out, "verdict:", "nothing ran")
}

// TestHoldPrintsTheAddressItCalls: `just hold` prints its command with
// laptop-a's address, not a literal ${LAPTOP_A_IP:-172.28.5.10}.
func TestHoldPrintsTheAddressItCalls(t *testing.T) {
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker"), []byte(fakeDocker), 0o755))
	path := "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
	code, out := runJustEnv(t, mustRoot(t), []string{path, "LAPTOP_A_IP=10.77.0.10"}, "hold", "5")
	require.Equal(t, 0, code, out)
	require.Equal(t, `SERVER_FLAGS="-backlog 4096" docker compose run --rm crowd bench -hold 5 -c 256 -hold-timeout 30s 10.77.0.10`+"\n", out)
}
