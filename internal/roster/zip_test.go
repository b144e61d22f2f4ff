package roster

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// member is one file of an archive a test makes; link makes it a
// symbolic link to body.
type member struct {
	name, body string
	link       bool
}

func zipOf(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		if m.link {
			h.SetMode(fs.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(m.body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func tarGzOf(t *testing.T, members ...member) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: tar.TypeReg}
		if m.link {
			h = &tar.Header{Name: m.name, Linkname: m.body, Typeflag: tar.TypeSymlink}
		}
		require.NoError(t, tw.WriteHeader(h))
		if !m.link {
			_, err := tw.Write([]byte(m.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

func TestReadZipExport(t *testing.T) {
	// A Moodle export as downloaded: one zip, a folder per student, one of
	// whom uploaded a zip of her own, made on a Mac.
	upload := zipOf(t,
		member{name: "hw1/server.py", body: "zoë's"},
		member{name: "hw1/README.md", body: "readme"},
		member{name: "__MACOSX/hw1/._server.py", body: "fork"},
	)
	export := zipOf(t,
		member{name: "Alice Smith_1201_assignsubmission_file_/server.py", body: "alice"},
		member{name: "Bob O'Neil_1202_assignsubmission_file_/hw1\\server.py", body: "bob"},
		member{name: "Zoë Ünal_1203_assignsubmission_file_/hw1.zip", body: string(upload)},
		member{name: "../evil.py", body: "escape"},
		member{name: "Mallory_1204_assignsubmission_file_/link.py", body: "/etc/passwd", link: true},
		member{name: "Mallory_1204_assignsubmission_file_/server.py", body: "mallory"},
	)
	path := writeFile(t, filepath.Join(t.TempDir(), "CS101-Sockets-42.zip"), export)
	r, err := Read(path, Want{})
	require.NoError(t, err)
	require.Equal(t, Moodle, r.Layout)
	require.Equal(t, []row{
		{"Alice Smith", "1201", "alice-smith", "server.py", false, []string{"server.py"}},
		{"Bob O'Neil", "1202", "bob-oneil", "hw1/server.py", false, []string{"hw1/server.py"}},
		{"Mallory", "1204", "mallory", "server.py", false, []string{"server.py"}},
		{"Zoë Ünal", "1203", "zoe-unal", "server.py", false, []string{"README.md", "server.py"}},
	}, rows(r))
	require.ElementsMatch(t, []Skip{
		{"../evil.py", "unsafe path in an archive (absolute, or with ..): not unpacked"},
		{"Mallory_1204_assignsubmission_file_/link.py", "a link or device in an archive: not unpacked"},
	}, r.Skipped)
	zoe := byName(t, r, "Zoë Ünal")
	require.Equal(t, "unpacked hw1.zip", zoe.Note)
	require.Equal(t, map[string]string{"server.py": "zoë's", "README.md": "readme"}, stageAll(t, zoe))
	require.Equal(t, path+":Alice Smith_1201_assignsubmission_file_/server.py", byName(t, r, "Alice Smith").Files[0].Src)
	require.Equal(t, map[string]string{"hw1/server.py": "bob"}, stageAll(t, byName(t, r, "Bob O'Neil")))
}

func TestReadZipInFolder(t *testing.T) {
	// The export zip alone in a folder, and a Gradescope export in its top folder.
	export := zipOf(t,
		member{name: "assignment_99_export/submission_metadata.yml", body: "submission_1:\n  :submitters:\n  - :name: Ada Lovelace\n"},
		member{name: "assignment_99_export/submission_1/server.py", body: "ada"},
	)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "assignment_99_export.zip"), export)
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Gradescope, r.Layout)
	require.Equal(t, "assignment_99_export.zip/assignment_99_export", r.Root)
	require.Equal(t, []row{{"Ada Lovelace", "1", "ada-lovelace", "server.py", false, []string{"server.py"}}}, rows(r))
	require.Equal(t, map[string]string{"server.py": "ada"}, stageAll(t, r.Submissions[0]))
}

func TestReadUploads(t *testing.T) {
	dir := t.TempDir()
	// Canvas: a student uploads a zip; another a tarball; a third a .rar.
	writeFile(t, filepath.Join(dir, "leeann_56789_33333_hw1.zip"), zipOf(t,
		member{name: "server.py", body: "ann"},
		member{name: "../../evil.py", body: "escape"},
		member{name: "/tmp/evil.py", body: "escape"},
		member{name: "C:\\evil.py", body: "escape"},
	))
	writeFile(t, filepath.Join(dir, "kimmin_67890_44444_lab.tar.gz"), tarGzOf(t,
		member{name: "lab/src/server.c", body: "int main;"},
		member{name: "lab/Makefile", body: "all:"},
		member{name: "lab/evil", body: "../../../etc/passwd", link: true},
	))
	writeFile(t, filepath.Join(dir, "parkjoon_78901_55555_server.rar"), []byte("Rar!"))
	writeFile(t, filepath.Join(dir, "choisu_89012_66666_server.zip"), []byte("not a zip at all"))
	r, err := Read(dir, Want{})
	require.NoError(t, err)
	require.Equal(t, Canvas, r.Layout)
	require.Equal(t, []row{
		{"choisu", "89012", "choisu", "", false, []string{"server.zip"}},
		{"kimmin", "67890", "kimmin", "src/server.c", false, []string{"Makefile", "src/server.c"}},
		{"leeann", "56789", "leeann", "server.py", false, []string{"server.py"}},
		{"parkjoon", "78901", "parkjoon", "", false, []string{"server.rar"}},
	}, rows(r))
	require.Contains(t, byName(t, r, "choisu").Note, "server.zip could not be unpacked (not a readable zip archive")
	require.Contains(t, byName(t, r, "parkjoon").Note, "server.rar is a .rar archive, which cannot be unpacked here: ask for a .zip")
	require.Contains(t, byName(t, r, "leeann").Note, "unpacked hw1.zip (3 member(s) left out: unsafe paths or links)")
	require.Contains(t, byName(t, r, "kimmin").Note, "graded src/server.c (the only server file)")
	var unsafe int
	for _, s := range r.Skipped {
		if strings.HasPrefix(s.Path, "leeann_56789_33333_hw1.zip:") || strings.HasPrefix(s.Path, "kimmin_67890_44444_lab.tar.gz:") {
			unsafe++
		}
	}
	require.Equal(t, 4, unsafe, "%+v", r.Skipped)

	out := t.TempDir()
	for _, s := range r.Submissions {
		require.NoError(t, s.Stage(filepath.Join(out, "staged", s.Key)))
	}
	require.NoFileExists(t, filepath.Join(out, "evil.py"))
	require.NoFileExists(t, filepath.Join(dir, "evil.py"))
	require.NoFileExists(t, "/tmp/evil.py")
	got, err := os.ReadFile(filepath.Join(out, "staged", "kimmin", "src", "server.c"))
	require.NoError(t, err)
	require.Equal(t, "int main;", string(got))
}

func TestUploadCaps(t *testing.T) {
	dir := t.TempDir()
	// A zip bomb in miniature: a megabyte of zeros deflates to a kilobyte.
	writeFile(t, filepath.Join(dir, "alice", "bomb.zip"), zipOf(t,
		member{name: "server.py", body: "print('hi')"},
		member{name: "zeros.bin", body: strings.Repeat("\x00", 1<<20)},
	))
	r, err := Read(dir, Want{MaxBytes: 64 << 10})
	require.NoError(t, err)
	s := r.Submissions[0]
	require.Equal(t, "server.py", s.Program)
	require.Equal(t, []string{"server.py"}, rows(r)[0].Dst)
	require.Contains(t, s.Note, "1 file(s) over the cap")
	require.Equal(t, map[string]string{"server.py": "print('hi')"}, stageAll(t, s))
}

func TestStageSizeLies(t *testing.T) {
	// A member that declares one byte and holds ten thousand.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	body := bytes.Repeat([]byte("x"), 10000)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "server.py", Method: zip.Store,
		CRC32: crc32.ChecksumIEEE(body), CompressedSize64: uint64(len(body)), UncompressedSize64: 1})
	require.NoError(t, err)
	_, err = w.Write(body)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "alice", "up.zip"), buf.Bytes())

	r, err := Read(dir, Want{MaxBytes: 100})
	require.NoError(t, err)
	s := r.Submissions[0]
	require.Equal(t, int64(1), s.Files[0].Size)
	dst := filepath.Join(t.TempDir(), "alice")
	require.Error(t, s.Stage(dst))
	if st, err := os.Stat(filepath.Join(dst, "server.py")); err == nil {
		require.LessOrEqual(t, st.Size(), int64(101), "no more than the cap is written")
	}
}

func TestReadTarGzExport(t *testing.T) {
	path := writeFile(t, filepath.Join(t.TempDir(), "submissions.tar.gz"), tarGzOf(t,
		member{name: "doejohn_12345_67890_server.py", body: "john"},
		member{name: "smithjane_LATE_23456_78901_server-1.py", body: "jane"},
	))
	r, err := Read(path, Want{})
	require.NoError(t, err)
	require.Equal(t, Canvas, r.Layout)
	require.Equal(t, []row{
		{"doejohn", "12345", "doejohn", "server.py", false, []string{"server.py"}},
		{"smithjane", "23456", "smithjane", "server.py", true, []string{"server.py"}},
	}, rows(r))
	require.Equal(t, map[string]string{"server.py": "jane"}, stageAll(t, r.Submissions[1]))
}
