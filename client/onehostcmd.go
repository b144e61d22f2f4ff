package main

import (
	"context"
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

const onehostUsage = `usage: client onehost [flags]

The one-host grader: grade a student's server in this container alone, with
no Docker. It is what Gradescope and PrairieLearn run, one container per
submission. The program in -dir (server.py or another language's, at any
depth) runs as an unprivileged user under limits; the grader calls it on
this machine's eth0 address, as laptop-b calls laptop-a in the lab, with the
lab's checks, explanations and verdict, and checks that loopback and every
other local address refuse. (It was called client student here.)

flags:
`

// runOnehost is "client onehost": a few lines around onehost.Grade.
func runOnehost(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := onehost.Config{Out: stdout}
	var gradescope, prairielearn string
	memoryMB, fileMB, outputKB := onehost.DefaultMemory>>20, onehost.DefaultFileSize>>20, onehost.DefaultOutput>>10
	fs := newFlagSet("client onehost", onehostUsage, "", stderr)
	fs.StringVar(&cfg.Dir, "dir", ".", "the submission's folder, `DIR`")
	fs.file(&gradescope, "gradescope")
	fs.file(&prairielearn, "prairielearn")
	weightsFile := weightsFlag(fs)
	fs.name(&cfg.Name)
	fs.IntVar(&cfg.Port, "port", lab.DefaultPort, "the TCP `PORT` the server must listen on")
	fs.StringVar(&cfg.Iface, "iface", "", "call the address of interface `NAME` (default eth0, else the first that is up)")
	fs.submissionTimeout(&cfg.Time, onehost.DefaultTime)
	fs.renamed("time", "submission-timeout")
	fs.wait(&cfg.ListenWait, onehost.DefaultListenWait)
	fs.timeout(&cfg.Timeout, student.DefaultStepTimeout)
	fs.policies(&cfg.MaxRead, &cfg.QuietWarn, grade.DefaultMaxRead)
	fs.IntVar(&cfg.UID, "uid", 0, "run the program as user `UID` (default: a fresh one, when root; never root)")
	fs.IntVar(&cfg.Limits.Procs, "procs", onehost.DefaultProcs, "the program's processes and threads, at most `N`")
	fs.IntVar(&memoryMB, "memory-mb", memoryMB, "the program's memory, at most `MB`")
	fs.IntVar(&fileMB, "file-size-mb", fileMB, "the largest file the program may write, `MB`")
	fs.IntVar(&cfg.Limits.Files, "files", onehost.DefaultFiles, "the program's open files, at most `N`")
	fs.IntVar(&outputKB, "output-kb", outputKB, "how much of the program's output is kept, `KB`")
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() > 0 {
		return usageExit(badUsage(fs, "unexpected argument %q", fs.Arg(0)))
	}
	if fs.given("uid") && cfg.UID <= 0 {
		return usageExit(badUsage(fs, "-uid %d: the program never runs as root; give a uid above 0, or none", cfg.UID))
	}
	cfg.Limits.Memory, cfg.Limits.FileSize, cfg.Limits.Output = int64(memoryMB)<<20, int64(fileMB)<<20, outputKB<<10
	files := onehostFiles{gradescope: gradescope, prairielearn: prairielearn}
	weights, err := results.LoadWeights(*weightsFile)
	if err != nil {
		// The platform still gets a file, which says whose fault it is.
		files.write(onehost.Result{Setup: true, Why: err.Error()}, weights, stderr)
		return usageExit(badUsage(fs, "%v", err))
	}
	cfg.Policy = weights.Serving()
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "client onehost: %v\n", err)
		return exitNetwork
	}
	cfg.Helper = []string{exe, "student", "limits"}
	res, err := onehost.Grade(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "client onehost: %v\n", err)
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
	case wrote:
		return exitOK
	case res.Setup:
		return exitNetwork // the grading machine's fault, not the student's
	}
	return gradeExit(res.Graded && res.Verdict.Passed, false)
}

// onehostFiles are the results files a grade writes.
type onehostFiles struct{ gradescope, prairielearn string }

// write writes each file there is, through the writers every grader uses
// (internal/results), and says whether one was written and none failed. A
// file is written whole or not at all, so a platform never reads half of one.
func (f onehostFiles) write(res onehost.Result, w results.Weights, stderr io.Writer) bool {
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
			fmt.Fprintf(stderr, "client onehost: %v\n", err)
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
