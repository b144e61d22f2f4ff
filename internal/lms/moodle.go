package lms

import (
	"fmt"
	"strings"

	"github.com/socketlab/socketlab/internal/roster"
)

// moodleDate is how Moodle writes "Last modified (grade)" (userdate, in
// English), and reads it back with PHP's strtotime.
const moodleDate = "Monday, 2 January 2006, 3:04 PM"

// moodle writes Moodle's offline grading worksheet (mod/assign's
// "Upload grading worksheet") and the feedback files' zip ("Upload
// multiple feedback files in a zip").
//
// The worksheet's upload needs the columns Identifier, Grade and "Last
// modified (grade)" (importgradeslib.php); it finds a student by the
// number after "Participant " in Identifier, the participant id of the
// download's folder names; it skips a grade when Moodle's was changed
// more than a minute after "Last modified (grade)", which is therefore
// the time of this run. "Feedback comments" is stored as HTML. Moodle
// writes the file with a UTF-8 byte-order mark and quotes as PHP's
// fputcsv does: so does this.
//
// The zip's folders are named exactly as the download's: Moodle's import
// reads the participant id and the plugin from each folder's name
// (importziplib.php), and keeps the rest of the path as the feedback
// file's.
func (b *batch) moodle() error {
	t := &table{quote: php, bom: true}
	t.add("Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)", "Feedback comments")
	stamp := b.cfg.Now.Format(moodleDate)
	files := map[string][]byte{}
	for _, m := range b.graded() {
		if !roster.Digits(m.Sub.ID) {
			b.leave(m, "Moodle's download gives no participant id for it (a group with no id, \"Default group\"): grade it in Moodle")
			continue
		}
		t.add("Participant "+m.Sub.ID, m.Sub.Name, fmt.Sprintf("%.2f", m.points), fmt.Sprintf("%.2f", b.max), stamp, htmlText(m.feedback))
		if p := moodleFeedbackPath(m.Sub.Export); p != "" {
			files[p] = []byte(m.feedback)
		}
	}
	if err := b.write("moodle-grades.csv", t.bytes()); err != nil {
		return err
	}
	b.how(fmt.Sprintf(`moodle-grades.csv: Moodle's offline grading worksheet, with each student's points (out of %[1]s) and feedback comments.
  In the assignment: Submissions (View all submissions) > the action menu above the table ("Actions", or "Grading
  action" before Moodle 4.3) > Upload grading worksheet > choose the file > Upload grading worksheet, check the
  preview, Confirm. Moodle finds each student by Identifier ("Participant N", N the number in the download's folder
  names). It needs, in the assignment's settings under Feedback types, "Offline grading worksheet" (and "Feedback
  comments" for the comments), and a maximum grade of %[1]s (or weights that add up to the assignment's maximum):
  Moodle skips a grade above the maximum. It also skips a grade someone changed in Moodle after this file was made
  (%[2]s), unless you tick "Allow updating records that have been modified more recently in Moodle than in the
  spreadsheet".`, num(b.max), b.cfg.Now.Format(moodleDate)))
	if len(files) == 0 {
		return nil
	}
	if err := b.writeZip("moodle-feedback.zip", files); err != nil {
		return err
	}
	b.how(`moodle-feedback.zip: each student's feedback as ` + FeedbackFile + `, in a folder named exactly as in Moodle's
  download. Same action menu > Upload multiple feedback files in a zip > choose the zip > Import feedback file(s),
  Confirm. Needs "Feedback files" ticked under Feedback types.`)
	return nil
}

// moodleFeedbackPath is where a student's feedback file goes in the zip:
// in the download's folder of theirs, or, for a download without folders
// ("Full Name_ID_assignsubmission_file_server.py"), beside it under
// Moodle's flat name for it.
func moodleFeedbackPath(export []string) string {
	if f := folderOf(export); f != "" {
		return f + FeedbackFile
	}
	if len(export) == 0 {
		return ""
	}
	// Moodle's import splits a name on "_" into at most five parts: the
	// name, the id, the plugin's two halves and the file's own name.
	parts := strings.SplitN(export[0], "_", 5)
	if len(parts) < 5 {
		return ""
	}
	return strings.Join(parts[:4], "_") + "_" + FeedbackFile
}
