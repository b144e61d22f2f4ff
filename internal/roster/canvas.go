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
	// canvasLogin is what a login is made of: Canvas drops the rest.
	canvasLogin = regexp.MustCompile(`^[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}_]*$`)
	canvasAnon  = regexp.MustCompile(`^(LATE_)?anon_([\p{L}\p{N}]+)_(?:(\d+)_(.+)|((?:text|link)\.html))$`)
	// resubmitted is a name Canvas gave a file of the same name as one the
	// student had uploaded before: "server-1.py", "server-2.py", "Makefile-1".
	resubmitted = regexp.MustCompile(`^(.*?)-([1-9]\d{0,2})(\.[^.]*)?$`)
)

// parseCanvas reads name as Canvas reads it back (its own upload of
// graded files): the first two all-digit fields are the user and file ids.
// That is right unless the login itself ends in "_<digits>" ("bob_123":
// Canvas folds "_123_" inside a name, not at its end) or is all digits;
// readCanvas settles those with the rest of the export (canvasNames).
func parseCanvas(name string) (canvasName, bool) {
	if all := canvasNames(name); len(all) > 0 {
		return all[0], true
	}
	return canvasName{}, false
}

// canvasNames are every way name splits as Canvas names a file, the
// user id left to right: "bob_123_2045331_98765432_server.go" is bob's
// (123) with file 2045331, or bob_123's (2045331) with file 98765432.
// Older Canvas wrote the whole name in lower case, "late" too.
func canvasNames(name string) []canvasName {
	if m := canvasAnon.FindStringSubmatch(name); m != nil {
		file := m[4]
		if m[5] != "" {
			file = m[5]
		}
		return []canvasName{{Login: "anon_" + m[2], Late: m[1] != "", UserID: m[2], FileID: m[3], File: file}}
	}
	t := strings.Split(name, "_")
	var out []canvasName
	for i := 1; i+1 < len(t); i++ {
		if !Digits(t[i]) {
			continue
		}
		c := canvasName{UserID: t[i]}
		login := t[:i]
		if n := len(login); n > 1 && (login[n-1] == "LATE" || login[n-1] == "late") {
			c.Late, login = true, login[:n-1]
		}
		c.Login = strings.Join(login, "_")
		if !canvasLogin.MatchString(c.Login) {
			continue
		}
		switch rest := strings.Join(t[i+1:], "_"); {
		case i+2 == len(t) && (rest == "text.html" || rest == "link.html"):
			c.File = rest
		case i+2 < len(t) && Digits(t[i+1]) && strings.Join(t[i+2:], "_") != "":
			c.FileID, c.File = t[i+1], strings.Join(t[i+2:], "_")
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// Digits says s is a decimal number, as the LMSes' ids are written.
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// settleCanvas picks, for each file, one of its ways to split (canvasNames):
// first the one whose ids are as long as the export's other ids (a class's
// users joined, and its files were uploaded, at about the same time, so
// their ids have as many digits); then the one whose student has most of
// the export's files behind it, each with a file id of its own (Canvas
// gives every file its own); then Canvas's own, the leftmost.
func settleCanvas(all [][]canvasName) []canvasName {
	type who struct{ login, user string }
	files := map[who]map[string]bool{}
	var userLens, fileLens []int
	for _, cs := range all {
		for _, c := range cs {
			w := who{c.Login, c.UserID}
			if files[w] == nil {
				files[w] = map[string]bool{}
			}
			files[w][c.FileID+"/"+c.File] = true
		}
		if len(cs) == 1 && !strings.HasPrefix(cs[0].Login, "anon_") {
			userLens = append(userLens, len(cs[0].UserID))
			if cs[0].FileID != "" {
				fileLens = append(fileLens, len(cs[0].FileID))
			}
		}
	}
	support := func(c canvasName) int {
		ids := map[string]bool{}
		for k := range files[who{c.Login, c.UserID}] {
			ids[k[:strings.IndexByte(k, '/')]] = true
		}
		return len(ids)
	}
	mu, mf := median(userLens), median(fileLens)
	misfit := func(c canvasName) int {
		n := 0
		if mu > 0 {
			n += abs(len(c.UserID) - mu)
		}
		if mf > 0 && c.FileID != "" {
			n += abs(len(c.FileID) - mf)
		}
		return n
	}
	out := make([]canvasName, len(all))
	for i, cs := range all {
		best := 0
		for j := 1; j < len(cs); j++ {
			mj, mb := misfit(cs[j]), misfit(cs[best])
			if mj < mb || mj == mb && support(cs[j]) > support(cs[best]) {
				best = j
			}
		}
		out[i] = cs[best]
	}
	return out
}

func median(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	return s[len(s)/2]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
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
func readCanvas(root *entry) found {
	type upload struct {
		e    *entry
		c    canvasName
		base string
		n    int
	}
	byUser := map[string][]upload{}
	var order []string
	var skipped []Skip
	var named []*entry
	var splits [][]canvasName
	for _, k := range root.visible() {
		cs := canvasNames(k.name)
		switch {
		case k.dir:
			skipped = append(skipped, Skip{k.rel, "a folder in a Canvas export, whose submissions are files"})
			continue
		case len(cs) == 0:
			skipped = append(skipped, Skip{k.rel, "not named as Canvas names a submission's files (login_userid_fileid_name)"})
			continue
		}
		named, splits = append(named, k), append(splits, cs)
	}
	for i, c := range settleCanvas(splits) {
		k := named[i]
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
	return found{drafts: drafts, skipped: skipped}
}

// lessID orders decimal ids of any length.
func lessID(a, b string) bool {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
