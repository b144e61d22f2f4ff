// Package lms writes what goes back into the learning management system
// once a class is graded: the grade file that LMS's gradebook imports, in
// the format its own documentation gives (Moodle's offline grading
// worksheet, Canvas's gradebook CSV, Blackboard's Grade Center upload,
// Brightspace's grades import), and each student's feedback in the shape
// the LMS takes back, with every name and id exactly as the export (read
// by internal/roster) gave them. A class of plain folders gets a plain
// grades.csv. Everything goes into OUT/lms/, with a README.txt that says
// how to upload each file in that LMS's menus.
package lms

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
)

// Dir is the folder, inside the class's report, that WriteBack fills.
const Dir = "lms"

// DefaultAssignment names the gradebook column when neither the TA, the
// export nor the LMS's gradebook does.
const DefaultAssignment = "socketlab"

// Verdicts of a row beyond the grade's PASS and FAIL, as internal/class
// words them.
const (
	NotGraded = "not graded"
)

// Row is one submission's outcome, as the class grader has it.
type Row struct {
	Sub     roster.Submission
	Verdict string              // PASS, FAIL, "not graded", "timed out", "error", "interrupted"
	Grade   *results.Submission // nil unless laptop-b graded it
	Note    string              // why, for a verdict that is not the grade's
}

// Config says what the LMS files need that the export may not.
type Config struct {
	// Assignment is the gradebook column's (the grade item's) name. ""
	// takes the column of Gradebook, else the export's name for the
	// assignment (Blackboard, Brightspace), else DefaultAssignment.
	Assignment string
	// AssignmentID is Canvas's assignment id or Blackboard's column id,
	// which match a column whatever its name; "" when not known (Gradebook
	// gives it).
	AssignmentID string
	// Gradebook is the LMS's own gradebook export, downloaded before the
	// upload, optional: the exact column and the students' other ids
	// (Brightspace's OrgDefinedId and Username, which its download lacks;
	// Canvas's SIS ids and sections) come from it.
	Gradebook string
	// Weights give the points; the zero value is results.Default().
	Weights results.Weights
	// Now stamps Moodle's "Last modified (grade)"; zero is time.Now().
	Now time.Time
	// Warn is told, once each, what the TA must act on before uploading
	// (a grade item out of other points than socketlab's); nil: the
	// README alone says it.
	Warn func(string)
}

// mark is a row with what goes back for it: points and feedback, or why
// not.
type mark struct {
	Row
	points   float64
	feedback string // the student's feedback, plain text
	out      string // why the row is left out of the grade files; "" when it is in
}

// batch is one write-back in the making.
type batch struct {
	dir        string // OUT/lms
	roster     roster.Roster
	cfg        Config
	assignment string
	max        float64
	marks      []mark
	files      []string // written, relative to dir
	readme     []string // how to upload each file
	warnings   []string // what to act on before uploading, said first
	leftOut    []string // students not in a grade file, and why
}

// WriteBack writes, into out/lms, the LMS's grade file and feedback for
// r (the export the class was read from) and rows (its submissions'
// outcomes, in any order), and a README.txt saying how to upload them.
// It returns the files written, relative to out. A student whose grade is
// not known (the lab's fault, a timeout, an interruption) is left out of
// the grade file, never given 0, and listed in the README.
func WriteBack(out string, r roster.Roster, rows []Row, cfg Config) ([]string, error) {
	if cfg.Weights.Points == nil {
		cfg.Weights = results.Default()
	}
	if cfg.Now.IsZero() {
		cfg.Now = time.Now()
	}
	b := &batch{dir: filepath.Join(out, Dir), roster: r, cfg: cfg}
	b.assignment = firstOf(cfg.Assignment, r.Assignment, DefaultAssignment)
	b.max = maxPoints(rows, cfg.Weights)
	for _, row := range rows {
		b.marks = append(b.marks, b.mark(row))
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return nil, fmt.Errorf("lms: %w", err)
	}
	if w, ok := writers[r.Layout]; ok {
		if err := w(b); err != nil {
			return nil, fmt.Errorf("lms: %s: %w", roster.Describe(r.Layout), err)
		}
	}
	if err := b.plain(); err != nil {
		return nil, err
	}
	if r.Layout != roster.Folders {
		if err := b.writeReadme(); err != nil {
			return nil, err
		}
	}
	// A file an earlier run wrote and this one did not (a grade file that
	// now lacks its ids) would be uploaded for this run's.
	for _, f := range ownFiles {
		if !slices.Contains(b.files, f) {
			os.Remove(filepath.Join(b.dir, f))
		}
	}
	var files []string
	for _, f := range b.files {
		files = append(files, filepath.Join(Dir, f))
	}
	return files, nil
}

