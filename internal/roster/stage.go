package roster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
)

// Stage copies s's files into dst, which must not exist or be empty, and
// nothing outside it: every name is checked again and the copies go through
// an os.Root, so neither a ".." nor a link can lead out. It copies at most
// the roster's cap on a submission's size, whatever the sizes declared.
func (s Submission) Stage(dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("stage %s: %w", s.Name, err)
	}
	if des, err := os.ReadDir(dst); err != nil {
		return fmt.Errorf("stage %s: %w", s.Name, err)
	} else if len(des) > 0 {
		return fmt.Errorf("stage %s: %s is not empty", s.Name, dst)
	}
	root, err := os.OpenRoot(dst)
	if err != nil {
		return fmt.Errorf("stage %s: %w", s.Name, err)
	}
	defer root.Close()
	max := s.maxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	budget := max
	for _, f := range s.Files {
		n, err := f.copyInto(root, budget)
		if errors.Is(err, errTooBig) {
			return fmt.Errorf("stage %s: %s: the submission is bigger than the cap of %s", s.Name, f.Dst, megabytes(max))
		}
		if err != nil {
			return fmt.Errorf("stage %s: %s: %w", s.Name, f.Dst, err)
		}
		budget -= n
	}
	return nil
}

var errOutside = errors.New("not a plain relative path")

func (f File) copyInto(root *os.Root, budget int64) (int64, error) {
	clean, ok := memberPath(f.Dst)
	if !ok || clean == "" || clean != f.Dst {
		return 0, errOutside
	}
	if dir := path.Dir(clean); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
	}
	open := f.open
	if open == nil {
		open = diskOpener(f.Src)
	}
	r, err := open()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	w, err := root.OpenFile(clean, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, io.LimitReader(r, budget+1))
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > budget {
		err = errTooBig
	}
	return n, err
}
