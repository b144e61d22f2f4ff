package lms

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// d2lColumn is a grade item's points column as Brightspace's export names
// it, "Lab 2 Points Grade", with the type hint the export may add after
// it: "Lab 2 Points Grade <Numeric MaxPoints:20 Category:Labs>".
var d2lColumn = regexp.MustCompile(`^(.*) Points Grade(?:\s*<[^>]*>)?$`)

// d2lMax is the grade item's most points, in the column's type hint.
var d2lMax = regexp.MustCompile(`<[^>]*\bMaxPoints:\s*([0-9.]+)`)

func d2lItem(header string) (name, id string, ok bool) {
	m := d2lColumn.FindStringSubmatch(header)
	if m == nil {
		return "", "", false
	}
	return m[1], "", true
}

// brightspace writes Brightspace's (D2L's) grades import (Grades > Import)
// and the feedback files in the download's folders.
//
// The import finds a student by OrgDefinedId or Username, and the grade
// item by the name before " Points Grade"; its exports put "#" before
// each id (so that a spreadsheet keeps leading zeros) and end each row
// with an "End-of-Line Indicator" of "#", and it reads both. Brightspace's
// download names a student by "First Last" alone, so the ids come from
// its gradebook export (Config.Gradebook), joined on the name; without it
// there is no grade file to write, and the README says how to get one.
// No feedback column is documented: the feedback goes as files.
func (b *batch) brightspace() error {
	files := map[string][]byte{}
	for _, m := range b.graded() {
		if f := folderOf(m.Sub.Export); f != "" {
			files[f+FeedbackFile] = []byte(m.feedback)
		}
	}
	if b.cfg.Gradebook == "" {
		if n := len(b.graded()); n > 0 {
			b.leftOut = append(b.leftOut, fmt.Sprintf("the %d graded: Brightspace's download gives no OrgDefinedId or Username to write them under (see brightspace-grades.csv above)", n))
		}
		b.how(`brightspace-grades.csv: not written. Brightspace's grades import finds a student by OrgDefinedId or Username,
  and its submissions' download names each student by First Last alone. Export the gradebook first: Grades >
  Export > Key Field: Both, Grade Values: Points grade, User Details: Last Name, First Name, the lab's grade item >
  Export to CSV. Then run the class again with -lms-gradebook FILE (the grades already made are kept): the file
  is written with each student's ids from it, matched by name.`)
	} else if err := b.brightspaceGrades(); err != nil {
		return err
	}
	if len(files) == 0 {
		return nil
	}
	if err := b.writeZip("brightspace-feedback.zip", files); err != nil {
		return err
	}
	b.how(`brightspace-feedback.zip: each student's feedback as ` + FeedbackFile + ` in a folder named exactly as in
  Brightspace's download. Brightspace's own pages do not say how a bulk upload of feedback files must be laid out
  (keeping the download's folder names is what those who have done it advise); if your Brightspace does not take it,
  attach each file in the assignment's Evaluate page, or paste it in the feedback box.`)
	return nil
}

func (b *batch) brightspaceGrades() error {
	g, err := readGradebook(b.cfg.Gradebook)
	if err != nil {
		return err
	}
	org, user, first, last := g.col("OrgDefinedId"), g.col("Username"), g.col("First Name"), g.col("Last Name")
	if org < 0 && user < 0 || first < 0 || last < 0 {
		return fmt.Errorf("%s is not Brightspace's grades export with the names: want the columns OrgDefinedId or Username, First Name and Last Name, have %s",
			g.path, strings.Join(g.head, ", "))
	}
	name := b.cfg.Assignment
	if name == "" {
		name = b.roster.Assignment
	}
	// A grade item the export does not have is created by the import.
	col := b.assignment + " Points Grade"
	if c, err := g.column(d2lItem, name, ""); err == nil {
		col = c
	} else if !errors.Is(err, errNoColumn) {
		return err
	}
	if m := d2lMax.FindStringSubmatch(col); m != nil {
		if most, err := strconv.ParseFloat(m[1], 64); err == nil && most > 0 && num(most) != num(b.max) {
			item, _, _ := d2lItem(col)
			b.warn(fmt.Sprintf(`Brightspace's grade item %q is out of %s points (MaxPoints in %s), and socketlab's grades are out of %s:
  imported as they are, a correct server's %s shows as %s out of %s (%.0f%%). Before you import brightspace-grades.csv, set
  the grade item's Max Points to %s in Brightspace, or grade again with a weights file whose points add up to %s
  (-weights FILE): deploy/grading/lms.md says how.`, item, num(most), filepath.Base(b.cfg.Gradebook), num(b.max),
				num(b.max), num(b.max), num(most), 100*b.max/most, num(b.max), num(most)))
		}
	}
	type ids struct{ org, user string }
	byName := map[string][]ids{}
	for _, r := range g.rows {
		k := nameKey(cell(r, first) + " " + cell(r, last))
		byName[k] = append(byName[k], ids{unpound(cell(r, org)), unpound(cell(r, user))})
	}
	var head []string
	if org >= 0 {
		head = append(head, "OrgDefinedId")
	}
	if user >= 0 {
		head = append(head, "Username")
	}
	t := &table{}
	t.add(append(head, col, "End-of-Line Indicator")...)
	for _, m := range b.graded() {
		found := byName[nameKey(m.Sub.Name)]
		switch {
		case len(found) == 0:
			b.leave(m, "no one of that name in the gradebook export "+filepath.Base(b.cfg.Gradebook))
			continue
		case len(found) > 1:
			b.leave(m, fmt.Sprintf("%d people of that name in the gradebook export: grade this one by hand", len(found)))
			continue
		}
		var row []string
		if org >= 0 {
			row = append(row, "#"+found[0].org)
		}
		if user >= 0 {
			row = append(row, "#"+found[0].user)
		}
		t.add(append(row, num(m.points), "#")...)
	}
	if err := b.write("brightspace-grades.csv", t.bytes()); err != nil {
		return err
	}
	b.how(fmt.Sprintf(`brightspace-grades.csv: Brightspace's grades import, each student's points (out of %s), with the ids of
  the gradebook export %s, matched by First Last. Grades > Enter Grades > Import > choose the file > Continue, check
  the preview > Import. The column %q must name the grade item as Brightspace does (an unknown name asks to create
  one). Importing a grade of an item linked to the assignment also publishes it to the student.`, num(b.max), filepath.Base(b.cfg.Gradebook), col))
	return nil
}

// gradescope says where a Gradescope export's grades go.
func (b *batch) gradescope() error {
	b.how(`Gradescope: its grades come from its own autograder (deploy/grading/gradescope), not from an upload: grades.csv
  has this run's points by student, with the addresses Gradescope gave.`)
	return nil
}

// classroom says where GitHub Classroom's grades go.
func (b *batch) classroom() error {
	b.how(`GitHub Classroom: it took grades only from its own autograding workflow, and has been sunset: grades.csv has
  this run's points by GitHub username.`)
	return nil
}
