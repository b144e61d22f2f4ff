// Package results writes a grade as the files that graders' tools and
// platforms read: JUnit XML (an instructor's CI), Gradescope's results.json
// and PrairieLearn's results.json, each check worth the points of one
// weights file (weights.txt, carried in the binary: Default). Every grader
// writes them here, from one Submission: client grade (-junit, -gradescope),
// the class grader (internal/class: each student's junit.xml and
// results.json) and the one-host grader (internal/onehost: Gradescope and
// PrairieLearn). So the same checks give the same points, the same tests
// and the same words, whichever grader made them.
package results

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student"
)

// Submission is one grade, as every results file is written from it.
type Submission struct {
	// Report is the grade: its checks in order, its Name, Elapsed, Passed.
	Report grade.Report `json:"report"`
	// Verdict is the verdict's words, as the lab's laptop-b ends its log:
	// its line and the findings. "" for a grade of a server alone (client
	// grade), whose summary line stands for it.
	Verdict string `json:"verdict,omitempty"`
	// Findings explain what went wrong in the lecture's terms, the cause
	// first: each failed check's test says the ones that explain it.
	Findings []student.Finding `json:"findings,omitempty"`
	// Why, when not "", says why the submission was not graded, and its
	// Report has no checks: it has no program (the student's doing), or
	// the machine cannot grade it (Setup: the grader's, never the
	// student's; NoNetwork: a machine with loopback alone).
	Why       string `json:"why,omitempty"`
	Setup     bool   `json:"setup,omitempty"`
	NoNetwork bool   `json:"no_network,omitempty"`
	// OneHost marks a grade made on one host (Gradescope, PrairieLearn),
	// not across the lab; Notes say what one host cannot show.
	OneHost bool     `json:"one_host,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	// Output is what the program printed, capped, when the grader kept
	// it (one host); nil when it did not.
	Output *string `json:"output,omitempty"`
}

// FromVerdict is the grade of a student's program, rep (student.Graded's),
// with the verdict's words and findings: what laptop-b and the one-host
// grader write.
func FromVerdict(v student.Verdict, rep grade.Report) Submission {
	var b strings.Builder
	v.Grade = &rep // the words lead with the first cause of the grade written
	student.WriteVerdict(&b, v)
	return Submission{Report: rep, Verdict: b.String(), Findings: v.Findings}
}

// Graded says the program was run and graded.
func (s Submission) Graded() bool { return s.Why == "" }

// ReadJSON reads a Submission that WriteJSON wrote (client class reads
// laptop-b's so).
func ReadJSON(path string) (Submission, error) {
	var s Submission
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return s, nil
}

// WriteJSON writes the whole Submission as one JSON object and a newline.
func (s Submission) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(s)
}

// Points are what the submission earned, and could have, with weights w:
// the score of every results file.
func (s Submission) Points(w Weights) (earned, total float64) {
	_, earned, total = s.score(w)
	return earned, total
}

// explainOnly are the INFO checks that only explain (student.Graded's
// "explained", onehost's "one-host"): their words are the summary's, at
// the top of each file, not a test of their own.
var explainOnly = []string{"explained", "one-host"}

// scored is a check as every results file lists it, with what it earned
// and could have. A check earns its points when it passes (a warning, or
// a fact, passes). One that could not run is "not run", never failed: if
// the policy requires it, it earns nothing of its points (its cause,
// another check, is the failure); if not, it is worth nothing. A check
// beyond the policy (grade.Result.Extra: the checks that need more than
// the lecture's one call, under its policy) is worth nothing either.
type scored struct {
	check       grade.Result
	earned, max float64
	// passed, or failed (a FAIL), or neither: not run.
	passed, failed, notRun bool
}

func (s Submission) score(w Weights) (out []scored, earned, total float64) {
	if !s.Graded() {
		return nil, 0, 0
	}
	for _, c := range s.Report.Checks {
		if slices.Contains(explainOnly, c.ID) {
			continue
		}
		sc := scored{check: c}
		sc.notRun = c.Status == grade.Skip
		sc.failed = c.Status == grade.Fail
		sc.passed = !sc.notRun && !sc.failed
		if !c.Extra && (c.Required || !sc.notRun) {
			sc.max = round(w.Of(c))
		}
		if sc.passed {
			sc.earned = sc.max
		}
		earned += sc.earned
		total += sc.max
		out = append(out, sc)
	}
	return out, round(earned), round(total)
}

// verdict is the grade's one word: PASS or FAIL, or "not graded".
func (s Submission) verdict() string {
	switch {
	case !s.Graded():
		return "not graded"
	case s.Report.Passed:
		return "PASS"
	}
	return "FAIL"
}

// summary is the top of a results file: the verdict and its findings (or
// the grade's summary line), what one host cannot show, and the program's
// own output, capped; for a submission that was not graded, why not.
func (s Submission) summary() string {
	if !s.Graded() {
		return "not graded: " + s.Why + "\n"
	}
	var b strings.Builder
	if s.Verdict != "" {
		b.WriteString(s.Verdict)
	} else {
		b.WriteString(s.Report.Summary())
	}
	if len(s.Notes) > 0 {
		b.WriteString("\nWhat one host cannot show:\n")
		for _, n := range s.Notes {
			b.WriteString("  - " + n + "\n")
		}
	}
	if s.Output != nil {
		b.WriteString("\nWhat your program printed:\n")
		if *s.Output == "" {
			b.WriteString("  (nothing)\n")
		} else {
			b.WriteString(indent(*s.Output))
		}
	}
	return b.String()
}

// indent sets each line of s two spaces in, so it reads apart from the
// grader's own lines.
func indent(s string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return "  " + strings.Join(lines, "  ") + "\n"
}

// checkText is a check as the grader prints it (grade.WriteResult): status,
// title, reason, and the fix on a line of its own.
func checkText(c grade.Result) string {
	var b strings.Builder
	grade.WriteResult(&b, c)
	return b.String()
}

// explanation is what a check's test shows: the check's line, and for a
// failure what explains it in the lecture's terms: every finding for
// "program" (which fails only for a program that never listened), the
// first cause's words for the check that carries it, and the findings that
// name its mistake for another.
func (s Submission) explanation(sc scored) string {
	out := checkText(sc.check)
	if !sc.failed || len(s.Findings) == 0 {
		return strings.TrimSuffix(out, "\n")
	}
	if sc.check.ID == "program" {
		out += "\nWhat went wrong, in the lecture's terms:\n"
		for _, f := range s.Findings {
			out += "  - " + f.String() + "\n"
		}
		return strings.TrimSuffix(out, "\n")
	}
	said := map[string]bool{}
	if c, ok := student.FirstCause(s.Report, s.Findings); ok && c.Finding != nil && c.Check.ID == sc.check.ID {
		out += "\nIn the lecture's terms: " + c.Finding.String() + "\n"
		said[c.Finding.String()] = true
	}
	for _, f := range s.Findings {
		if student.Explains(sc.check.ID, f.ID) && !said[f.String()] {
			out += "\nIn the lecture's terms: " + f.String() + "\n"
			said[f.String()] = true
		}
	}
	return strings.TrimSuffix(out, "\n")
}

// testName is a check as every results file lists it, the same for every
// student: "echo-3000: echoes one read of 3000 bytes", never with an
// address.
func testName(c grade.Result) string { return c.ID + ": " + c.Name }

// round is x to a hundredth, as points and seconds are shown.
func round(x float64) float64 { return math.Round(x*100) / 100 }
