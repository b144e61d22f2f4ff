package class

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/socketlab/socketlab/internal/grade"
)

// report.html is the class at a glance in one file a TA opens from the
// reports' folder, with no network: the first causes ranked as a chart,
// a row per student, and each student's transcript and failed checks one
// click away. Everything it shows is in it (CSS, SVG, a few lines of
// script); only the links to each student's own files point beside it.
//
//go:embed report.html.tmpl
var reportTemplate string

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	// barw is a bar's length in the chart, the longest 400 wide.
	"barw": func(n, max int) int {
		if max == 0 {
			return 0
		}
		return max1(n * 400 / max)
	},
	"add": func(a, b int) int { return a + b },
	"mul": func(a, b int) int { return a * b },
}).Parse(reportTemplate))

// The report's caps: a student's transcript and program output are shown
// up to these many bytes, the rest in the files beside the report.
const (
	reportSaidCap = 16 << 10
	reportLogCap  = 4 << 10
)

type reportData struct {
	Dir, Layout, Counts, Run string
	Total                    int
	Interrupted              bool
	Verdicts                 []count
	Causes                   []reportCause
	MaxCause                 int
	Students                 []reportStudent
}

type reportCause struct {
	ID, Label, Short string
	N                int
	Names            []string
}

type reportStudent struct {
	Key, Name, Verdict, Class, Points, Cause, CauseID, File, Took string
	Late                                                          bool
	Note                                                          string
	Failed                                                        []grade.Result
	NotRun                                                        []string
	Said, Log                                                     string
	SaidMore, LogMore                                             int
	Files                                                         []string // those of the student's folder there are
}

// writeReport writes report.html from sum, whole, reading each student's
// grade.txt and laptop-a.log from the reports' folder.
func writeReport(path string, sum Summary, cfg Config) error {
	d := reportData{Dir: filepath.Base(cfg.Dir), Layout: layoutName(sum.Layout), Total: len(sum.Rows),
		Counts: countWords(verdictCounts(sum.Rows)), Run: runWords(sum, cfg), Interrupted: sum.Interrupted,
		Verdicts: verdictCounts(sum.Rows)}
	for _, g := range rankCauses(sum.Rows) {
		d.Causes = append(d.Causes, reportCause{ID: g.ID, Label: g.Label, Short: firstSentence(g.Label, 60), N: len(g.Rows), Names: g.names(12)})
		d.MaxCause = max(d.MaxCause, len(g.Rows))
	}
	for _, r := range sum.Rows {
		c := r.cause()
		s := reportStudent{Key: r.Sub.Key, Name: r.Sub.Name, Verdict: r.Verdict, Class: verdictClass(r.Verdict),
			Points: r.points(cfg.Weights), Cause: c.Says, CauseID: c.ID, File: r.file(), Late: r.Sub.Late,
			Took: fmt.Sprintf("%.1fs", r.Took.Seconds())}
		if (r.Grade == nil || c.ID == "") && r.Note != c.Says {
			s.Note = r.Note
		}
		for _, f := range []string{"grade.txt", "results.json", "junit.xml", "laptop-a.log"} {
			if _, err := os.Stat(filepath.Join(cfg.Out, r.Sub.Key, f)); err == nil {
				s.Files = append(s.Files, f)
			}
		}
		if r.Grade != nil {
			for _, ch := range r.Grade.Report.Checks {
				switch {
				case ch.Status == grade.Fail:
					s.Failed = append(s.Failed, ch)
				case ch.Status == grade.Skip && ch.Required:
					s.NotRun = append(s.NotRun, ch.Name)
				}
			}
		}
		s.Said, s.SaidMore = readCapped(filepath.Join(cfg.Out, r.Sub.Key, "grade.txt"), reportSaidCap)
		s.Log, s.LogMore = readCapped(filepath.Join(cfg.Out, r.Sub.Key, "laptop-a.log"), reportLogCap)
		d.Students = append(d.Students, s)
	}
	var b bytes.Buffer
	if err := reportPage.Execute(&b, d); err != nil {
		return fmt.Errorf("write report.html: %w", err)
	}
	return writeAtomic(path, b.Bytes())
}

func verdictClass(v string) string {
	switch v {
	case "PASS":
		return "pass"
	case "FAIL":
		return "fail"
	case LabError:
		return "error"
	}
	return "other"
}

// readCapped is the file's first n bytes as text, and how many more it
// has; "" for a file that is not there.
func readCapped(path string, n int) (string, int) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0
	}
	more := 0
	if len(b) > n {
		more, b = len(b)-n, b[:n]
	}
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1] // a rune cut at the cap
	}
	return string(b), more
}

// max1 keeps a bar of one student visible.
func max1(n int) int { return max(n, 1) }
