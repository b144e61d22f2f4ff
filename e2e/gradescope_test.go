package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	dockernet "github.com/moby/moby/api/types/network"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	"github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/socketlab/socketlab/internal/results"
)

// The platform tests' networks: subnets of 10.223.0.0/16, theirs alone.
const (
	gradescopeSubnet   = "10.223.1.0/24"
	prairielearnSubnet = "10.223.2.0/24"
)

// gradescopeRepo names the images of the Gradescope tests, one per zip.
const gradescopeRepo = "socketlab-plat/gradescope"

// gradescopeBuild is the one image of a run.
var gradescopeBuild struct {
	once sync.Once
	tag  string
	err  error
}

// requireGradescopeImage is Gradescope's autograder image as Gradescope
// builds one from the zip `just gradescope` makes: a Debian root (the
// offline Python base; Gradescope's Ubuntu 22.04 cannot be had here), the
// zip unpacked in /autograder/source, run_autograder copied to
// /autograder/run_autograder, setup.sh run once. It is tagged by its
// content, so an unchanged zip is not built again.
func requireGradescopeImage(t *testing.T) string {
	t.Helper()
	cli := requireDocker(t)
	gradescopeBuild.once.Do(func() { gradescopeBuild.tag, gradescopeBuild.err = buildGradescopeImage(cli) })
	require.NoError(t, gradescopeBuild.err)
	return gradescopeBuild.tag
}

// gradescopeDockerfile lays the image out as Gradescope's harness does
// (gradescope/autograder_samples, manual_docker/Dockerfile).
const gradescopeDockerfile = `ARG PYTHON_BASE
FROM ${PYTHON_BASE}
COPY source /autograder/source
RUN ["sh", "-c", "cp /autograder/source/run_autograder /autograder/run_autograder && chmod +x /autograder/run_autograder && mkdir -p /autograder/results /autograder/submission && bash /autograder/source/setup.sh"]
WORKDIR /autograder
CMD ["sleep", "infinity"]
`

func buildGradescopeImage(cli *testcontainers.DockerClient) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := os.MkdirTemp("", "socketlab-plat-zip-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(out)
	mk := exec.CommandContext(ctx, "go", "run", "./deploy/grading/gradescope", out)
	mk.Dir = root
	if b, err := mk.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go run ./deploy/grading/gradescope: %w\n%s", err, b)
	}
	zipped, err := os.ReadFile(filepath.Join(out, "autograder.zip"))
	if err != nil {
		return "", err
	}
	base := pythonBase(ctx, cli, root)
	sum := sha256.Sum256([]byte(string(zipped) + gradescopeDockerfile + base))
	tag := gradescopeRepo + ":" + hex.EncodeToString(sum[:6])
	if _, err := cli.ImageInspect(ctx, tag); err == nil {
		return tag, nil
	}
	context := filepath.Join(out, "context")
	if err := unzip(zipped, filepath.Join(context, "source")); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(context, "Dockerfile"), []byte(gradescopeDockerfile), 0o644); err != nil {
		return "", err
	}
	build := exec.CommandContext(ctx, "docker", "build", "-q", "--build-arg", "PYTHON_BASE="+base, "-t", tag, context)
	if b, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("docker build the Gradescope image from %s: %w\n%s\n(with no image registry, `just offline` builds the Python base)", base, err, lastLines(b, 30))
	}
	// The images of older zips go: one per run would pile up.
	if b, err := exec.CommandContext(ctx, "docker", "image", "ls", gradescopeRepo, "--format", "{{.Repository}}:{{.Tag}}").Output(); err == nil {
		for _, old := range strings.Fields(string(b)) {
			if old != tag {
				exec.CommandContext(ctx, "docker", "image", "rm", old).Run()
			}
		}
	}
	return tag, nil
}

// pythonBase is the Python base image a build here uses: the one the
// environment or .env names, else the offline one buildEnv finds.
func pythonBase(ctx context.Context, cli *testcontainers.DockerClient, root string) string {
	base := ""
	for _, kv := range buildEnv(ctx, cli, root) {
		if v, ok := strings.CutPrefix(kv, "PYTHON_BASE="); ok {
			base = v
		}
	}
	if dotenv, err := os.ReadFile(filepath.Join(root, ".env")); err == nil && base == "" {
		if m := regexp.MustCompile(`(?m)^\s*PYTHON_BASE=(\S+)`).FindSubmatch(dotenv); m != nil {
			base = string(m[1])
		}
	}
	if base == "" {
		base = "socketlab/python:bookworm"
	}
	return base
}

