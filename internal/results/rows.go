package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
)

// CSVHeader is the header line of the one-line-per-submission CSV form
// (client grade -csv-file, and the first columns of a class's summary.csv):
//
//   - student: Report.Name
//   - verdict: PASS, FAIL, or "not graded"
//   - passed, required: required checks that passed, and all of them
//   - failed_checks: the ids of the required checks that failed, never
//     those that could not run (not_run)
//   - seconds: the grade's time, to the tenth
//   - note: the first cause (FirstCause), as the other outputs say it;
//     "" for a pass
//   - points, max: what the submission earned, and could have, with the
//     weights file's points (Points): the score of every results file
//   - cause: the first cause's id, the same for every student who made
//     that mistake (a class ranks them)
//   - not_run: the required checks that could not run because of it
var CSVHeader = []string{"student", "verdict", "passed", "required", "failed_checks", "seconds", "note",
	"points", "max", "cause", "not_run"}

// CSVRow is the submission as one CSV record, CSVHeader's columns, each
// check worth what w says.
func (s Submission) CSVRow(w Weights) []string {
	passed, required := 0, 0
	var failed, notRun []string
	for _, c := range s.Report.Checks {
		if !c.Required {
			continue
		}
		required++
		switch c.Status {
		case grade.Fail:
			failed = append(failed, c.ID)
		case grade.Skip:
			notRun = append(notRun, c.ID)
		default:
			passed++
		}
	}
	earned, total := s.Points(w)
	cause := s.FirstCause()
	counts := []string{strconv.Itoa(passed), strconv.Itoa(required)}
	points := []string{formatPoints(earned), formatPoints(total)}
	if !s.Graded() {
		counts, points = []string{"", ""}, []string{"", ""}
	}
	return []string{s.Report.Name, s.verdict(), counts[0], counts[1], strings.Join(failed, " "),
		strconv.FormatFloat(roundSeconds(s.Report.Elapsed), 'f', 1, 64), cause.String(),
		points[0], points[1], cause.ID, strings.Join(notRun, " ")}
}

// roundSeconds is d in seconds, to the tenth.
func roundSeconds(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// WriteCSV writes the submission as one CSV line, after the header line
// when header is set; fields are quoted as encoding/csv quotes them.
func (s Submission) WriteCSV(out io.Writer, w Weights, header bool) error {
	cw := csv.NewWriter(out)
	if header {
		cw.Write(CSVHeader)
	}
	cw.Write(s.CSVRow(w))
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// WriteMarkdownRow writes the submission as one row of a Markdown table:
// | Student | Verdict | Points | Checks passed | Failed checks | Time | Note |,
// the note its first cause. A | in a field is escaped so it cannot split a
// cell.
func (s Submission) WriteMarkdownRow(out io.Writer, w Weights) error {
	f := s.CSVRow(w)
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
	}
	_, err := fmt.Fprintf(out, "| %s | %s | %s/%s | %s/%s | %s | %ss | %s |\n",
		cell(f[0]), f[1], f[7], f[8], f[2], f[3], cell(f[4]), f[5], cell(f[6]))
	return err
}
