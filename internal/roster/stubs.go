package roster

import "regexp"

const metadataFile = "submission_metadata.yml"

var gradescopeDir = regexp.MustCompile(`^submission_\d+$`)

func classroomPrefix(root *entry, parent string) string { return "" }
func readGradescope(root *entry) ([]draft, []Skip)      { return readFolders(root) }
func readClassroom(root, top *entry, rel string) ([]draft, []Skip) {
	return readFolders(root)
}
