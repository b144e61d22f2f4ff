package student

import (
	"fmt"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
)

// ProgramName is the lab's own check's title: the student's program ran in
// the lab and listened. It is the first of every grade of a student's
// program, and the only check that fails when the program never listened
// (its build failed, it crashed or ended first, it got stuck): the checks
// after it are then "not run".
const ProgramName = "runs in the lab and listens"

// programResult is the "program" check of v: whether the student's
// program ran and listened, in the verdict's words.
func programResult(v Verdict) grade.Result {
	r := grade.Result{ID: "program", Name: ProgramName, Title: ProgramName, Required: true, Status: grade.Pass}
	rep := v.Report
	switch {
	case rep.LabFault != "":
		r.Status, r.Reason = grade.Fail, "the lab could not run it (not your program's fault)."
	case rep.BuildFailed() || rep.Exited() && rep.StartError != "" && len(rep.Command) == 0:
		r.Status, r.Reason = grade.Fail, "it "+failWords(v)+"."
	case rep.Exited() && len(rep.Listening) == 0:
		r.Status, r.Reason = grade.Fail, fmt.Sprintf("it ended (%s) without ever listening.", ending(rep))
	case rep.State != "" && len(rep.Listening) == 0 && v.Call.DialErr != nil:
		r.Status, r.Reason = grade.Fail, "it was still running but never listened."
	case rep.State == "" && v.Call.DialErr != nil:
		// No report from its laptop: nothing shows whether it ran.
		r.Status, r.Required, r.Reason = grade.Skip, false, "not run: no report from the program's laptop."
	case len(rep.Listening) > 0:
		r.Reason = "it listened at " + strings.Join(rep.Listening, ", ") + "."
	default:
		r.Reason = "it answered laptop-b's call."
	}
	if r.Status == grade.Fail && len(v.Findings) > 0 {
		r.Reason += " " + firstSentence(v.Findings[0].String())
	}
	return r
}

// Graded is the verdict as a grade report, for the formats instructors read
// (JUnit, results.json, CSV, a Markdown row): g's checks (Verdict.Grade's:
// the lab's "program" first, then the grader's), which carry the same names
// for every student, and, when there is something to explain, "explained",
// an INFO with the lab's explanations in the lecture's terms.
//
// Its Passed is the verdict's, so every format agrees with the exit status.
// took is the whole check's time, lab start to verdict.
func Graded(v Verdict, g grade.Report, name string, took time.Duration) grade.Report {
	rep := g
	rep.Name = name
	rep.Elapsed = took
	rep.Checks = append([]grade.Result(nil), g.Checks...)
	if len(rep.Checks) == 0 || rep.Checks[0].ID != "program" {
		rep.Checks = append([]grade.Result{programResult(v)}, rep.Checks...)
	}
	if len(v.Findings) > 0 {
		says := make([]string, len(v.Findings))
		for i, f := range orderedFindings(v.Findings, rep) {
			says[i] = f.String()
		}
		rep.Checks = append(rep.Checks, grade.Result{ID: "explained", Name: "what went wrong, in the lecture's terms",
			Title: "what went wrong, in the lecture's terms", Status: grade.Info, Reason: strings.Join(says, " ")})
	}
	rep.Passed = v.Passed
	return rep
}

// ending says how the program ended: its exit status or its signal.
func ending(r Report) string {
	switch r.Signal {
	case "":
	case "killed":
		return "killed"
	default:
		return "signal " + r.Signal
	}
	return fmt.Sprintf("exit status %d", r.ExitCode)
}

// firstSentence is s up to its first full stop that ends a sentence.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
