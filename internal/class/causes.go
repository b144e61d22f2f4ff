package class

import (
	"fmt"
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/results"
)

// The class at a glance: how many passed, and what kept the others from
// passing, counted by first cause (results.Submission.FirstCause): the
// list a lecturer re-teaches from.

// verdictOrder is the order the verdicts are counted in.
var verdictOrder = []string{"PASS", "FAIL", NotGraded, TimedOut, LabError, Interrupted, Waiting}

// count is a verdict and how many rows have it.
type count struct {
	Verdict string
	N       int
}

func verdictCounts(rows []Row) []count {
	n := map[string]int{}
	for _, r := range rows {
		n[r.Verdict]++
	}
	var out []count
	for _, v := range verdictOrder {
		if n[v] > 0 {
			out = append(out, count{v, n[v]})
		}
	}
	return out
}

// countWords is "84 PASS, 30 FAIL, 3 not graded".
func countWords(cs []count) string {
	if len(cs) == 0 {
		return "none"
	}
	var w []string
	for _, c := range cs {
		w = append(w, fmt.Sprintf("%d %s", c.N, c.Verdict))
	}
	return strings.Join(w, ", ")
}

// cause is the row's first cause: its grade's, or the reason it has no
// grade. A pass has none; neither has a row the run has not come to.
func (r Row) cause() results.Cause {
	switch r.Verdict {
	case "PASS", Interrupted, Waiting:
		return results.Cause{}
	case NotGraded:
		if r.Grade == nil {
			return results.Cause{ID: results.CauseNotGraded, Says: r.Note}
		}
	case TimedOut:
		return results.Cause{ID: "timed-out", Says: r.Note}
	case LabError:
		return results.Cause{ID: "lab-error", Says: r.Note}
	}
	if r.Grade == nil {
		return results.Cause{ID: "other", Says: r.Note}
	}
	if r.Grade.Graded() && r.Grade.Report.Passed {
		return results.Cause{}
	}
	c := r.Grade.FirstCause()
	if c.ID == "" {
		c = results.Cause{ID: "other", Says: r.Note}
	}
	return c
}

// points are what the row's grade earned of its total, "18/20"; "" for a
// row with no grade.
func (r Row) points(w results.Weights) string {
	if r.noProgram() {
		return fmt.Sprintf("0/%g", w.Total())
	}
	if r.Grade == nil {
		return ""
	}
	earned, total := r.Grade.Points(w)
	return fmt.Sprintf("%g/%g", earned, total)
}

// noProgram says the submission held no program to grade: the student's
// doing, so it scores 0 in every output (internal/lms gives it 0 too),
// unlike a row whose grade is not known (the lab's fault, a timeout).
func (r Row) noProgram() bool {
	return r.Grade == nil && r.Verdict == NotGraded && r.Sub.Program == ""
}

