package class

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/internal/results"
)

// Header is summary.csv's header: client grade -csv-file's columns
// (results.CSVHeader: the points, the first cause), then what the LMS says
// of the student and which file was graded.
var Header = append(append([]string{}, results.CSVHeader...), "id", "email", "late", "file")

// record is a row as summary.csv's columns, each check worth what w says.
func (r Row) record(w results.Weights) []string {
	var rec []string
	if r.Grade != nil {
		rec = r.Grade.CSVRow(w)
	} else {
		rec = make([]string, len(results.CSVHeader))
		rec[1], rec[5], rec[6] = r.Verdict, fmt.Sprintf("%.1f", r.Took.Seconds()), r.Note
	}
	rec[0] = r.Sub.Name
	late := ""
	if r.Sub.Late {
		late = "late"
	}
	return append(rec, r.Sub.ID, strings.Join(r.Sub.Emails, " "), late, r.Sub.Program)
}

// writeReports writes a graded submission's JUnit XML and Gradescope
// results.json (WriteReports) in its folder, named for the student as the
// LMS names them.
func writeReports(out string, r Row, w results.Weights) error {
	if r.Grade == nil {
		return nil
	}
	return WriteReports(filepath.Join(out, r.Sub.Key), *r.Grade, w)
}

// WriteReports writes a student's junit.xml and results.json into dir,
// made if missing, through the writers every grader uses (results.Files,
// as client grade -junit -gradescope): the same tests and points as
// client grade's and Gradescope's for the same checks.
func WriteReports(dir string, s results.Submission, w results.Weights) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := results.Files{JUnit: filepath.Join(dir, "junit.xml"), Gradescope: filepath.Join(dir, "results.json")}.Open()
	if err != nil {
		return err
	}
	werr := files.Write(s, w, nil)
	if err := files.Close(); werr == nil {
		werr = err
	}
	return werr
}

// writeSummary writes summary.csv and summary.md: one row per submission,
// in the roster's order. Names are data: encoding/csv quotes them, and a
// Markdown cell escapes what would end it.
func writeSummary(out, dir string, sum Summary, cfg Config) error {
	f, err := os.Create(filepath.Join(out, "summary.csv"))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(Header)
	for _, r := range sum.Rows {
		w.Write(r.record(cfg.Weights))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write summary.csv: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# Class report\n\n%d submissions from `%s` (%s), graded in %s (%d at a time, %s each at most).\n\n",
		len(sum.Rows), cell(filepath.Base(dir)), layoutName(sum.Layout), sum.Took.Round(1e9), cfg.Jobs, cfg.Timeout)
	if sum.Interrupted {
		b.WriteString("**Interrupted**: the rows marked so were not graded.\n\n")
	}
	b.WriteString("| Student | Verdict | Points | Checks passed | Failed checks | Time | File | Note |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range sum.Rows {
		rec := r.record(cfg.Weights)
		points := ""
		if rec[7] != "" {
			points = rec[7] + "/" + rec[8]
		}
		checks := ""
		if rec[2] != "" {
			checks = rec[2] + "/" + rec[3]
		}
		name := cell(r.Sub.Name)
		if r.Sub.Late {
			name += " (late)"
		}
		secs, _ := strconv.ParseFloat(rec[5], 64)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %.1fs | %s | %s |\n", name, rec[1], points, checks, cell(rec[4]), secs, cell(r.Sub.Program), cell(rec[6]))
	}
	return os.WriteFile(filepath.Join(out, "summary.md"), []byte(b.String()), 0o644)
}

// cell is s as one Markdown table cell: a | would end it, a newline the row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
