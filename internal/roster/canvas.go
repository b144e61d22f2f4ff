package roster

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// canvasName is what Canvas's "Download Submissions" writes in each file's
// name: login[_LATE]_userid_fileid_name. The login is the student's
// sortable name ("Doe, John") in lower case with everything but letters,
// digits and "_" dropped: "doejohn". An anonymous assignment has
// [LATE_]anon_ID instead of the login and user id; an online text entry
// or a URL has no file id and is called text.html or link.html.
type canvasName struct {
	Login  string // "doejohn", "anon_x1y2z"
	Late   bool
	UserID string // the anonymous id for an anonymous assignment
	FileID string // "" for text.html and link.html
	File   string // as the student named it, and Canvas renamed it: "server-1.py"
}

var (
	canvasFile = regexp.MustCompile(`^([\p{L}\p{M}\p{N}_]+?)(_LATE)?_(\d+)_(\d+)_(.+)$`)
	canvasText = regexp.MustCompile(`^([\p{L}\p{M}\p{N}_]+?)(_LATE)?_(\d+)_((?:text|link)\.html)$`)
	canvasAnon = regexp.MustCompile(`^(LATE_)?anon_([\p{L}\p{N}]+)_(?:(\d+)_(.+)|((?:text|link)\.html))$`)
	// resubmitted is a name Canvas gave a file of the same name as one the
	// student had uploaded before: "server-1.py", "server-2.py", "Makefile-1".
	resubmitted = regexp.MustCompile(`^(.*?)-([1-9]\d{0,2})(\.[^.]*)?$`)
)

func parseCanvas(name string) (canvasName, bool) {
	if m := canvasAnon.FindStringSubmatch(name); m != nil {
		file := m[4]
		if m[5] != "" {
			file = m[5]
		}
		return canvasName{Login: "anon_" + m[2], Late: m[1] != "", UserID: m[2], FileID: m[3], File: file}, true
	}
	if m := canvasText.FindStringSubmatch(name); m != nil {
		return canvasName{Login: m[1], Late: m[2] != "", UserID: m[3], File: m[4]}, true
	}
	if m := canvasFile.FindStringSubmatch(name); m != nil {
		return canvasName{Login: m[1], Late: m[2] != "", UserID: m[3], FileID: m[4], File: m[5]}, true
	}
	return canvasName{}, false
}

// unresubmit is the name a file had before Canvas numbered it, and the
// number: ("server.py", 2) for "server-2.py", ("server.py", 0) for itself.
func unresubmit(file string) (string, int) {
	m := resubmitted.FindStringSubmatch(file)
	if m == nil || m[1] == "" {
		return file, 0
	}
	n, _ := strconv.Atoi(m[2])
	return m[1] + m[3], n
}

func detectCanvas(root *entry) int {
	return count(root, func(k *entry) bool { _, ok := parseCanvas(k.name); return ok && !k.dir })
}

// readCanvas groups the flat folder's files by student (the user id), and
// of the files a student uploaded under one name keeps the latest: the
// highest -N, then the highest file id.
func readCanvas(root *entry) ([]draft, []Skip) {
	type upload struct {
		e    *entry
		c    canvasName
		base string
		n    int
	}
	byUser := map[string][]upload{}
	var order []string
	var skipped []Skip
	for _, k := range root.visible() {
		c, ok := parseCanvas(k.name)
		switch {
		case k.dir:
			skipped = append(skipped, Skip{k.rel, "a folder in a Canvas export, whose submissions are files"})
			continue
		case !ok:
			skipped = append(skipped, Skip{k.rel, "not named as Canvas names a submission's files (login_userid_fileid_name)"})
			continue
		}
		base, n := unresubmit(c.File)
		if base == "." || base == ".." {
			base = c.File
		}
		if _, seen := byUser[c.UserID]; !seen {
			order = append(order, c.UserID)
		}
		byUser[c.UserID] = append(byUser[c.UserID], upload{k, c, base, n})
	}
	var drafts []draft
	for _, id := range order {
		ups := byUser[id]
		d := draft{s: Submission{Name: ups[0].c.Login, ID: id}}
		byBase := map[string][]upload{}
		var bases []string
		for _, u := range ups {
			d.s.Late = d.s.Late || u.c.Late
			b := strings.ToLower(u.base)
			if _, seen := byBase[b]; !seen {
				bases = append(bases, b)
			}
			byBase[b] = append(byBase[b], u)
		}
		sort.Strings(bases)
		for _, b := range bases {
			same := byBase[b]
			sort.SliceStable(same, func(i, j int) bool {
				if same[i].n != same[j].n {
					return same[i].n < same[j].n
				}
				return lessID(same[i].c.FileID, same[j].c.FileID)
			})
			latest := same[len(same)-1]
			d.mounts = append(d.mounts, mount{latest.e, latest.base})
			switch {
			case len(same) > 1:
				var all []string
				for _, u := range same {
					all = append(all, u.c.File)
				}
				d.notes = append(d.notes, fmt.Sprintf("%s is %s, the latest of %s", latest.base, latest.c.File, strings.Join(all, ", ")))
			case latest.n > 0:
				d.notes = append(d.notes, fmt.Sprintf("%s is %s, as Canvas renamed a resubmission", latest.base, latest.c.File))
			}
		}
		drafts = append(drafts, d)
	}
	return drafts, skipped
}

// lessID orders decimal ids of any length.
func lessID(a, b string) bool {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