// causeLabels name the common first causes in a few words, for the
// ranking; any other is named by the check it failed (causeLabel): a
// group's label is what its students share, never one student's line.
var causeLabels = map[string]string{
	"all-interfaces":       "bound all addresses (0.0.0.0 or ::), not eth0's",
	"loopback":             "bound localhost, which only its own machine can call",
	"en0":                  "asked for en0 (a Mac's interface), not eth0",
	"wrong-port":           "listened on another port than 8000",
	"no-htons":             "set the port without htons()",
	"python2":              "wrote Python 2, which Python 3 refuses",
	"python2-print":        "wrote Python 2, which Python 3 refuses",
	"str-send":             "sent a str, not bytes",
	"no-newline":           `greeted without the newline ("hello" for "hello\n")`,
	"never-closed":         "never closed a call",
	"recv-until-close":     "read until the caller hung up, not once",
	"one-call":             "served one call, then ended",
	"process-limit":        "started processes without end (a fork bomb)",
	"killed":               "was killed for using too much memory",
	"stuck":                "got stuck before bind() and listen()",
	"never-listened":       "never listened",
	"compile":              "did not compile",
	"crash":                "crashed",
	"no-greeting":          `never greeted with "hello\n"`,
	"greet-late":           "greeted only after the caller spoke",
	"other-address":        "bound an address that is not eth0's",
	"no-bind":              "listened without bind(), on a random port",
	"read-limit":           "read less than the lecture's 1000 bytes",
	"empty":                "handed in an empty file",
	"empty-file":           "handed in an empty file",
	"syntax":               "handed in Python that could not be read (a syntax error)",
	"name-error":           "used a name that was never defined (a typo)",
	"address-in-use":       "found port 8000 taken",
	"address-not-here":     "bound an address its machine does not have",
	"permission-port":      "asked for a port below 1024",
	"no-module":            "imported a module the lab does not have",
	"no-file":              "opened a file that is not there",
	"accept-before-listen": "called accept() before listen()",
	"closed-socket":        "used a socket after closing it",
	"bind-two-arguments":   "gave bind() two arguments, not one (ip, port) pair",
	"port-string":          "gave the port as a string, not a number",
	"recv-no-size":         "called recv() without a size",
	"memory":               "ran out of memory",
	"file-too-large":       "wrote a file too large",
	"segfault":             "crashed (a segmentation fault)",
	"node-crash":           "crashed (Node.js)",
	"build":                "did not build",
	// A first cause no finding explains is the check that failed.
	"program":     "did not run and listen",
	"answers":     "did not answer on eth0's address",
	"greeting":    `did not greet with "hello\n"`,
	"echo":        "did not echo what the caller sent",
	"hangs-up":    "did not hang up after the echo",
	"not-on":      "answered on another address too",
	"still-there": "stopped answering after a call",
	"not-graded":  "not graded: no program found in the submission",
	"timed-out":   "gave no verdict within the time limit",
	"lab-error":   "the lab failed (not the student's fault)",
}

// causeGroup is one first cause and the rows it explains.
type causeGroup struct {
	ID, Label string
	Rows      []Row
}

// names are the first n students' names, and how many more.
func (g causeGroup) names(n int) []string {
	var out []string
	for i, r := range g.Rows {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(g.Rows)-n))
			break
		}
		out = append(out, r.Sub.Name)
	}
	return out
}

// rankCauses groups the rows that did not pass by first cause, the most
// common first (ties in the order the causes first appear).
func rankCauses(rows []Row) []causeGroup {
	var groups []causeGroup
	at := map[string]int{}
	for _, r := range rows {
		c := r.cause()
		if c.ID == "" {
			continue
		}
		// Grouped by label: causes without words of their own are named,
		// and so counted, by the check they failed.
		label := causeLabel(c)
		i, ok := at[label]
		if !ok {
			i = len(groups)
			at[label] = i
			groups = append(groups, causeGroup{ID: c.ID, Label: label})
		}
		groups[i].Rows = append(groups[i].Rows, r)
	}
	slices.SortStableFunc(groups, func(a, b causeGroup) int { return len(b.Rows) - len(a.Rows) })
	return groups
}

// causeLabel is a first cause in general words: its own label, else the
// label of the check it failed, else the reason a row has no grade. One
// student's words ("line 24: ...") would name a group whose students made
// different mistakes.
func causeLabel(c results.Cause) string {
	if l := causeLabels[c.ID]; l != "" {
		return l
	}
	if l := causeLabels[c.Check]; l != "" {
		return l
	}
	if l := firstSentence(c.Says, 90); l != "" {
		return l
	}
	return c.ID
}

// firstSentence is s up to its first ". ", cut to at most n bytes.
func firstSentence(s string, n int) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(s, ".")
	if len(s) > n {
		cut := strings.LastIndex(s[:n], " ")
		if cut < n/2 {
			cut = n
		}
		s = strings.ToValidUTF8(s[:cut], "") + " …"
	}
	return s
}
