package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/class"
	"github.com/socketlab/socketlab/internal/results"
)

// runClass runs the class grader (`just class`, client class) on dir, a
// folder of submissions under the repository's root or an absolute path,
// and returns the report folder and the summary's rows by student.
func runClass(t *testing.T, dir, net string, timeout time.Duration) (string, map[string]map[string]string) {
	t.Helper()
	return runClassWith(t, dir, net, timeout, results.Weights{})
}

// runClassWith is runClass with the weights file w (the zero Weights: the
// shipped one, as client class without -weights).
func runClassWith(t *testing.T, dir, net string, timeout time.Duration, w results.Weights) (string, map[string]map[string]string) {
	t.Helper()
	requireLaptopImage(t)
	root, err := repoRoot()
	require.NoError(t, err)
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	setBaseImages(t, root)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	// Subnets and project names of its own, apart from the lab's, a TA's
	// class and the other tests'.
	project := "socketlab-e2e-class-" + strings.ReplaceAll(net, ".", "-")
	var log bytes.Buffer
	sum, err := class.Run(ctx, class.Config{Dir: dir, Out: out, Repo: root, Jobs: 3, Timeout: timeout, Net: net, Project: project, Progress: &log, Weights: w})
	t.Logf("client class %s:\n%s", dir, log.String())
	require.NoError(t, err)
	require.Zero(t, sum.LabErrors(), "the lab failed some submissions")
	require.Contains(t, log.String(), fmt.Sprintf("[%d/%d]", len(sum.Rows), len(sum.Rows)), "progress with done/total")
	requireNoClassLabs(t, project)

	f, err := os.Open(filepath.Join(out, "summary.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"student", "verdict", "passed", "required", "failed_checks", "seconds", "note",
		"points", "max", "cause", "not_run", "id", "email", "late", "file"}, recs[0])
	rows := map[string]map[string]string{}
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, k := range recs[0] {
			row[k] = r[i]
		}
		rows[r[0]] = row
	}
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	require.NoError(t, err)
	_, students, _ := strings.Cut(string(md), "## Students")
	require.Equal(t, len(recs)-1, strings.Count(students, "\n| ")-1, "summary.md has a row per student:\n%s", md)
	return out, rows
}

// requireNoClassLabs fails if a class lab's container or network is left.
func requireNoClassLabs(t *testing.T, project string) {
	t.Helper()
	for _, what := range [][]string{{"ps", "-a", "--format", "{{.Names}}"}, {"network", "ls", "--format", "{{.Name}}"}} {
		b, err := exec.Command("docker", what...).Output()
		require.NoError(t, err)
		for _, name := range strings.Fields(string(b)) {
			require.False(t, strings.HasPrefix(name, project+"-"), "left behind: %s", name)
		}
	}
}

