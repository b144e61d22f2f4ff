// Package roster reads the submissions a TA downloads from a learning
// management system (Canvas, Moodle, Blackboard Learn, Brightspace,
// Gradescope, GitHub Classroom, or one plain folder per student), names
// each student as the LMS does, finds the
// program to grade in each, and stages each submission into a folder of its
// own. It only reads the export (a folder, or a .zip or .tar.gz of one) and
// writes only where Stage is told to; names are values here, never words
// for a shell.
package roster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The layouts Read recognises, as Roster.Layout names them.
const (
	Canvas          = "canvas"
	Moodle          = "moodle"
	Blackboard      = "blackboard"
	Brightspace     = "brightspace"
	Gradescope      = "gradescope"
	GitHubClassroom = "github-classroom"
	Folders         = "folders"
)

// Default caps on one student's submission, unpacked uploads included.
const (
	DefaultMaxBytes = 50 << 20
	DefaultMaxFiles = 2000
)

// ServerNames and ClientNames are the program files accepted by default, in
// the order preferred when a submission holds several at the same depth.
var (
	ServerNames = []string{"server.py", "server.c", "server.cpp", "server.cc", "Server.java", "server.js", "server.go", "Makefile"}
	ClientNames = []string{"client.py", "client.c", "client.cpp", "client.cc", "Client.java", "client.js", "client.go", "Makefile"}
)

// Want says what Read looks for. The zero value looks for a server.
type Want struct {
	Role  string   // "server" (default) or "client"
	Names []string // accepted program file names, matched case-insensitively; default ServerNames or ClientNames
	// MaxBytes and MaxFiles cap what one submission stages, uploads
	// unpacked; 0 means DefaultMaxBytes and DefaultMaxFiles.
	MaxBytes int64
	MaxFiles int
}

// Roster is a class as the export holds it.
type Roster struct {
	Layout      string       // Canvas, Moodle, Blackboard, Brightspace, Gradescope, GitHubClassroom or Folders
	Root        string       // where the layout was found, relative to DIR: "" for DIR itself, "assignment_1_export"
	Assignment  string       // the assignment's name where the export says it (Blackboard, Brightspace), else ""
	Submissions []Submission // sorted by name
	Skipped     []Skip       // what is neither a submission nor part of one, and why
}

// Skip is something Read left out.
type Skip struct {
	Path string // relative to DIR; inside an archive "hw1.zip:../evil"
	Why  string
}

// Submission is one student's (or one group's) work.
type Submission struct {
	Name    string   // as the LMS names the student: "Bob O'Neil", "doejohn", "Ada Lovelace, Alan Turing"
	ID      string   // Moodle participant id, Canvas user id, Blackboard username, Brightspace submission ids ("397063-2557369"), Gradescope submission id, GitHub username; "" for plain folders
	Emails  []string // Gradescope's submitters' addresses
	Late    bool     // Canvas marked the submission late
	Files   []File   // what Stage copies into the student's folder
	Program string   // the file to grade, relative to the staged folder ("hw1/server.py"); "" when there is none
	Note    string   // what a TA should know: which file is graded and why, what was left out
	Key     string   // unique in the roster, [a-z0-9-], never empty: for file and compose project names
	// Export names the entries at the export's top that are this
	// submission's, exactly as the LMS named them, a folder's with a "/"
	// after it, the one holding the program first: Moodle's folders,
	// Canvas's and Blackboard's files, Brightspace's folder. What goes
	// back to the LMS is named after them.
	Export []string

	maxBytes int64
}

// File is one file of a submission.
type File struct {
	Src  string // where it comes from: a path on disk, or "ARCHIVE:MEMBER" inside an archive
	Dst  string // slash-separated path in the student's folder: Canvas's "doejohn_12_34_server-1.py" is "server.py"
	Size int64  // as the folder or the archive declares it; Stage checks what it copies

	open opener // nil: Src is a path on disk
}

