package class

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/results"
)

// Header is summary.csv's header: client grade -csv-file's columns
// (results.CSVHeader: the points, the first cause), then what the LMS says
// of the student and which file was graded.
var Header = append(append([]string{}, results.CSVHeader...), "id", "email", "late", "file")

// record is a row as summary.csv's columns, each check worth what w says.
// Its seconds are the student's whole lab, start to verdict (what the
// class's time limit bounds), as summary.md's Time and report.html's: not
// the calls alone, which results.json's execution_time gives.
func (r Row) record(w results.Weights) []string {
	var rec []string
	if r.Grade != nil {
		rec = r.Grade.CSVRow(w)
	} else {
		rec = make([]string, len(results.CSVHeader))
		rec[1], rec[6] = r.Verdict, r.Note
		if r.noProgram() {
			rec[7], rec[8] = "0", strconv.FormatFloat(w.Total(), 'g', -1, 64)
		}
	}
	rec[0], rec[5] = r.Sub.Name, fmt.Sprintf("%.1f", r.Took.Seconds())
	if r.Grade != nil && r.Sub.Note != "" {
		// Which file was graded and why (the roster's note), after the
		// first cause the note leads with.
		if rec[6] == "" {
			rec[6] = r.Sub.Note
		} else {
			rec[6] += " (" + r.Sub.Note + ")"
		}
	}
	late := ""
	if r.Sub.Late {
		late = "late"
	}
	return append(rec, r.Sub.ID, strings.Join(r.Sub.Emails, " "), late, r.file())
}

// file is the file graded, and the upload it came from when the student
// named it otherwise: a resubmission Canvas renamed (server-1.py), an
// archive, a file the download names differently.
func (r Row) file() string {
	p := r.Sub.Program
	if p == "" || len(r.Sub.Export) == 0 {
		return p
	}
	up := r.Sub.Export[0]
	if strings.HasSuffix(up, "/") || up == p || strings.HasSuffix(up, "_"+p) || strings.HasSuffix(up, "/"+p) || strings.HasSuffix(up, " - "+p) {
		return p
	}
	return p + ", from " + up
}

// reportFiles are a graded submission's JUnit XML and Gradescope
// results.json, through the writers every grader uses: the same tests and
// points as client grade's and Gradescope's for the same checks.
func reportFiles(s results.Submission, w results.Weights) (map[string][]byte, error) {
	var junit, gs bytes.Buffer
	if err := s.WriteJUnit(&junit, w); err != nil {
		return nil, fmt.Errorf("write the JUnit report: %w", err)
	}
	if err := s.WriteGradescope(&gs, w); err != nil {
		return nil, fmt.Errorf("write the Gradescope report: %w", err)
	}
	return map[string][]byte{"junit.xml": junit.Bytes(), "results.json": gs.Bytes()}, nil
}

// WriteReports writes a student's junit.xml and results.json into dir,
// made if missing, each file whole (reportFiles).
func WriteReports(dir string, s results.Submission, w results.Weights) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := reportFiles(s, w)
	if err != nil {
		return err
	}
	for name, b := range files {
		if err := writeAtomic(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	return nil
}

// writeSummary writes summary.csv and summary.md, each whole: one row per
// submission, in the roster's order, summary.md opening with the verdicts
// counted and the first causes ranked. Names are data: encoding/csv quotes
// them, and a Markdown cell escapes what would end it.
func writeSummary(out, dir string, sum Summary, cfg Config) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(Header)
	for _, r := range sum.Rows {
		w.Write(r.record(cfg.Weights))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write summary.csv: %w", err)
	}
	if err := writeAtomic(filepath.Join(out, "summary.csv"), buf.Bytes()); err != nil {
		return err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# Class report\n\n%d submissions from `%s` (%s): %s.\n\n",
		len(sum.Rows), cell(filepath.Base(dir)), layoutName(sum.Layout), countWords(verdictCounts(sum.Rows)))
	fmt.Fprintf(&b, "%s\n\n", runWords(sum, cfg))
	if sum.Interrupted {
		b.WriteString("**Interrupted**: the rows marked so were not graded; run it again to grade them.\n\n")
	}
	if causes := rankCauses(sum.Rows); len(causes) > 0 {
		b.WriteString("## First causes\n\nWhat kept the submissions that did not pass from passing, most common first: the one mistake that explains the rest of each grade.\n\n")
		b.WriteString("| Students | First cause | Who |\n|---:|---|---|\n")
		for _, c := range causes {
			fmt.Fprintf(&b, "| %d | %s | %s |\n", len(c.Rows), cell(c.Label), cell(strings.Join(c.names(8), ", ")))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Students\n\nTime is each student's whole lab, start to verdict (summary.csv's seconds).\n\n" +
		"| Student | Verdict | Points | Checks passed | First cause | Time | File |\n|---|---|---|---|---|---|---|\n")
	for _, r := range sum.Rows {
		rec := r.record(cfg.Weights)
		checks := ""
		if rec[2] != "" {
			checks = rec[2] + "/" + rec[3]
		}
		name := cell(r.Sub.Name)
		if r.Sub.Late {
			name += " (late)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %ss | %s |\n", name, r.Verdict, r.points(cfg.Weights), checks,
			cell(r.cause().Says), rec[5], cell(r.file()))
	}
	return writeAtomic(filepath.Join(out, "summary.md"), []byte(b.String()))
}

// runWords says how the grades were made: this run's time and pace, and
// the grades kept from an earlier run.
func runWords(sum Summary, cfg Config) string {
	if sum.Graded == 0 && sum.Kept > 0 && !sum.Interrupted {
		return fmt.Sprintf("All %d grades kept from an earlier run, whose files, grader and policy were the same: nothing new to grade.", sum.Kept)
	}
	s := fmt.Sprintf("Graded %d in %s (%d at a time, %s each at most)", sum.Graded, sum.Took.Round(time.Second), cfg.Jobs, cfg.Timeout)
	if sum.Kept > 0 {
		s += fmt.Sprintf("; %d grades kept from an earlier run, whose files, grader and policy were the same", sum.Kept)
	}
	return s + "."
}

// cell is s as one Markdown table cell: a | would end it, a newline the row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
