package roster

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxEntries bounds how many files and folders Read walks in all, and
// maxDepth how deep: an export is a few thousand files, a mistaken DIR
// (a home folder, /) is not read to the end.
const (
	maxEntries = 200_000
	maxDepth   = 40
	// maxExport bounds an export zip read into memory, because it is a
	// member of another archive rather than a file on disk, and a tarball
	// export read through to be listed.
	maxExport = 1 << 30
)

// opener opens one file's bytes, wherever they are.
type opener func() (io.ReadCloser, error)

// entry is one file or folder of what Read looks at: a folder on disk, an
// archive, or an upload inside either.
type entry struct {
	name string
	rel  string // for Skip.Path: relative to DIR, "hw1.zip:hw1/server.py" inside an archive
	dir  bool
	kids []*entry // sorted by name
	git  bool     // a folder holding .git: a clone
	size int64
	src  string // File.Src
	open opener // nil for a file on disk, opened by src
}

// visible is e's files and folders; junk was never read into the tree.
func (e *entry) visible() []*entry { return e.kids }

func (e *entry) child(name string) *entry {
	for _, k := range e.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func (e *entry) reader() (io.ReadCloser, error) {
	if e.open != nil {
		return e.open()
	}
	return diskOpener(e.src)()
}

// junk names what is never part of a submission: dotfiles (.DS_Store, .git,
// .idea), the resource forks macOS puts in zips, Python's byte code.
func junk(name string) bool {
	return strings.HasPrefix(name, ".") || name == "__MACOSX" || name == "__pycache__" ||
		strings.EqualFold(name, "Thumbs.db") || strings.EqualFold(name, "desktop.ini")
}

// diskOpener opens a regular file, never what a symbolic link points to.
func diskOpener(p string) opener {
	return func() (io.ReadCloser, error) {
		st, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", p)
		}
		return os.Open(p)
	}
}

// readDisk reads the folder dir into a tree. Symbolic links are left out
// and reported: one could point anywhere on the TA's machine.
func readDisk(dir string) (*entry, []Skip, error) {
	budget := maxEntries
	root := &entry{name: baseName(dir), dir: true, src: dir}
	var skipped []Skip
	err := walkDisk(root, 0, &budget, &skipped)
	return root, skipped, err
}

func walkDisk(e *entry, depth int, budget *int, skipped *[]Skip) error {
	if depth > maxDepth {
		return fmt.Errorf("roster: %s: folders nested more than %d deep", e.src, maxDepth)
	}
	des, err := os.ReadDir(e.src)
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	for _, de := range des {
		if *budget--; *budget < 0 {
			return fmt.Errorf("roster: more than %d files and folders under %s: is it the right folder?", maxEntries, e.src)
		}
		name := de.Name()
		if junk(name) {
			e.git = e.git || name == ".git"
			continue
		}
		k := &entry{name: name, rel: join(e.rel, name), src: filepath.Join(e.src, name)}
		switch t := de.Type(); {
		case t.IsDir():
			k.dir = true
			if err := walkDisk(k, depth+1, budget, skipped); err != nil {
				return err
			}
		case t.IsRegular():
			if info, err := de.Info(); err == nil {
				k.size = info.Size()
			}
		case t&os.ModeSymlink != 0:
			*skipped = append(*skipped, Skip{k.rel, "a symbolic link: not followed, it could point anywhere on this machine"})
			continue
		default:
			continue // sockets, devices: nothing a student uploads
		}
		e.kids = append(e.kids, k)
	}
	return nil
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func baseName(p string) string { return filepath.Base(filepath.Clean(p)) }
