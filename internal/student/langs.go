package student

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// leakedCalls is how many calls a server must still hold open, after
// every caller hung up, for the verdict to say it never closes them: one
// could be a call still ending.
const leakedCalls = 3

// phrases are the fixes in the program's language, with the student's own
// names for the sockets where the source shows them.
func (r Report) phrases() lang.Phrases { return lang.PhrasesIn(r.language(), r.Source) }

// graderFix is the grader's fix in the program's language and names.
func (r Report) graderFix(fix string) string { return lang.GraderFixIn(r.language(), r.Source, fix) }

// buildFindings explains a program that never ran: none was found in the
// folder, or it did not build. The compiler's first error comes first, at
// its line, with what it means; then the mistakes the source shows, which
// the student meets next.
func buildFindings(rep Report) []Finding {
	if rep.Build == nil {
		return []Finding{{ID: "no-program", Says: strings.TrimSuffix(rep.StartError, ": "+lang.ErrNoProgram.Error()) + ". Name your program server.py, server.c, server.cpp, Server.java, server.js or server.go (client.* for a client), or name it with STUDENT_FILE."}}
	}
	if f, ok := emptyProgram(programOf(rep)); ok && rep.Build.Error != nil && noMain.MatchString(rep.Build.Error.Message) {
		return []Finding{f}
	}
	b := rep.Build
	name := programName(rep)
	var f Finding
	switch {
	case b.TimedOut:
		f = Finding{ID: "build-time", Says: fmt.Sprintf("your %s did not build within %v, the lab's limit for %s: the build was stopped. A lecture's server builds in seconds; a Makefile that runs the program, or waits for input, never ends.", name, b.Limit, b.Lang)}
	case b.Error != nil:
		e := b.Error
		f = Finding{ID: "compile", Says: fmt.Sprintf("your %s did not compile: %s", name, e.Message)}
		if e.Detail != "" {
			f.Says += " (" + e.Detail + ")"
		}
		if ef := baseName(e.File); ef != "" && ef != name && ef != "Makefile" {
			f.Says = fmt.Sprintf("your %s did not compile: in %s: %s", name, ef, e.Message)
		} else {
			f.Line = e.Line
		}
		if m := lang.Meaning(b.Lang, *e); m != "" {
			f.Says += " — " + m
		} else {
			f.Says += "."
		}
	case b.Problem != "":
		f = Finding{ID: "build", Says: b.Problem + "."}
	default:
		f = Finding{ID: "compile", Says: fmt.Sprintf("your %s did not compile: %s exited with status %d (its output is in laptop's log above).", name, firstWord(b.Command), b.ExitCode)}
	}
	return withHints([]Finding{f}, rep, nil)
}

// noMain is a compiler's word for a file with no code: no main() to
// link, no package clause.
var noMain = regexp.MustCompile("undefined reference to [`'‘]main['’]|expected 'package', found 'EOF'|function main is undeclared")

func baseName(p string) string {
	if p == "" {
		return ""
	}
	return p[strings.LastIndex(p, "/")+1:]
}

func firstWord(cmd []string) string {
	if len(cmd) == 0 {
		return "the build"
	}
	return cmd[0]
}

// hint is a mistake the source shows; explains says it is the cause of a
// check that failed.
type hint struct {
	Finding
	explains bool
}

// sourceHints are the mistakes the program's source shows: the lecture's
// pitfalls for Python, each language's own for the others, those that
// explain only some checks kept when one of them failed.
func sourceHints(rep Report, failed []string) []hint {
	l := rep.language()
	var out []hint
	if l == lang.Python {
		for _, f := range SourceHints(rep.Source) {
			out = append(out, hint{Finding: f})
		}
		return out
	}
	for _, h := range lang.Hints(l, rep.Source) {
		explains := slices.ContainsFunc(h.When, func(id string) bool { return slices.Contains(failed, id) })
		if len(h.When) > 0 && !explains {
			continue
		}
		out = append(out, hint{Finding: Finding{ID: h.ID, Line: h.Line, Says: h.Says}, explains: explains})
	}
	return out
}

// failedChecks are the IDs of the grade's checks that failed or warned.
func failedChecks(g grade.Report) []string {
	var ids []string
	for _, c := range g.Checks {
		if c.Status == grade.Fail || c.Status == grade.Warn {
			id := c.ID
			if strings.HasPrefix(id, "not-on") {
				id = "not-on"
			}
			ids = append(ids, id)
		}
	}
	return ids
}
