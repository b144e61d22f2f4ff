package lms

import (
	"archive/zip"
	"bytes"
	"maps"
	"slices"
	"strings"
	"time"
)

// FeedbackFile is the name of the feedback file a student gets back where
// the LMS takes feedback as files in a folder of theirs (Moodle,
// Brightspace).
const FeedbackFile = "socketlab-feedback.txt"

// zipOf is a zip of files (slash-separated path → body), in path order, its
// names in UTF-8 as every LMS reads them, each modified at when (the
// grading's time): a zero time would list as 1980-00-00 in unzip -l.
func zipOf(files map[string][]byte, when time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate, Modified: when})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[p]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeZip writes files as the zip name, dated the grading's time.
func (b *batch) writeZip(name string, files map[string][]byte) error {
	data, err := zipOf(files, b.cfg.Now)
	if err != nil {
		return err
	}
	return b.write(name, data)
}

// htmlText is plain text as HTML that keeps its lines and columns, for the
// LMSes that store feedback as HTML (Moodle's comments, Blackboard's
// Feedback to Learner).
func htmlText(s string) string {
	return "<pre>" + htmlEscape.Replace(strings.TrimRight(s, "\n")) + "</pre>"
}

// htmlEscape escapes what would be markup in an element's text; quotes
// need none there, and stay readable in the CSV.
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// folderOf is the export's folder of a submission (its Export name ending
// in "/"), "" when it has none.
func folderOf(export []string) string {
	for _, e := range export {
		if strings.HasSuffix(e, "/") {
			return e
		}
	}
	return ""
}
