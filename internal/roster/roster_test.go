package roster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/roster/rostertest"
)

// writeTree makes files (path → content, "/" separated) under a fresh
// t.TempDir() and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(body), 0o644))
	}
	return dir
}

// row is what a test checks of a submission.
type row struct {
	Name, ID, Key, Program string
	Late                   bool
	Dst                    []string
}

func rows(r Roster) []row {
	var out []row
	for _, s := range r.Submissions {
		var dst []string
		for _, f := range s.Files {
			dst = append(dst, f.Dst)
		}
		out = append(out, row{s.Name, s.ID, s.Key, s.Program, s.Late, dst})
	}
	return out
}

func byName(t *testing.T, r Roster, name string) Submission {
	t.Helper()
	for _, s := range r.Submissions {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no submission named %q in %+v", name, rows(r))
	return Submission{}
}

// stageAll stages s into a fresh folder and returns path → content.
func stageAll(t *testing.T, s Submission) map[string]string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "staged")
	require.NoError(t, s.Stage(dst))
	got := map[string]string{}
	require.NoError(t, filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			rel, _ := filepath.Rel(dst, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	}))
	return got
}

func TestReadFolders(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"alice/server.py":              "alice",
		"Bob O'Neil/hw1/server.py":     "bob",
		"Bob O'Neil/hw1/README.md":     "readme",
		"Zoë Ünal/Server.py":           "zoe",
		"carol/server.c":               "int main;",
		"carol/Makefile":               "all:",
		"carol/__MACOSX/._server.c":    "fork",
		"carol/.DS_Store":              "junk",
		"dave \"the rock\"/client.py":  "client",
		"ken/README.md":                "nothing",
		"notes.txt":                    "a TA's notes",
		".DS_Store":                    "junk",
		"erin/server.py":               "top",
		"erin/old/server.py":           "old",
		"frank/my_server.py":           "renamed",
		"José Ñúñez/src/hw1/server.go": "package main",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Folders, r.Layout)
	require.Equal(t, []row{
		{"alice", "", "alice", "server.py", false, []string{"server.py"}},
		{"Bob O'Neil", "", "bob-oneil", "hw1/server.py", false, []string{"hw1/README.md", "hw1/server.py"}},
		{"carol", "", "carol", "server.c", false, []string{"Makefile", "server.c"}},
		{"dave \"the rock\"", "", "dave-the-rock", "", false, []string{"client.py"}},
		{"erin", "", "erin", "server.py", false, []string{"old/server.py", "server.py"}},
		{"frank", "", "frank", "my_server.py", false, []string{"my_server.py"}},
		{"José Ñúñez", "", "jose-nunez", "src/hw1/server.go", false, []string{"src/hw1/server.go"}},
		{"ken", "", "ken", "", false, []string{"README.md"}},
		{"Zoë Ünal", "", "zoe-unal", "Server.py", false, []string{"Server.py"}},
	}, rows(r))
	require.Equal(t, []Skip{{"notes.txt", "a file, not a student's folder"}}, r.Skipped)

	require.Empty(t, byName(t, r, "alice").Note, "the obvious choice needs no note")
	require.Equal(t, "graded hw1/server.py (the only server file)", byName(t, r, "Bob O'Neil").Note)
	require.Equal(t, "graded Server.py (the only server file)", byName(t, r, "Zoë Ünal").Note)
	require.Contains(t, byName(t, r, "erin").Note, "also found old/server.py")
	require.Contains(t, byName(t, r, "frank").Note, "graded my_server.py: no server.py")
	require.Contains(t, byName(t, r, "ken").Note, "no server.py, server.c, server.cpp, server.cc, Server.java, server.js, server.go or Makefile found")
	require.Contains(t, byName(t, r, "ken").Note, "holds README.md")

	require.Equal(t, map[string]string{"hw1/server.py": "bob", "hw1/README.md": "readme"}, stageAll(t, byName(t, r, "Bob O'Neil")))
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		path  string // under the folder; "" for the folder itself
		want  []string
	}{
		{"missing", nil, "nope", []string{"no such folder or archive"}},
		{"empty", map[string]string{}, "", []string{"is empty"}},
		{"one student's files", map[string]string{"server.py": "x", "README.md": "y"}, "",
			[]string{"no student folders", "2 file(s): README.md, server.py", "just my-server"}},
		{"a program", map[string]string{"server.py": "x"}, "server.py", []string{"is a file, not a folder", "just my-server"}},
		{"a broken zip", map[string]string{"export.zip": "not a zip"}, "export.zip", []string{"not a readable zip archive"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			_, err := Read(filepath.Join(dir, tc.path), Want{})
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := Read(t.TempDir(), Want{Role: "printer"})
	require.ErrorContains(t, err, `role "printer"`)
}

func TestReadSymlinkNotFollowed(t *testing.T) {
	dir := writeTree(t, map[string]string{"alice/server.py": "x", "secret": "the TA's"})
	require.NoError(t, os.Symlink(filepath.Join(dir, "secret"), filepath.Join(dir, "alice", "notes.txt")))
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, []string{"server.py"}, rows(r)[0].Dst)
	require.Contains(t, r.Skipped, Skip{"alice/notes.txt", "a symbolic link: not followed, it could point anywhere on this machine"})
}

func TestReadDescends(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"hw1 submissions/alice/server.py": "a",
		"hw1 submissions/bob/server.py":   "b",
	})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, "hw1 submissions", r.Root)
	require.Len(t, r.Submissions, 2)

	// One student's folder alone is a class of one, not an export to enter.
	dir = writeTree(t, map[string]string{"alice/hw1/server.py": "a"})
	r, err = Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, "", r.Root)
	require.Equal(t, []row{{"alice", "", "alice", "hw1/server.py", false, []string{"hw1/server.py"}}}, rows(r))
}

