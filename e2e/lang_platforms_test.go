package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

// langPrairieLearnImage is PrairieLearn's grader image built from this
// tree under a tag of the language tests' own.
const langPrairieLearnImage = "socketlab/prairielearn:e2e-lang"

var langPLBuild struct {
	once sync.Once
	err  error
}

func requireLangPrairieLearnImage(t *testing.T) {
	t.Helper()
	cli := requireDocker(t)
	root, err := repoRoot()
	require.NoError(t, err)
	langPLBuild.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		args := []string{"build", "-q", "-f", "deploy/grading/prairielearn.Dockerfile", "--target", "prairielearn", "-t", langPrairieLearnImage}
		// The bases as compose would pass them: the environment's, .env's,
		// or the offline images this engine has.
		dotenv := dotEnv(filepath.Join(root, ".env"))
		found := map[string]string{}
		for _, kv := range buildEnv(ctx, cli, root) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				found[k] = v
			}
		}
		for _, k := range []string{"GO_IMAGE", "LAPTOP_BASE"} {
			v := cmp.Or(found[k], dotenv[k])
			if v != "" {
				args = append(args, "--build-arg", k+"="+v)
			}
		}
		cmd := exec.CommandContext(ctx, "docker", append(args, ".")...)
		cmd.Dir = root
		cmd.Env = append(cmd.Environ(), "DOCKER_BUILDKIT=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			langPLBuild.err = err
			t.Logf("docker build: %s", lastLines(out, 30))
		}
	})
	require.NoError(t, langPLBuild.err)
}

// TestPrairieLearnGradesEachLanguage: PrairieLearn's grader, on one
// container with networking, finds the student's server whatever its
// language, builds it as an unprivileged user under its limits and grades
// it; a file that does not compile is graded 0 with the compiler's error.
func TestPrairieLearnGradesEachLanguage(t *testing.T) {
	t.Parallel()
	root, err := repoRoot()
	require.NoError(t, err)
	requireLangPrairieLearnImage(t)
	nw := newPlatformNetwork(t, "10.222.90.0/24")
	for _, tc := range []struct {
		file    string
		score   float64
		message string
	}{
		{"c-good/server.c", 1, "verdict: PASS: your server.c"},
		{"java-good/Server.java", 1, "verdict: PASS: your Server.java"},
		{"c-syntax/server.c", 0, "verdict: FAIL: your server.c did not compile."},
	} {
		t.Run(tc.file, func(t *testing.T) {
			ctr, err := testcontainers.Run(t.Context(), langPrairieLearnImage,
				testcontainers.WithLogger(log.TestLogger(t)),
				testcontainers.WithFiles(testcontainers.ContainerFile{HostFilePath: filepath.Join(root, "e2e/testdata/student", tc.file),
					ContainerFilePath: "/grade/student/" + filepath.Base(tc.file), FileMode: 0o644}),
				network.WithNetwork(nil, nw),
				testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(2*time.Minute)))
			testcontainers.CleanupContainer(t, ctr)
			require.NoError(t, err)
			rc, err := ctr.CopyFileFromContainer(t.Context(), "/grade/results/results.json")
			require.NoError(t, err, "no results.json:\n%s", logsFor(ctr))
			defer rc.Close()
			var res map[string]any
			require.NoError(t, json.NewDecoder(rc).Decode(&res))
			require.Equal(t, true, res["gradable"], res["message"])
			require.Equal(t, tc.score, res["score"], res["output"])
			require.Contains(t, res["message"], tc.message)
		})
	}
}

// dotEnv reads KEY=VALUE lines of an .env file; none when there is none.
func dotEnv(path string) map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
			out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return out
}
