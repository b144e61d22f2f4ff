package results

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Files are the report files a grade writes besides its text: paths, ""
// for none. Open them before grading, so a path that cannot be written is
// reported at once rather than after the calls.
type Files struct {
	JUnit      string // JUnit XML (Submission.WriteJUnit)
	Gradescope string // Gradescope's results.json (Submission.WriteGradescope)
	// CSV gets one line per grade, appended; "-" is stdout (after the
	// report). CSVHeader writes the header line first when the file is
	// empty, or always on stdout.
	CSV       string
	CSVHeader bool
	// Markdown gets the grade as one Markdown table row, rewritten
	// (Submission.WriteMarkdownRow): a class's summary.md is made of them.
	Markdown string
	// JSON gets the whole Submission (WriteJSON), rewritten: what a class
	// grader reads back (ReadJSON) to write every other form itself.
	JSON string
}

// Outputs are Files opened, ready for the report.
type Outputs struct {
	files     Files
	junit, gs *os.File
	md, js    *os.File
	csv       *os.File // nil for stdout
	csvEmpty  bool
}

// Open creates or opens every file named, without emptying any yet: a
// grade that is never written leaves a previous report in place.
func (f Files) Open() (*Outputs, error) {
	o := &Outputs{files: f}
	var err error
	open := func(path string, flag int) *os.File {
		if path == "" || err != nil {
			return nil
		}
		file, oerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|flag, 0o644)
		if oerr != nil {
			err = fmt.Errorf("cannot write %s: %w", path, errors.Unwrap(oerr))
		}
		return file
	}
	o.junit = open(f.JUnit, 0)
	o.gs = open(f.Gradescope, 0)
	o.md = open(f.Markdown, 0)
	o.js = open(f.JSON, 0)
	if f.CSV != "-" {
		o.csv = open(f.CSV, os.O_APPEND)
	}
	if err != nil {
		o.Close()
		return nil, err
	}
	if o.csv != nil {
		st, serr := o.csv.Stat()
		o.csvEmpty = serr == nil && st.Size() == 0
	}
	return o, nil
}

// Write writes s to each file, each check worth what w says, and the CSV
// line to stdout when the CSV file is "-". It goes on after an error, and
// returns the first.
func (o *Outputs) Write(s Submission, w Weights, stdout io.Writer) error {
	var first error
	keep := func(what string, err error) {
		if err != nil && first == nil {
			first = fmt.Errorf("write the %s report: %w", what, err)
		}
	}
	rewrite := func(f *os.File, write func(io.Writer) error) error {
		if err := f.Truncate(0); err != nil {
			return err
		}
		return write(f)
	}
	if o.junit != nil {
		keep("JUnit", rewrite(o.junit, func(f io.Writer) error { return s.WriteJUnit(f, w) }))
	}
	if o.gs != nil {
		keep("Gradescope", rewrite(o.gs, func(f io.Writer) error { return s.WriteGradescope(f, w) }))
	}
	if o.md != nil {
		keep("Markdown", rewrite(o.md, func(f io.Writer) error { return s.WriteMarkdownRow(f, w) }))
	}
	if o.js != nil {
		keep("JSON", rewrite(o.js, s.WriteJSON))
	}
	switch {
	case o.files.CSV == "-":
		keep("CSV", s.WriteCSV(stdout, w, o.files.CSVHeader))
	case o.csv != nil:
		keep("CSV", s.WriteCSV(o.csv, w, o.files.CSVHeader && o.csvEmpty))
	}
	return first
}

// Close closes the files; it returns the first error, such as a write the
// disk refused at last.
func (o *Outputs) Close() error {
	var first error
	for _, f := range []*os.File{o.junit, o.gs, o.md, o.js, o.csv} {
		if f == nil {
			continue
		}
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
