package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/class"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// The language tests run `just my-server` and `just my-client` on programs
// in C, C++, Java, Node.js and Go (e2e/testdata/student/<lang>-*), each lab
// on subnets of its own in 10.222.0.0/16, with the laptop limits of the
// program's language, as the Justfile sets them. Each lab's laptop is its
// project's own image (the laptop with every toolchain, and the student's
// folder in it); the client that checks and judges has a tag of its own,
// built once per run from this tree.
const langClientImage = "socketlab/client:e2e-lang"

var (
	langLabs  atomic.Int32
	langBuild struct {
		once sync.Once
		err  error
	}
)

func requireLangImages(t *testing.T) {
	t.Helper()
	requireImages(t)
	cli := requireDocker(t)
	langBuild.once.Do(func() {
		root, err := repoRoot()
		if err != nil {
			langBuild.err = err
			return
		}
		langBuild.err = composeBuild(cli, composeBuildSpec{
			project:  "socketlab-lang-e2e",
			overlays: []string{"deploy/compose/my-server.yaml"},
			services: []string{"laptop-b"},
			env:      []string{"STUDENT_DIR=" + filepath.Join(root, "deploy/student"), "CLIENT_IMAGE=" + langClientImage},
			images:   []string{langClientImage},
		})
	})
	require.NoError(t, langBuild.err)
}

// runLangLab is one `just my-server FILE` (overlay deploy/compose/my-server.yaml) or
// `just my-client FILE` (deploy/compose/my-client.yaml) of a program in any
// language: the verdict's exit status and both laptops' logs.
func runLangLab(t *testing.T, overlay, file string) studentRun {
	t.Helper()
	return runLangLabWith(t, []string{overlay}, filepath.Dir(file), lang.LimitsOf(lang.Of(file)),
		map[string]string{"STUDENT_FILE": filepath.Base(file)})
}

// runLangLabWith runs the lab with overlays for the student's folder dir
// (from the repository's root), with the laptop limits lim and env's
// settings on top.
func runLangLabWith(t *testing.T, overlays []string, dir string, lim lang.Limits, env map[string]string) studentRun {
	t.Helper()
	requireLangImages(t)
	n := 40 + langLabs.Add(1)
	vars := map[string]string{
		"STUDENT_DIR":  dir,
		"STUDENT_MEM":  lim.Memory,
		"STUDENT_PIDS": strconv.Itoa(lim.Pids),
		"STUDENT_TMP":  lim.Tmp,
		"CLIENT_IMAGE": langClientImage,
	}
	for k, v := range env {
		vars[k] = v
	}
	return studentLab{net: "10.222", n: n, project: fmt.Sprintf("socketlab-lang-e2e-%d", n),
		overlays: overlays, vars: vars, wait: 2 * exitTimeout}.run(t)
}

// TestMyServerPassesACorrectServerInEachLanguage: the lecture's server in
// each language, found by its name, built in laptop-a, called by laptop-b
// across the lab and graded, including that it does not answer on
// laptop-a's other network.
func TestMyServerPassesACorrectServerInEachLanguage(t *testing.T) {
	t.Parallel()
	// Go's is go-good's server.go beside socketlab's own go.mod, as at the
	// top of the repository (a folder of its own is the class's dee).
	for _, file := range []string{"c-good/server.c", "cpp-good/server.cpp", "java-good/Server.java", "node-good/server.js", "go-at-top/server.go"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			r := runLangLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/"+file)
			name := filepath.Base(file)
			require.Equal(t, 0, r.exit)
			require.Contains(t, r.a, fmt.Sprintf("socketlab: building %s (%s, at most", name, lang.Of(file)))
			require.Contains(t, r.a, "server listening at "+r.labNet+"10:8000\n", "the student's own print, on laptop-a")
			require.Contains(t, r.b, fmt.Sprintf("Trying %s10...\nConnected to %[1]s10.\nhello\nhi back atcha\nConnection closed by foreign host.\n", r.labNet))
			require.Regexp(t, `PASS  not reachable on 10\.222\.\d+\.10:8000: refused there`, r.b)
			require.Contains(t, r.b, "verdict: PASS: your "+name+" on laptop-a answered laptop-b across the lab")
		})
	}
}