// unzip writes the zip's files, with their modes, under dir. Gradescope
// wants setup.sh and run_autograder at the root; a folder beside them
// (sample/) is the zip's own.
func unzip(b []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		if (f.Name == "setup.sh" || f.Name == "run_autograder") != (path.Base(f.Name) == "setup.sh" || path.Base(f.Name) == "run_autograder") ||
			strings.Contains(f.Name, "..") || path.IsAbs(f.Name) {
			return fmt.Errorf("the zip has %q: Gradescope wants setup.sh and run_autograder at the root", f.Name)
		}
		r, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f.Name)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), data, f.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// newPlatformNetwork is a network of the platform tests' own, on subnet,
// with no route out: a submission reaches nothing beyond its container.
func newPlatformNetwork(t *testing.T, subnet string) *testcontainers.DockerNetwork {
	t.Helper()
	nw, err := network.New(t.Context(), network.WithInternal(), network.WithIPAM(&dockernet.IPAM{
		Config: []dockernet.IPAMConfig{{Subnet: netip.MustParsePrefix(subnet)}},
	}))
	testcontainers.CleanupNetwork(t, nw)
	require.NoError(t, err, "a network on %s (10.223.0.0/16 is the platform tests')", subnet)
	return nw
}

// gradescopeContainer is the grading container, as Gradescope runs one:
// Docker's default capabilities (no --privileged, no --cap-add), its
// default 768 MB, an init that reaps as Gradescope's harness does.
func gradescopeContainer(t *testing.T, nw *testcontainers.DockerNetwork) *testcontainers.DockerContainer {
	t.Helper()
	ctr, err := testcontainers.Run(t.Context(), requireGradescopeImage(t),
		testcontainers.WithLogger(log.TestLogger(t)),
		network.WithNetwork(nil, nw),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			init := true
			hc.Init = &init
			hc.Memory = 768 << 20
			// A bound for the shared engine, well above the program's own 64.
			pids := int64(512)
			hc.PidsLimit = &pids
		}),
	)
	testcontainers.CleanupContainer(t, ctr)
	require.NoError(t, err)
	return ctr
}

// gradescopeRun is one submission through run_autograder.
type gradescopeRun struct {
	results map[string]any
	stdout  string
	took    time.Duration
}

func (r gradescopeRun) output() string { return r.results["output"].(string) }

// tests are its tests by id.
func (r gradescopeRun) tests() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, x := range r.results["tests"].([]any) {
		tc := x.(map[string]any)
		id, _, _ := strings.Cut(tc["name"].(string), ":")
		out[id] = tc
	}
	return out
}

// gradescopeGrade puts the files of dir in /autograder/submission, as
// Gradescope's harness does, runs /autograder/run_autograder, and reads
// /autograder/results/results.json.
func gradescopeGrade(t *testing.T, ctr *testcontainers.DockerContainer, dir string) gradescopeRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	code, _, err := ctr.Exec(ctx, []string{"sh", "-c", "rm -rf /autograder/submission /autograder/results && mkdir -p /autograder/submission"})
	require.NoError(t, err)
	require.Zero(t, code)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		require.NoError(t, ctr.CopyToContainer(ctx, b, "/autograder/submission/"+e.Name(), 0o644))
	}
	start := time.Now()
	code, out, err := ctr.Exec(ctx, []string{"/autograder/run_autograder"}, tcexec.WithWorkingDir("/autograder"), tcexec.Multiplexed())
	took := time.Since(start)
	require.NoError(t, err)
	stdout, _ := io.ReadAll(out)
	require.Zero(t, code, "run_autograder exits 0 whatever the verdict:\n%s", stdout)
	rc, err := ctr.CopyFileFromContainer(ctx, "/autograder/results/results.json")
	require.NoError(t, err, "no results.json:\n%s", stdout)
	defer rc.Close()
	var res map[string]any
	require.NoError(t, json.NewDecoder(rc).Decode(&res))
	t.Logf("%s in %v: score %v\n%s", filepath.Base(dir), took.Round(10*time.Millisecond), res["score"], res["output"])
	return gradescopeRun{results: res, stdout: string(stdout), took: took}
}

