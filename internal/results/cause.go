package results

import (
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
)

// Cause is the one failure that explains the rest of a grade: an id that
// a class counts by, and its words.
type Cause struct{ ID, Text string }

// FirstCause is the failure that explains the rest: the first finding of
// a grade that did not pass, or else its first failed check; "not-graded"
// with the reason for a submission that was not graded; none for a pass.
func (s Submission) FirstCause() Cause {
	if !s.Graded() {
		return Cause{ID: "not-graded", Text: s.Why}
	}
	if s.Report.Passed {
		return Cause{}
	}
	if len(s.Findings) > 0 {
		f := s.Findings[0]
		return Cause{ID: strings.TrimPrefix(f.ID, "hint-"), Text: f.String()}
	}
	for _, c := range s.Report.Checks {
		if c.Status == grade.Fail || c.Required && c.Status == grade.Skip {
			return Cause{ID: c.ID, Text: c.Reason}
		}
	}
	return Cause{}
}
