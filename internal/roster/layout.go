package roster

import "strings"

// A reader is one layout of export: how to tell it, and how to read it.
// Each LMS has one, in its own file; Read walks the export once, asks
// every reader how much of the export's top follows its layout, and lets
// the one that recognises most read it.
type reader struct {
	layout string
	// name is the layout in a sentence: "a Canvas export".
	name string
	// detect counts the entries at root's top that follow the layout; 0
	// means none does. A file only this layout writes counts for many.
	detect func(root *entry) int
	// byName says the layout's names alone make an export: a lone folder
	// holding even one such entry is the export, not one student's work.
	byName bool
	// read gathers root's entries into one draft per student.
	read func(root *entry) found
}

// found is what a reader read in an export.
type found struct {
	drafts  []draft
	skipped []Skip // what is no one's, and why
	// assignment is the assignment's name, where the export says it.
	assignment string
}

// readers are the exports Read recognises, the most particular names
// first: on a tie the earlier reads. Blackboard's "_attempt_<time>" and
// Brightspace's " - " fields are never a Canvas name, but a Canvas name
// can hide in theirs.
var readers = []reader{
	{Gradescope, "a Gradescope export", detectGradescope, true, readGradescope},
	{Moodle, "a Moodle export", detectMoodle, true, readMoodle},
	{Blackboard, "a Blackboard Learn export", detectBlackboard, true, readBlackboard},
	{Brightspace, "a Brightspace export", detectBrightspace, true, readBrightspace},
	{Canvas, "a Canvas export", detectCanvas, true, readCanvas},
	{GitHubClassroom, "GitHub Classroom repositories", detectClassroom, false, readClassroom},
}

// folders is what an export is when no reader recognises it.
var folders = reader{Folders, "one folder per student", nil, false, readFolders}

// detect is the reader for root: the one most of its entries follow.
func detect(root *entry) reader {
	best, n := folders, 0
	for _, r := range readers {
		if c := r.detect(root); c > n {
			best, n = r, c
		}
	}
	return best
}

// looksLikeClass says whether e holds an export rather than one student's
// work: an entry named as an LMS names a submission, or two folders.
func looksLikeClass(e *entry) bool {
	for _, r := range readers {
		if r.byName && r.detect(e) > 0 {
			return true
		}
	}
	dirs := 0
	for _, k := range e.visible() {
		if k.dir {
			dirs++
		}
	}
	return dirs >= 2
}

// Describe is a layout in a sentence, as a TA's messages name it: "a
// Canvas export", "one folder per student".
func Describe(layout string) string {
	for _, r := range readers {
		if r.layout == layout {
			return r.name
		}
	}
	return folders.name
}

// exportNames lists the LMSes whose exports Read recognises, for messages.
func exportNames() string {
	var names []string
	for _, r := range readers {
		n := strings.TrimPrefix(strings.TrimPrefix(r.name, "a "), "an ")
		names = append(names, strings.TrimSuffix(strings.TrimSuffix(n, " export"), " repositories"))
	}
	return strings.Join(names, ", ")
}

// count is how many of root's entries fit: a detect made of a test.
func count(root *entry, fits func(k *entry) bool) int {
	n := 0
	for _, k := range root.visible() {
		if fits(k) {
			n++
		}
	}
	return n
}
