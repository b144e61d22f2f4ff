package e2e

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// classRun is one `client class` run as a TA starts it: the built client,
// in a process of its own, which the test may interrupt or kill.
type classRun struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  strings.Builder
	seen chan string // each progress line, as it comes
	done chan error
}

func startClass(t *testing.T, bin, root, export, out, net string, extra ...string) *classRun {
	t.Helper()
	args := append([]string{"class", "-jobs", "2", "-submission-timeout", "45s", "-net", net,
		"-project", "socketlab-e2e-class-" + strings.ReplaceAll(net, ".", "-")}, extra...)
	r := &classRun{t: t, seen: make(chan string, 1000), done: make(chan error, 1)}
	r.cmd = exec.Command(bin, append(args, export, out)...)
	r.cmd.Dir = root
	pipe, err := r.cmd.StdoutPipe()
	require.NoError(t, err)
	r.cmd.Stderr = r.cmd.Stdout
	require.NoError(t, r.cmd.Start())
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			r.mu.Lock()
			r.log.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			r.seen <- sc.Text()
		}
		io.Copy(io.Discard, pipe)
		r.done <- r.cmd.Wait()
	}()
	return r
}

// until waits for a progress line that holds s.
func (r *classRun) until(s string) {
	r.t.Helper()
	deadline := time.After(4 * time.Minute)
	for {
		select {
		case line := <-r.seen:
			if strings.Contains(line, s) {
				return
			}
		case <-deadline:
			r.t.Fatalf("no %q from client class:\n%s", s, r.output())
		}
	}
}

// wait waits for the run to end and returns its exit status.
func (r *classRun) wait() int {
	r.t.Helper()
	select {
	case err := <-r.done:
		r.t.Logf("client class:\n%s", r.output())
		if err == nil {
			return 0
		}
		var exit *exec.ExitError
		require.ErrorAs(r.t, err, &exit)
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	case <-time.After(5 * time.Minute):
		r.cmd.Process.Kill()
		r.t.Fatalf("client class did not end:\n%s", r.output())
		return -1
	}
}

func (r *classRun) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

// folders are the students' report folders: name → file → content.
func folders(t *testing.T, out string) map[string]map[string]string {
	t.Helper()
	all := map[string]map[string]string{}
	des, err := os.ReadDir(out)
	require.NoError(t, err)
	for _, de := range des {
		// OUT/lms holds the files for the LMS, no student's.
		if !de.IsDir() || strings.HasPrefix(de.Name(), ".") || de.Name() == "lms" {
			continue
		}
		files := map[string]string{}
		fs, err := os.ReadDir(filepath.Join(out, de.Name()))
		require.NoError(t, err)
		for _, f := range fs {
			b, err := os.ReadFile(filepath.Join(out, de.Name(), f.Name()))
			require.NoError(t, err)
			files[f.Name()] = string(b)
		}
		all[de.Name()] = files
	}
	return all
}

