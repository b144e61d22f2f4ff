package onehost

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/socketlab/socketlab/internal/student/lang"
)

// Program is what one host runs of a submission.
type Program struct {
	// Command is the program and its arguments: python3 -u server.py. For
	// a program of another language it is nil: the supervisor builds and
	// runs File (lang.Detect), with Args.
	Command []string
	Lang    lang.Lang
	Args    []string
	// Dir is the folder it runs in, relative to the submission: the
	// file's own, so that it finds the files beside it ("." at the top).
	Dir string
	// File is the student's file as found, relative to the submission.
	File string
	// Note says, as a sentence to the student, how the file was found when
	// it is not the lecture's server.py at the top of the submission.
	Note string
}

// ErrSubmission is a submission that cannot be graded as handed in
// (nothing to run, too big): the student's to fix, never the grader's.
var ErrSubmission = errors.New("the submission cannot be graded")

// The walk's bounds: a submission is a file or two, perhaps in a folder.
const (
	findDepth = 4
	findFiles = 2000
)

// FindProgram says how to run the submission in dir: a Python server,
// server.py, found at any depth and in any case (Server.py, src/server.py),
// or else another language's server as the lab finds it (server.c,
// server.cpp, Server.java, server.js, server.go, a Makefile: lang.Detect),
// or else the only Python file there is.
func FindProgram(dir string) (Program, error) {
	var py []string
	seen := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (strings.HasPrefix(name, ".") || name == "__MACOSX" || name == "__pycache__" || strings.Count(rel, "/") >= findDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		if seen++; seen > findFiles {
			return fs.SkipAll
		}
		if d.Type().IsRegular() && strings.EqualFold(path.Ext(rel), ".py") {
			py = append(py, rel)
		}
		return nil
	})
	if err != nil {
		return Program{}, fmt.Errorf("look for the program in %s: %w", dir, err)
	}
	// Shallowest first, then by name: the top's server.py before a copy
	// in an old/ folder.
	slices.SortFunc(py, func(a, b string) int {
		if d := strings.Count(a, "/") - strings.Count(b, "/"); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, f := range py {
		if strings.EqualFold(path.Base(f), "server.py") {
			return python(f, ""), nil
		}
	}
	// Another language's server (server.c, Server.java, a Makefile, ...),
	// found as the lab finds it, is built and run by the supervisor.
	if p, err := lang.Detect(dir, lang.Server, ""); err == nil && p.Lang != lang.Python {
		prog := Program{Lang: p.Lang, Dir: ".", File: p.File}
		if strings.Contains(p.File, "/") {
			prog.Note = fmt.Sprintf("The grader built and ran %s, in the folder %s of your submission.", p.File, path.Dir(p.File))
		}
		return prog, nil
	}
	switch len(py) {
	case 0:
		return Program{}, fmt.Errorf("%w: it has no server.py (the lecture's server, in Python 3)", ErrSubmission)
	case 1:
		return python(py[0], fmt.Sprintf("There is no server.py in your submission: the grader ran %s, its only Python file.", py[0])), nil
	}
	return Program{}, fmt.Errorf("%w: it has no server.py, and %d other Python files (%s): name your server server.py",
		ErrSubmission, len(py), strings.Join(py, ", "))
}

// python runs the file rel of the submission with Python 3, unbuffered so
// that what it prints arrives as it prints it, as the lab's laptop runs it.
func python(rel, note string) Program {
	p := Program{Command: []string{"python3", "-u", path.Base(rel)}, Dir: path.Dir(rel), File: rel, Note: note}
	if p.Note == "" && p.Dir != "." {
		p.Note = fmt.Sprintf("The grader ran %s, in the folder %s of your submission.", rel, p.Dir)
	}
	return p
}
