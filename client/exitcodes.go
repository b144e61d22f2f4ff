package main

import (
	"fmt"
	"strings"
)

// The client's exit statuses, the same in every command. exitCodes says
// what each means; client -h prints it whole, and each command's -h the
// ones it uses (exitUses).
const (
	exitOK          = 0
	exitNetwork     = 1
	exitUsage       = 2
	exitMismatch    = 3
	exitFail        = 4
	exitInterrupted = 130 // 128 + SIGINT, as a shell reports a command stopped by Ctrl-C
)

var exitCodes = []struct {
	code  int
	short string // in a command's -h: "1 network error"
	long  string // in client -h, wrapped there
}{
	{exitOK, "ok", "ok: the call went as asked, the grade passed, the report was written"},
	{exitNetwork, "network error", "network or system error: refused, timed out, reset; a capture that could not start; a lab that could not grade (never the student's fault)"},
	{exitUsage, "bad usage", "bad usage: a flag or an argument that cannot be used, a file that cannot be read or written (said before any call is made)"},
	{exitMismatch, "protocol mismatch", "protocol mismatch: the server answered, but not as the lecture says (a call with -expect-echo)"},
	{exitFail, "FAIL", "FAIL: graded, and a required check did not pass (grade, onehost, student check, student judge)"},
	{exitInterrupted, "interrupted", "interrupted (Ctrl-C) before the verdict (grade, class, student check, student judge); what was finished is kept"},
}

// exitUses are the statuses each command exits with, and what is its own
// (one line, wrapped where it is printed).
var exitUses = map[string]struct {
	codes []int
	note  string
}{
	"client":               {[]int{exitOK, exitNetwork, exitUsage, exitMismatch}, ""},
	"client bench":         {[]int{exitOK, exitNetwork, exitUsage}, "Failed calls are counted in the report, not in the status: it is 0 once the report is printed, even after Ctrl-C."},
	"client grade":         {[]int{exitOK, exitNetwork, exitUsage, exitFail, exitInterrupted}, ""},
	"client watch":         {[]int{exitOK, exitNetwork, exitUsage}, "Ctrl-C, -count and -duration end a watch: 0."},
	"client view":          {[]int{exitOK, exitNetwork, exitUsage}, "Ctrl-C ends the view: 0."},
	"client onehost":       {[]int{exitOK, exitNetwork, exitUsage, exitFail}, "It is 0 whenever it wrote a results file: the platform reads the file, and PrairieLearn drops the results of a grader that exits non-zero. A -weights file it cannot read is bad usage all the same (2), with the file saying so."},
	"client class":         {[]int{exitOK, exitNetwork, exitUsage, exitInterrupted}, "It is 0 once every submission was graded, whatever the verdicts; the rows of those the lab could not grade say error."},
	"client student run":   {nil, "It exits with the student's program's own status, and 1 when the program could not start."},
	"client student check": {[]int{exitOK, exitNetwork, exitUsage, exitFail, exitInterrupted}, ""},
	"client student judge": {[]int{exitOK, exitNetwork, exitUsage, exitFail, exitInterrupted}, ""},
}

// exitSays are a command's words for a status that means more to it than
// the short words say: a class's 1 is the lab failing some submissions.
var exitSays = map[string]map[int]string{
	"client class": {exitNetwork: "the lab could not grade some submissions"},
}

// exitLine is the end of a command's -h: the statuses it uses. The plain
// call's, which is client -h, is the whole table.
func exitLine(name string) string {
	if name == "client" {
		return exitTable()
	}
	use, ok := exitUses[name]
	if !ok {
		return ""
	}
	var said []string
	for _, c := range exitCodes {
		for _, u := range use.codes {
			if u == c.code {
				short := c.short
				if w, ok := exitSays[name][c.code]; ok {
					short = w
				}
				said = append(said, fmt.Sprintf("%d %s", c.code, short))
			}
		}
	}
	line := use.note
	if len(said) > 0 {
		line = "exit status: " + strings.Join(said, ", ") + " (client -h explains each). " + line
	}
	return "\n" + wrap(line, 0) + "\n"
}

// exitTable is every status, then what is particular to some commands.
func exitTable() string {
	var b strings.Builder
	b.WriteString("\nexit status, the same in every command:\n")
	for _, c := range exitCodes {
		fmt.Fprintf(&b, "  %-4d %s\n", c.code, wrap(c.long, 7))
	}
	b.WriteString("and particular to some:\n")
	for _, name := range commandNames() {
		if note := exitUses["client "+name].note; note != "" {
			fmt.Fprintf(&b, "  %-14s %s\n", name, wrap(note, 17))
		}
	}
	return b.String()
}

// wrap breaks s into lines of at most 79 characters for a text that starts
// in column n, and indents every line but the first by n spaces.
func wrap(s string, n int) string {
	var b strings.Builder
	col := n
	for i, w := range strings.Fields(s) {
		switch {
		case i == 0:
		case col+1+len(w) > 79:
			b.WriteString("\n" + strings.Repeat(" ", n))
			col = n
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
