package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
// points (computed from the zip's weights), the files students submit,
// the visibility, and a correct server to test the autograder with.
func TestTheZipsReadmeSaysWhatToTypeIntoGradescope(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the client")
	}
	weights := filepath.Join(t.TempDir(), "weights.txt")
	// 5 + 4, and 1 for each of the 10 required checks not listed (model is
	// not required: 0).
	require.NoError(t, os.WriteFile(weights, []byte("answers 5\nsilent-caller 4\nvisibility after_due_date\n"), 0o644))
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-weights", weights, "-languages", "c,java", out}, &stdout, &stderr), stderr.String())
	files := unzip(t, filepath.Join(out, "autograder.zip"))
	readme := files["README.txt"]
	require.Contains(t, readme, "Total points: 19.")
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
}

// TestTheShippedTotalIsWeightsTxts: README's total for the shipped weights
// is the one weights.txt itself says a correct server scores.
func TestTheShippedTotalIsWeightsTxts(t *testing.T) {
	// A correct server that keeps serving earns every check's points:
	// the sum of the shipped weights.
	want := total(results.Default())
	require.Equal(t, 20.0, want, "the sum of weights.txt's points, what a server that keeps serving scores")
	b, err := readme([]byte("Total points: {{.Total}}. Files: {{.Files}}. {{.Visibility}}"), results.Default(), nil, "amd64")
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("Total points: %g. Files: server.py. visible", want), string(b))
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
