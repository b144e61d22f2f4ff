package results

import (
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student"
)

// Cause is the one failure that explains a submission's grade: the first
// cause. Every output of a grade leads with it, in the same words (the
// transcript's verdict, results.json, junit.xml, the summary's note), and a
// class's summary ranks its causes by ID.
type Cause struct {
	// ID names the mistake, the same for every student who made it: the
	// finding that explains the failure ("str-send", "loopback",
	// "python2-print", "never-closed"), else the check that failed
	// ("greeting"). "" for a grade that passed.
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
// the zero Cause for a grade that passed. It is the first required check
// that failed, in the grade's order (the program's own check first: a
// program that never listened explains every refused call), explained by
// the finding that names that check's mistake; the checks that could not
// run because of it are "not run", never causes of their own.
func (s Submission) FirstCause() Cause {
	switch {
	case s.Setup:
		return Cause{ID: CauseSetup, Says: s.Why}
	case !s.Graded():
		return Cause{ID: CauseNotGraded, Says: s.Why}
	case s.Report.Passed:
		return Cause{}
	}
	c, ok := s.causeCheck()
	if !ok {
		if s.Report.Interrupted {
			return Cause{ID: CauseInterrupted, Says: "the grade was interrupted before its verdict."}
		}
		// Failed with no check to show for it: the verdict's words.
		if len(s.Findings) > 0 {
			f := s.Findings[0]
			return Cause{ID: strings.TrimPrefix(f.ID, "hint-"), Says: f.String()}
		}
		return Cause{ID: "failed", Says: strings.TrimSpace(s.Report.Summary())}
	}
	cause := Cause{ID: c.ID, Check: c.ID, Says: c.Reason}
	if f, ok := s.findingFor(c); ok {
		cause.ID, cause.Says = strings.TrimPrefix(f.ID, "hint-"), f.String()
	}
	return cause
}

// causeCheck is the check that carries the first cause: the first
// required check that failed, or, when none did, the first that could not
// run (a grade that could not observe what it needed).
func (s Submission) causeCheck() (grade.Result, bool) {
	checks := s.Report.Checks
	for _, c := range checks {
		if c.Required && c.Status == grade.Fail {
			return c, true
		}
	}
	if s.Report.Interrupted {
		return grade.Result{}, false
	}
	for _, c := range checks {
		if c.Required && c.Status == grade.Skip {
			return c, true
		}
	}
	return grade.Result{}, false
}

// findingFor is the finding that explains check c's failure: for the
// program's own check, the first finding (the crash, the build, the
// ending); for another, the first finding that names its mistake.
func (s Submission) findingFor(c grade.Result) (student.Finding, bool) {
	if len(s.Findings) == 0 {
		return student.Finding{}, false
	}
	if c.ID == "program" {
		return s.Findings[0], true
	}
	for _, x := range s.Findings {
		if slices.Contains(explains[c.ID], strings.TrimPrefix(x.ID, "hint-")) {
			return x, true
		}
	}
	return student.Finding{}, false
}
