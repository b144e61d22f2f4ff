package roster

import (
	"fmt"
	"regexp"
	"strings"
)

// metadataFile is what Gradescope's Export Submissions puts beside the
// submission_NNN folders: who submitted each.
const metadataFile = "submission_metadata.yml"

// maxMetadata bounds the metadata file read: a class of thousands with
// autograder output is a few megabytes.
const maxMetadata = 64 << 20

var gradescopeDir = regexp.MustCompile(`^submission_(\d+)$`)

// detectGradescope counts the submission_NNN folders; the metadata file,
// which only Gradescope writes, counts for them all.
func detectGradescope(root *entry) int {
	return count(root, func(k *entry) bool { return k.dir && gradescopeDir.MatchString(k.name) }) +
		count(root, func(k *entry) bool { return !k.dir && k.name == metadataFile })<<20
}

// readGradescope names each submission_NNN folder by its submitters in
// submission_metadata.yml: a group is "Ada Lovelace, Alan Turing". Without
// the file, or with a folder it does not list, the folder's name is the
// name; a submission it lists with no folder is there with no files.
func readGradescope(root *entry) found {
	var skipped []Skip
	meta := map[string]gsMeta{}
	var order []string
	metaNote := ""
	if m := root.child(metadataFile); m != nil && !m.dir {
		data, err := readAll(m, maxMetadata)
		if err == nil {
			meta, order, err = parseMetadata(data)
		}
		if err != nil {
			metaNote = fmt.Sprintf("%s: %v", metadataFile, err)
			skipped = append(skipped, Skip{m.rel, "unreadable in part: " + err.Error()})
		}
	} else {
		metaNote = "no " + metadataFile + " in the export: named after its folder"
	}
	var drafts []draft
	seen := map[string]bool{}
	for _, k := range root.visible() {
		m := gradescopeDir.FindStringSubmatch(k.name)
		switch {
		case k.name == metadataFile:
			continue
		case m == nil || !k.dir:
			skipped = append(skipped, Skip{k.rel, "not a Gradescope submission folder (submission_NNN)"})
			continue
		}
		seen[k.name] = true
		d := draft{s: Submission{Name: k.name, ID: m[1]}, mounts: []mount{{k, ""}}}
		md, listed := lookupMeta(meta, k.name)
		if listed {
			named(&d, md)
		}
		switch {
		case metaNote != "":
			d.notes = append(d.notes, metaNote)
		case !listed:
			d.notes = append(d.notes, "not in "+metadataFile+": named after its folder")
		}
		drafts = append(drafts, d)
	}
	for _, key := range order {
		folder := "submission_" + strings.TrimPrefix(key, "submission_")
		if seen[folder] || seen[key] {
			continue
		}
		d := draft{s: Submission{Name: key, ID: strings.TrimPrefix(key, "submission_")}}
		named(&d, meta[key])
		d.notes = append(d.notes, "in "+metadataFile+", but the export has no folder for it")
		drafts = append(drafts, d)
	}
	return found{drafts: drafts, skipped: skipped}
}

func lookupMeta(meta map[string]gsMeta, folder string) (gsMeta, bool) {
	if m, ok := meta[folder]; ok {
		return m, true
	}
	m, ok := meta[strings.TrimPrefix(folder, "submission_")]
	return m, ok
}

// named gives d the submitters' names and addresses.
func named(d *draft, md gsMeta) {
	var names []string
	for _, s := range md.Submitters {
		if n := strings.TrimSpace(s.Name); n != "" {
			names = append(names, n)
		} else if s.Email != "" {
			names = append(names, s.Email)
		}
		if s.Email != "" {
			d.s.Emails = append(d.s.Emails, s.Email)
		}
	}
	if len(names) == 0 {
		d.notes = append(d.notes, metadataFile+" names no submitter: named after its folder")
		return
	}
	d.s.Name = strings.Join(names, ", ")
}