// requireWhole checks a student's folder is one complete grade: a record
// with a verdict that is one, and results files of that verdict that
// parse, each the whole file.
func requireWhole(t *testing.T, name string, files map[string]string) {
	t.Helper()
	var rec struct {
		Verdict string `json:"verdict"`
		Files   string `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(files["record.json"]), &rec), "%s: record.json", name)
	require.NotEmpty(t, rec.Files, name)
	require.Contains(t, []string{"PASS", "FAIL", "not graded"}, rec.Verdict, name)
	require.NotEmpty(t, files["grade.txt"], "%s: grade.txt", name)
	if rec.Verdict == "not graded" {
		return
	}
	var gs struct {
		Extra struct {
			Verdict string `json:"verdict"`
		} `json:"extra_data"`
	}
	require.NoError(t, json.Unmarshal([]byte(files["results.json"]), &gs), "%s: results.json", name)
	require.Equal(t, rec.Verdict, gs.Extra.Verdict, "%s: results.json and record.json of one grade", name)
	require.Contains(t, files["grade.txt"], "verdict: "+rec.Verdict, "%s: grade.txt of the same grade", name)
	var junit struct{}
	require.NoError(t, xml.Unmarshal([]byte(files["junit.xml"]), &junit), "%s: junit.xml", name)
}

// summaryVerdicts reads summary.csv: student → verdict.
func summaryVerdicts(t *testing.T, out string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "summary.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range recs[1:] {
		got[r[0]] = r[1]
	}
	return got
}

// TestClassKeepsEveryGradeWhenInterruptedOrKilled is a TA's week: a class
// graded, three students resubmit and one more hands in, and the second
// run is interrupted (Ctrl-C, kill -INT), then run again and killed (kill
// -KILL), then run to the end. No run loses a complete grade: each
// student's folder is always an earlier complete grade or a new complete
// one, never a mix, never empty; and each run grades only what is new,
// changed or not graded yet, and says how many it kept.
func TestClassKeepsEveryGradeWhenInterruptedOrKilled(t *testing.T) {
	requireLaptopImage(t)
	root, err := repoRoot()
	require.NoError(t, err)
	setBaseImages(t, root)
	bin := filepath.Join(t.TempDir(), "client")
	build := exec.Command("go", "build", "-o", bin, "./client")
	build.Dir = root
	b, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./client: %s", b)

	export, out := t.TempDir(), t.TempDir()
	copySub := func(from, name string) {
		require.NoError(t, os.CopyFS(filepath.Join(export, name), os.DirFS(filepath.Join(root, "e2e", "testdata", "class", from))))
	}
	resubmit := func(name string) {
		f, err := os.OpenFile(filepath.Join(export, name, "server.py"), os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		fmt.Fprintf(f, "\n# resubmitted %s\n", time.Now().Format(time.RFC3339Nano))
		require.NoError(t, f.Close())
	}
	for _, s := range []string{"alice", "bob", "carol", "ivan", "judy", "ken"} {
		copySub(s, s)
	}
	// A name is data, in every file and in report.html (TestClassReport...).
	copySub("carol", `Eve "<img src=x onerror=alert(1)>" O'Neil`)
	const net = "10.232"
	project := "socketlab-e2e-class-10-232"

	// Monday: the whole class.
	first := startClass(t, bin, root, export, out, net)
	require.Equal(t, 0, first.wait())
	require.Contains(t, first.output(), "grading 7 submissions")
	before := folders(t, out)
	require.Len(t, before, 7)
	for name, files := range before {
		requireWhole(t, name, files)
	}
	requireNoClassLabs(t, project)

	// Tuesday: three resubmit, one more hands in; Ctrl-C after the first.
	for _, s := range []string{"alice", "bob", "judy"} {
		resubmit(s)
	}
	copySub("heidi", "heidi")
	second := startClass(t, bin, root, export, out, net)
	second.until("[1/4]")
	require.NoError(t, second.cmd.Process.Signal(os.Interrupt))
	require.Equal(t, 130, second.wait(), "interrupted")
	require.Contains(t, second.output(), "kept 4 grades from the last run, grading 4 (3 changed, 1 new)")
	requireNoClassLabs(t, project)
	afterInt := folders(t, out)
	changed := 0
	for name, files := range afterInt {
		requireWhole(t, name, files)
		if prev, ok := before[name]; ok && prev["record.json"] != files["record.json"] {
			changed++
		}
	}
	require.GreaterOrEqual(t, changed, 1, "the grade finished before Ctrl-C is in")
	for _, s := range []string{"carol", "ivan", "ken"} {
		require.Equal(t, before[s], afterInt[s], "%s was not resubmitted: kept as it was", s)
	}
	verdicts := summaryVerdicts(t, out)
	require.Len(t, verdicts, 8)
	require.Contains(t, verdicts, "heidi")

	// Wednesday: run again and kill it (kill -KILL) once it has graded one.
	third := startClass(t, bin, root, export, out, net)
	third.until("[1/")
	require.NoError(t, third.cmd.Process.Kill())
	require.Equal(t, 128+int(syscall.SIGKILL), third.wait())
	afterKill := folders(t, out)
	for name, files := range afterKill {
		requireWhole(t, name, files)
	}
	for _, s := range []string{"carol", "ivan", "ken"} {
		require.Equal(t, before[s], afterKill[s], "%s kept through a kill", s)
	}

	// Thursday: to the end, grading only what is left.
	fourth := startClass(t, bin, root, export, out, net)
	require.Equal(t, 0, fourth.wait())
	log := fourth.output()
	kept, grading := 0, 0
	_, err = fmt.Sscanf(log[strings.Index(log, "kept "):], "kept %d grades from the last run, grading %d", &kept, &grading)
	require.NoError(t, err, log)
	require.Equal(t, 8, kept+grading, log)
	require.GreaterOrEqual(t, kept, 5, "carol, ivan, ken, Eve and what the runs before finished")
	require.Equal(t, grading, strings.Count(log, "class: ["), "grades only what it said")
	requireNoClassLabs(t, project)
	final := folders(t, out)
	require.Len(t, final, 8)
	for name, files := range final {
		requireWhole(t, name, files)
	}
	require.Equal(t, map[string]string{"alice": "PASS", "bob": "FAIL", "carol": "FAIL", "ivan": "FAIL", "judy": "PASS",
		"ken": "not graded", `Eve "<img src=x onerror=alert(1)>" O'Neil`: "FAIL", "heidi": "PASS"}, summaryVerdicts(t, out))

	// Friday: nothing changed, nothing graded, no lab started.
	fifth := startClass(t, bin, root, export, out, net)
	require.Equal(t, 0, fifth.wait())
	require.Contains(t, fifth.output(), "kept 8 grades from the last run, nothing new to grade")
	require.NotContains(t, fifth.output(), "class: [")
	require.Equal(t, final, folders(t, out))

	requireClassReport(t, out, "")
}
