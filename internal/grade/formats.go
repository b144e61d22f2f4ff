package grade

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The formats a grade is written in here: CSV and a Markdown row, one line
// per grade. JUnit and the platforms' results.json are internal/results',
// with the points of its weights file. Each names a check by Result.ID
// only, never by an address, so the same check lines up across a class.

// failedCheck says a check keeps the grade from passing.
func failedCheck(r Result) bool { return r.Required && (r.Status == Fail || r.Status == Skip) }

// roundSeconds is d in seconds, to the tenth.
func roundSeconds(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// CSVHeader is the header line of the one-line-per-submission CSV form.
var CSVHeader = []string{"student", "verdict", "passed", "required", "failed_checks", "seconds", "note"}

// CSVRow is the report as one CSV record, the columns of CSVHeader:
// student (Report.Name), verdict (PASS or FAIL), passed (required checks
// that passed), required (required checks), failed_checks (the IDs of the
// required checks that failed or could not run, separated by spaces),
// seconds (the grade's time, to the tenth) and note (why the first failed
// check failed; "interrupted" for an interrupted grade; "" for a pass).
func (r Report) CSVRow() []string {
	passed, required := 0, 0
	var failed []string
	note := ""
	for _, c := range r.Checks {
		if !c.Required {
			continue
		}
		required++
		if failedCheck(c) {
			failed = append(failed, c.ID)
			if note == "" && c.Status == Fail {
				note = c.ID + ": " + c.Reason
			}
			continue
		}
		passed++
	}
	if r.Interrupted {
		note = "interrupted"
	}
	if note == "" && len(failed) > 0 {
		note = failed[0] + ": " + r.check(failed[0]).Reason
	}
	return []string{r.Name, string(r.verdict()), strconv.Itoa(passed), strconv.Itoa(required),
		strings.Join(failed, " "), strconv.FormatFloat(roundSeconds(r.Elapsed), 'f', 1, 64), note}
}

// WriteCSV writes the report as one CSV line, after the header line when
// header is set; fields are quoted as encoding/csv quotes them.
func (r Report) WriteCSV(w io.Writer, header bool) error {
	cw := csv.NewWriter(w)
	if header {
		cw.Write(CSVHeader)
	}
	cw.Write(r.CSVRow())
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// WriteMarkdownRow writes the report as one row of a Markdown table whose
// columns are CSVHeader's, in words: | Student | Verdict | Checks passed |
// Failed checks | Time | Note |. A class's summary.md is such rows under
// one header; a | in a field is escaped so it cannot split a cell.
func (r Report) WriteMarkdownRow(w io.Writer) error {
	f := r.CSVRow()
	cell := func(s string) string {
		return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
	}
	_, err := fmt.Fprintf(w, "| %s | %s | %s/%s | %s | %ss | %s |\n",
		cell(f[0]), f[1], f[2], f[3], cell(f[4]), f[5], cell(f[6]))
	return err
}

// verdict is the report's one word: PASS or FAIL.
func (r Report) verdict() Status {
	if r.Passed {
		return Pass
	}
	return Fail
}

// check is the result of the check with id.
func (r Report) check(id string) Result {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return Result{}
}