// TestClassGradesHostileSubmissions is `just class e2e/testdata/class`: ten
// submissions and a folder without one, graded three at a time, each in a
// lab of its own. The correct ones pass, the buggy ones fail with the cause
// in the summary, and the hostile ones (a fork bomb, a memory hog, an
// endless loop, a disk filler, a program printing megabytes, one looking
// for a way out) are contained: the rest of the class is graded as usual.
//
// Not parallel: its fork bomb and endless loop take whole CPUs for a while,
// and the packet captures of the parallel tests would drop frames.
func TestClassGradesHostileSubmissions(t *testing.T) {
	out, rows := runClass(t, "e2e/testdata/class", "10.211", 45*time.Second)
	want := map[string]struct{ verdict, note string }{
		"alice": {"PASS", ""},
		"bob":   {"FAIL", "this is Python 2 code"},
		"carol": {"FAIL", "your server listens on 0.0.0.0:8000"},
		"dave":  {"FAIL", "a fork bomb"},
		"erin":  {"FAIL", "killed, most likely for using more memory"},
		"frank": {"FAIL", "stuck in a loop before bind() and listen()"},
		"grace": {"PASS", ""},
		"heidi": {"PASS", ""},
		"ivan":  {"FAIL", "greeting: it said nothing"}, // and holds the call open: see below
		"judy":  {"PASS", ""},
		"ken":   {"not graded", "no server.py, server.c"},
	}
	require.Len(t, rows, len(want))
	for name, w := range want {
		require.Equal(t, w.verdict, rows[name]["verdict"], "%s: %v", name, rows[name])
		require.Contains(t, rows[name]["note"], w.note, name)
	}
	// ivan holds every call open without a word: the greeting fails, and
	// what needed one is not run, never failed.
	require.Equal(t, "greeting", rows["ivan"]["failed_checks"], rows["ivan"])
	require.Contains(t, rows["ivan"]["not_run"], "echo", rows["ivan"])
	// A crash's cause is the one failure, not the refused calls it leads
	// to: those are not run.
	require.Equal(t, "program", rows["bob"]["failed_checks"])
	require.Equal(t, "python2-print", rows["bob"]["cause"])
	require.Equal(t, "all-interfaces", rows["carol"]["cause"])

	// Every graded student has the instructors' formats, with the same
	// test names for all and no address in them.
	checks := map[string][]string{}
	scores := map[string]float64{}
	for name, w := range want {
		if w.verdict == "not graded" {
			continue
		}
		var junit struct {
			Suites []struct {
				Name  string `xml:"name,attr"`
				Cases []struct {
					Name string `xml:"name,attr"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		b, err := os.ReadFile(filepath.Join(out, name, "junit.xml"))
		require.NoError(t, err, name)
		require.NoError(t, xml.Unmarshal(b, &junit), name)
		require.Equal(t, name, junit.Suites[0].Name)
		for _, c := range junit.Suites[0].Cases {
			require.NotContains(t, c.Name, "10.", "a test name holds an address")
			checks[name] = append(checks[name], c.Name)
		}
		slices.Sort(checks[name])
		var gs struct {
			Score        float64 `json:"score"`
			OutputFormat string  `json:"output_format"`
			Tests        []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"tests"`
		}
		b, err = os.ReadFile(filepath.Join(out, name, "results.json"))
		require.NoError(t, err, name)
		require.NoError(t, json.Unmarshal(b, &gs), name)
		require.NotEmpty(t, gs.Tests, name)
		require.Equal(t, "text", gs.OutputFormat, name)
		scores[name] = gs.Score
		if name == "carol" {
			for _, tc := range gs.Tests {
				if strings.HasPrefix(tc.Name, "not-on:") {
					require.Equal(t, "failed", tc.Status)
				}
			}
		}
	}
	// The points of internal/results/weights.txt, as the one-host grader
	// gives them on Gradescope (TestGradescopeGradesThroughItsZip): under
	// its policy, the lecture's, 14 for a correct server, 12 for one that
	// answers on every address; summary.csv says the same.
	full := results.Default().Total()
	require.Equal(t, 14.0, full)
	require.Equal(t, full, scores["alice"])
	require.Equal(t, full, scores["grace"])
	require.Equal(t, full-2, scores["carol"], "not-on's 2 lost")
	require.Equal(t, []string{"12", "14"}, []string{rows["carol"]["points"], rows["carol"]["max"]})
	require.Zero(t, scores["bob"])
	for name := range checks {
		require.Equal(t, checks["alice"], checks[name], "%s's JUnit has other checks than alice's", name)
	}
	require.Contains(t, checks["alice"], "program: runs in the lab and listens")

	// Contained: the disk filler found a read-only root and a small /tmp,
	// the chatterbox's megabytes were capped, the route probe found no way out.
	logOf := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name, "laptop-a.log"))
		require.NoError(t, err)
		return string(b)
	}
	require.Contains(t, logOf("grace"), "filling / stopped: Read-only file system")
	require.Contains(t, logOf("grace"), "filling /tmp stopped: No space left on device")
	require.LessOrEqual(t, len(logOf("heidi")), 200000)
	require.Contains(t, logOf("judy"), "default routes: 0")

	// The class at a glance, in a browser: the TA guide's picture.
	requireClassReport(t, out, "report.png")
}

