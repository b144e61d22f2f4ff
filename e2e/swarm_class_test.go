package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/class"
)

// TestSwarmClass is `CLASS_SWARM=1 just class` across three engines of a
// Swarm made by deploy/swarm/nodes.sh (names and subnets of this test's
// own): a class of six, each lab's laptop-a on one node and laptop-b on
// another, graded as on one host (the points TestClassGradesHostileSubmissions
// and the one-host class give them). Mid-class one node's engine is killed
// (its container removed) right after a lab was made on it: that lab runs
// again on the two left, and no grade is lost or blamed on the student.
// Nothing written into the reports' folder names a node's address.
func TestSwarmClass(t *testing.T) {
	requireLaptopImage(t)
	skipOnRemoteEngine(t, "deploy/swarm/nodes.sh runs its engines on this machine's engine and reaches them through its bridge")
	root, err := repoRoot()
	require.NoError(t, err)
	setBaseImages(t, root)
	const name, subnet, manager = "socketlab-swarmclass", "10.237.0.0/24", "tcp://10.237.0.11:2375"
	nodes := func(timeout time.Duration, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(root, "deploy", "swarm", "nodes.sh")}, args...)...)
		cmd.Env = append(os.Environ(), "NODES_NAME="+name, "NODES_SUBNET="+subnet)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Logf("nodes.sh %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return strings.TrimSpace(string(out)), err
	}
	// Each run starts from a Swarm of its own and leaves none behind: a
	// Swarm kept in the nodes' volumes keeps the overlays and addresses of
	// the node killed last time, and its overlays stopped carrying calls
	// between the other nodes here. The volumes keep their images.
	fresh := func() {
		_, _ = nodes(2*time.Minute, "down", "3")
		for i := 1; i <= 3; i++ {
			vol := fmt.Sprintf("%s-%d", name, i)
			if exec.Command("docker", "volume", "inspect", vol).Run() != nil {
				continue // a first run: nodes.sh makes it, and the engine image
			}
			out, err := exec.Command("docker", "run", "--rm", "--pull", "never", "-v", vol+":/var/lib/docker",
				"--entrypoint", "rm", "socketlab/dind:trixie", "-rf", "/var/lib/docker/swarm").CombinedOutput()
			if err != nil {
				t.Logf("wiping node %d's Swarm: %v: %s", i, err, out)
			}
		}
	}
	fresh()
	t.Cleanup(fresh)
	start := time.Now()
	got, err := nodes(3*time.Minute, "up", "3")
	require.NoError(t, err)
	require.Equal(t, manager, got)
	t.Logf("three engines and a Swarm in %s", time.Since(start).Round(100*time.Millisecond))

	// The class: a correct server, a Python 2 script, a 0.0.0.0 binder, a
	// correct one looking for a way out, a folder with no program, and a
	// server on localhost (graded from laptop-a's side, through the relay).
	dir := t.TempDir()
	for _, s := range []struct{ from, to string }{
		{"class/alice", "alice"}, {"class/bob", "bob"}, {"class/carol", "carol"},
		{"class/judy", "judy"}, {"class/ken", "ken"}, {"student/py-localhost", "lou"},
	} {
		require.NoError(t, os.CopyFS(filepath.Join(dir, s.to), os.DirFS(filepath.Join(root, "e2e", "testdata", filepath.FromSlash(s.from)))))
	}

	// Node 3 goes once a lab has been made on it, with one grade in already.
	var once sync.Once
	var mu sync.Mutex
	var progress bytes.Buffer
	graded := false
	killed := make(chan struct{})
	watch := lineWriter(func(line string) {
		mu.Lock()
		defer mu.Unlock()
		progress.WriteString(line + "\n")
		if strings.HasPrefix(line, "class: [") && !strings.Contains(line, "not graded") {
			graded = true
		}
		if graded && strings.Contains(line, "up --no-start") && strings.HasSuffix(line, "(node-3)") {
			once.Do(func() {
				go func() {
					defer close(killed)
					out, err := exec.Command("docker", "rm", "-f", name+"-3").CombinedOutput()
					t.Logf("killed node 3 (%v): %s", err, out)
				}()
			})
		}
	})
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	start = time.Now()
	sum, err := class.Run(ctx, class.Config{Dir: dir, Out: out, Repo: root, Jobs: 2, Timeout: 45 * time.Second,
		Net: "10.238", Project: "socketlab-e2e-swarmclass", Progress: watch, Trace: watch,
		Swarm: &class.Swarm{Manager: manager}})
	mu.Lock()
	log := progress.String()
	mu.Unlock()
	t.Logf("the class across the Swarm, in %s:\n%s", time.Since(start).Round(100*time.Millisecond), classLines(log))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("its docker commands:\n%s", log)
		}
	})
	require.NoError(t, err)
	select {
	case <-killed:
	default:
		t.Fatal("no lab was made on node 3 after the first grade: nothing was killed")
	}

	require.Contains(t, log, "class: across a Swarm of 3 nodes: [node-1 node-2 node-3]")
	require.Contains(t, log, "class: node-3 is lost")
	require.Regexp(t, `class: \w+'s lab on node-\d and node-\d: .*; grading it again`, log, "the lab on node 3 runs again")
	require.Zero(t, sum.LabErrors(), "a lab was lost with its node")

	// The grades of the same class on one host.
	f, err := os.Open(filepath.Join(out, "summary.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	rows := map[string]map[string]string{}
	for _, r := range recs[1:] {
		row := map[string]string{}
		for i, k := range recs[0] {
			row[k] = r[i]
		}
		rows[r[0]] = row
	}
	want := map[string]struct{ verdict, points, cause string }{
		"alice": {"PASS", "14", ""},
		"bob":   {"FAIL", "0", "python2-print"},
		"carol": {"FAIL", "12", "all-interfaces"},
		"judy":  {"PASS", "14", ""},
		"ken":   {"not graded", "0", ""},
		"lou":   {"FAIL", "11", "loopback"},
	}
	require.Len(t, rows, len(want))
	for s, w := range want {
		require.Equal(t, []string{w.verdict, w.points, w.cause}, []string{rows[s]["verdict"], rows[s]["points"], rows[s]["cause"]}, "%s: %v", s, rows[s])
	}
	// Contained as on one host: judy found no route out of her lab.
	b, err := os.ReadFile(filepath.Join(out, "judy", "laptop-a.log"))
	require.NoError(t, err)
	require.Contains(t, string(b), "default routes: 0")

	// No node address, engine or token in any file of the reports.
	require.NoError(t, filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, secret := range []string{"10.237.", ":2375", "SWMTKN"} {
			require.NotContains(t, string(b), secret, "%s names a node", p)
		}
		return nil
	}))
}

// lineWriter calls f with each whole line written to it.
type lineWriter func(string)

func (f lineWriter) Write(b []byte) (int, error) {
	for line := range strings.Lines(string(b)) {
		f(strings.TrimRight(line, "\n"))
	}
	return len(b), nil
}

// classLines are the class's own lines of a log that has its trace too.
func classLines(log string) string {
	var keep []string
	for line := range strings.Lines(log) {
		if strings.HasPrefix(line, "class:") || strings.HasPrefix(line, "swarm:") {
			keep = append(keep, strings.TrimRight(line, "\n"))
		}
	}
	return strings.Join(keep, "\n")
}
