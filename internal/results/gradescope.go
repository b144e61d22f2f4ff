package results

import (
	"encoding/json"
	"io"
)

// Gradescope's results.json, as its autograder specification describes it
// (gradescope-autograders.readthedocs.io/en/latest/specs/): a score, an
// output for the whole submission, and a test per check with its name,
// score, max_score, status and output. Text is "text", not Gradescope's
// default for the top (simple_format, HTML): a student's program may print "<".
type (
	gradescopeResults struct {
		Score            float64          `json:"score"`
		ExecutionTime    float64          `json:"execution_time"`
		Output           string           `json:"output"`
		OutputFormat     string           `json:"output_format"`
		TestOutputFormat string           `json:"test_output_format"`
		TestNameFormat   string           `json:"test_name_format"`
		Visibility       string           `json:"visibility,omitempty"`
		StdoutVisibility string           `json:"stdout_visibility,omitempty"`
		ExtraData        map[string]any   `json:"extra_data"`
		Tests            []gradescopeTest `json:"tests"`
	}
	gradescopeTest struct {
		Name         string  `json:"name"`
		Score        float64 `json:"score"`
		MaxScore     float64 `json:"max_score"`
		Status       string  `json:"status,omitempty"`
		Output       string  `json:"output"`
		OutputFormat string  `json:"output_format"`
		Visibility   string  `json:"visibility,omitempty"`
	}
)

// textFormat is Gradescope's format for plain text, shown as it is.
const textFormat = "text"

// WriteGradescope writes s as Gradescope's results.json, each check worth
// what w says. Status is "passed" or "failed"; a check that could not run
// has none, since it neither passed nor failed (its output says "not run",
// and why). A submission that could not be graded scores 0 with no tests,
// and its output says why: the student's doing (no server.py) or the
// grader's (no network), in so many words.
func (s Submission) WriteGradescope(out io.Writer, w Weights) error {
	res := gradescopeResults{
		ExecutionTime: round(s.Report.Elapsed.Seconds()), Output: s.summary(),
		OutputFormat: textFormat, TestOutputFormat: textFormat, TestNameFormat: textFormat,
		Visibility: w.Visibility, StdoutVisibility: w.StdoutVisibility,
		ExtraData: map[string]any{"student": s.Report.Name, "verdict": s.verdict(), "passed": s.Graded() && s.Report.Passed,
			"graded": s.Graded(), "setup_problem": s.Setup, "one_host": s.OneHost},
		Tests: []gradescopeTest{},
	}
	if s.Setup {
		res.Output += "\nThis is the autograder's set-up, not your program: tell your instructor.\n"
	}
	checks, earned, _ := s.score(w)
	res.Score = earned
	for _, sc := range checks {
		t := gradescopeTest{Name: testName(sc.check), Score: sc.earned, MaxScore: sc.max,
			Output: s.explanation(sc), OutputFormat: textFormat, Visibility: w.Visibility}
		switch {
		case sc.notRun:
		case sc.passed:
			t.Status = "passed"
		default:
			t.Status = "failed"
		}
		res.Tests = append(res.Tests, t)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