// TestClassStopsASubmissionAtItsTimeLimit: a lab that gives no verdict in
// CLASS_TIMEOUT is stopped and reported as such, and taken down. Not
// parallel, for the same reason: its endless loop spins a CPU.
func TestClassStopsASubmissionAtItsTimeLimit(t *testing.T) {
	_, rows := runClass(t, filepath.Join("e2e", "testdata", "class-slow"), "10.212", 6*time.Second)
	require.Equal(t, "timed out", rows["frank"]["verdict"], rows["frank"])
	require.Contains(t, rows["frank"]["note"], "no verdict within 6s")
}

// TestClassNamesAMoodleExportsStudentsAsMoodleDoes: Moodle's "Download all
// submissions", one folder per student named "Full Name_ID_assignsubmission_file_",
// with a space, an apostrophe and accents in the names, a program nested in
// hw1/ and one named Server.py. Each student is a row under Moodle's name,
// with the file that was graded; no name reaches a command line.
func TestClassNamesAMoodleExportsStudentsAsMoodleDoes(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	starter, err := os.ReadFile(filepath.Join(root, "deploy", "student", "server.py"))
	require.NoError(t, err)
	anywhere, err := os.ReadFile(filepath.Join(root, "e2e", "testdata", "student", "anywhere", "server.py"))
	require.NoError(t, err)
	export := t.TempDir()
	put := func(folder, file string, b []byte) {
		p := filepath.Join(export, folder, filepath.FromSlash(file))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	put("Bob O'Neil_1202_assignsubmission_file_", "server.py", starter)
	put("Alice Smith_1201_assignsubmission_file_", "hw1/Server.py", starter)
	put("Zoë \"Zed\" Ünal_1203_assignsubmission_file_", "server.py", anywhere)

	_, rows := runClass(t, export, "10.219", 45*time.Second)
	require.Len(t, rows, 3, "%v", rows)
	require.Equal(t, "PASS", rows["Bob O'Neil"]["verdict"], "%v", rows["Bob O'Neil"])
	require.Equal(t, "1202", rows["Bob O'Neil"]["id"])
	require.Equal(t, "PASS", rows["Alice Smith"]["verdict"], "%v", rows["Alice Smith"])
	require.Equal(t, "hw1/Server.py", rows["Alice Smith"]["file"])
	require.Equal(t, "FAIL", rows[`Zoë "Zed" Ünal`]["verdict"], "%v", rows)
	require.Contains(t, rows[`Zoë "Zed" Ünal`]["note"], "not-on")
}

// TestClassGradesCanvasGradescopeAndClassroomExports: the other three
// exports a TA downloads, each graded end to end with the student named as
// the LMS names them. Canvas: a flat folder of renamed files, where the
// latest resubmission (-1, late) is what counts; Gradescope: submission_NNN
// folders named by submission_metadata.yml, a group of two among them;
// GitHub Classroom: assignment-username clones, the prefix dropped.
func TestClassGradesCanvasGradescopeAndClassroomExports(t *testing.T) {
	root, err := repoRoot()
	require.NoError(t, err)
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		require.NoError(t, err)
		return b
	}
	good, anywhere := read("deploy/student/server.py"), read("e2e/testdata/student/anywhere/server.py")
	export := func(files map[string][]byte) string {
		dir := t.TempDir()
		for name, b := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, b, 0o644))
		}
		return dir
	}
	metadata := []byte("---\nsubmission_216975964:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '06758767'\n    :email: ada@example.edu\n" +
		"  - :name: Alan Turing\n    :sid: '06754968'\n    :email: alan@example.edu\n  :created_at: 2026-11-30 02:52:07.938335000 Z\n" +
		"submission_216996427:\n  :submitters:\n  - :name: \"Zoë \\\"Zo\\\" Ünal\"\n    :email: zoe@example.edu\n")

	for _, tt := range []struct {
		name, net string
		files     map[string][]byte
		want      map[string]string // student → verdict
	}{
		{"canvas", "10.225", map[string][]byte{
			"oneilbob_1202_5551_server.py":        anywhere, // first upload: on every interface
			"oneilbob_LATE_1202_5552_server-1.py": good,     // the resubmission that counts
			"smithalice_1201_5553_server.py":      anywhere,
		}, map[string]string{"oneilbob": "PASS", "smithalice": "FAIL"}},
		{"gradescope", "10.226", map[string][]byte{
			"submission_metadata.yml":            metadata,
			"submission_216975964/server.py":     good,
			"submission_216996427/lab/Server.py": anywhere,
		}, map[string]string{"Ada Lovelace, Alan Turing": "PASS", `Zoë "Zo" Ünal`: "FAIL"}},
		{"github-classroom", "10.227", map[string][]byte{
			"sockets-lab-octocat/server.py":   good,
			"sockets-lab-bob-smith/server.py": anywhere,
			"sockets-lab-bob-smith/README.md": []byte("# my server\n"),
		}, map[string]string{"octocat": "PASS", "bob-smith": "FAIL"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, rows := runClass(t, export(tt.files), tt.net, 45*time.Second)
			got := map[string]string{}
			for name, r := range rows {
				got[name] = r["verdict"]
			}
			require.Equal(t, tt.want, got, "%v", rows)
			if tt.name == "canvas" {
				require.Equal(t, "late", rows["oneilbob"]["late"])
				require.Equal(t, "1202", rows["oneilbob"]["id"])
			}
			if tt.name == "gradescope" {
				require.Equal(t, "ada@example.edu alan@example.edu", rows["Ada Lovelace, Alan Turing"]["email"])
				require.Equal(t, "lab/Server.py", rows[`Zoë "Zo" Ünal`]["file"])
			}
		})
	}
}

