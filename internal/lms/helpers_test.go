package lms

import (
	"archive/zip"
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// now is when the tests' class was graded, as Moodle's worksheet says.
var now = time.Date(2024, 3, 5, 14, 13, 0, 0, time.UTC)

// outcome is what a test's student got.
type outcome int

const (
	pass     outcome = iota // a correct server: every point
	anywhere                // bound to every address: not-on's 2 points lost
	crashed                 // Python 2 code: the program check fails, the rest could not run
	timedOut                // no verdict: left out
	labError                // the lab's fault: left out
)

// submission is a grade as laptop-b gives one, with the checks a lab runs.
func submission(o outcome) *results.Submission {
	c := func(id, title string, st grade.Status, reason, fix string, required bool) grade.Result {
		return grade.Result{ID: id, Name: title, Title: title, Status: st, Reason: reason, Fix: fix, Required: required}
	}
	checks := []grade.Result{
		c("program", "runs in the lab and keeps serving", grade.Pass, "server.py ran, listened on 0.0.0.0:8000 and kept serving.", "", true),
		c("answers", "answers on 10.214.1.10:8000", grade.Pass, "it took the call.", "", true),
		c("greeting", `greets with "hello\n"`, grade.Pass, `it said "hello\n".`, "", true),
		c("greeting-first", "greets before the caller speaks", grade.Pass, "it spoke first.", "", true),
		c("echo", "echoes a short line", grade.Pass, "it sent the line back.", "", true),
		c("echo-crlf", `echoes a telnet line ending "\r\n"`, grade.Pass, "it sent it back.", "", true),
		c("echo-1000", "echoes 1000 bytes whole", grade.Pass, "all 1000 came back.", "", true),
		c("echo-3000", "echoes one read of 3000 bytes", grade.Pass, "all 3000 came back.", "", true),
		c("hangs-up", "hangs up after the echo", grade.Pass, "it closed the call.", "", true),
		c("silent-caller", "handles a silent caller", grade.Pass, "it waited.", "", false),
		c("model", "one employee or many", grade.Info, "one call at a time.", "", false),
		c("not-on", "not reachable on 127.0.0.1:8000", grade.Pass, "nothing answered there.", "", true),
		c("still-there", "still answers after the checks", grade.Pass, "it answered again.", "", true),
	}
	s := &results.Submission{Verdict: "verdict: PASS: your server.py on laptop-a answered laptop-b across the lab as the lecture's server does.\n"}
	switch o {
	case anywhere:
		checks[11] = c("not-on", "not reachable on 127.0.0.1:8000", grade.Fail, "it answered there too.",
			`bind to this machine's address only: s.bind(("10.214.1.10", 8000)), not ("", 8000).`, true)
		s.Verdict = "verdict: FAIL: your server.py answers on every address of laptop-a.\n  - it is bound to 0.0.0.0, every address: bind to laptop-a's own.\n"
	case crashed:
		checks[0] = c("program", "runs in the lab and keeps serving", grade.Fail, "server.py stopped before it listened: this is Python 2 code.", `write print("x"), not print "x".`, true)
		for i := 1; i < len(checks); i++ {
			checks[i].Status, checks[i].Reason = grade.Skip, "not run: the program did not start."
		}
		s.Verdict = "verdict: FAIL: your server.py stopped before it listened.\n  - this is Python 2 code, which Python 3 refuses: print \"x\" is print(\"x\") now.\n"
	}
	s.Report = grade.Report{Checks: checks, Passed: o == pass}
	return s
}

// classRows are the rows the class grader would have for r, each student's
// outcome by name (a correct server unless said otherwise); a submission
// with no program is "not graded", as the class grader says.
func classRows(r roster.Roster, got map[string]outcome) []Row {
	var rows []Row
	for _, s := range r.Submissions {
		row := Row{Sub: s}
		o := got[s.Name]
		switch {
		case s.Program == "":
			row.Verdict, row.Note = NotGraded, s.Note
		case o == timedOut:
			row.Verdict, row.Note = "timed out", "no verdict within 60s: the lab was stopped"
		case o == labError:
			row.Verdict, row.Note = "error", "laptop-b gave no report"
		default:
			row.Grade = submission(o)
			row.Verdict = "FAIL"
			if row.Grade.Report.Passed {
				row.Verdict = "PASS"
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// golden compares the files WriteBack wrote into out/lms with
// testdata/NAME/, a zip as the list of its files and their text; -update
// rewrites them.
func golden(t *testing.T, out, name string) {
	t.Helper()
	dir := filepath.Join(out, Dir)
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	want := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.RemoveAll(want))
		require.NoError(t, os.MkdirAll(want, 0o755))
	}
	var got []string
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join(dir, de.Name()))
		require.NoError(t, err)
		file := de.Name()
		if strings.HasSuffix(file, ".zip") {
			b, file = zipText(t, b), file+".txt"
		}
		got = append(got, file)
		if *update {
			require.NoError(t, os.WriteFile(filepath.Join(want, file), b, 0o644))
			continue
		}
		w, err := os.ReadFile(filepath.Join(want, file))
		require.NoError(t, err, "no golden %s: run go test -update", file)
		require.Equal(t, string(w), string(b), "%s differs from testdata/%s/%s", de.Name(), name, file)
	}
	wantFiles, err := os.ReadDir(want)
	require.NoError(t, err)
	var names []string
	for _, de := range wantFiles {
		names = append(names, de.Name())
	}
	require.ElementsMatch(t, names, got, "the files written")
}

// zipText is a zip's files, in order, as "== path ==" and their text.
func zipText(t *testing.T, data []byte) []byte {
	t.Helper()
	files := unzip(t, data)
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b bytes.Buffer
	for _, p := range paths {
		b.WriteString("== " + p + " ==\n" + files[p])
	}
	return b.Bytes()
}

func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		files[f.Name] = string(b)
	}
	return files
}
