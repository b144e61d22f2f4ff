package results

import (
	"encoding/json"
	"io"
	"math"
	"strings"
)

// PrairieLearn's results.json, as its external grading page describes it
// (prairielearn.readthedocs.io/en/latest/externalGrading/): gradable, a
// score from 0 to 1, a message, an output, and tests with points,
// max_points, message and output. A submission that is not gradable costs
// the student no attempt and no points.
type (
	prairieLearnResults struct {
		Gradable     bool               `json:"gradable"`
		Score        *float64           `json:"score,omitempty"`
		Message      string             `json:"message"`
		Output       string             `json:"output"`
		FormatErrors []string           `json:"format_errors,omitempty"`
		Tests        []prairieLearnTest `json:"tests,omitempty"`
	}
	prairieLearnTest struct {
		Name        string  `json:"name"`
		Description string  `json:"description"`
		Points      float64 `json:"points"`
		MaxPoints   float64 `json:"max_points"`
		Message     string  `json:"message"`
		Output      string  `json:"output"`
	}
)

// enableNetworking is what a PrairieLearn question needs for a server
// that binds eth0: by default its grader has loopback alone.
const enableNetworking = `This is the course's set-up, not your program: PrairieLearn runs this question's grader with no network ` +
	`(only lo), and a server that binds eth0's address, as the lecture's does, needs one. ` +
	`The question's info.json must set "enableNetworking": true in "externalGradingOptions".`

// WritePrairieLearn writes s as PrairieLearn's results.json, each check
// worth what w says; the score is the points earned over all there were.
// A submission that could not be graded, for the set-up's reason (no
// network) or the student's (no server.py), is not gradable, and the
// message says why.
func (s Submission) WritePrairieLearn(out io.Writer, w Weights) error {
	res := prairieLearnResults{Gradable: s.Graded(), Output: s.summary()}
	switch {
	case s.NoNetwork:
		res.Message = enableNetworking
	case s.Setup:
		res.Message = "Not graded, through no fault of yours: " + s.Why + "."
	case !s.Graded():
		res.Message = "Not graded: " + s.Why + "."
	default:
		res.Message, _, _ = strings.Cut(s.summary(), "\n")
		checks, earned, total := s.score(w)
		score := 0.0
		if total > 0 {
			score = math.Round(earned/total*1e4) / 1e4
		}
		res.Score = &score
		for _, sc := range checks {
			res.Tests = append(res.Tests, prairieLearnTest{Name: testName(sc.check), Description: sc.check.Name,
				Points: sc.earned, MaxPoints: sc.max, Message: sc.check.Reason, Output: s.explanation(sc)})
		}
	}
	if !s.Graded() {
		res.FormatErrors = []string{res.Message}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
