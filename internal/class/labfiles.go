package class

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/results"
)

// What goes into a lab and comes out of it: the student's folder as a tar
// stream for docker cp, laptop-b's grade out of one, the laptops' words
// made plain, and a failed docker command's reason.

// escapes are terminal escapes, which a program may print and compose adds.
var escapes = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]")

// tarFolder is the folder's files as a tar stream for docker cp: owned by
// root and readable by all, as the lab's build gave them (COPY --chown=0:0
// --chmod=0755), whatever modes they had on this machine.
func tarFolder(dir string) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o755, Uid: 0, Gid: 0, ModTime: time.Unix(0, 0)}
		switch {
		case de.IsDir():
			h.Typeflag, h.Name = tar.TypeDir, h.Name+"/"
			return tw.WriteHeader(h)
		case !de.Type().IsRegular():
			return nil // Stage writes regular files alone
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = tw.Write(body)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// untarGrade reads grade.json out of docker cp's tar stream.
func untarGrade(b []byte) (results.Submission, error) {
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err != nil {
			return results.Submission{}, fmt.Errorf("no grade.json in laptop-b's reports: %w", err)
		}
		if path.Base(h.Name) == "grade.json" {
			body, err := io.ReadAll(io.LimitReader(tr, 16<<20))
			if err != nil {
				return results.Submission{}, err
			}
			var s results.Submission
			if err := json.Unmarshal(body, &s); err != nil {
				return s, fmt.Errorf("laptop-b's grade.json: %w", err)
			}
			return s, nil
		}
	}
}

// labFailure is the verdict and note of a lab that could not run: the
// lab's fault, never the student's, unless the grading was interrupted.
func labFailure(ctx context.Context, what string, err error) (string, string) {
	if os.Getenv("SOCKETLAB_CLASS_DEBUG") != "" {
		fmt.Fprintln(os.Stderr, err)
	}
	if ctx.Err() != nil {
		return Interrupted, "the grading was interrupted while " + what
	}
	return LabError, "the lab failed " + what + " (not the student's fault): " + dockerSaid(err)
}

// dockerSaid is what a failed docker command said of why: its last line
// with an error in it (compose prints its progress first), or the first.
func dockerSaid(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i := len(lines) - 1; i > 0; i-- {
		if l := strings.TrimSpace(lines[i]); strings.Contains(strings.ToLower(l), "error") {
			return firstLine(err) + " " + l
		}
	}
	return firstLine(err)
}

func plain(b []byte) []byte { return escapes.ReplaceAll(b, nil) }

// capped is b in at most n bytes: its start, and a line that says how
// much more there was.
func capped(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	keep := n - 64 // room for the line
	return append(b[:keep:keep], fmt.Sprintf("\n[... %d more bytes not kept]\n", len(b)-keep)...)
}

// subcommand is what a docker command does, without its compose files.
func subcommand(args []string) string {
	for i, a := range args {
		if a == "-f" || a == "-p" || i > 0 && (args[i-1] == "-f" || args[i-1] == "-p") {
			continue
		}
		if a != "compose" {
			return strings.Join(args[i:], " ")
		}
	}
	return strings.Join(args, " ")
}

func firstLine(err error) string {
	if err == nil {
		return "no error"
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func lastLines(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
