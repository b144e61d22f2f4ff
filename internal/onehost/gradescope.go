package onehost

import (
	"encoding/json"
	"io"
)

// Gradescope's results.json, as its autograder specification describes it
// (gradescope-autograders.readthedocs.io/en/latest/specs/): a score, an
// output for the whole submission, and a test per check with its score,
// max_score, status and output. Text is "text", not Gradescope's default
// for the top (simple_format, HTML): a student's program may print "<".
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
		Name     string  `json:"name"`
		Score    float64 `json:"score"`
		MaxScore float64 `json:"max_score"`
		Status   string  `json:"status,omitempty"`
		Output   string  `json:"output"`
	}
)

// WriteGradescope writes r as Gradescope's results.json, each check worth
// what w says. A submission that could not be graded scores 0 with no
// tests, and its output says why: the student's doing (no server.py) or
// the autograder's (no network), in so many words.
func (r Result) WriteGradescope(out io.Writer, w Weights) error {
	res := gradescopeResults{
		ExecutionTime: round(r.Took.Seconds()), Output: r.summary(),
		OutputFormat: "text", TestOutputFormat: "text", TestNameFormat: "text",
		Visibility: w.Visibility, StdoutVisibility: w.StdoutVisibility,
		ExtraData: map[string]any{"graded": r.Graded, "setup_problem": r.Setup, "verdict": r.verdict(), "one_host": true},
		Tests:     []gradescopeTest{},
	}
	if r.Setup {
		res.Output += "\nThis is the autograder's set-up, not your program: tell your instructor.\n"
	}
	if r.Graded {
		checks, earned, _ := w.score(r.Grade)
		res.Score = round(earned)
		for _, s := range checks {
			t := gradescopeTest{Name: testName(s.check), Score: round(s.earned), MaxScore: round(s.max), Output: r.explanation(s)}
			switch {
			case s.skipped:
			case s.passed:
				t.Status = "passed"
			default:
				t.Status = "failed"
			}
			res.Tests = append(res.Tests, t)
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// verdict is the grade's one word: PASS or FAIL, or "not graded".
func (r Result) verdict() string {
	switch {
	case !r.Graded:
		return "not graded"
	case r.Verdict.Passed:
		return "PASS"
	}
	return "FAIL"
}
