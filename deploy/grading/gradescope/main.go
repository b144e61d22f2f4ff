// Command gradescope makes Gradescope's autograder.zip: setup.sh and
// run_autograder from this folder, README.txt (this folder's, with the
// assignment's total points, the files to submit and the visibility filled
// in from the zip's weights and languages), weights.txt (the weights every
// grader ships, internal/results/weights.txt, or -weights FILE), a sample
// solution (deploy/student/server.py) and the client, built here, static,
// for Gradescope's linux machines. No zip tool is needed.
//
//	go run ./deploy/grading/gradescope [-weights FILE] [-arch amd64] OUT   (just gradescope OUT)
package main

import (
	"archive/zip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/results"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// entry is one file of the zip: its name at the zip's root, where it is
// read from, and its mode.
type entry struct {
	name, from string
	mode       os.FileMode
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gradescope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: go run ./deploy/grading/gradescope [flags] OUT\n\nwrites OUT/autograder.zip, Gradescope's autograder for the lecture's server\n\nflags:\n")
		fs.PrintDefaults()
	}
	weights := fs.String("weights", "", "the points of each check in the results files, from `FILE` (default: the weights socketlab ships, "+results.DefaultFile+")")
	arch := fs.String("arch", "amd64", "the `GOARCH` of the machines Gradescope grades on")
	langs := fs.String("languages", "", "the other `LANGUAGES` students may write in, besides Python: c, c++, java, node, go, separated by commas, or all (setup.sh installs their toolchains)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	out := fs.Arg(0)
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintf(stderr, "gradescope: %v\n", err)
		return 1
	}
	here := filepath.Join(root, "deploy", "grading", "gradescope")
	// A weights file with a typo fails here, not for every student.
	w, err := results.LoadWeights(*weights)
	if err != nil {
		fmt.Fprintf(stderr, "gradescope: %v\n", err)
		return 2
	}
	var langList []string
	if *langs != "" {
		if langList, err = languages(*langs); err != nil {
			fmt.Fprintf(stderr, "gradescope: -languages: %v\n", err)
			return 2
		}
	}
	tmp, err := os.MkdirTemp("", "socketlab-gradescope-")
	if err != nil {
		fmt.Fprintf(stderr, "gradescope: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if *weights == "" {
		// The shipped file, comments and all, for a course to edit in the zip.
		*weights = filepath.Join(tmp, "weights.txt")
		if err := os.WriteFile(*weights, results.DefaultText(), 0o644); err != nil {
			fmt.Fprintf(stderr, "gradescope: %v\n", err)
			return 1
		}
	}
	client := filepath.Join(tmp, "client")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", client, "./client")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+*arch)
	build.Stdout, build.Stderr = stderr, stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(stderr, "gradescope: go build ./client for linux/%s: %v\n", *arch, err)
		return 1
	}
	// README.txt says the total, the files and the visibility of these
	// weights and languages.
	tmpl, err := os.ReadFile(filepath.Join(here, "README.txt"))
	if err == nil {
		tmpl, err = readme(tmpl, w, langList, *arch)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, "README.txt"), tmpl, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gradescope: %v\n", err)
		return 1
	}
	entries := []entry{
		{"setup.sh", filepath.Join(here, "setup.sh"), 0o755},
		{"run_autograder", filepath.Join(here, "run_autograder"), 0o755},
		{"client", client, 0o755},
		{"weights.txt", *weights, 0o644},
		{"README.txt", filepath.Join(tmp, "README.txt"), 0o644},
		// A correct server for "Test Autograder": the starter students
		// copy, the lecture's server in Python 3 that keeps serving.
		{"sample/server.py", filepath.Join(root, "deploy", "student", "server.py"), 0o644},
	}
	if len(langList) > 0 {
		f := filepath.Join(tmp, "languages.txt")
		if err := os.WriteFile(f, []byte(strings.Join(langList, "\n")+"\n"), 0o644); err != nil {
			fmt.Fprintf(stderr, "gradescope: %v\n", err)
			return 1
		}
		entries = append(entries, entry{"languages.txt", f, 0o644})
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fmt.Fprintf(stderr, "gradescope: %v\n", err)
		return 1
	}
	zipPath := filepath.Join(out, "autograder.zip")
	if err := writeZip(zipPath, entries); err != nil {
		fmt.Fprintf(stderr, "gradescope: %v\n", err)
		return 1
	}
	fi, err := os.Stat(zipPath)
	if err != nil {
		fmt.Fprintf(stderr, "gradescope: %v\n", err)
		return 1
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.name
	}
	fmt.Fprintf(stdout, "wrote %s (%.1f MB): %s\n", zipPath, float64(fi.Size())/(1<<20), strings.Join(names, ", "))
	return 0
}

// zipTime is every entry's time: the same sources make the same zip.
var zipTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// writeZip writes the entries at the root of a zip at path, as Gradescope
// wants them (not in a folder), with their modes: run_autograder and
// setup.sh executable. The zip is written whole or not at all.
func writeZip(path string, entries []entry) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".autograder-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	for _, e := range entries {
		if err := addFile(zw, e); err != nil {
			tmp.Close()
			return fmt.Errorf("zip %s: %w", e.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func addFile(zw *zip.Writer, e entry) error {
	f, err := os.Open(e.from)
	if err != nil {
		return err
	}
	defer f.Close()
	h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: zipTime}
	h.SetMode(e.mode)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// moduleRoot is the folder of go.mod, from here up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod here or above: run it in socketlab's folder")
		}
		dir = parent
	}
}

// languages reads -languages: the languages setup.sh installs toolchains
// for, as lang names them.
func languages(s string) ([]string, error) {
	var out []string
	for _, w := range strings.Split(s, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		switch w {
		case "all":
			return []string{"c", "c++", "java", "node", "go"}, nil
		case "cpp":
			w = "c++"
		case "javascript", "js":
			w = "node"
		}
		if !slices.Contains([]string{"c", "c++", "java", "node", "go"}, w) {
			return nil, fmt.Errorf("%q is not one the lab builds (c, c++, java, node, go, or all)", w)
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out, nil
}
