package student

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
)

// say prints the verdict and its findings, after a blank line.
func (c *checker) say(v Verdict) {
	fmt.Fprintln(c.cfg.Out)
	WriteVerdict(c.cfg.Out, v)
}

// WriteVerdict writes the verdict's line and its findings, as the lab's
// laptop-b ends its log. A failure's first cause comes first, in the words
// every other output of the grade gives it (results.Submission.FirstCause):
// its finding, or the failed check's reason when no finding explains it.
// A pass's findings are notes: the lecture's one-call script passes, and a
// real server keeps answering.
func WriteVerdict(out io.Writer, v Verdict) {
	name := programName(v.Report)
	if v.Passed {
		fmt.Fprintf(out, "verdict: PASS: your %s on laptop-a answered laptop-b across the lab as the lecture's server does.\n", name)
		for _, f := range v.Findings {
			if note(f) {
				fmt.Fprintf(out, "  - %s\n", f)
			} else {
				fmt.Fprintf(out, "  - note: %s\n", f)
			}
		}
		return
	}
	fmt.Fprintf(out, "verdict: FAIL: your %s %s.\n", name, failWords(v))
	fs := v.Findings
	if v.Grade != nil {
		fs = orderedFindings(fs, *v.Grade)
		if c, ok := FirstCause(*v.Grade, fs); ok && c.Finding == nil {
			fmt.Fprintf(out, "  - %s: %s\n", c.Check.ID, c.Check.Reason)
		}
	}
	if len(fs) == 0 && v.Grade == nil {
		fmt.Fprintln(out, "  - see the FAIL lines above.")
	}
	// The lecture's policy asks one call: ending after it is no mistake,
	// so it is a note, after the mistakes (a list of what "would stop it
	// next" held it).
	lecture := v.Grade != nil && v.Grade.Policy == grade.PolicyLecture
	oneCall := func(f Finding) bool { return lecture && (f.ID == "one-call" || f.ID == "hint-one-call") }
	if len(fs) > 1 {
		rest := fs[1:]
		notes := slices.DeleteFunc(slices.Clone(rest), func(f Finding) bool { return !oneCall(f) })
		fs = append(append([]Finding{fs[0]}, slices.DeleteFunc(slices.Clone(rest), oneCall)...), notes...)
	}
	for i, f := range fs {
		if i == 1 && strings.HasPrefix(f.ID, "hint-") || i > 1 && strings.HasPrefix(f.ID, "hint-") && !strings.HasPrefix(fs[i-1].ID, "hint-") {
			fmt.Fprintln(out, "  also in your file:")
		}
		note := ""
		if oneCall(f) {
			note = "note: "
		}
		fmt.Fprintf(out, "  - %s%s\n", note, f)
	}
}

// printer writes a grade's checks as the transcript shows them, one line
// each, but checks that could not run for the same reason folded into one
// line, named as their own lines would name them: "SKIP  not run: it ended
// after one call: echoes a telnet line ending "\r\n"; echoes 1000 bytes
// whole; ...".
type printer struct {
	out     io.Writer
	pending []grade.Result
}

func (p *printer) check(r grade.Result) {
	if r.Status == grade.Skip {
		if len(p.pending) > 0 && p.pending[0].Reason != r.Reason {
			p.flush()
		}
		p.pending = append(p.pending, r)
		return
	}
	p.flush()
	grade.WriteResult(p.out, r)
}

// flush writes the checks held back: one alone as it is, several as one line.
func (p *printer) flush() {
	switch len(p.pending) {
	case 0:
		return
	case 1:
		grade.WriteResult(p.out, p.pending[0])
	default:
		// "; " between them: a title may hold a comma (not reachable on
		// a, b and c).
		titles := make([]string, len(p.pending))
		for i, r := range p.pending {
			titles[i] = r.Title
		}
		fmt.Fprintf(p.out, "%-4s  %s: %s\n", grade.Skip, strings.TrimSuffix(p.pending[0].Reason, "."), strings.Join(titles, "; "))
	}
	p.pending = nil
}

// failWords says in a few words how it failed.
func failWords(v Verdict) string {
	r := v.Report
	switch {
	case r.LabFault != "":
		return "could not be run by the lab (not your program's fault)"
	case r.BuildFailed() && r.Build.TimedOut:
		return fmt.Sprintf("did not build within %v", r.Build.Limit)
	case r.BuildFailed() && r.Build.Error == nil && r.Build.Problem != "":
		return "could not be built"
	case r.BuildFailed():
		return "did not compile"
	case r.Exited() && r.StartError != "" && len(r.Command) == 0:
		return "was not found"
	case r.Exited() && r.StartError != "":
		return "could not be started"
	case r.Exited() && len(r.Listening) == 0:
		if r.ExitCode != 0 || r.Signal != "" {
			return "stopped before it listened"
		}
		return "ended before it listened"
	case r.State != "" && len(r.Listening) == 0 && v.Call.DialErr != nil:
		return "never listened"
	}
	// It listened: the words of the check that carries the first cause.
	cause := ""
	if v.Grade != nil {
		if c, ok := FirstCause(*v.Grade, v.Findings); ok {
			cause = c.Check.ID
		}
	}
	crashed := r.Exited() && (r.ExitCode != 0 || r.Signal != "")
	switch {
	case cause == "answers" || cause == "" && v.Call.DialErr != nil:
		return "did not answer laptop-b's call"
	case crashed:
		return "crashed during a call"
	case cause == "still-there" && r.Exited():
		return "served one call, then ended"
	case cause == "still-there":
		return "stopped answering"
	case cause == "greeting" || cause == "greeting-first":
		return "did not greet as the lecture's server does"
	case strings.HasPrefix(cause, "echo"):
		return "did not echo as the lecture's server does"
	case cause == "hangs-up":
		return "did not hang up after the echo"
	case strings.HasPrefix(cause, "not-on"):
		return "answers on another address too"
	}
	return "did not do all the lecture asks"
}

// programName is the student's file, or the command, as the verdict names it.
func programName(r Report) string {
	switch {
	case r.File != "":
		return path.Base(r.File)
	case len(r.Command) > 0:
		// The file the command names, even one that is not there:
		// "python3 -u server.py" is the student's server.py, not python3.
		for _, a := range r.Command[1:] {
			if !strings.HasPrefix(a, "-") && path.Ext(a) != "" {
				return path.Base(a)
			}
		}
		return path.Base(r.Command[0])
	}
	return "server"
}