// ownFiles are every file WriteBack may write.
var ownFiles = []string{"grades.csv", "README.txt", "moodle-grades.csv", "moodle-feedback.zip", "canvas-grades.csv", "canvas-feedback.zip", "canvas-comments.zip",
	"blackboard-grades.csv", "brightspace-grades.csv", "brightspace-feedback.zip"}

// writers write each LMS's files; the others get grades.csv alone.
var writers = map[string]func(*batch) error{
	roster.Moodle:          (*batch).moodle,
	roster.Canvas:          (*batch).canvas,
	roster.Blackboard:      (*batch).blackboard,
	roster.Brightspace:     (*batch).brightspace,
	roster.Gradescope:      (*batch).gradescope,
	roster.GitHubClassroom: (*batch).classroom,
}

// mark gives a row its points and feedback. A submission graded gets its
// points; one with no program to grade (the student's doing) gets 0 with
// the reason; any other is left out: its grade is not known.
func (b *batch) mark(r Row) mark {
	m := mark{Row: r}
	head := fmt.Sprintf("%s: ", b.assignment)
	switch {
	case r.Grade != nil && r.Grade.Graded():
		m.points, _ = r.Grade.Points(b.cfg.Weights)
		m.feedback = head + fmt.Sprintf("%s of %s points.\n\n", num(m.points), num(b.max)) + feedbackText(*r.Grade)
	case r.Grade != nil && !r.Grade.Setup && !r.Grade.NoNetwork,
		r.Grade == nil && r.Verdict == NotGraded && r.Sub.Program == "":
		why := firstOf(r.Note, r.Sub.Note, "no program to grade in the submission")
		if r.Grade != nil {
			why = r.Grade.Why
		}
		m.feedback = head + fmt.Sprintf("0 of %s points.\n\nnot graded: %s\n", num(b.max), why)
	default:
		m.out = firstOf(r.Note, r.Verdict)
		if r.Grade != nil {
			m.out = "the lab could not grade it: " + r.Grade.Why
		}
	}
	if m.out != "" {
		b.leftOut = append(b.leftOut, fmt.Sprintf("%s (%s): %s", r.Sub.Name, firstOf(r.Sub.ID, r.Sub.Key), m.out))
	}
	return m
}

// explainOnly are the checks whose words are the verdict's (results'
// explainOnly): not a line of their own.
var explainOnly = []string{"explained", "one-host"}

// feedbackText is what a student reads: the verdict with its first cause,
// then each check's line, as grade.txt ends. A pass's notes (what a reset
// is, that a real server keeps answering) come after the checks: a student
// who passed reads that first, and nothing to fix above it.
func feedbackText(s results.Submission) string {
	var b strings.Builder
	verdict, notes := strings.TrimRight(s.Verdict, "\n"), ""
	if s.Report.Passed {
		verdict, notes, _ = strings.Cut(verdict, "\n")
	}
	if verdict != "" {
		b.WriteString(verdict + "\n")
	} else {
		b.WriteString(s.Report.Summary() + "\n")
	}
	b.WriteString("\nThe checks:\n")
	for i, c := range s.Report.Checks {
		if slices.Contains(explainOnly, c.ID) {
			continue
		}
		grade.WriteResult(&b, c)
		if c.ID == "answers" && c.Status == grade.Fail && slices.ContainsFunc(s.Report.Checks[i+1:], func(r grade.Result) bool { return r.Status == grade.Pass }) {
			b.WriteString("      The grader called from another machine; the checks below were made from your server's own machine, where it listens.\n")
		}
	}
	if notes != "" {
		b.WriteString("\nNotes, nothing to fix:\n" + notes + "\n")
	}
	return labWords.Replace(b.String())
}

