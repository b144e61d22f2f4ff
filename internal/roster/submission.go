package roster

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// draft is a submission as a layout reads it: who, and what goes into
// their folder.
type draft struct {
	s      Submission
	mounts []mount
	notes  []string
	also   []string // more of the export's names that are the student's, not staged: Blackboard's receipt
}

// mount puts e into the student's folder: a folder's contents under dst
// ("" for the top), a file under the name dst. An archive mounted as a
// file, or lying at the top of a mounted folder, is an upload: it is
// unpacked in its place.
type mount struct {
	e   *entry
	dst string
}

// staged is a file on its way into Submission.Files.
type staged struct {
	File
	rel string
}

// build lists d's files, unpacks its uploads, finds the program and
// applies w's caps.
func (d draft) build(w Want) (Submission, []Skip) {
	s := d.s
	s.maxBytes = w.MaxBytes
	notes := d.notes
	var files []staged
	var skipped []Skip
	taken := map[string]string{}
	mi := 0 // the mount being listed
	from := map[string]int{}
	add := func(e *entry, dst string) {
		from[dst] = mi
		// Case-blind, as the TA's disk may be.
		if prev, dup := taken[strings.ToLower(dst)]; dup {
			skipped = append(skipped, Skip{e.rel, fmt.Sprintf("%s is also %s: %s is kept", dst, prev, prev)})
			return
		}
		taken[strings.ToLower(dst)] = e.rel
		files = append(files, staged{File{Src: e.src, Dst: dst, Size: e.size, open: e.open}, e.rel})
	}
	type upload struct {
		e        *entry
		at, name string // where it lies in the student's folder
		mount    int
	}
	var uploads []upload
	for i, m := range d.mounts {
		mi = i
		if !m.e.dir {
			if archiveKind(m.dst) != "" {
				uploads = append(uploads, upload{m.e, dot(path.Dir(m.dst)), path.Base(m.dst), i})
				continue
			}
			add(m.e, m.dst)
			continue
		}
		walk(m.e, m.dst, func(e *entry, dst string, top bool) {
			if top && archiveKind(e.name) != "" {
				uploads = append(uploads, upload{e, dot(path.Dir(dst)), e.name, i})
				return
			}
			add(e, dst)
		})
	}
	// Loose files first: when an upload holds a file of the same name, the
	// loose one is kept.
	for _, u := range uploads {
		mi = u.mount
		tree, more, err := unpack(u.e, u.e.rel, w.MaxBytes)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s could not be unpacked (%v): staged as it is", u.name, err))
			add(u.e, join(u.at, u.name))
			continue
		}
		skipped = append(skipped, more...)
		note := "unpacked " + u.name
		if len(more) > 0 {
			note += fmt.Sprintf(" (%d member(s) left out: unsafe paths or links)", len(more))
		}
		notes = append(notes, note)
		if kids := tree.visible(); len(kids) == 1 && kids[0].dir {
			tree = kids[0] // the folder the student zipped
		}
		walk(tree, u.at, func(e *entry, dst string, _ bool) { add(e, dst) })
	}
	for _, f := range files {
		if ext := otherArchive(f.Dst); ext != "" && archiveKind(f.Dst) == "" {
			notes = append(notes, fmt.Sprintf("%s is a %s archive, which cannot be unpacked here: ask for a .zip", f.Dst, ext))
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Dst < files[j].Dst })

	var paths []string
	for _, f := range files {
		paths = append(paths, f.Dst)
	}
	prog, note := findProgram(paths, w)

	// The caps: the program first, then the rest in order.
	sort.SliceStable(files, func(i, j int) bool { return files[i].Dst == prog && files[j].Dst != prog })
	var total int64
	over := 0
	for _, f := range files {
		if len(s.Files) >= w.MaxFiles || total+f.Size > w.MaxBytes {
			over++
			skipped = append(skipped, Skip{f.rel, fmt.Sprintf("over the cap of %d files and %s a submission: not staged", w.MaxFiles, megabytes(w.MaxBytes))})
			if f.Dst == prog {
				prog, note = "", fmt.Sprintf("%s is bigger than the cap of %s: not staged", prog, megabytes(w.MaxBytes))
			}
			continue
		}
		total += f.Size
		s.Files = append(s.Files, f.File)
	}
	sort.Slice(s.Files, func(i, j int) bool { return s.Files[i].Dst < s.Files[j].Dst })
	if over > 0 {
		notes = append(notes, fmt.Sprintf("%d file(s) over the cap of %d files and %s not staged", over, w.MaxFiles, megabytes(w.MaxBytes)))
	}
	s.Program = prog
	s.Export = append(mountNames(d.mounts, from, prog), d.also...)
	if note != "" {
		notes = append([]string{note}, notes...)
	}
	s.Note = strings.Join(notes, "; ")
	return s, skipped
}

// walk calls fn for each file under e, with its path under dst; top says
// the file lies at e's top.
func walk(e *entry, dst string, fn func(e *entry, dst string, top bool)) {
	for _, k := range e.visible() {
		p := join(dst, k.name)
		if k.dir {
			walk(k, p, func(e *entry, dst string, _ bool) { fn(e, dst, false) })
			continue
		}
		fn(k, p, true)
	}
}

func dot(p string) string {
	if p == "." {
		return ""
	}
	return p
}

// mountNames are the mounts' names in the export, a folder's with a "/"
// after it, the one the program came from first.
func mountNames(mounts []mount, from map[string]int, prog string) []string {
	name := func(m mount) string {
		if m.e.dir {
			return m.e.name + "/"
		}
		return m.e.name
	}
	var names []string
	first, ok := from[prog]
	if prog != "" && ok {
		names = append(names, name(mounts[first]))
	}
	for i, m := range mounts {
		if prog == "" || !ok || i != first {
			names = append(names, name(m))
		}
	}
	return names
}
