package results

import (
	"strings"

	"github.com/socketlab/socketlab/internal/student"
)

// Cause is the one failure that explains a submission's grade: the first
// cause. Every output of a grade leads with it, in the same words (the
// transcript's verdict, results.json, junit.xml, the summary's note), and a
// class's summary ranks its causes by ID.
type Cause struct {
	// ID names the mistake, the same for every student who made it: the
	// finding that explains the failure ("str-send", "loopback",
	// "python2-print", "never-closed", "empty-file"), else the check that
	// failed ("greeting"). "" for a grade that passed.
	ID string `json:"id"`
	// Check is the check the cause failed ("program", "answers", ...);
	// "" for a submission that was not graded.
	Check string `json:"check,omitempty"`
	// Says is the cause in the lecture's terms: the finding's words, or
	// the check's reason when no finding explains it.
	Says string `json:"says"`
}

// Cause IDs beyond the findings' and the checks'.
const (
	CauseNotGraded   = "not-graded"  // no program to run (the student's doing)
	CauseSetup       = "setup"       // the grader's machine could not grade (never the student's)
	CauseInterrupted = "interrupted" // the grade was stopped before its verdict
)

// String is the cause as a summary's note says it: "greeting: words".
func (c Cause) String() string {
	if c.Check == "" {
		return c.Says
	}
	return c.Check + ": " + c.Says
}

// FirstCause is the one failure that explains the submission's grade, or
// the zero Cause for a grade that passed: the first required check that
// failed (the lab's "program" first: a program that never listened
// explains every check after it, all "not run"), in the words of the
// finding that names its mistake, as student.FirstCause finds them. Every
// writer leads with it; the checks that could not run because of it are
// "not run", never causes of their own.
func (s Submission) FirstCause() Cause {
	switch {
	case s.Setup:
		return Cause{ID: CauseSetup, Says: s.Why}
	case !s.Graded():
		return Cause{ID: CauseNotGraded, Says: s.Why}
	case s.Report.Passed:
		return Cause{}
	}
	c, ok := student.FirstCause(s.Report, s.Findings)
	switch {
	case ok && c.Finding != nil:
		return Cause{ID: strings.TrimPrefix(c.Finding.ID, "hint-"), Check: c.Check.ID, Says: c.Finding.String()}
	case ok:
		return Cause{ID: c.Check.ID, Check: c.Check.ID, Says: c.Check.Reason}
	case s.Report.Interrupted:
		return Cause{ID: CauseInterrupted, Says: "the grade was interrupted before its verdict."}
	case len(s.Findings) > 0:
		f := s.Findings[0]
		return Cause{ID: strings.TrimPrefix(f.ID, "hint-"), Says: f.String()}
	}
	return Cause{ID: "failed", Says: strings.TrimSpace(s.Report.Summary())}
}
