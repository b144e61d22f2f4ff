package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/onehost"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/student"
)

const hereUsage = `usage: client student here [flags]

Grade a student's server on this machine alone, with no Docker: what
Gradescope and PrairieLearn give a grader, one container per submission.
The program in -dir (server.py, at any depth) runs as an unprivileged user
under limits; the grader calls it on this machine's eth0 address, as
laptop-b calls laptop-a in the lab, with the lab's checks, explanations and
verdict, and checks that loopback and every other local address refuse.

Exit status: 0 on PASS, and whenever a results file was written (the
platforms read the file; PrairieLearn throws away the results of a grader
that exits non-zero); 1 on FAIL; 2 on bad usage.

flags:
`

// runHere is "client student here": a few lines around onehost.Grade.
func runHere(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := onehost.Config{Out: stdout}
	var gradescope, prairielearn string
	memoryMB, fileMB, outputKB := onehost.DefaultMemory>>20, onehost.DefaultFileSize>>20, onehost.DefaultOutput>>10
	fs := newFlagSet("client student here", hereUsage, "", stderr)
	fs.StringVar(&cfg.Dir, "dir", ".", "the submission's `folder`")
	fs.StringVar(&gradescope, "gradescope", "", "write Gradescope's results.json to `FILE`")
	fs.StringVar(&prairielearn, "prairielearn", "", "write PrairieLearn's results.json to `FILE`")
	weightsFile := weightsFlag(fs)
	fs.StringVar(&cfg.Name, "name", "", "label the results with `STUDENT`")
	fs.IntVar(&cfg.Port, "port", lab.DefaultPort, "the `port` the server must listen on")
	fs.StringVar(&cfg.Iface, "iface", "", "call this `interface`'s address (default eth0, else the first that is up)")
	fs.DurationVar(&cfg.Time, "time", onehost.DefaultTime, "the longest a whole grade takes, the program's life in it")
	fs.DurationVar(&cfg.ListenWait, "wait", onehost.DefaultListenWait, "the longest wait for the program to listen")
	fs.DurationVar(&cfg.Timeout, "timeout", student.DefaultStepTimeout, "the longest each step of each call waits")
	fs.IntVar(&cfg.MaxRead, "max-read", grade.DefaultMaxRead, "the most bytes one read may echo and pass (as client grade -max-read)")
	fs.BoolVar(&cfg.QuietWarn, "quiet-warn", false, "report advisory warnings as PASS (as client grade -quiet-warn)")
	fs.IntVar(&cfg.UID, "uid", 0, "run the program as this `uid` (default: a fresh one, when root; never root)")
	fs.IntVar(&cfg.Limits.Procs, "procs", onehost.DefaultProcs, "the program's processes and threads, at most")
	fs.IntVar(&memoryMB, "memory-mb", memoryMB, "the program's memory, at most, in MB")
	fs.IntVar(&fileMB, "file-size-mb", fileMB, "the largest file the program may write, in MB")
	fs.IntVar(&cfg.Limits.Files, "files", onehost.DefaultFiles, "the program's open files, at most")
	fs.IntVar(&outputKB, "output-kb", outputKB, "how much of the program's output is kept, in kB")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() > 0 {
		return usageExit(badUsage(fs, "unexpected argument %q", fs.Arg(0)))
	}
	uidGiven := false
	fs.Visit(func(f *flag.Flag) { uidGiven = uidGiven || f.Name == "uid" })
	if uidGiven && cfg.UID <= 0 {
		return usageExit(badUsage(fs, "-uid %d: the program never runs as root; give a uid above 0, or none", cfg.UID))
	}
	cfg.Limits.Memory, cfg.Limits.FileSize, cfg.Limits.Output = int64(memoryMB)<<20, int64(fileMB)<<20, outputKB<<10
	files := hereFiles{gradescope: gradescope, prairielearn: prairielearn}
	weights, err := results.LoadWeights(*weightsFile)
	if err != nil {
		// The platform still gets a file, which says whose fault it is.
		files.write(onehost.Result{Setup: true, Why: err.Error()}, weights, stderr)
		return usageExit(badUsage(fs, "%v", err))
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "client student here: %v\n", err)
		return exitFailed
	}
	cfg.Helper = []string{exe, "student", "limits"}
	res, err := onehost.Grade(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "client student here: %v\n", err)
		res = onehost.Result{Setup: true, Why: "socketlab could not grade on this machine: " + err.Error()}
	}
	if !res.Graded {
		fmt.Fprintf(stdout, "\n%s", res.VerdictText())
	}
	if res.Graded && res.Output != "" {
		fmt.Fprintf(stdout, "\nthe program printed:\n%s", res.Output)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(stdout, "INFO  %s\n", n)
	}
	wrote := files.write(res, weights, stderr)
	switch {
	case wrote || res.Verdict.Passed && res.Graded:
		return exitOK
	}
	return exitFailed
}

// hereFiles are the results files a grade writes.
type hereFiles struct{ gradescope, prairielearn string }

// write writes each file there is, through the writers every grader uses
// (internal/results), and says whether one was written and none failed. A
// file is written whole or not at all, so a platform never reads half of one.
func (f hereFiles) write(res onehost.Result, w results.Weights, stderr io.Writer) bool {
	ok, some := true, false
	sub := res.Submission()
	for _, out := range []struct {
		path  string
		write func(io.Writer, results.Weights) error
	}{
		{f.gradescope, sub.WriteGradescope},
		{f.prairielearn, sub.WritePrairieLearn},
	} {
		if out.path == "" {
			continue
		}
		some = true
		if err := writeWhole(out.path, func(wr io.Writer) error { return out.write(wr, w) }); err != nil {
			fmt.Fprintf(stderr, "client student here: %v\n", err)
			ok = false
		}
	}
	return some && ok
}

// writeWhole writes path whole (student.WriteWhole); the folder is made
// first (PrairieLearn does not make /grade/results).
func writeWhole(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := student.WriteWhole(path, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// runLimits is "client student limits", the helper that one-host grading
// starts as the program's user: it sets the limits and becomes the
// program (onehost.ExecLimited). Not for people to type.
func runLimits(_ context.Context, args []string, _, stderr io.Writer) int {
	if err := onehost.ExecLimited(args, stderr); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", onehost.HelperFailed, err)
		return onehost.HelperExit
	}
	return exitOK
}
