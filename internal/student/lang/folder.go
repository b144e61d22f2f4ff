package lang

import (
	"os"
	"path"
	"path/filepath"
	"strings"
)

// lookalikes names the folder's files that look like file, missing, as
// "; it has server.py": the same name in another case, or with an
// extension; "" when none.
func lookalikes(dir, file string) string {
	ents, err := os.ReadDir(filepath.Join(dir, path.Dir(filepath.ToSlash(file))))
	if err != nil {
		return ""
	}
	want := strings.ToLower(path.Base(filepath.ToSlash(file)))
	var like []string
	for _, e := range ents {
		n := strings.ToLower(e.Name())
		if n == want || strings.TrimSuffix(n, path.Ext(n)) == want || strings.TrimSuffix(n, path.Ext(n)) == strings.TrimSuffix(want, path.Ext(want)) && Of(n) != "" {
			like = append(like, e.Name())
		}
	}
	if len(like) == 0 {
		return ""
	}
	return "; it has " + strings.Join(like, ", ")
}

// folderHas lists a folder's first entries as "; it has: a.txt, notes/".
func folderHas(dir string) string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	if len(ents) == 0 {
		return "; it is empty"
	}
	var names []string
	for _, e := range ents {
		if len(names) == 8 {
			names = append(names, "...")
			break
		}
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	return "; it has: " + strings.Join(names, ", ")
}