// Read recognises the layout of dir (a folder, or a .zip, .tar.gz, .tgz,
// .tar or .tar.bz2 of one) and returns one Submission per student, sorted
// by name. An export inside a single top folder, or a folder holding only
// the export's archive, is read inside. A folder with no submissions in it
// is an error that says what it holds.
func Read(dir string, want Want) (Roster, error) {
	w, err := want.normal()
	if err != nil {
		return Roster{}, err
	}
	top, skipped, err := openTop(dir, w)
	if err != nil {
		return Roster{}, err
	}
	root, rel, more, err := descend(top)
	skipped = append(skipped, more...)
	if err != nil {
		return Roster{}, err
	}
	rd := detect(root)
	f := rd.read(root)
	r := Roster{Layout: rd.layout, Root: rel, Assignment: f.assignment}
	drafts := f.drafts
	skipped = append(skipped, f.skipped...)
	if len(drafts) == 0 {
		return Roster{}, noSubmissions(filepath.Join(dir, rel), root)
	}
	for _, d := range drafts {
		s, more := d.build(w)
		r.Submissions = append(r.Submissions, s)
		skipped = append(skipped, more...)
	}
	sortByName(r.Submissions)
	assignKeys(r.Submissions)
	r.Skipped = skipped
	return r, nil
}

func (w Want) normal() (Want, error) {
	switch w.Role {
	case "", "server":
		w.Role = "server"
		if len(w.Names) == 0 {
			w.Names = ServerNames
		}
	case "client":
		if len(w.Names) == 0 {
			w.Names = ClientNames
		}
	default:
		return w, fmt.Errorf("roster: role %q: want server or client", w.Role)
	}
	for _, n := range w.Names {
		if n == "" || strings.ContainsAny(n, `/\`) {
			return w, fmt.Errorf("roster: program name %q: want a file name such as server.py", n)
		}
	}
	if w.MaxBytes <= 0 {
		w.MaxBytes = DefaultMaxBytes
	}
	if w.MaxFiles <= 0 {
		w.MaxFiles = DefaultMaxFiles
	}
	return w, nil
}

// openTop reads dir, or the archive dir names, into a tree.
func openTop(dir string, w Want) (*entry, []Skip, error) {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("roster: no such folder or archive: %s", dir)
		}
		return nil, nil, fmt.Errorf("roster: %w", err)
	}
	if st.IsDir() {
		return readDisk(dir)
	}
	if archiveKind(dir) == "" {
		hint := ""
		if w.isProgram(baseName(dir)) {
			hint = ": it is one program; grade one program with `just my-server FILE`"
		}
		return nil, nil, fmt.Errorf("roster: %s is a file, not a folder or an archive (.zip, .tar.gz)%s", dir, hint)
	}
	// No opener: an archive on disk is read in place, never into memory.
	e := &entry{name: baseName(dir), src: dir, size: st.Size()}
	d, skipped, err := unpack(e, "", maxExport)
	if err != nil {
		return nil, nil, fmt.Errorf("roster: %s: %w", dir, err)
	}
	return d, skipped, nil
}

// descend steps into what is alone in root, unless root itself looks like
// an export: an archive (the export zip alone in a Downloads folder), or a
// folder that looks like an export (a zip unpacked into a folder of its
// own, Gradescope's assignment_NNN_export).
func descend(root *entry) (*entry, string, []Skip, error) {
	var rel []string
	var skipped []Skip
	for range 4 {
		kids := root.visible()
		if len(kids) != 1 || looksLikeClass(root) {
			break
		}
		next := kids[0]
		if !next.dir {
			if archiveKind(next.name) == "" {
				break
			}
			d, more, err := unpack(next, next.rel, maxExport)
			skipped = append(skipped, more...)
			if err != nil {
				return nil, "", skipped, fmt.Errorf("roster: %s: %w", next.src, err)
			}
			next = d
		} else if !looksLikeClass(next) {
			break
		}
		rel = append(rel, kids[0].name)
		root = next
	}
	return root, strings.Join(rel, "/"), skipped, nil
}

// noSubmissions says what dir holds when it holds no submission, so that a
// single student's folder is not silently a class of one.
func noSubmissions(dir string, root *entry) error {
	var names []string
	for _, k := range root.visible() {
		names = append(names, k.name)
	}
	if len(names) == 0 {
		return fmt.Errorf("roster: %s is empty: want one folder per student, or an LMS export (%s)", dir, exportNames())
	}
	return fmt.Errorf("roster: %s has no student folders and no LMS export, only %d file(s): %s; want one folder per student, "+
		"or an LMS export (%s); to grade one program, use `just my-server FILE`",
		dir, len(names), list(names, 5), exportNames())
}

func sortByName(subs []Submission) {
	sort.SliceStable(subs, func(i, j int) bool {
		a, b := subs[i], subs[j]
		if fa, fb := foldName(a.Name), foldName(b.Name); fa != fb {
			return fa < fb
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
}

// list joins names for a message, at most max of them.
func list(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}
