package student

import (
	"fmt"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
)

// Graded is the verdict as a grade report, for the formats instructors read
// (JUnit, results.json, CSV, a Markdown row): g's checks, which carry the
// same names for every student, then two of the lab's own:
//
//   - "program", required: the student's program ran in the lab, answered
//     laptop-b's call and kept serving. It fails with the explanation when
//     the program crashed, never listened or ended after a call, and then
//     comes first, as the cause of the other failures.
//   - "explained", advisory INFO, only when there is something to explain:
//     the lab's explanations in the lecture's terms.
//
// Its Passed is the verdict's, so every format agrees with the exit status.
// took is the whole check's time, lab start to verdict.
func Graded(v Verdict, g grade.Report, name string, took time.Duration) grade.Report {
	rep := g
	rep.Name = name
	rep.Elapsed = took
	rep.Checks = append([]grade.Result(nil), g.Checks...)
	says := make([]string, len(v.Findings))
	for i, f := range v.Findings {
		says[i] = f.String()
	}
	program := grade.Result{ID: "program", Name: "runs in the lab and keeps serving", Required: true, Status: grade.Pass,
		Reason: "it listened, answered laptop-b's call and was still running at the end."}
	program.Title = program.Name
	switch {
	case v.Report.BuildFailed() || v.Report.Exited() && v.Report.StartError != "" && len(v.Report.Command) == 0:
		program.Status, program.Reason = grade.Fail, "it "+failWords(v)+"."
	case v.Report.Exited() && len(v.Report.Listening) == 0:
		program.Status, program.Reason = grade.Fail, fmt.Sprintf("it ended (%s) without ever listening.", ending(v.Report))
	case v.Report.Exited():
		program.Status, program.Reason = grade.Fail, fmt.Sprintf("it ended (%s) during or after the calls.", ending(v.Report))
	case v.Report.State != "" && len(v.Report.Listening) == 0:
		program.Status, program.Reason = grade.Fail, "it was still running but never listened."
	case !v.Call.Complete(Message):
		program.Status, program.Reason = grade.Fail, "laptop-b's call did not get the whole lecture exchange (hello, the echo, the hang-up)."
	}
	if program.Status == grade.Fail && len(says) > 0 {
		// The cause, first: a class's summary shows the first failed
		// check's reason, and "connection refused" is only the symptom.
		program.Reason += " " + firstSentence(says[0])
		rep.Checks = append([]grade.Result{program}, rep.Checks...)
	} else {
		rep.Checks = append(rep.Checks, program)
	}
	if len(says) > 0 {
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
