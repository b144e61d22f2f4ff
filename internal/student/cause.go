package student

import (
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
)

// explains are the findings (Finding.ID, a hint's without its "hint-")
// that explain each check's failure. A finding not listed here (a crash, a
// build error, a fault the explanations learn later) explains whichever
// check failed first, when it leads the findings.
var explains = map[string][]string{
	"answers": {"loopback", "wrong-port", "no-htons", "en0", "other-address", "no-bind"},
	"greeting": {"no-newline", "str-send", "greet-late", "no-greeting", "nul-no-newline", "crlf", "bytes-repr",
		"backslash-n", "write-utf", "utf-16", "greeting-case", "greeting-space", "greeting-words", "greeting-nul",
		"greeting-twice", "greeting-blank-line", "greeting-extra", "hello", "sizeof-send", "no-nul", "no-flush"},
	"greeting-first": {"greet-late"},
	"echo": {"recv-until-close", "echo-stripped", "echo-extra-newline", "echo-repr", "echo-twice", "read-line", "readline", "no-flush",
		// Bytes after the greeting's newline reach the caller as the start
		// of the echo.
		"greeting-nul", "greeting-extra", "greeting-twice", "greeting-blank-line", "sizeof-send", "no-nul"},
	"echo-crlf":   {"echo-stripped"},
	"echo-1000":   {"read-limit"},
	"echo-3000":   {"recv-until-close", "echo-loop", "read-limit"},
	"hangs-up":    {"recv-until-close", "never-closed", "echo-loop", "destroy", "defer-in-loop"},
	"not-on":      {"all-interfaces"},
	"still-there": {"one-call"},
}

// Explains says whether the finding with id explains a failure of check.
func Explains(check, finding string) bool {
	if strings.HasPrefix(check, "not-on-") {
		check = "not-on"
	}
	return slices.Contains(explains[check], strings.TrimPrefix(finding, "hint-"))
}

// tied says a finding explains some check's failure: a crash, a build
// error, an ending is tied to none, and explains whichever check failed
// first.
func tied(finding string) bool {
	for _, ids := range explains {
		if slices.Contains(ids, strings.TrimPrefix(finding, "hint-")) {
			return true
		}
	}
	return false
}

// Cause is the one failure that explains a grade: the check it failed and
// the finding that says why in the lecture's terms, if one does.
type Cause struct {
	Check   grade.Result
	Finding *Finding
}

// FirstCause finds, in a grade's checks and its findings, the one failure
// that explains the rest: the first required check that failed (the lab's
// "program" comes first, and a program that never listened explains every
// check after it, all "not run"), or when none failed the first that
// could not run; and the finding that explains it: for "program" the
// first finding (the crash, the build, the ending), for another check the
// first finding that names its mistake, or else the first finding if that
// is tied to no check (a crash during the calls explains the first check
// it broke). ok is false for a grade with no failure to explain.
func FirstCause(rep grade.Report, fs []Finding) (Cause, bool) {
	var cause Cause
	found := false
	for _, c := range rep.Checks {
		if c.Required && c.Status == grade.Fail {
			cause.Check, found = c, true
			break
		}
	}
	if !found && !rep.Interrupted {
		for _, c := range rep.Checks {
			if c.Required && c.Status == grade.Skip {
				cause.Check, found = c, true
				break
			}
		}
	}
	if !found {
		return cause, false
	}
	for i, f := range fs {
		if Explains(cause.Check.ID, f.ID) {
			cause.Finding = &fs[i]
			return cause, true
		}
	}
	if len(fs) > 0 && !strings.HasPrefix(fs[0].ID, "hint-") && !note(fs[0]) &&
		(cause.Check.ID == "program" || !tiedToAnother(fs[0].ID, rep)) {
		cause.Finding = &fs[0]
	}
	return cause, true
}

// tiedToAnother says the finding explains a check of rep's that did not
// pass (it failed, or could not run): it is that check's, not the
// cause's. A finding tied only to checks that passed, or to none, is the
// explanations' word for what went wrong, and leads.
func tiedToAnother(finding string, rep grade.Report) bool {
	if !tied(finding) {
		return false
	}
	for _, c := range rep.Checks {
		if Explains(c.ID, finding) && c.Status != grade.Pass && c.Status != grade.Warn && c.Status != grade.Info {
			return true
		}
	}
	return false
}

// orderedFindings is fs with the first cause's finding first, as every
// output leads with it.
func orderedFindings(fs []Finding, rep grade.Report) []Finding {
	c, ok := FirstCause(rep, fs)
	if !ok || c.Finding == nil {
		return fs
	}
	lead := *c.Finding
	out := []Finding{lead}
	for _, f := range fs {
		if f != lead {
			out = append(out, f)
		}
	}
	return out
}

// note says a finding is a note (what a word in the lines above means, a
// reset or an empty read), never a cause.
func note(f Finding) bool {
	return strings.HasPrefix(f.ID, "note-") || strings.HasPrefix(f.Says, "note: ")
}
