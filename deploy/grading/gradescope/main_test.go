package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/results"
)

// Gradescope wants setup.sh and run_autograder at the zip's root, and the
// scripts executable.
func TestWriteZip(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"setup.sh": "#!/bin/sh\n", "weights.txt": "echo 2\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
	}
	path := filepath.Join(dir, "autograder.zip")
	require.NoError(t, writeZip(path, []entry{
		{"setup.sh", filepath.Join(dir, "setup.sh"), 0o755},
		{"weights.txt", filepath.Join(dir, "weights.txt"), 0o644},
	}))
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	require.Len(t, zr.File, 2)
	require.Equal(t, "setup.sh", zr.File[0].Name)
	require.Equal(t, os.FileMode(0o755), zr.File[0].Mode().Perm())
	require.Equal(t, os.FileMode(0o644), zr.File[1].Mode().Perm())
	r, err := zr.File[1].Open()
	require.NoError(t, err)
	var b bytes.Buffer
	_, err = b.ReadFrom(r)
	require.NoError(t, err)
	require.Equal(t, "echo 2\n", b.String())

	// The same files make the same zip: an image built from it is cached.
	again := filepath.Join(dir, "again.zip")
	require.NoError(t, writeZip(again, []entry{
		{"setup.sh", filepath.Join(dir, "setup.sh"), 0o755},
		{"weights.txt", filepath.Join(dir, "weights.txt"), 0o644},
	}))
	a, _ := os.ReadFile(path)
	b2, _ := os.ReadFile(again)
	require.Equal(t, a, b2)
}

func TestAMistypedWeightsFileMakesNoZip(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "weights.txt")
	require.NoError(t, os.WriteFile(bad, []byte("ecoh 2\n"), 0o644))
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 2, run([]string{"-weights", bad, out}, &stdout, &stderr))
	require.Contains(t, stderr.String(), `no check is called "ecoh"`)
	_, err := os.Stat(filepath.Join(out, "autograder.zip"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// The scripts the zip carries are what Gradescope runs: executable, and
// read by their shells without a syntax error.
func TestTheScriptsParse(t *testing.T) {
	for f, shell := range map[string]string{"setup.sh": "bash", "run_autograder": "sh"} {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		require.NotZero(t, fi.Mode().Perm()&0o100, "%s is executable in the repository too", f)
		out, err := exec.Command(shell, "-n", f).CombinedOutput()
		require.NoError(t, err, "%s -n %s: %s", shell, f, out)
	}
}

func TestLanguages(t *testing.T) {
	got, err := languages("C, cpp,java,js,go,c")
	require.NoError(t, err)
	require.Equal(t, []string{"c", "c++", "java", "node", "go"}, got)
	got, err = languages("all")
	require.NoError(t, err)
	require.Len(t, got, 5)
	_, err = languages("c,rust")
	require.ErrorContains(t, err, `"rust" is not one the lab builds`)
}

// TestTheZipsReadmeSaysWhatToTypeIntoGradescope: the assignment's total
// points (computed from the zip's weights and policy), the files students
// submit, the visibility, and a correct server to test the autograder with.
func TestTheZipsReadmeSaysWhatToTypeIntoGradescope(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the client")
	}
	for _, tc := range []struct{ name, weights, total, policy string }{
		// program 1, answers 5, greeting 1, greeting-first 1, echo 1,
		// hangs-up 1, not-on 1: the checks of the lecture's one call.
		{"the lecture's policy", "answers 5\nsilent-caller 4\nvisibility after_due_date\n", "11", `policy is "lecture"`},
		// ... and echo-crlf, echo-1000, echo-3000, still-there 1 each, and
		// silent-caller's 4, which counts when the server keeps serving.
		{"keep serving", "policy keep-serving\nanswers 5\nsilent-caller 4\nvisibility after_due_date\n", "19", `policy is "keep-serving"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			weights := filepath.Join(t.TempDir(), "weights.txt")
			require.NoError(t, os.WriteFile(weights, []byte(tc.weights), 0o644))
			w, err := results.ReadWeights(weights)
			require.NoError(t, err)
			require.Equal(t, tc.total, strconv.FormatFloat(w.Total(), 'f', -1, 64), "the weights' own total")
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run([]string{"-weights", weights, "-languages", "c,java", out}, &stdout, &stderr), stderr.String())
			files := unzip(t, filepath.Join(out, "autograder.zip"))
			readme := files["README.txt"]
			require.Contains(t, readme, "Total points: "+tc.total+".")
			require.Contains(t, readme, tc.policy)
			require.Contains(t, readme, "Students submit one file: server.py, server.c or Server.java.")
			require.Contains(t, readme, `each test's visibility is "after_due_date"`)
			require.Contains(t, readme, `output (the calls as the grader made them) is
   "Gradescope's default"`)
			require.NotContains(t, readme, "{{", "every field filled in")
			starter, err := os.ReadFile(filepath.Join("..", "..", "student", "server.py"))
			require.NoError(t, err)
			require.Equal(t, string(starter), files["sample/server.py"], "the sample is the starter students copy")
			require.Contains(t, files["sample/server.py"], "while True:", "it keeps serving")
			require.Contains(t, files["sample/server.py"], "'eth0'")
		})
	}
}

// TestTheShippedTotalIsWeightsTxts: README's total for the shipped weights
// is the one weights.txt itself says a correct server scores.
func TestTheShippedTotalIsWeightsTxts(t *testing.T) {
	words := bytes.Join(bytes.Fields(bytes.ReplaceAll(results.DefaultText(), []byte("#"), nil)), []byte(" "))
	m := regexp.MustCompile(`a correct server scores (\d+) here`).FindSubmatch(words)
	require.NotNil(t, m, "weights.txt states its total")
	b, err := readme([]byte("Total points: {{.Total}}. Files: {{.Files}}. {{.Visibility}}"), results.Default(), nil, "amd64")
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("Total points: %s. Files: server.py. visible", m[1]), string(b))
}

func unzip(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	files := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		r.Close()
		require.NoError(t, err)
		files[f.Name] = string(b)
	}
	return files
}
