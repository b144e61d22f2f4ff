package roster

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// cSources are what make a Makefile a program: it builds one of them.
var cSources = []string{".c", ".cc", ".cpp", ".cxx", ".c++"}

// isProgram says whether name is one of the accepted program names, in
// any case; a Makefile counts only beside a C or C++ source (findProgram).
func (w Want) isProgram(name string) bool { return w.rank(name) >= 0 }

func (w Want) rank(name string) int {
	for i, n := range w.Names {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// findProgram picks the file to grade among paths (slash-separated, in the
// staged folder): an accepted name in any case, the top-most first, then in
// the order of w.Names. It says in note which it chose and why, unless the
// choice is the obvious one: the only candidate, at the top, named exactly.
// With no accepted name, a single file of an accepted language whose name
// holds the role ("my_server.py", "server (1).py") is graded, and said so.
func findProgram(paths []string, w Want) (program, note string) {
	type cand struct {
		path  string
		depth int
		rank  int
	}
	var cands []cand
	var lonelyMake []string
	for _, p := range paths {
		base := path.Base(p)
		r := w.rank(base)
		if r < 0 {
			continue
		}
		if strings.EqualFold(base, "Makefile") && !hasCSource(paths, path.Dir(p)) {
			lonelyMake = append(lonelyMake, p)
			continue
		}
		cands = append(cands, cand{p, strings.Count(p, "/"), r})
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.depth != b.depth {
			return a.depth < b.depth
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.path < b.path
	})
	if len(cands) > 0 {
		c := cands[0]
		if len(cands) == 1 {
			if c.depth == 0 && c.path == w.Names[c.rank] {
				if same := sameLanguage(paths, c.path); len(same) > 0 {
					return c.path, fmt.Sprintf("graded %s, named as asked (also uploaded %s, not graded)", c.path, list(same, 3))
				}
				return c.path, ""
			}
			return c.path, fmt.Sprintf("graded %s (the only %s file)", c.path, w.Role)
		}
		var others []string
		for _, o := range cands[1:] {
			others = append(others, o.path)
		}
		why := "the top-most"
		if cands[1].depth == c.depth {
			why = "first in the order " + w.languages()
		}
		return c.path, fmt.Sprintf("graded %s, %s (also found %s)", c.path, why, list(others, 3))
	}
	if p, ok := lookalike(paths, w); ok {
		return p, fmt.Sprintf("graded %s: no %s, and it is the only file named like a %s", p, w.namesOr(), w.Role)
	}
	note = fmt.Sprintf("no %s found", w.namesOr())
	if len(lonelyMake) > 0 {
		note += fmt.Sprintf(" (%s has no C or C++ source beside it)", list(lonelyMake, 3))
	}
	if len(paths) == 0 {
		return "", note + "; the submission has no files"
	}
	return "", note + "; the submission holds " + list(paths, 5)
}

// sameLanguage are the other files of paths in program's language (by
// its extension): another version a student uploaded beside it.
func sameLanguage(paths []string, program string) []string {
	ext := strings.ToLower(path.Ext(program))
	var out []string
	for _, p := range paths {
		if p != program && ext != "" && strings.ToLower(path.Ext(p)) == ext {
			out = append(out, p)
		}
	}
	return out
}

func hasCSource(paths []string, dir string) bool {
	for _, p := range paths {
		if path.Dir(p) != dir {
			continue
		}
		ext := strings.ToLower(path.Ext(p))
		for _, c := range cSources {
			if ext == c {
				return true
			}
		}
	}
	return false
}

// lookalike is the single file with an accepted name's extension whose
// name holds the role word, as browsers and students rename files.
func lookalike(paths []string, w Want) (string, bool) {
	exts := map[string]bool{}
	for _, n := range w.Names {
		if e := strings.ToLower(path.Ext(n)); e != "" {
			exts[e] = true
		}
	}
	found := ""
	for _, p := range paths {
		base := strings.ToLower(path.Base(p))
		if !exts[path.Ext(base)] || !strings.Contains(base, w.Role) {
			continue
		}
		if found != "" {
			return "", false
		}
		found = p
	}
	return found, found != ""
}

// namesOr is "server.py, server.c or Makefile".
func (w Want) namesOr() string {
	n := w.Names
	if len(n) == 1 {
		return n[0]
	}
	return strings.Join(n[:len(n)-1], ", ") + " or " + n[len(n)-1]
}

// languages is the preference order, for the note: "server.py, server.c, ...".
func (w Want) languages() string {
	if len(w.Names) <= 3 {
		return strings.Join(w.Names, ", ")
	}
	return strings.Join(w.Names[:3], ", ") + ", ..."
}
