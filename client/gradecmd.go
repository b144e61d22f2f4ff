package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/results"
)

const gradeUsage = `usage: client grade [flags] HOST [PORT]
       client grade [flags] HOST:PORT

Grade the server listening on HOST at PORT (default 8000) against the
lecture's protocol: it greets with "hello\n" before the caller speaks, reads
once (up to 1000 bytes), sends exactly that back and hangs up. Any server
will do: a student's Python script, the lab's server, anything listening.

Each check prints one line: PASS, FAIL, WARN (works, but fragile, or advice
beyond the lecture), INFO (a fact, such as one employee or many) or SKIP
(could not be observed, with the reason; a required check that could not be
observed fails the grade), then what to change on an indented line. Each step
waits at most -timeout; a grade takes a few seconds whatever the bug.

Policies: a server that serves one call and exits (the lecture's script)
fails "still answers" unless -allow-once (client grade grades any server, so
it asks for one that keeps serving whatever a weights file's policy says); an echo of one read of up to
-max-read bytes (default 1024: recv(1024)) passes, with an advisory WARN
above 1000 (the lecture's recv(1000)); -quiet-warn reports advisory WARNs
as PASS. The grade passes when every required check passes (warnings
allowed); a file that cannot be written is said before grading.

flags:
`

// gradeOptions is "client grade" as its flags describe it.
type gradeOptions struct {
	cfg     grade.Config
	notOn   []string // hosts, called at port
	jsonOut bool
	files   results.Files
	weights results.Weights
	host    string
	port    int
}

func parseGrade(args []string, stderr io.Writer) (gradeOptions, error) {
	var o gradeOptions
	fs := newFlagSet("client grade", gradeUsage, "", stderr)
	fs.timeout(&o.cfg.Timeout, grade.DefaultTimeout)
	fs.json(&o.jsonOut)
	gradeFiles(fs, &o.files)
	weightsFile := weightsFlag(fs)
	fs.name(&o.cfg.Name)
	fs.notOn(&o.notOn)
	fs.BoolVar(&o.cfg.RequireConcurrent, "require-concurrent", false, "fail a server that serves one caller at a time (default: only say which it is)")
	allowOnce := fs.Bool("allow-once", false, "accept a server that serves one call and exits, as the lecture's script does\n(the lecture's policy, a weights file's \"policy lecture\"): the checks that need\nmore calls are then \"not run\" for it, and count for no one")
	fs.policies(&o.cfg.MaxRead, &o.cfg.QuietWarn, grade.DefaultMaxRead)
	if err := fs.parse(args); err != nil {
		return o, err
	}
	o.cfg.Policy = grade.PolicyKeepServing
	if *allowOnce {
		o.cfg.Policy = grade.PolicyLecture
	}
	if o.jsonOut && o.files.CSV == "-" {
		return o, badUsage(fs, "-json and -csv-file - both write stdout: give -csv-file a file")
	}
	var err error
	if o.weights, err = loadWeights(fs, *weightsFile); err != nil {
		return o, err
	}
	if o.host, o.port, err = parseTarget(fs); err != nil {
		return o, err
	}
	for i, s := range o.notOn {
		if o.notOn[i], err = notOnHost(s, o.port); err != nil {
			return o, badUsage(fs, "%v", err)
		}
	}
	return o, nil
}

// gradeFiles are the files a grade writes, the same in grade and student
// check.
func gradeFiles(fs *flagSet, files *results.Files) {
	fs.file(&files.JUnit, "junit")
	fs.file(&files.Gradescope, "gradescope")
	fs.file(&files.CSV, "csv")
	fs.BoolVar(&files.CSVHeader, "csv-header", false, "with -csv-file: write the CSV header line first (to a file only when it is empty)")
	fs.file(&files.Markdown, "md")
	fs.file(&files.JSON, "json")
	fs.check(func() error {
		if files.CSVHeader && files.CSV == "" {
			return errors.New("-csv-header needs -csv-file")
		}
		return nil
	})
}

// runGrade is "client grade": flags to a grade.Config, the grade, the report.
func runGrade(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseGrade(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	// The files first: a path that cannot be written is bad usage, said
	// before a grade that would be lost.
	outs, err := o.files.Open()
	if err != nil {
		fmt.Fprintf(stderr, "client grade: %v\n", err)
		return exitUsage
	}
	defer outs.Close()
	if o.cfg.Addr, err = resolveAddr(ctx, o.host, strconv.Itoa(o.port)); err != nil {
		fmt.Fprintf(stderr, "client grade: %v\n", err)
		return exitNetwork
	}
	if o.cfg.NotOn, err = resolveNotOn(ctx, o.notOn, o.port, o.cfg.Addr); err != nil {
		fmt.Fprintf(stderr, "client grade: %v\n", err)
		return exitCode(err)
	}

	if !o.jsonOut {
		head := grade.Header(o.cfg.Addr, o.cfg.Timeout)
		if o.cfg.Name != "" {
			head = o.cfg.Name + ": " + head
		}
		fmt.Fprint(stdout, head)
		o.cfg.OnCheck = func(r grade.Result) { grade.WriteResult(stdout, r) }
	}
	rep, err := grade.Run(ctx, o.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return exitUsage
	}
	if o.jsonOut {
		err = rep.WriteJSON(stdout)
	} else {
		_, err = io.WriteString(stdout, rep.Summary())
	}
	if err != nil {
		fmt.Fprintf(stderr, "client grade: write the report: %v\n", err)
		return exitNetwork
	}
	if err := outs.Write(results.Submission{Report: rep}, o.weights, stdout); err != nil {
		fmt.Fprintf(stderr, "client grade: %v\n", err)
		return exitNetwork
	}
	if err := outs.Close(); err != nil {
		fmt.Fprintf(stderr, "client grade: write the reports: %v\n", err)
		return exitNetwork
	}
	return gradeExit(rep.Passed, rep.Interrupted)
}

// gradeExit is a verdict's exit status: PASS, FAIL, or none because the
// user interrupted the grade.
func gradeExit(passed, interrupted bool) int {
	switch {
	case interrupted:
		return exitInterrupted
	case !passed:
		return exitFail
	}
	return exitOK
}

// resolveNotOn turns -not-on hosts into the addresses to call at port,
// none of them addr, the one graded.
func resolveNotOn(ctx context.Context, hosts []string, port int, addr string) ([]string, error) {
	var addrs []string
	for _, h := range hosts {
		a, err := resolveAddr(ctx, h, strconv.Itoa(port))
		if err != nil {
			return nil, fmt.Errorf("-not-on: %w", err)
		}
		if a == addr {
			return nil, usageError{fmt.Errorf("-not-on %s is %s, the address being graded", h, a)}
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}
