package class

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/roster"
)

// A student's folder in the reports is written whole or not at all: its
// files go into a fresh folder beside it (.new-KEY-...), which then takes
// the old one's place in one rename (exchange on Linux). A run killed at
// any moment leaves either the old complete folder or the new complete
// one, and a leftover .new- or .old- folder that the next run clears.
const (
	recordFile = "record.json"
	newPrefix  = ".new-"
	oldPrefix  = ".old-"
	// recordVersion changes when what a record means changes: every older
	// record is then graded again.
	recordVersion = 1
)

// record is what a run keeps of a submission beside its reports, to know
// next time whether its grade still holds: the submission's content, the
// grader and its policy it was graded with, and the row it made.
type record struct {
	Version int    `json:"version"`
	Name    string `json:"name"`
	ID      string `json:"id,omitempty"`
	// Files is the hash of the submission's files and the program graded.
	Files string `json:"files"`
	// Grader is the hash of the grader's source and its policy flags;
	// Weights the hash of the points the results files were written with.
	Grader  string        `json:"grader"`
	Weights string        `json:"weights"`
	Timeout time.Duration `json:"timeout_ns"`
	Verdict string        `json:"verdict"`
	Note    string        `json:"note,omitempty"`
	Took    time.Duration `json:"took_ns"`
	At      time.Time     `json:"graded_at"`
	// Grade is the whole grade, as laptop-b gave it: every results file
	// can be written again from it, with other weights.
	Grade *results.Submission `json:"grade,omitempty"`
}

// complete says the record holds a grade the lab finished: PASS, FAIL, a
// submission with nothing to grade, or one the time limit stopped. A lab
// error or an interruption is graded again.
func (r record) complete() bool {
	switch r.Verdict {
	case "PASS", "FAIL", NotGraded, TimedOut:
		return true
	}
	return false
}

func (r record) row(sub roster.Submission) Row {
	return Row{Sub: sub, Verdict: r.Verdict, Grade: r.Grade, Took: r.Took, Note: r.Note, Kept: true}
}

// readRecord reads the record in a student's report folder; ok is false
// when there is none that can be read (a folder from an older version, or
// none at all).
func readRecord(out, key string) (record, bool) {
	var r record
	b, err := os.ReadFile(filepath.Join(out, key, recordFile))
	if err != nil || json.Unmarshal(b, &r) != nil || r.Version != recordVersion {
		return record{}, false
	}
	return r, true
}

// fingerprint is what a submission's grade depends on: its files, the
// grader, its policy and its weights.
type fingerprint struct {
	files, grader, weights string
	timeout                time.Duration
}

// why says why a submission with the record r must be graded again, or ""
// when its grade stands as it is.
func (f fingerprint) why(r record, ok bool, sub roster.Submission) string {
	switch {
	case !ok:
		return "new"
	case r.Name != sub.Name || r.ID != sub.ID:
		return "new" // another student's folder under the same key
	case r.Files != f.files:
		return "changed"
	case !r.complete():
		return "not graded before"
	case r.Grader != f.grader:
		return "grader changed"
	case r.Verdict == TimedOut && r.Timeout != f.timeout:
		return "time limit changed"
	}
	return ""
}