// requireGradescopeShape checks results.json against Gradescope's
// specification: a score, output as text, and a test per check with its
// name, score, max_score, status and output.
func requireGradescopeShape(t *testing.T, r gradescopeRun) {
	t.Helper()
	for _, k := range []string{"score", "execution_time", "output", "output_format", "tests", "visibility", "stdout_visibility"} {
		require.Contains(t, r.results, k)
	}
	require.Equal(t, "text", r.results["output_format"])
	total := 0.0
	for _, x := range r.results["tests"].([]any) {
		tc := x.(map[string]any)
		for _, k := range []string{"name", "score", "max_score", "output"} {
			require.Contains(t, tc, k)
		}
		require.NotRegexp(t, `\d+\.\d+\.\d+\.\d+`, tc["name"], "a test's name never holds an address")
		total += tc["score"].(float64)
	}
	require.Equal(t, total, r.results["score"], "the score is its tests'")
}

// TestGradescopeGradesThroughItsZip: the zip `just gradescope` makes, set
// up once as Gradescope sets it up, grades a hostile, a buggy and a
// correct server in turn in one container with Docker's default
// capabilities. A fork bomb, a memory hog, an endless loop and a disk
// filler each end in a results.json that says what happened, and the
// container keeps working: the next grade in it is right, and nothing of
// the last one is left.
func TestGradescopeGradesThroughItsZip(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	ctr := gradescopeContainer(t, newPlatformNetwork(t, gradescopeSubnet))
	class := filepath.Join(root, "e2e", "testdata", "class")
	full := results.Default().Total() // internal/results/weights.txt's total under its policy

	for _, tc := range []struct {
		name, dir string
		score     float64
		says      []string
	}{
		{"fork bomb", "dave", 0, []string{"more processes or threads than the grader allows (it reached its limit of 64)"}},
		{"memory hog", "erin", 0, []string{"ran out of memory", "MemoryError"}},
		{"endless loop", "frank", 0, []string{"still running but had not called listen()"}},
		{"disk filler", "grace", full, []string{"verdict: PASS", "filling /tmp stopped: File too large"}},
		{"the lecture's script as printed", "../student/lecture", 0, []string{"this is Python 2 code", "en0 is a Mac's Wi-Fi", "while True:"}},
		{"a correct server", "alice", full, []string{"verdict: PASS", "did not cross a network"}},
		// The zip's sample/server.py, which its README tells a TA to try
		// "Test Autograder" with, is the starter (deploy/grading/gradescope's
		// TestTheZipsReadmeSaysWhatToTypeIntoGradescope).
		{"the zip's sample solution", "../../../deploy/student", full, []string{"verdict: PASS"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gradescopeGrade(t, ctr, filepath.Join(class, tc.dir))
			requireGradescopeShape(t, r)
			require.Equal(t, tc.score, r.results["score"])
			for _, s := range tc.says {
				require.Contains(t, r.output(), s)
			}
			tests := r.tests()
			if tc.score == full {
				for id, test := range tests {
					require.NotEqual(t, "failed", test["status"], id)
				}
			} else {
				require.Equal(t, "failed", tests["program"]["status"])
				require.Contains(t, tests["program"]["output"], "What went wrong, in the lecture's terms:")
				require.NotContains(t, tests["answers"], "status", "a check the program's failure kept from running is not run, never failed")
				require.Contains(t, tests["answers"]["output"], "not run: ")
			}
			// Nothing of the program's is left: no process of another
			// user than root, no file of its in /tmp.
			code, out, err := ctr.Exec(t.Context(), []string{"sh", "-c",
				`left=$(for p in /proc/[0-9]*; do stat -c '%u %n' $p; done | grep -v '^0 '; ls -A /tmp); [ -z "$left" ] || { echo "$left"; exit 1; }`},
				tcexec.Multiplexed())
			require.NoError(t, err)
			left, _ := io.ReadAll(out)
			require.Zero(t, code, "left behind:\n%s", left)
		})
	}
}
