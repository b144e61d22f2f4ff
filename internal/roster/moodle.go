package roster

import (
	"regexp"
	"strings"
)

// moodleName is what Moodle's "Download all submissions" names an entry:
// a folder "Full Name_ID_assignsubmission_PLUGIN_" for each student and
// each submission plugin (Moodle 4.1 and later drop the last "_"), or, in
// the older flat download, a file "Full Name_ID_assignsubmission_file_NAME".
// ID is the assignment's participant id. Moodle spells "_" in names as " ",
// and names a group without an id "Default group".
type moodleName struct {
	Name   string // "Bob O'Neil"; "Participant 1234567" under blind marking
	ID     string // "" for a group without one
	Plugin string // "file", "onlinetext", ...
	File   string // the flat download's file name; "" for a folder
}

var (
	moodleFolder = regexp.MustCompile(`^([^_].*?)(?:_(\d+))?_assignsubmission_([a-z0-9]+)_?$`)
	moodleFlat   = regexp.MustCompile(`^([^_].*?)(?:_(\d+))?_assignsubmission_([a-z0-9]+)_(.+)$`)
)

func parseMoodle(name string, dir bool) (moodleName, bool) {
	re := moodleFlat
	if dir {
		re = moodleFolder
	}
	m := re.FindStringSubmatch(name)
	if m == nil {
		return moodleName{}, false
	}
	who := strings.TrimSpace(strings.ReplaceAll(m[1], "_", " "))
	if who == "" {
		return moodleName{}, false
	}
	if who == "Participant" && m[2] != "" {
		who += " " + m[2] // blind marking: the name Moodle shows
	}
	mn := moodleName{Name: who, ID: m[2], Plugin: m[3]}
	if !dir {
		mn.File = m[4]
	}
	return mn, true
}

func detectMoodle(root *entry) int {
	return count(root, func(k *entry) bool { _, ok := parseMoodle(k.name, k.dir); return ok })
}

// readMoodle gathers each student's entries (a folder per plugin, or flat
// files) into one submission.
func readMoodle(root *entry) found {
	type who struct{ name, id string }
	at := map[who]int{}
	var drafts []draft
	var skipped []Skip
	for _, k := range root.visible() {
		mn, ok := parseMoodle(k.name, k.dir)
		if !ok {
			skipped = append(skipped, Skip{k.rel, "not named as Moodle names a submission (Full Name_ID_assignsubmission_file_)"})
			continue
		}
		w := who{mn.Name, mn.ID}
		i, seen := at[w]
		if !seen {
			i = len(drafts)
			at[w] = i
			drafts = append(drafts, draft{s: Submission{Name: mn.Name, ID: mn.ID}})
		}
		m := mount{k, ""}
		if !k.dir {
			m.dst = mn.File
			if m.dst == "." || m.dst == ".." {
				m.dst = k.name
			}
		}
		drafts[i].mounts = append(drafts[i].mounts, m)
	}
	return found{drafts: drafts, skipped: skipped}
}
