package lms

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/socketlab/socketlab/internal/roster"
)

// canvasColumn is an assignment's column in Canvas's gradebook export,
// "Lab 2: echo server (4321)": Canvas's import reads it with this very
// pattern (gradebook_importer.rb), and matches the id before the name.
var canvasColumn = regexp.MustCompile(`^(.*)\s\((\d+)\)$`)

// canvasAssignment reads an assignment's column, as canvasColumn.
func canvasAssignment(header string) (name, id string, ok bool) {
	m := canvasColumn.FindStringSubmatch(header)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// canvas writes Canvas's gradebook import (Grades > Import) and the
// feedback files for Re-Upload Submissions.
//
// The import needs "Student" and "ID" first and "Section" last of the
// student columns, with "SIS User ID" and "SIS Login ID" between; it finds
// a student by ID (the user id of the download's file names) and an
// assignment by "(id)" at the end of its column's name, else by the name,
// else it creates one. A blank cell where Canvas has a score clears it,
// so a student not graded has no row at all. No byte-order mark: Canvas
// writes one only when a user asks.
//
// Canvas has no comment column. It takes feedback as files re-uploaded
// under the download's names: each becomes a comment on the submission
// whose user and file ids the name carries (abstract_assignment.rb).
func (b *batch) canvas() error {
	col := b.assignment
	if b.cfg.AssignmentID != "" {
		col += " (" + b.cfg.AssignmentID + ")"
	}
	type known struct{ student, sisUser, sisLogin, section string }
	people := map[string]known{}
	if b.cfg.Gradebook != "" {
		g, err := readGradebook(b.cfg.Gradebook)
		if err != nil {
			return err
		}
		if g.col("Student") != 0 || g.col("ID") < 0 {
			return fmt.Errorf("%s is not Canvas's gradebook export: its first columns are not Student, ID", g.path)
		}
		name := b.cfg.Assignment
		if name == "" {
			name = b.roster.Assignment
		}
		if col, err = g.column(canvasAssignment, name, b.cfg.AssignmentID); err != nil {
			return err
		}
		id, su, sl, sec := g.col("ID"), g.col("SIS User ID"), g.col("SIS Login ID"), g.col("Section")
		for _, r := range g.rows {
			if roster.Digits(cell(r, id)) {
				people[cell(r, id)] = known{cell(r, 0), cell(r, su), cell(r, sl), cell(r, sec)}
			}
		}
	}
	t := &table{}
	t.add("Student", "ID", "SIS User ID", "SIS Login ID", "Section", col)
	t.add("    Points Possible", "", "", "", "", num(b.max))
	files, comments := map[string][]byte{}, map[string][]byte{}
	var noFile []string
	for _, m := range b.graded() {
		if !roster.Digits(m.Sub.ID) {
			b.leave(m, "an anonymous submission: Canvas's gradebook file names no one anonymous; grade it in SpeedGrader")
		} else if k, ok := people[m.Sub.ID]; ok || len(people) == 0 {
			t.add(firstOf(k.student, m.Sub.Name), m.Sub.ID, k.sisUser, k.sisLogin, k.section, num(m.points))
		} else {
			b.leave(m, "user id "+m.Sub.ID+" is not in the gradebook export "+filepath.Base(b.cfg.Gradebook))
		}
		if upload := canvasUpload(m.Sub.Export); upload != "" {
			files[upload] = []byte(m.feedback)
		} else {
			noFile = append(noFile, m.Sub.Name)
			comments[canvasComment(m.Sub)] = []byte(m.feedback)
		}
	}
	if err := b.write("canvas-grades.csv", t.bytes()); err != nil {
		return err
	}
	rename := fmt.Sprintf(`Its grade column is %q: Canvas matches it by the id in brackets at its end. Give it the
  assignment's column exactly as Canvas's own Grades > Export writes it ("Lab 2: echo server (4321)"): rename the
  header here, or run again with -assignment NAME -assignment-id ID, or with -lms-gradebook set to that export.
  Left as it is, Canvas offers to create a new assignment of that name.`, col)
	if canvasColumn.MatchString(col) {
		rename = fmt.Sprintf(`Its grade column is %q, matched by the id in brackets.`, col)
	}
	b.how(fmt.Sprintf(`canvas-grades.csv: Canvas's gradebook import, each student's points (out of %s). In the course: Grades >
  Import > choose the file > Upload Data, check the changes Canvas shows, Continue. Canvas finds each student by ID
  (the user id in the download's file names). %s
  A submission with no program in it scores 0. A student whose grade is not known (the lab's fault, a timeout, an
  interrupted run) has no row: a blank cell would clear a score.`, num(b.max), rename))
	if err := b.canvasComments(comments, noFile); err != nil {
		return err
	}
	if len(files) == 0 {
		return nil
	}
	if err := b.writeZip("canvas-feedback.zip", files); err != nil {
		return err
	}
	text := `canvas-feedback.zip: each student's feedback, in a file named exactly as one of their own uploads in the
  download. Grades > the assignment's column menu > Re-Upload Submissions (it shows once the submissions were
  downloaded) > choose the zip. Canvas matches each file by the user and file ids in its name and adds it to the
  student's submission as a comment "See attached file(s)"; the attachment keeps the name of the upload (server.py)
  but holds the feedback.`
	if len(noFile) > 0 {
		text += " Not in it (their only uploads are a text entry, a link or an archive, which the feedback cannot stand in for): " +
			strings.Join(noFile, ", ") + "; their feedback is in canvas-comments.zip."
	}
	b.how(text)
	return nil
}

// canvasComments writes the feedback of the students no upload of whom can
// carry it into canvas-comments.zip, one text file each, for the TA to
// paste as a comment: every student in the grade file gets feedback.
func (b *batch) canvasComments(comments map[string][]byte, who []string) error {
	if len(comments) == 0 {
		return nil
	}
	if err := b.writeZip("canvas-comments.zip", comments); err != nil {
		return err
	}
	b.how(`canvas-comments.zip: the feedback of the students whose only uploads are a text entry, a link or an archive
  (` + strings.Join(who, ", ") + `), one file each named login_userid.txt: Canvas cannot take it back as a file of
  theirs, so paste each into the student's comment in SpeedGrader.`)
	return nil
}

// canvasComment names a student's feedback in canvas-comments.zip: the
// download's login and user id, as its file names start.
func canvasComment(s roster.Submission) string {
	return strings.NewReplacer("/", "_", "\\", "_").Replace(firstOf(s.Name, s.Key)) + "_" + firstOf(s.ID, "anonymous") + ".txt"
}

// canvasUpload is the download's name of one of a student's uploads to
// carry their feedback: a plain file, which the student opens by its name
// and reads; never an archive (an attachment called lab2.zip that holds
// text would not open), a text entry or a link (no file id).
func canvasUpload(export []string) string {
	for _, e := range export {
		switch low := strings.ToLower(e); {
		case strings.HasSuffix(e, "/"), strings.HasSuffix(e, "_text.html"), strings.HasSuffix(e, "_link.html"):
		case strings.HasSuffix(low, ".zip"), strings.HasSuffix(low, ".tar.gz"), strings.HasSuffix(low, ".tgz"), strings.HasSuffix(low, ".tar"),
			strings.HasSuffix(low, ".rar"), strings.HasSuffix(low, ".7z"):
		default:
			return e
		}
	}
	return ""
}