// cancelAfter is a progress writer that cancels the grading once it has
// printed a line containing mark: Ctrl-C at a known moment.
type cancelAfter struct {
	mark   string
	cancel context.CancelFunc
	log    bytes.Buffer
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.mark) {
		c.cancel()
	}
	return c.log.Write(p)
}

// TestClassInterruptedKeepsWhatWasGraded is Ctrl-C during `just class`:
// the submission graded keeps its reports, the one in its lab and the one
// not yet started are rows that say "interrupted", the summary is written,
// and no lab is left behind.
func TestClassInterruptedKeepsWhatWasGraded(t *testing.T) {
	requireLaptopImage(t)
	root, err := repoRoot()
	require.NoError(t, err)
	export := t.TempDir()
	for _, name := range []string{"alice", "frank", "dave"} { // correct, an endless loop, a fork bomb
		require.NoError(t, os.CopyFS(filepath.Join(export, name), os.DirFS(filepath.Join(root, "e2e", "testdata", "class", name))))
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	progress := &cancelAfter{mark: "[1/3] alice", cancel: cancel}
	project := "socketlab-e2e-class-10-228"
	sum, err := class.Run(ctx, class.Config{Dir: export, Out: out, Repo: root, Jobs: 1, Timeout: 45 * time.Second, Net: "10.228", Project: project, Progress: progress})
	t.Logf("client class:\n%s", progress.log.String())
	require.Error(t, err, "an interrupted class says so")
	require.True(t, sum.Interrupted)
	requireNoClassLabs(t, project)
	verdicts := map[string]string{}
	for _, r := range sum.Rows {
		verdicts[r.Sub.Name] = r.Verdict
	}
	require.Equal(t, map[string]string{"alice": "PASS", "dave": class.Interrupted, "frank": class.Interrupted}, verdicts)
	for _, f := range []string{"summary.csv", "summary.md", "alice/junit.xml", "alice/results.json", "alice/grade.txt"} {
		require.FileExists(t, filepath.Join(out, filepath.FromSlash(f)))
	}
}

// setBaseImages sets, for the test, the base images that setup.sh --offline
// makes, where neither the environment nor .env names one (buildEnv): the
// class engine runs docker compose with this process's environment.
func setBaseImages(t *testing.T, root string) {
	t.Helper()
	for _, kv := range buildEnv(t.Context(), requireDocker(t), root)[len(os.Environ()):] {
		if k, v, ok := strings.Cut(kv, "="); ok && (k == "GO_IMAGE" || k == "PYTHON_BASE" || k == "LAPTOP_BASE") {
			t.Setenv(k, v)
		}
	}
}
