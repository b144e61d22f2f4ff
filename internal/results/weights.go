package results

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
)

// Weights are the points of each check in every results file, from one
// file that the instructor edits (weights.txt, beside this file, or any
// file given with -weights). The zero Weights give a required check one
// point and any other none; Default gives the shipped file's.
type Weights struct {
	// Points are by check id. not-on is one check however many addresses
	// the server's host has.
	Points map[string]float64
	// Visibility and StdoutVisibility are Gradescope's settings of the
	// same names: when the tests, and run_autograder's output, are shown
	// to the student; "" leaves Gradescope's default.
	Visibility, StdoutVisibility string
	// Policy is what the course asks of a server ("policy lecture" or
	// "policy keep-serving"); "" is the lecture's (Serving).
	Policy grade.Policy
}

// Serving is the policy every grader applies: the file's, or the
// lecture's when it names none.
func (w Weights) Serving() grade.Policy {
	if w.Policy == "" {
		return grade.PolicyLecture
	}
	return w.Policy
}

// Total is what a submission that passes every check counted under the
// policy earns: the points of a grade whose checks are all counted (not-on
// is one check on any machine), the total a platform such as Gradescope
// must be told.
func (w Weights) Total() float64 {
	cfg := grade.Config{Addr: "192.0.2.1:8000", NotOn: []string{"192.0.2.2:8000"}, Policy: w.Serving()}
	rep := grade.NotRun(cfg, "")
	total := w.Of(grade.Result{ID: "program", Required: true})
	for _, c := range rep.Checks {
		if !c.Extra {
			total += w.Of(c)
		}
	}
	return round(total)
}

// shipped is weights.txt, carried in every binary: a grader run anywhere
// (client grade on a TA's laptop, laptop-b, Gradescope's container) gives
// the points a course set, with no file to find.
//
//go:embed weights.txt
var shipped []byte

// DefaultFile names the shipped weights in messages and flag help.
const DefaultFile = "internal/results/weights.txt"

// Default are the shipped weights (weights.txt). A shipped file that does
// not parse is a bug the tests catch, so it panics.
func Default() Weights {
	w, err := ParseWeights(bytes.NewReader(shipped))
	if err != nil {
		panic(fmt.Sprintf("results: the shipped %s: %v", DefaultFile, err))
	}
	return w
}

// DefaultText is the shipped weights file as it is written, comments
// included: what `just gradescope` puts in the zip for a course to edit.
func DefaultText() []byte { return bytes.Clone(shipped) }

// visibilities are Gradescope's values for its visibility settings.
var visibilities = []string{"hidden", "after_due_date", "after_published", "visible"}

// LoadWeights reads the weights file at path, or gives Default for "":
// what every grader's -weights FILE means.
func LoadWeights(path string) (Weights, error) {
	if path == "" {
		return Default(), nil
	}
	return ReadWeights(path)
}

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
// settings "policy lecture|keep-serving", "visibility VALUE" and
// "stdout_visibility VALUE"; # starts a comment. An id that is no check's, a number that is not one or is
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
		case "policy":
			p, err := grade.ParsePolicy(val)
			if err != nil {
				return Weights{}, fmt.Errorf("line %d: %w", n, err)
			}
			if w.Policy != "" {
				return Weights{}, fmt.Errorf("line %d: policy is given twice", n)
			}
			w.Policy = p
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
			if err != nil || p < 0 || math.IsNaN(p) || math.IsInf(p, 0) {
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

// Of is what check c is worth when it counts (a check beyond the policy,
// Result.Extra, never does: score says so).
func (w Weights) Of(c grade.Result) float64 {
	if p, ok := w.Points[c.ID]; ok {
		return p
	}
	if c.Required {
		return 1
	}
	return 0
}
