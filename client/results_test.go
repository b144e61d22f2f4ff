package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/class"
	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/labtest"
	"github.com/socketlab/socketlab/internal/onehost"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/student"
)

// gradescopeFile is a results.json as the tests compare it: the points,
// and each test's name, points and status.
type gradescopeFile struct {
	Score float64 `json:"score"`
	Tests []struct {
		Name     string  `json:"name"`
		Score    float64 `json:"score"`
		MaxScore float64 `json:"max_score"`
		Status   string  `json:"status"`
	} `json:"tests"`
}

func readGradescope(t *testing.T, path string) (gradescopeFile, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var f gradescopeFile
	require.NoError(t, json.Unmarshal(b, &f), "%s", b)
	return f, b
}

func readPrairieLearn(t *testing.T, path string) (score, points, max float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var f struct {
		Score float64 `json:"score"`
		Tests []struct {
			Points    float64 `json:"points"`
			MaxPoints float64 `json:"max_points"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(b, &f), "%s", b)
	for _, tc := range f.Tests {
		points += tc.Points
		max += tc.MaxPoints
	}
	return f.Score, points, max
}

// TestEveryGraderGivesTheSamePoints: one grade of carol's server (the
// lecture's, bound to every address, so it answers on 127.0.0.2 too) goes
// through each grader's own writing code: client grade's -junit and
// -gradescope, the class grader's junit.xml and results.json
// (class.WriteReports), and the one-host grader's Gradescope and
// PrairieLearn files (client student here's). Every one lists the same
// tests with the same points, with the shipped weights; where the grade
// is the same submission, the files are the same bytes.
func TestEveryGraderGivesTheSamePoints(t *testing.T) {
	carol := labtest.Config{Listen: "0.0.0.0:0"}.Start(t, labtest.LectureScript)
	dir := t.TempDir()
	path := func(parts ...string) string { return filepath.Join(append([]string{dir}, parts...)...) }

	// client grade: a server alone.
	out, errOut, code := runClient(t, "", "grade", "-timeout", "500ms", "-name", "carol", "-json",
		"-junit-file", path("grade.xml"), "-gradescope-file", path("grade.json"), "-not-on", "127.0.0.2", carol.Addr)
	require.Equal(t, exitFail, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	var rep grade.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	graded, gradeBytes := readGradescope(t, path("grade.json"))
	require.Equal(t, 16.0, graded.Score, "weights.txt's 18 for a server alone with -not-on (all but program's 2), but not-on's 2")

	// The class grader's writer, for the same report: the same files.
	require.NoError(t, class.WriteReports(path("class"), results.Submission{Report: rep}, results.Default()))
	_, classBytes := readGradescope(t, path("class", "results.json"))
	require.Equal(t, string(gradeBytes), string(classBytes))
	junitGrade, err := os.ReadFile(path("grade.xml"))
	require.NoError(t, err)
	junitClass, err := os.ReadFile(path("class", "junit.xml"))
	require.NoError(t, err)
	require.Equal(t, string(junitGrade), string(junitClass))

	// The one-host grader's writer, for the same checks: the same tests
	// and points (its output adds what one host cannot show).
	here := onehostFiles{gradescope: path("here", "results.json"), prairielearn: path("here", "pl.json")}
	require.True(t, here.write(onehost.Result{Graded: true, Grade: rep, Verdict: student.Verdict{Passed: rep.Passed}}, results.Default(), io.Discard))
	hosted, _ := readGradescope(t, here.gradescope)
	require.Equal(t, graded, hosted)
	score, points, max := readPrairieLearn(t, here.prairielearn)
	require.Equal(t, []float64{16, 18}, []float64{points, max})
	require.InDelta(t, 16.0/18, score, 1e-4)

	// The lab's grade of the same server, as laptop-b writes it for the
	// class grader (client student check -json), with the lab's own
	// "program" check: the class's results.json and the one-host
	// grader's give the same points, 18 of 20 with program's 2.
	out, errOut, _ = runClient(t, "", "student", "check", "-timeout", "500ms", "-wait", "2s", "-name", "carol",
		"-json-file", path("lab.json"), "-not-on", "127.0.0.2", carol.Host(), carol.Port())
	lab, err := results.ReadJSON(path("lab.json"))
	require.NoError(t, err, "stdout:\n%s\nstderr:\n%s", out, errOut)
	require.NoError(t, class.WriteReports(path("lab-class"), lab, results.Default()))
	labClassed, _ := readGradescope(t, path("lab-class", "results.json"))

	labHere := onehostFiles{gradescope: path("lab-here", "results.json"), prairielearn: path("lab-here", "pl.json")}
	v := student.Verdict{Passed: lab.Report.Passed, Findings: lab.Findings}
	require.True(t, labHere.write(onehost.Result{Graded: true, Grade: lab.Report, Verdict: v}, results.Default(), io.Discard))
	labHosted, _ := readGradescope(t, labHere.gradescope)
	require.Equal(t, labClassed, labHosted)
	earned, total := lab.Points(results.Default())
	require.Equal(t, []float64{12, 14}, []float64{earned, total},
		"the shipped policy, the lecture's: the checks beyond its one call count for no one; not-on's 2 lost")
	require.Equal(t, results.Default().Total(), total)
	require.Equal(t, earned, labClassed.Score)
	score, points, max = readPrairieLearn(t, labHere.prairielearn)
	require.Equal(t, []float64{earned, total}, []float64{points, max})
	require.InDelta(t, earned/total, score, 1e-4)
	t.Logf("client grade %v/17, class %v, one host %v, PrairieLearn %v (%v/%v)", graded.Score, labClassed.Score, labHosted.Score, score, points, max)

	// A course that asks for a server that keeps serving: every check
	// counts, 18 of 20, as Gradescope scored carol before.
	keep := filepath.Join(dir, "keep.txt")
	require.NoError(t, os.WriteFile(keep, append(results.DefaultText(), "\npolicy keep-serving\n"...), 0o644))
	_, err = results.ReadWeights(keep)
	require.ErrorContains(t, err, "policy is given twice", "one policy a file")
	require.NoError(t, os.WriteFile(keep, []byte(strings.Replace(string(results.DefaultText()), "\npolicy lecture\n", "\npolicy keep-serving\n", 1)), 0o644))
	w, err := results.ReadWeights(keep)
	require.NoError(t, err)
	out, errOut, _ = runClient(t, "", "student", "check", "-timeout", "500ms", "-wait", "2s", "-name", "carol", "-weights", keep,
		"-json-file", path("keep.json"), "-not-on", "127.0.0.2", carol.Host(), carol.Port())
	kept, err := results.ReadJSON(path("keep.json"))
	require.NoError(t, err, "stdout:\n%s\nstderr:\n%s", out, errOut)
	earned, total = kept.Points(w)
	require.Equal(t, []float64{18, 20}, []float64{earned, total})
	require.Equal(t, w.Total(), total)
}

// TestWeightsMeanTheSameEverywhere: every grader that writes results files
// takes -weights FILE with the same words, and refuses a mistyped file
// before it grades anything, with the line.
func TestWeightsMeanTheSameEverywhere(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "weights.txt")
	require.NoError(t, os.WriteFile(bad, []byte("# points\necho 2\necoh 2\n"), 0o644))
	for _, cmd := range [][]string{{"grade"}, {"class"}, {"student", "check"}, {"onehost"}} {
		operand := []string{"127.0.0.1"}
		if cmd[0] == "onehost" {
			operand = nil
		}
		t.Run(strings.Join(cmd, " "), func(t *testing.T) {
			_, help, code := runClient(t, "", append(cmd, "-h")...)
			require.Equal(t, exitOK, code)
			require.Contains(t, help, "-weights FILE\n    \t"+strings.ReplaceAll(strings.ReplaceAll(weightsUsage, "`FILE`", "FILE"), "\n", "\n    \t"))
			out, errOut, code := runClient(t, "", append(append(cmd, "-weights", bad), operand...)...)
			require.Equal(t, exitUsage, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
			require.Contains(t, errOut, `line 3: no check is called "ecoh"`)
			require.NotContains(t, out, "PASS")
		})
	}
}

// TestGradeWeights: client grade -weights FILE gives the file's points.
func TestGradeWeights(t *testing.T) {
	lecturer := labtest.Start(t, labtest.LectureScript)
	dir := t.TempDir()
	mine := filepath.Join(dir, "weights.txt")
	require.NoError(t, os.WriteFile(mine, []byte("answers 10\nstill-there 0\n"), 0o644))
	out, errOut, code := runClient(t, "", "grade", "-timeout", "500ms", "-weights", mine, "-gradescope-file", filepath.Join(dir, "results.json"), lecturer.Addr)
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	f, _ := readGradescope(t, filepath.Join(dir, "results.json"))
	// answers 10, still-there 0, and a point for each of the other 7
	// required checks (greeting ... hangs-up); silent-caller and model 0.
	require.Equal(t, 17.0, f.Score)
}
