package e2e

import (
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/socketlab/socketlab/internal/results"
)

// prairielearnImage is what `just prairielearn` builds.
const prairielearnImage = "socketlab/prairielearn:local"

var prairielearnBuild struct {
	once sync.Once
	err  error
}

// requirePrairieLearnImage builds the image once per run, as `just
// prairielearn` does (compose.yaml's prairielearn service).
func requirePrairieLearnImage(t *testing.T) {
	t.Helper()
	cli := requireDocker(t)
	prairielearnBuild.once.Do(func() {
		prairielearnBuild.err = composeBuild(cli, composeBuildSpec{
			services: []string{"prairielearn"},
			env:      []string{"COMPOSE_PROFILES=prairielearn"},
			images:   []string{prairielearnImage},
			hint:     "with no image registry, `just offline` builds the Go toolchain and Python bases",
		})
	})
	require.NoError(t, prairielearnBuild.err)
}

// prairielearnJob runs one grading job as PrairieLearn's grader host does:
// the image's own entrypoint, the student's files in /grade/student (put
// there before it starts, not bind-mounted: the engine may be elsewhere),
// networking as the question's info.json says, and the job judged by its
// exit status and /grade/results/results.json.
func prairielearnJob(t *testing.T, file string, on func(*container.HostConfig), opts ...testcontainers.ContainerCustomizer) map[string]any {
	t.Helper()
	requirePrairieLearnImage(t)
	opts = append(opts,
		testcontainers.WithLogger(log.TestLogger(t)),
		testcontainers.WithFiles(testcontainers.ContainerFile{HostFilePath: file, ContainerFilePath: "/grade/student/server.py", FileMode: 0o644}),
		testcontainers.WithHostConfigModifier(on),
		testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(time.Minute)),
	)
	ctr, err := testcontainers.Run(t.Context(), prairielearnImage, opts...)
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err)
	state, err := ctr.State(t.Context())
	require.NoError(t, err)
	logs := logsFor(ctr)
	// PrairieLearn reads results.json only from a job that exits 0.
	require.Zero(t, state.ExitCode, "the job exits 0 whatever the verdict:\n%s", logs)
	rc, err := ctr.CopyFileFromContainer(t.Context(), "/grade/results/results.json")
	require.NoError(t, err, "no results.json:\n%s", logs)
	defer rc.Close()
	var res map[string]any
	require.NoError(t, json.NewDecoder(rc).Decode(&res))
	t.Logf("%s: gradable %v, score %v, message %q", filepath.Base(filepath.Dir(file)), res["gradable"], res["score"], res["message"])
	return res
}

// TestPrairieLearnGradesWithANetwork: with "enableNetworking": true the
// job has eth0, and the image grades as the lab does: a correct server
// scores 1, the lecture's script as printed less, each check a test with
// its points, in PrairieLearn's format.
func TestPrairieLearnGradesWithANetwork(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	nw := newPlatformNetwork(t, prairielearnSubnet)
	asItIs := func(*container.HostConfig) {}
	for _, tc := range []struct {
		name, file string
		score      float64
		message    string
	}{
		{"a correct server", "e2e/testdata/class/alice/server.py", 1, "verdict: PASS"},
		{"the lecture's script as printed", "e2e/testdata/student/lecture/server.py", 0, "verdict: FAIL: your server.py stopped before it listened."},
		{"the lecture's script in Python 3", "e2e/testdata/student/lecture-py3/server.py", 1, "verdict: PASS"},
		{"bound to localhost", "e2e/testdata/verdict/localhost/server.py", 11.0 / 14, "verdict: FAIL: your server.py did not answer the grader's call."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := prairielearnJob(t, filepath.Join(root, tc.file), asItIs, network.WithNetwork(nil, nw))
			require.Equal(t, true, res["gradable"])
			require.InDelta(t, tc.score, res["score"], 1e-4)
			require.Contains(t, res["message"], tc.message)
			tests := res["tests"].([]any)
			require.NotEmpty(t, tests)
			points, max := 0.0, 0.0
			for _, x := range tests {
				test := x.(map[string]any)
				for _, k := range []string{"name", "points", "max_points", "message", "output"} {
					require.Contains(t, test, k)
				}
				points += test["points"].(float64)
				max += test["max_points"].(float64)
			}
			require.Equal(t, results.Default().Total(), max, "internal/results/weights.txt's total")
			require.InDelta(t, tc.score, points/max, 1e-4)
		})
	}
}

// TestPrairieLearnWithoutANetworkBlamesTheSetUp: PrairieLearn's default, no
// networking: the job has loopback alone, and the lecture's eth0 line
// cannot work. The result is not gradable (no attempt, no points lost)
// and names enableNetworking: the course's set-up, never the student's.
func TestPrairieLearnWithoutANetworkBlamesTheSetUp(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	res := prairielearnJob(t, filepath.Join(root, "e2e/testdata/class/alice/server.py"), func(hc *container.HostConfig) {
		hc.NetworkMode = "none"
	})
	require.Equal(t, false, res["gradable"])
	require.NotContains(t, res, "score")
	require.Contains(t, res["message"], `"enableNetworking": true`)
	require.Contains(t, res["message"], "course's set-up, not your program")
	require.NotContains(t, res["message"], "FAIL")
	require.NotContains(t, res["output"], "verdict:", "the program is not run, nor judged")
}
