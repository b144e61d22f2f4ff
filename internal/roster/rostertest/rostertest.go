// Package rostertest holds exports as each LMS writes them, built from the
// LMSes' own file-name patterns (see deploy/grading/lms.md), for the tests
// of the roster, of what goes back to the LMS, and of the class grader. An
// Export is written as a folder or a .zip, as a TA has it after the
// download.
package rostertest

import (
	"archive/zip"
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Export is one LMS's download: its name (the zip's, without .zip), its
// files by slash-separated path, and uploads that are zips themselves.
type Export struct {
	Name  string
	Files map[string]string
	// Zips are files that are archives a student uploaded: path → the
	// archive's own files.
	Zips map[string]map[string]string
}

// Dir writes e as the folder a TA unzips it into, named e.Name, in a
// fresh temporary folder, and returns the folder's path.
func (e Export) Dir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), e.Name)
	for p, body := range e.Files {
		write(t, filepath.Join(dir, filepath.FromSlash(p)), []byte(body))
	}
	for p, files := range e.Zips {
		write(t, filepath.Join(dir, filepath.FromSlash(p)), ZipOf(t, files))
	}
	return dir
}

// Zip writes e as the .zip the LMS hands out, and returns its path.
func (e Export) Zip(t testing.TB) string {
	t.Helper()
	all := map[string][]byte{}
	for p, body := range e.Files {
		all[p] = []byte(body)
	}
	for p, files := range e.Zips {
		all[p] = ZipOf(t, files)
	}
	p := filepath.Join(t.TempDir(), e.Name+".zip")
	write(t, p, zipBytes(t, all))
	return p
}

// With is e with more files, or other bodies: a test's own variant.
func (e Export) With(files map[string]string) Export {
	out := Export{Name: e.Name, Files: map[string]string{}, Zips: e.Zips}
	for p, b := range e.Files {
		out.Files[p] = b
	}
	for p, b := range files {
		out.Files[p] = b
	}
	return out
}

// ZipOf is a zip archive of files (path → body).
func ZipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	all := map[string][]byte{}
	for p, b := range files {
		all[p] = []byte(b)
	}
	return zipBytes(t, all)
}

func zipBytes(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range sorted(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[p]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func write(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sorted[T any](m map[string]T) []string { return slices.Sorted(maps.Keys(m)) }
