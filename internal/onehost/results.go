package onehost

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
)

// What a platform's results file says, built once for both: the texts of a
// grade in the lab's words. gradescope.go and prairielearn.go only lay
// them out as each platform asks.

// checkText is a check as the lab's laptop-b prints it: status, title,
// reason, and the fix on a line of its own.
func checkText(c grade.Result) string {
	s := fmt.Sprintf("%-4s  %s: %s\n", c.Status, c.Title, c.Reason)
	if c.Fix != "" {
		s += "      fix: " + c.Fix + "\n"
	}
	return s
}

// explanation is what a check's test shows: the check's line, and for a
// failure what explains it in the lecture's terms: every finding for
// "program" (the cause), the first for a check that failed because the
// program did.
func (r Result) explanation(s scored) string {
	out := checkText(s.check)
	if s.passed || s.skipped || len(r.Verdict.Findings) == 0 {
		return strings.TrimSuffix(out, "\n")
	}
	switch {
	case s.check.ID == "program":
		out += "\nWhat went wrong, in the lecture's terms:\n"
		for _, f := range r.Verdict.Findings {
			out += "  - " + f.String() + "\n"
		}
	case r.programFailed():
		out += "\nWhy: " + r.Verdict.Findings[0].String() + "\n"
	default:
		for _, f := range r.Verdict.Findings {
			if slices.Contains(explains[s.check.ID], strings.TrimPrefix(f.ID, "hint-")) {
				out += "\nIn the lecture's terms: " + f.String() + "\n"
			}
		}
	}
	return strings.TrimSuffix(out, "\n")
}

// explains are the findings (student.Finding.ID, a hint's without its
// "hint-") that explain each check's failure, for a program that ran.
var explains = map[string][]string{
	"answers":     {"loopback", "wrong-port", "en0"},
	"greeting":    {"no-newline", "str-send"},
	"echo":        {"recv-until-close"},
	"echo-3000":   {"recv-until-close"},
	"hangs-up":    {"recv-until-close"},
	"not-on":      {"all-interfaces"},
	"not-on-2":    {"all-interfaces"},
	"still-there": {"one-call"},
}

func (r Result) programFailed() bool {
	for _, c := range r.Grade.Checks {
		if c.ID == "program" {
			return c.Status == grade.Fail
		}
	}
	return false
}

// summary is the top of a results file: the verdict and its findings,
// what one host cannot show, and the program's own output, capped.
func (r Result) summary() string {
	var b strings.Builder
	b.WriteString(r.VerdictText())
	if len(r.Notes) > 0 {
		b.WriteString("\nWhat one host cannot show:\n")
		for _, n := range r.Notes {
			b.WriteString("  - " + n + "\n")
		}
	}
	if r.Graded {
		b.WriteString("\nWhat your program printed:\n")
		if r.Output == "" {
			b.WriteString("  (nothing)\n")
		} else {
			b.WriteString(indent(r.Output))
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

// testName is a check as a platform lists it, the same for every student:
// "echo-3000: echoes one read of 3000 bytes", never with an address.
func testName(c grade.Result) string { return c.ID + ": " + c.Name }

// round is x to a hundredth, as points are shown.
func round(x float64) float64 { return math.Round(x*100) / 100 }
