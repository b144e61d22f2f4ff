package roster

// readFolders reads one folder per student, the folder's name the
// student's; an archive at the top is a student's folder zipped, named
// after it. Other files are not anyone's.
func readFolders(root *entry) found {
	var drafts []draft
	var skipped []Skip
	for _, k := range root.visible() {
		switch {
		case k.dir:
			drafts = append(drafts, draft{s: Submission{Name: k.name}, mounts: []mount{{k, ""}}})
		case archiveKind(k.name) != "":
			drafts = append(drafts, draft{s: Submission{Name: stem(k.name)}, mounts: []mount{{k, k.name}}})
		default:
			skipped = append(skipped, Skip{k.rel, "a file, not a student's folder"})
		}
	}
	return found{drafts: drafts, skipped: skipped}
}
