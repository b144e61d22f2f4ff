package lms

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// bbColumn is a Grade Center column as Blackboard's download names it,
// "Lab 2 [Total Pts: 20 Score] |118854": its name, and after "|" the
// Column ID an upload matches. Calculated columns say "up to" and take no
// upload.
var bbColumn = regexp.MustCompile(`^(.*?) ?\[Total Pts: ([^\]]*)\] \|(\d+)$`)

// blackboard writes Blackboard Learn's Grade Center upload (Work Offline >
// Upload; Ultra's gradebook takes the same file). Blackboard finds each
// student by Username and each column by its Column ID after "|"; a
// column without one is created. "Feedback to Learner" and "Feedback
// Format" after the grade are what a Selected Column download with its
// comments holds, and set the feedback the student reads. Blackboard asks
// a comma file to quote every field.
func (b *batch) blackboard() error {
	col := fmt.Sprintf("%s [Total Pts: %s Score]", b.assignment, num(b.max))
	if b.cfg.AssignmentID != "" {
		col += " |" + b.cfg.AssignmentID
	}
	var users map[string]bool
	if b.cfg.Gradebook != "" {
		g, err := readGradebook(b.cfg.Gradebook)
		if err != nil {
			return err
		}
		u := g.col("Username")
		if u < 0 {
			return fmt.Errorf("%s is not Blackboard's Grade Center download: it has no Username column", g.path)
		}
		name := b.cfg.Assignment
		if name == "" {
			name = b.roster.Assignment
		}
		if col, err = g.column(bbUploadable, name, b.cfg.AssignmentID); err != nil {
			return err
		}
		users = map[string]bool{}
		for _, r := range g.rows {
			users[cell(r, u)] = true
		}
	}
	t := &table{quote: always}
	t.add("Username", col, "Feedback to Learner", "Feedback Format")
	for _, m := range b.graded() {
		if users != nil && !users[m.Sub.ID] {
			b.leave(m, "username "+m.Sub.ID+" is not in the Grade Center download "+filepath.Base(b.cfg.Gradebook))
			continue
		}
		t.add(m.Sub.ID, num(m.points), htmlText(m.feedback), "HTML")
	}
	if err := b.write("blackboard-grades.csv", t.bytes()); err != nil {
		return err
	}
	id := fmt.Sprintf(`Its grade column is %q, matched by its Column ID after "|".`, col)
	if !strings.Contains(col, "|") {
		id = fmt.Sprintf(`Its grade column is %q, with no Column ID: Blackboard would add a new column (as text).
  Give it the assignment's column as the Grade Center's own download names it ("Lab 2 [Total Pts: 20 Score]
  |118854"): rename the header here, or run again with -assignment-id 118854, or with -lms-gradebook set to that
  download (Work Offline > Download, the column, comma-delimited).`, col)
	}
	b.how(fmt.Sprintf(`blackboard-grades.csv: Blackboard Learn's Grade Center upload (comma-separated, every field in quotes,
  UTF-8), each student's points (out of %s) and their feedback (Feedback to Learner, as HTML). Original course:
  Grade Center > Full Grade Center > Work Offline > Upload > choose the file, Delimiter Type Comma (or Auto) >
  Submit, tick the column in the preview > Submit. Ultra course: Gradebook > the upload button (Upload from
  computer). Blackboard finds each student by Username (the one in the download's file names). %s`, num(b.max), id))
	return nil
}

// bbUploadable reads a column an upload can set, as bbColumn: not a
// calculated one ("Total [Total Pts: up to 1,499 Score] |3032234").
func bbUploadable(header string) (name, id string, ok bool) {
	m := bbColumn.FindStringSubmatch(header)
	if m == nil || strings.HasPrefix(m[2], "up to") {
		return "", "", false
	}
	return m[1], m[3], true
}
