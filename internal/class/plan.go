package class

import (
	"fmt"
	"os"
	"strings"

	"github.com/socketlab/socketlab/internal/roster"
)

// A run's plan: which grades in the reports' folder still hold, and which
// submissions must be graded, and why.

// job is a submission to grade, and why.
type job struct {
	i   int
	sub roster.Submission
	fp  fingerprint
	why string
}

// plan fills the rows of the grades kept (rewriting their results files
// when the weights changed) and returns the submissions to grade.
func plan(cfg Config, subs []roster.Submission, sum *Summary) ([]job, error) {
	grader, err := graderHash(cfg.Repo, cfg.GradeFlags)
	if err != nil {
		return nil, err
	}
	weights := weightsHash(cfg.Weights)
	var todo []job
	for i, sub := range subs {
		fp := fingerprint{grader: grader, weights: weights, timeout: cfg.Timeout}
		fp.files, err = filesHash(sub)
		if err != nil {
			// Graded, to say what is wrong with its files.
			sum.Rows[i] = Row{Sub: sub, Verdict: Waiting, Note: "not graded yet"}
			todo = append(todo, job{i, sub, fp, "new"})
			continue
		}
		rec, ok := readRecord(cfg.Out, sub.Key)
		why := fp.why(rec, ok, sub)
		if why == "" && cfg.Regrade {
			why = "regrade"
		}
		if why != "" {
			sum.Rows[i] = Row{Sub: sub, Verdict: Waiting, Note: "not graded yet"}
			todo = append(todo, job{i, sub, fp, why})
			continue
		}
		sum.Rows[i] = rec.row(sub)
		sum.Kept++
		if rec.Weights != weights && rec.Grade != nil {
			rec.Weights = weights
			if err := save(cfg, rec, sum.Rows[i], nil, nil); err != nil {
				return nil, fmt.Errorf("rewriting %s's results with the new weights: %w", sub.Name, err)
			}
			sum.Rescored++
		}
	}
	return todo, nil
}

// planWords says what a run keeps and what it grades: "kept 119 grades
// from the last run, grading 1 (1 changed)".
func planWords(sum Summary, todo []job, regrade bool) string {
	if regrade {
		return fmt.Sprintf("grading all %d submissions again (-regrade)", len(todo))
	}
	counts := map[string]int{}
	var order []string
	for _, j := range todo {
		if counts[j.why] == 0 {
			order = append(order, j.why)
		}
		counts[j.why]++
	}
	if sum.Kept == 0 && counts["new"] == len(todo) {
		return fmt.Sprintf("grading %d submissions", len(todo))
	}
	var why []string
	for _, k := range order {
		why = append(why, fmt.Sprintf("%d %s", counts[k], k))
	}
	s := fmt.Sprintf("kept %d grades from the last run", sum.Kept)
	if sum.Rescored > 0 {
		s += fmt.Sprintf(" (%d with their points written again for the new weights)", sum.Rescored)
	}
	if len(todo) == 0 {
		return s + ", nothing new to grade (-regrade grades them all again)"
	}
	return s + fmt.Sprintf(", grading %d (%s)", len(todo), strings.Join(why, ", "))
}

// earlier says that a submission's folder still holds its last complete
// grade, of an earlier version of its files, when this run made none.
func earlier(out string, sub roster.Submission) string {
	if rec, ok := readRecord(out, sub.Key); ok && rec.complete() && rec.Name == sub.Name {
		return fmt.Sprintf("; its folder keeps the grade of %s (%s)", rec.At.Local().Format("2 Jan 15:04"), rec.Verdict)
	}
	return ""
}

// filesHash hashes what the lab would grade of sub: its files as staged,
// and the program.
func filesHash(sub roster.Submission) (string, error) {
	tmp, err := os.MkdirTemp("", "socketlab-class-hash-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := sub.Stage(tmp); err != nil {
		return "", err
	}
	return hashTree(tmp, sub.Program)
}
