package roster

func classroomPrefix(root *entry, parent string) string { return "" }
func readClassroom(root, top *entry, rel string) ([]draft, []Skip) {
	return readFolders(root)
}
