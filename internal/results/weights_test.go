package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/grade"
)

// TestTheShippedWeightsParseAndTotalTwenty: weights.txt, carried in every
// binary, weighs every check a grade can report, 20 points in all, and
// shows the tests and run_autograder's output to the student.
func TestTheShippedWeightsParseAndTotalTwenty(t *testing.T) {
	w := Default()
	total := 0.0
	for _, id := range append(grade.CheckIDs(), "program") {
		p, ok := w.Points[id]
		require.True(t, ok, "the shipped file weighs every check: %s is missing", id)
		total += p
	}
	require.Equal(t, 20.0, total)
	require.Equal(t, "visible", w.Visibility)
	require.Equal(t, "visible", w.StdoutVisibility)

	// The file on disk is the one carried: a course edits this one.
	onDisk, err := ReadWeights("weights.txt")
	require.NoError(t, err)
	require.Equal(t, onDisk, w)
	text, err := os.ReadFile("weights.txt")
	require.NoError(t, err)
	require.Equal(t, text, DefaultText())
}

func TestLoadWeights(t *testing.T) {
	w, err := LoadWeights("")
	require.NoError(t, err)
	require.Equal(t, Default(), w, "no file: the shipped weights")

	mine := filepath.Join(t.TempDir(), "weights.txt")
	require.NoError(t, os.WriteFile(mine, []byte("echo 5\n"), 0o644))
	w, err = LoadWeights(mine)
	require.NoError(t, err)
	require.Equal(t, map[string]float64{"echo": 5}, w.Points, "a course's file replaces the shipped one whole")
	require.Equal(t, 1.0, w.Of(grade.Result{ID: "greeting", Required: true}), "a check it does not list: a point when required")

	_, err = LoadWeights(filepath.Join(t.TempDir(), "none.txt"))
	require.ErrorContains(t, err, "weights: open")
}

func TestParseWeights(t *testing.T) {
	for _, tc := range []struct {
		name, text, err string
	}{
		{"comments and blank lines", "# a comment\n\necho 2 # two points\nnot-on 0.5\n", ""},
		{"a typo", "ecoh 2\n", `line 1: no check is called "ecoh"`},
		{"an INFO that only explains", "explained 1\n", `line 1: no check is called "explained"`},
		{"not a number", "echo two\n", `line 1: echo: "two" is not a number`},
		{"negative", "echo -1\n", "is not a number of points (0 or more)"},
		{"infinite", "echo +Inf\n", "is not a number of points (0 or more)"},
		{"twice", "echo 1\necho 2\n", "line 2: echo is given twice"},
		{"no points", "echo\n", "want a check and its points"},
		{"a visibility Gradescope has not", "visibility public\n", `visibility "public": one of hidden, after_due_date, after_published, visible`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWeights(strings.NewReader(tc.text))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, map[string]float64{"echo": 2, "not-on": 0.5}, w.Points)
		})
	}
}

func TestWeightsOf(t *testing.T) {
	w := Weights{Points: map[string]float64{"not-on": 3, "echo": 0}}
	for _, tc := range []struct {
		c    grade.Result
		want float64
	}{
		{grade.Result{ID: "not-on", Required: true}, 3},
		{grade.Result{ID: "echo", Required: true}, 0},
		{grade.Result{ID: "greeting", Required: true}, 1},
		{grade.Result{ID: "model"}, 0},
	} {
		require.Equal(t, tc.want, w.Of(tc.c), tc.c.ID)
	}
	require.Equal(t, 1.0, Weights{}.Of(grade.Result{ID: "echo", Required: true}), "no weights: a point per required check")
}