// TestMyServerExplainsEachLanguagesTypicalMistake: a typical buggy server
// in each language, and what the verdict says of it, at the line of the
// source that shows the cause.
func TestMyServerExplainsEachLanguagesTypicalMistake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		says []string
	}{
		{"c-htons/server.c", []string{
			"laptop-a's server.c is listening at 10.222.",
			"verdict: FAIL: your server.c did not answer laptop-b's call.\n",
			"  - line 31: your server listens on port 16415, and the caller calls port 8000: 16415 is 8000 with its two bytes swapped",
		}},
		{"c-syntax/server.c", []string{
			"laptop-a's server.c did not compile: not calling it\n",
			"verdict: FAIL: your server.c did not compile.\n",
			"  - line 10: your server.c did not compile: expected ';' before 'addr' — the compiler expected ; here",
		}},
		{"cpp-leak/server.cpp", []string{
			"FAIL  hangs up after the echo",
			"  - line 57: after all 8 of the check's calls had hung up, your server still held 7 of them open",
		}},
		{"java-buggy/Server.java", []string{
			"laptop-a's Server.java is listening at [::]:8000",
			`FAIL  greets with "hello\n"`,
			"  - line 12: your server listens on [::]:8000: on every network your laptop is on, in IPv6 (::) and with it IPv4 (0.0.0.0)",
			"  - line 16: this writer keeps what you write until it is flushed",
		}},
		{"node-buggy/server.js", []string{
			"  - line 13: your server listens on [::]:8000: on every network your laptop is on",
			"server.listen(8000, ip) with ip eth0's",
		}},
		{"go-buggy/server.go", []string{
			`  - line 10: your server listens on [::]:8000`,
			`net.Listen("tcp", ip+":8000")`,
			"  - line 20: defer in the accept loop runs only when the function returns",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			r := runLangLab(t, "deploy/compose/my-server.yaml", "e2e/testdata/student/"+tt.file)
			require.Equal(t, exitFail, r.exit)
			for _, s := range tt.says {
				require.Contains(t, r.b, s)
			}
		})
	}
}

// TestMyClientPassesACorrectClientInEachLanguage: laptop-a answers as the
// lecture's server does; laptop-b builds and runs the student's client with
// laptop-a's address and port as its arguments.
func TestMyClientPassesACorrectClientInEachLanguage(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"c-good/client.c", "cpp-good/client.cpp", "java-good/Client.java", "node-good/client.js", "go-good/client.go"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			r := runLangLab(t, "deploy/compose/my-client.yaml", "e2e/testdata/student/"+file)
			require.Equal(t, 0, r.exit)
			require.Contains(t, r.b, "hello\nhi back atcha\n", "the student's client's prints, on laptop-b")
			require.Regexp(t, `call from 10\.222\.\d+\.20:\d+: said "hi back atcha\\n" \(14 bytes\), echoed it, caller hung up`, r.a)
			require.Contains(t, r.a, "verdict: PASS: your "+filepath.Base(file)+" made the lecture's call")
		})
	}
}

// TestClassGradesAClassOfMixedLanguages is `just class` on a class whose
// students wrote C, Java, Node.js, Go and Python: each program is found,
// built in its own lab on a laptop sized for its language, and graded;
// a C file that does not compile is said so. Not parallel, as the other
// class tests: a class takes the CPUs.
func TestClassGradesAClassOfMixedLanguages(t *testing.T) {
	requireImages(t)
	root, err := repoRoot()
	require.NoError(t, err)
	setBaseImages(t, root)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	project := "socketlab-lang-e2e-class"
	var log bytes.Buffer
	sum, err := class.Run(ctx, class.Config{Dir: filepath.Join(root, "e2e/testdata/class-lang"), Out: out, Repo: root,
		Jobs: 3, Timeout: 90 * time.Second, Net: "10.222", Project: project, Progress: &log})
	t.Logf("client class:\n%s", log.String())
	require.NoError(t, err)
	require.Zero(t, sum.LabErrors())
	requireNoClassLabs(t, project)
	f, err := os.Open(filepath.Join(out, "summary.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	rows := map[string][]string{}
	for _, r := range recs[1:] {
		rows[r[0]] = r
	}
	for name, w := range map[string]struct{ verdict, note string }{
		"ada": {"PASS", ""},
		"bo":  {"FAIL", "line 16: this writer keeps what you write until it is flushed"},
		"cy":  {"PASS", ""},
		"dee": {"PASS", ""},
		"eve": {"PASS", ""},
		"fay": {"FAIL", "program: line 10: your server.c did not compile: expected ';' before 'addr'"},
	} {
		require.Equal(t, w.verdict, rows[name][1], "%s: %v", name, rows[name])
		require.Contains(t, rows[name][6], w.note, name)
	}
}
