package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOnehostUsage(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "weights.txt")
	require.NoError(t, os.WriteFile(bad, []byte("ecoh 2\n"), 0o644))
	checkUsage(t, []usageCase{
		{"help", []string{"onehost", "-h"}, exitOK, []string{"usage: client onehost", "-gradescope-file FILE", "-prairielearn-file FILE", "-weights FILE"}},
		{"root", []string{"onehost", "-uid", "0"}, exitUsage, []string{"never runs as root"}},
		{"an operand", []string{"onehost", "server.py"}, exitUsage, []string{`unexpected argument "server.py"`}},
		{"a typo in the weights", []string{"onehost", "-weights", bad}, exitUsage, []string{`line 1: no check is called "ecoh"`}},
		// What Gradescope zips and PrairieLearn images made before the
		// rename type: it still works, and says the new names.
		{"the old name", []string{"student", "here", "-time", "5s", "-uid", "0"}, exitUsage, []string{
			`client: "client student here" is renamed "client onehost"`,
			"client onehost: -time is renamed -submission-timeout", "never runs as root"}},
	})
}

// A platform always gets a results file, and it says whose the fault is:
// a weights file the instructor mistyped is the autograder's; a submission
// with no server.py is the student's. Exit 0: the file is the result.
func TestOnehostWritesAResultsFileWhateverHappens(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "weights.txt")
	require.NoError(t, os.WriteFile(bad, []byte("echo -1\n"), 0o644))
	results := filepath.Join(dir, "results", "results.json")
	_, _, code := runClient(t, "", "onehost", "-weights", bad, "-gradescope-file", results)
	require.Equal(t, exitUsage, code)
	var gs map[string]any
	b, err := os.ReadFile(results)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &gs))
	require.Contains(t, gs["output"], "This is the autograder's set-up, not your program")

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("I wrote my server in server2.py\n"), 0o644))
	pl := filepath.Join(dir, "grade", "results", "results.json")
	out, _, code := runClient(t, "", "onehost", "-dir", empty, "-prairielearn-file", pl)
	require.Equal(t, exitOK, code)
	require.Contains(t, out, "not graded: the submission cannot be graded: it has no server.py")
	var res map[string]any
	b, err = os.ReadFile(pl)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &res))
	require.Equal(t, false, res["gradable"])
	require.Contains(t, res["message"], "no server.py")
}
