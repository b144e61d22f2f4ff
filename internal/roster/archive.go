package roster

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// archiveKind is "zip", "tar", "tgz" or "tbz" for the archives Read
// unpacks, "" for anything else.
func archiveKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".zip"):
		return "zip"
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return "tgz"
	case strings.HasSuffix(n, ".tar.bz2"), strings.HasSuffix(n, ".tbz2"), strings.HasSuffix(n, ".tbz"):
		return "tbz"
	case strings.HasSuffix(n, ".tar"):
		return "tar"
	}
	return ""
}

// otherArchive names the archives a student may upload that the standard
// library cannot unpack.
func otherArchive(name string) string {
	n := strings.ToLower(name)
	for _, ext := range []string{".rar", ".7z", ".tar.xz", ".txz", ".xz", ".gz", ".bz2", ".zst"} {
		if strings.HasSuffix(n, ext) {
			return ext
		}
	}
	return ""
}

// unpack lists the archive a, its members as a tree whose paths start
// with prefix ("" for DIR itself). Members with unsafe names (absolute,
// "..", links) are left out and reported. Nothing is extracted: each
// member opens from the archive when staged. max bounds what listing
// reads: a zip that is a member of another archive is read into memory,
// and a tarball is read through, so a bomb stops there.
func unpack(a *entry, prefix string, max int64) (*entry, []Skip, error) {
	root := &entry{name: a.name, rel: prefix, dir: true, src: a.src}
	var skipped []Skip
	add := func(name string, i int, size int64, dir bool, why string) {
		rel := name
		if prefix != "" {
			rel = prefix + ":" + name
		}
		clean, ok := memberPath(name)
		switch {
		case why != "":
			skipped = append(skipped, Skip{rel, why})
			return
		case !ok:
			skipped = append(skipped, Skip{rel, "unsafe path in an archive (absolute, or with ..): not unpacked"})
			return
		case clean == "":
			return
		}
		insert(root, clean, prefix, dir, size, a.src+":"+clean, memberOpener(a, max, i, name))
	}
	kind := archiveKind(a.name)
	if kind == "zip" {
		zr, c, err := openZip(a, max)
		if err != nil {
			return nil, nil, err
		}
		defer c.Close()
		if len(zr.File) > maxEntries {
			return nil, nil, fmt.Errorf("more than %d members", maxEntries)
		}
		for i, f := range zr.File {
			m := f.Mode()
			why := ""
			if !m.IsRegular() && !m.IsDir() {
				why = "a link or device in an archive: not unpacked"
			}
			add(f.Name, i, int64(f.UncompressedSize64), m.IsDir(), why)
		}
		return root, skipped, nil
	}
	tr, c, err := openTar(a, kind)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	var total int64
	for i := 0; ; i++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("not a readable %s archive: %w", kind, err)
		}
		if i >= maxEntries {
			return nil, nil, fmt.Errorf("more than %d members", maxEntries)
		}
		// A tarball is read through to list it: a bomb stops at the cap.
		if total += h.Size; total > max {
			return nil, nil, fmt.Errorf("%w: it unpacks to more than %s", errTooBig, megabytes(max))
		}
		why := ""
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir {
			why = "a link or device in an archive: not unpacked"
		}
		add(h.Name, i, h.Size, h.Typeflag == tar.TypeDir, why)
	}
	return root, skipped, nil
}

