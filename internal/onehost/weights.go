package onehost

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
)

// Weights are the points of each check in a platform's results file, from
// one file that the instructor edits (deploy/gradescope/weights.txt) for
// Gradescope and PrairieLearn alike. The zero Weights give a required
// check one point and any other none, as client grade -gradescope-file does.
type Weights struct {
	// Points are by check id. A later -not-on check (not-on-2) is worth
	// what not-on is.
	Points map[string]float64
	// Visibility and StdoutVisibility are Gradescope's settings of the
	// same names: when the tests, and run_autograder's output, are shown
	// to the student; "" leaves Gradescope's default.
	Visibility, StdoutVisibility string
}

// visibilities are Gradescope's values for its visibility settings.
var visibilities = []string{"hidden", "after_due_date", "after_published", "visible"}

// ReadWeights reads a weights file (ParseWeights).
func ReadWeights(path string) (Weights, error) {
	f, err := os.Open(path)
	if err != nil {
		return Weights{}, fmt.Errorf("weights: %w", err)
	}
	defer f.Close()
	w, err := ParseWeights(f)
	if err != nil {
		return Weights{}, fmt.Errorf("weights %s: %w", path, err)
	}
	return w, nil
}

// ParseWeights reads lines of a check id and its points ("echo 2"), and the
// settings "visibility VALUE" and "stdout_visibility VALUE"; # starts a
// comment. An id that is no check's, a number that is not one or is
// negative, and a check given twice are errors, with the line: a typo must
// not silently cost a class its points.
func ParseWeights(r io.Reader) (Weights, error) {
	known := append(grade.CheckIDs(), "program")
	w := Weights{Points: map[string]float64{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 {
			return Weights{}, fmt.Errorf("line %d: want a check and its points (\"echo 2\"), got %q", n, strings.TrimSpace(line))
		}
		switch key, val := f[0], f[1]; key {
		case "visibility", "stdout_visibility":
			if !slices.Contains(visibilities, val) {
				return Weights{}, fmt.Errorf("line %d: %s %q: one of %s", n, key, val, strings.Join(visibilities, ", "))
			}
			if key == "visibility" {
				w.Visibility = val
			} else {
				w.StdoutVisibility = val
			}
		default:
			if !slices.Contains(known, key) {
				return Weights{}, fmt.Errorf("line %d: no check is called %q; the checks: %s", n, key, strings.Join(known, ", "))
			}
			p, err := strconv.ParseFloat(val, 64)
			if err != nil || p < 0 || p != p {
				return Weights{}, fmt.Errorf("line %d: %s: %q is not a number of points (0 or more)", n, key, val)
			}
			if _, dup := w.Points[key]; dup {
				return Weights{}, fmt.Errorf("line %d: %s is given twice", n, key)
			}
			w.Points[key] = p
		}
	}
	if err := sc.Err(); err != nil {
		return Weights{}, err
	}
	return w, nil
}

// Of is what check c is worth.
func (w Weights) Of(c grade.Result) float64 {
	id := c.ID
	if strings.HasPrefix(id, "not-on-") {
		id = "not-on"
	}
	if p, ok := w.Points[id]; ok {
		return p
	}
	if c.Required {
		return 1
	}
	return 0
}

// scored are the checks of a report that earn or lose points, with what
// each earned and could have: every check but the INFO ones that only
// explain (explained, one-host). A check earns its points when it passes
// (a warning, or a fact, passes); a required one that could not run
// earns none.
type scored struct {
	check       grade.Result
	earned, max float64
	// passed, or else failed, unless skipped: a check that is not
	// required and could not run neither passed nor failed.
	passed, skipped bool
}

func (w Weights) score(r grade.Report) (out []scored, earned, total float64) {
	for _, c := range r.Checks {
		if c.ID == "explained" || c.ID == "one-host" {
			continue
		}
		s := scored{check: c, max: w.Of(c)}
		s.passed = c.Status != grade.Fail && c.Status != grade.Skip
		s.skipped = c.Status == grade.Skip && !c.Required
		if s.passed {
			s.earned = s.max
		}
		earned += s.earned
		total += s.max
		out = append(out, s)
	}
	return out, earned, total
}