func TestStage(t *testing.T) {
	dir := writeTree(t, map[string]string{"a/server.py": "print(1)", "a/lib/util.py": "u"})
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	s := r.Submissions[0]
	require.Equal(t, map[string]string{"server.py": "print(1)", "lib/util.py": "u"}, stageAll(t, s))

	t.Run("not empty", func(t *testing.T) {
		dst := writeTree(t, map[string]string{"old": "x"})
		require.ErrorContains(t, s.Stage(dst), "is not empty")
	})
	t.Run("outside", func(t *testing.T) {
		base := t.TempDir()
		for _, dst := range []string{"../evil", "/etc/evil", "a/../../evil", ""} {
			bad := Submission{Name: "mallory", Files: []File{{Src: filepath.Join(dir, "a", "server.py"), Dst: dst}}}
			require.Error(t, bad.Stage(filepath.Join(base, "in")), dst)
			require.NoFileExists(t, filepath.Join(base, "evil"))
			require.NoError(t, os.RemoveAll(filepath.Join(base, "in")))
		}
	})
	t.Run("cap", func(t *testing.T) {
		big := s
		big.maxBytes = 3
		require.ErrorContains(t, big.Stage(filepath.Join(t.TempDir(), "x")), "bigger than the cap")
	})
	t.Run("a file made by hand", func(t *testing.T) {
		hand := Submission{Name: "hand", Files: []File{{Src: filepath.Join(dir, "a", "server.py"), Dst: "server.py"}}}
		require.Equal(t, map[string]string{"server.py": "print(1)"}, stageAll(t, hand))
	})
}

func TestCaps(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a/server.py": "print('hi')",
		"a/big.bin":   strings.Repeat("x", 100),
		"a/z1.txt":    "1", "a/z2.txt": "2", "a/z3.txt": "3",
	})
	r, err := Read(dir, Want{MaxBytes: 50, MaxFiles: 3})
	require.NoError(t, err)
	s := r.Submissions[0]
	require.Equal(t, "server.py", s.Program, "the program is staged first")
	require.Equal(t, []string{"server.py", "z1.txt", "z2.txt"}, rows(r)[0].Dst)
	require.Contains(t, s.Note, "2 file(s) over the cap of 3 files and 50 bytes not staged")
}

// TestReadFixtures: the Moodle and Canvas exports every LMS test shares
// (rostertest) read, from their zips, with the export's own names and ids.
func TestReadFixtures(t *testing.T) {
	who := func(r Roster) map[string]string {
		m := map[string]string{}
		for _, s := range r.Submissions {
			m[s.Name] = s.ID + " " + s.Program
		}
		return m
	}
	r, err := Read(rostertest.Moodle.Zip(t), Want{})
	require.NoError(t, err)
	require.Equal(t, Moodle, r.Layout)
	require.Equal(t, map[string]string{
		"Alice Smith": "1201 server.py", "Anne-Marie d'Été": "1206 lab 2/my server.py", "Bob O'Neil": "1202 hw1/server.py",
		"José Ñúñez": "1203 Server.py", `Zoë "Zo" Ünal`: "1204 ", "李小龙": "1205 server.py",
	}, who(r))
	require.Equal(t, []string{"Bob O'Neil_1202_assignsubmission_file_/", "Bob O'Neil_1202_assignsubmission_onlinetext_/"}, byName(t, r, "Bob O'Neil").Export)

	r, err = Read(rostertest.Canvas.Zip(t), Want{})
	require.NoError(t, err)
	require.Equal(t, Canvas, r.Layout)
	require.Equal(t, map[string]string{
		"bob_123": "2045410 server.py", "doejane": "2045331 server.py", "garciamaria": "2045430 ", "leeann": "2045440 src/server.py",
		"müllerjürgen": "2045420 my_server_v2.py", "obrienseánpatrick": "2045400 server.py",
	}, who(r))
	require.Equal(t, []string{"doejane_LATE_2045331_98765460_server-1.py", "doejane_LATE_2045331_98765461_README.md"}, byName(t, r, "doejane").Export,
		"the latest upload, the program's first")
}