// labWords put the lab's two laptops in the words of a student who never
// ran the lab, only handed in a file: the grader called their server
// across a network, from another machine.
var labWords = strings.NewReplacer(
	" on laptop-a answered laptop-b across the lab as", " answered the grader's call from another machine as",
	"laptop-a's own loopback", "your server's own machine",
	"laptop-b's call", "the grader's call",
	"laptop-a's ", "your server's machine's ",
	"laptop-b's ", "the grader's ",
	"on laptop-a", "on your server's machine",
	"laptop-a", "your server's machine",
	"laptop-b", "the grader",
)

// maxPoints is what a correct submission scores: the most any graded row
// could, or the weights' sum when none was graded.
func maxPoints(rows []Row, w results.Weights) float64 {
	best := 0.0
	for _, r := range rows {
		if r.Grade != nil && r.Grade.Graded() {
			_, total := r.Grade.Points(w)
			best = math.Max(best, total)
		}
	}
	if best == 0 {
		best = w.Total() // the weights' total under their policy
	}
	return best
}

// num is points as gradebooks write them: "17.5", "20".
func num(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// graded are the marks that go into a grade file.
func (b *batch) graded() []mark {
	var in []mark
	for _, m := range b.marks {
		if m.out == "" {
			in = append(in, m)
		}
	}
	return in
}

// leave keeps a graded mark out of the grade file, for why.
func (b *batch) leave(m mark, why string) {
	b.leftOut = append(b.leftOut, fmt.Sprintf("%s (%s): %s", m.Sub.Name, firstOf(m.Sub.ID, m.Sub.Key), why))
}

// write writes a file into OUT/lms whole: a reader never sees half of it.
func (b *batch) write(name string, data []byte) error {
	tmp, err := os.CreateTemp(b.dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("lms: %w", err)
	}
	_, werr := tmp.Write(data)
	if err := tmp.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(b.dir, name))
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("lms: write %s: %w", name, werr)
	}
	b.files = append(b.files, name)
	return nil
}

// how adds a file's upload steps to the README, as one paragraph.
// warn says what the TA must act on before uploading: to Config.Warn
// now, and at the top of the README.
func (b *batch) warn(text string) {
	text = strings.Join(strings.Fields(text), " ")
	if b.cfg.Warn != nil {
		b.cfg.Warn(text)
	}
	b.warnings = append(b.warnings, wrap("WARNING: "+text, 110))
}

func (b *batch) how(text string) {
	b.readme = append(b.readme, wrap(strings.Join(strings.Fields(text), " "), 110))
}

// wrap breaks text into lines of at most width, the ones after the first
// indented, between words.
func wrap(text string, width int) string {
	var b strings.Builder
	line := 0
	for i, w := range strings.Fields(text) {
		switch {
		case i == 0:
		case line+1+len(w) > width:
			b.WriteString("\n  ")
			line = 2
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// plain writes grades.csv: every student, with points where known.
func (b *batch) plain() error {
	t := &table{}
	t.add("student", "id", "email", "points", "max_points", "verdict")
	for _, m := range b.marks {
		points := ""
		if m.out == "" {
			points = num(m.points)
		}
		t.add(m.Sub.Name, m.Sub.ID, strings.Join(m.Sub.Emails, " "), points, num(b.max), m.Verdict)
	}
	if err := b.write("grades.csv", t.bytes()); err != nil {
		return err
	}
	b.how(`grades.csv: every student's points, out of ` + num(b.max) + `, the students named as the export names them: 0 for a submission
with no program in it, blank points for one whose grade is not known (the lab's fault, a timeout, an interrupted run). For a spreadsheet, not for an LMS: the LMS's own files are above.`)
	return nil
}

func (b *batch) writeReadme() error {
	var s strings.Builder
	fmt.Fprintf(&s, "socketlab: what goes back into the LMS (%s), %s, %d submissions\n", roster.Describe(b.roster.Layout), b.assignment, len(b.marks))
	fmt.Fprintf(&s, "Points are out of %s (the weights' total: internal/results/weights.txt or -weights).\n\n", num(b.max))
	for _, w := range b.warnings {
		s.WriteString(w + "\n\n")
	}
	for _, h := range b.readme {
		s.WriteString(h + "\n\n")
	}
	if len(b.leftOut) > 0 {
		s.WriteString("Not in the grade file (grade these by hand, or run the class again):\n")
		for _, l := range b.leftOut {
			s.WriteString("  - " + l + "\n")
		}
	} else {
		s.WriteString("Every submission is in the grade file.\n")
	}
	return b.write("README.txt", []byte(s.String()))
}