// memberPath is an archive member's name as a clean relative path, "" for
// the archive's root, or not ok when it would land outside the folder it
// is unpacked in. Windows tools write backslashes.
func memberPath(name string) (string, bool) {
	name = strings.ReplaceAll(name, `\`, "/")
	if strings.ContainsRune(name, 0) || strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':') {
		return "", false
	}
	var parts []string
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "..":
			return "", false
		case "", ".":
			continue
		}
		parts = append(parts, strings.ToValidUTF8(p, string(utf8.RuneError)))
	}
	return strings.Join(parts, "/"), true
}

// insert puts a member into the tree, creating the folders on its way and
// leaving out junk, as walkDisk does.
func insert(root *entry, clean, prefix string, dir bool, size int64, src string, open opener) {
	parts := strings.Split(clean, "/")
	e := root
	for i, p := range parts {
		if junk(p) {
			e.git = e.git || p == ".git"
			return
		}
		last := i == len(parts)-1
		k := e.child(p)
		if k == nil {
			rel := strings.Join(parts[:i+1], "/")
			if prefix != "" {
				rel = prefix + ":" + rel
			}
			k = &entry{name: p, rel: rel, dir: dir || !last, src: src}
			if k.dir {
				k.src = ""
			}
			at := sort.Search(len(e.kids), func(j int) bool { return e.kids[j].name >= p })
			e.kids = append(e.kids, nil)
			copy(e.kids[at+1:], e.kids[at:])
			e.kids[at] = k
		}
		if last && !dir && !k.dir {
			k.size, k.src, k.open = size, src, open
		}
		e = k
	}
}

func memberOpener(a *entry, max int64, i int, name string) opener {
	return func() (io.ReadCloser, error) {
		kind := archiveKind(a.name)
		if kind == "zip" {
			zr, c, err := openZip(a, max)
			if err != nil {
				return nil, err
			}
			if i >= len(zr.File) || zr.File[i].Name != name {
				c.Close()
				return nil, fmt.Errorf("%s changed since it was read", a.src)
			}
			rc, err := zr.File[i].Open()
			if err != nil {
				c.Close()
				return nil, err
			}
			return readCloser{rc, []io.Closer{rc, c}}, nil
		}
		tr, c, err := openTar(a, kind)
		if err != nil {
			return nil, err
		}
		for j := 0; ; j++ {
			h, err := tr.Next()
			if err != nil {
				c.Close()
				return nil, fmt.Errorf("%s changed since it was read", a.src)
			}
			if j == i && h.Name == name {
				return readCloser{tr, []io.Closer{c}}, nil
			}
		}
	}
}

// readCloser reads a member and closes it and the archive it is in.
type readCloser struct {
	io.Reader
	closers []io.Closer
}

func (r readCloser) Close() error {
	var first error
	for _, c := range r.closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// openZip opens the zip archive a: from disk when it is a file there, read
// into memory (at most max bytes) when it is a member of another archive.
func openZip(a *entry, max int64) (*zip.Reader, io.Closer, error) {
	if a.open == nil {
		f, err := os.Open(a.src)
		if err != nil {
			return nil, nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("not a readable zip archive: %w", err)
		}
		return zr, f, nil
	}
	data, err := readAll(a, max)
	if err != nil {
		return nil, nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("not a readable zip archive: %w", err)
	}
	return zr, nopCloser{}, nil
}

func openTar(a *entry, kind string) (*tar.Reader, io.Closer, error) {
	rc, err := a.reader()
	if err != nil {
		return nil, nil, err
	}
	var r io.Reader = rc
	switch kind {
	case "tgz":
		gz, err := gzip.NewReader(rc)
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("not a readable .tar.gz archive: %w", err)
		}
		r = gz
	case "tbz":
		r = bzip2.NewReader(rc)
	}
	return tar.NewReader(r), rc, nil
}

var errTooBig = errors.New("too big")

func readAll(a *entry, max int64) ([]byte, error) {
	rc, err := a.reader()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: more than %s", errTooBig, megabytes(max))
	}
	return data, nil
}

func megabytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// stem is a file name without its extension, archives' double ones included.
func stem(name string) string {
	n := strings.ToLower(name)
	for _, ext := range []string{".tar.gz", ".tar.bz2"} {
		if strings.HasSuffix(n, ext) {
			return name[:len(name)-len(ext)]
		}
	}
	return strings.TrimSuffix(name, path.Ext(name))
}
