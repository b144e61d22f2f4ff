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
	cmd := exec.Command(requireJust(t), append([]string{"--justfile", filepath.Join(mustRoot(t), "Justfile")}, args...)...)
	cmd.Dir = dir
	// No engine: whatever the recipe would reach of Docker fails at once
	// instead of building (a recipe that got that far is the bug).
	cmd.Env = append(os.Environ(), "DOCKER_HOST=unix:///nonexistent/docker.sock")
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