// hashTree hashes the files under dir, names and contents, in a fixed
// order, and extra: the same submission hashes the same on every run.
func hashTree(dir string, extra ...string) (string, error) {
	h := sha256.New()
	for _, e := range extra {
		fmt.Fprintf(h, "%q\n", e)
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fh := sha256.New()
		if _, err := io.Copy(fh, f); err != nil {
			return err
		}
		fmt.Fprintf(h, "%q %x\n", filepath.ToSlash(rel), fh.Sum(nil))
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// graderSources are what the labs' grader is built from, under socketlab's
// folder: a change to any of them may change a verdict. This package is
// not among them: it runs on the TA's machine, starts the labs and writes
// the reports, and a new report must not cost a class its labs again; the
// settings it gives a lab are in the fingerprint themselves (the policy
// flags, the time limit, the compose files).
var graderSources = []string{"go.mod", "go.sum", "compose.yaml", "deploy/Dockerfile",
	"deploy/compose/my-server.yaml", "deploy/compose/class.yaml", "client", "internal"}

// notGrader are the folders under graderSources that are not the grader.
var notGrader = []string{"internal/class"}

// graderHash hashes the grader: its sources in repo (not their tests), the
// base images named in the environment, and its policy flags. A grade made
// by another grader or policy is made again.
func graderHash(repo string, flags []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "record %d\nflags %q\n", recordVersion, flags)
	for _, k := range []string{"GO_IMAGE", "PYTHON_BASE", "LAPTOP_BASE"} {
		fmt.Fprintf(h, "%s=%q\n", k, os.Getenv(k))
	}
	for _, src := range graderSources {
		root := filepath.Join(repo, filepath.FromSlash(src))
		if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(h, "%q none\n", src)
			continue
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				rel, _ := filepath.Rel(repo, p)
				if d.Name() == "testdata" || slices.Contains(notGrader, filepath.ToSlash(rel)) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(repo, p)
			fmt.Fprintf(h, "%q %x\n", filepath.ToSlash(rel), sha256.Sum256(b))
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("the grader's sources: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// weightsHash hashes the points: a change rewrites the results files from
// the grades kept, with no lab.
func weightsHash(w results.Weights) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(w.Points)) {
		fmt.Fprintf(h, "%s %g\n", k, w.Points[k])
	}
	fmt.Fprintf(h, "visibility %s %s\n", w.Visibility, w.StdoutVisibility)
	return hex.EncodeToString(h.Sum(nil))
}

// commit writes files (name → content) as the student's folder out/key,
// whole: a reader sees the old folder or the new one, never a mix, and a
// run killed meanwhile leaves the old one.
func commit(out, key string, files map[string][]byte) error {
	tmp, err := os.MkdirTemp(out, newPrefix+key+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone once renamed; else the half-written folder
	// The record last: a folder with one is whole.
	names := slices.Sorted(maps.Keys(files))
	names = slices.DeleteFunc(names, func(n string) bool { return n == recordFile })
	if _, ok := files[recordFile]; ok {
		names = append(names, recordFile)
	}
	for _, n := range names {
		if err := writeSynced(filepath.Join(tmp, n), files[n]); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	return swapIn(tmp, filepath.Join(out, key))
}

// writeSynced writes b to a new file at path and flushes it to the disk
// before the rename that publishes it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// swap is exchange, but for the tests of the other way.
var swap = exchange

// swapIn puts the folder tmp in dst's place. Where the system can swap
// two folders in one step (Linux's renameat2 exchange), no moment goes by
// without a dst; elsewhere dst is first moved aside as .old-, which
// recoverFolders puts back if the run is killed between the two renames.
func swapIn(tmp, dst string) error {
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dst)
	}
	if swap(tmp, dst) == nil {
		return os.RemoveAll(tmp) // now the old folder
	}
	old := filepath.Join(filepath.Dir(dst), oldPrefix+filepath.Base(dst))
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Rename(old, dst)
		return err
	}
	return os.RemoveAll(old)
}

// recoverFolders clears what a killed run left in out: half-written new
// folders go, and an old folder moved aside comes back if its place is
// empty.
func recoverFolders(out string) error {
	des, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, de := range des {
		name := de.Name()
		p := filepath.Join(out, name)
		switch {
		case strings.HasPrefix(name, newPrefix):
			os.RemoveAll(p)
		case strings.HasPrefix(name, oldPrefix):
			dst := filepath.Join(out, strings.TrimPrefix(name, oldPrefix))
			if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
				if err := os.Rename(p, dst); err != nil {
					return err
				}
				continue
			}
			os.RemoveAll(p)
		case strings.HasPrefix(name, ".tmp-"):
			os.Remove(p) // a summary file half-written
		}
	}
	return nil
}

// writeAtomic writes b as the file at path, whole: through a temporary file
// beside it, renamed into place.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(b)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// save writes a student's folder, whole, from rec: the results files (with
// cfg.Weights' points), laptop-b's words (said) and laptop-a's output
// (log), and the record. A complete grade replaces the folder; a lab error
// or an interruption is written only where no complete grade is, to show
// the laptops' logs without losing an earlier grade. With said and log
// nil, the folder's own are kept: a grade kept whose points are written
// again.
func save(cfg Config, rec record, row Row, said, log []byte) error {
	dir := filepath.Join(cfg.Out, row.Sub.Key)
	if !rec.complete() {
		if old, ok := readRecord(cfg.Out, row.Sub.Key); ok && old.complete() {
			return nil
		}
		if said == nil && log == nil {
			return nil // nothing to show
		}
	}
	files := map[string][]byte{}
	if said == nil && log == nil {
		// Everything the folder has, the results files then rewritten.
		des, _ := os.ReadDir(dir)
		for _, de := range des {
			if de.Type().IsRegular() {
				if b, err := os.ReadFile(filepath.Join(dir, de.Name())); err == nil {
					files[de.Name()] = b
				}
			}
		}
	}
	if said != nil {
		files["grade.txt"] = said
	}
	if log != nil {
		files["laptop-a.log"] = log
	}
	if row.Verdict == NotGraded && files["grade.txt"] == nil {
		files["grade.txt"] = []byte("not graded: " + row.Note + "\n")
	}
	if rec.Grade != nil {
		rf, err := reportFiles(*rec.Grade, cfg.Weights)
		if err != nil {
			return err
		}
		maps.Copy(files, rf)
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	files[recordFile] = append(b, '\n')
	return commit(cfg.Out, row.Sub.Key, files)
}
