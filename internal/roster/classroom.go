package roster

import (
	"strings"
	"unicode"
)

// detectClassroom counts the clones; a folder of plain folders that all
// start with an assignment's prefix ("sockets-lab-ada") counts as one, so
// that it wins only when no LMS's names are there.
func detectClassroom(root *entry) int {
	if n := count(root, func(k *entry) bool { return k.dir && k.git }); n > 0 {
		return n
	}
	if classroomPrefix(root, true) != "" {
		return 1
	}
	return 0
}

// readClassroom reads GitHub Classroom's clones, one repository
// "assignment-username" per student (or team), and names each by what
// follows the assignment's prefix: the name of the folder that holds them
// when they all start with it (the classroom assistant's download), or
// else the prefix all of them share.
func readClassroom(root *entry) found {
	prefix := classroomPrefix(root, false)
	var drafts []draft
	var skipped []Skip
	for _, k := range root.visible() {
		if !k.dir {
			skipped = append(skipped, Skip{k.rel, "a file, not a student's repository"})
			continue
		}
		user := k.name[len(prefix):]
		drafts = append(drafts, draft{s: Submission{Name: user, ID: user}, mounts: []mount{{k, ""}}})
	}
	if prefix == "" && len(drafts) == 1 {
		drafts[0].notes = append(drafts[0].notes, "one repository: named as it is, since the assignment's prefix cannot be told from the username")
	}
	return found{drafts: drafts, skipped: skipped}
}

// classroomPrefix is the assignment's part of the repositories' names,
// "sockets-lab-", or "" when there is none to drop. guess is for a folder
// of plain folders with no clone in it: then every name must go on with a
// letter after the prefix, so "team-1" and "team-2" stay themselves.
func classroomPrefix(root *entry, guess bool) string {
	var names []string
	for _, k := range root.visible() {
		if k.dir {
			names = append(names, k.name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	parent := root.name
	for _, suffix := range []string{"-submissions", "-repos", "-repositories", ""} {
		p := strings.TrimSuffix(parent, suffix)
		if p != "" && (suffix == "" || p != parent) && !guess && allAfter(names, p+"-", false) {
			return names[0][:len(p)+1]
		}
	}
	if len(names) < 2 {
		return ""
	}
	common := strings.ToLower(names[0])
	for _, n := range names[1:] {
		n = strings.ToLower(n)
		i := 0
		for i < len(common) && i < len(n) && common[i] == n[i] {
			i++
		}
		common = common[:i]
	}
	cut := strings.LastIndexByte(common, '-')
	if cut <= 0 || !allAfter(names, common[:cut+1], guess) {
		return ""
	}
	return names[0][:cut+1]
}

// allAfter says whether every name starts with prefix (in any case) and
// goes on after it; with letter, with a letter somewhere.
func allAfter(names []string, prefix string, letter bool) bool {
	for _, n := range names {
		if len(n) <= len(prefix) || !strings.EqualFold(n[:len(prefix)], prefix) {
			return false
		}
		if letter && strings.IndexFunc(n[len(prefix):], unicode.IsLetter) < 0 {
			return false
		}
	}
	return true
}
