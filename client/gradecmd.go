package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/lab"
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
fails "still answers" unless -allow-once; an echo of one read of up to
-max-read bytes (default 1024: recv(1024)) passes, with an advisory WARN
above 1000 (the lecture's recv(1000)); -quiet-warn reports advisory WARNs
as PASS.

exit status: 0 every required check passed (warnings allowed), 1 a required
check failed or could not run, 2 bad usage (also an output file that cannot
be written, reported before grading).

flags:
`

// exitFailed is a grade with a required check that did not pass.
const exitFailed = 1

// gradeOptions is "client grade" as its flags describe it.
type gradeOptions struct {
	cfg     grade.Config
	notOn   []string // as typed: host or host:port
	jsonOut bool
	files   results.Files
	weights results.Weights
	host    string
	port    int
}

func parseGrade(args []string, stderr io.Writer) (gradeOptions, error) {
	var o gradeOptions
	fs := newFlagSet("client grade", gradeUsage, "", stderr)
	fs.DurationVar(&o.cfg.Timeout, "timeout", grade.DefaultTimeout, "the longest each step waits `D`: to connect, for the greeting, for the echo,\nfor a silent caller's hang-up")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as one JSON object on stdout instead of text")
	fs.StringVar(&o.files.JUnit, "junit", "", "also write the report as JUnit XML to `FILE`, one test case per check")
	fs.StringVar(&o.files.Gradescope, "gradescope", "", "also write the report as Gradescope's results.json to `FILE`")
	weightsFile := weightsFlag(fs)
	fs.StringVar(&o.files.CSV, "csv", "", "append the grade as one CSV line to `FILE` (\"-\": stdout, after the report):\nstudent,verdict,passed,required,failed_checks,seconds,note")
	fs.StringVar(&o.files.Markdown, "md", "", "write the grade as one Markdown table row to `FILE` (the rows of a class's summary.md)")
	fs.BoolVar(&o.files.CSVHeader, "csv-header", false, "with -csv: write the CSV header line first (to a file only when it is empty)")
	fs.StringVar(&o.cfg.Name, "name", "", "label every output with `STUDENT`: the text, the JUnit suite, results.json, CSV")
	fs.Func("not-on", "`ADDR` (host or host:port; the port defaults to PORT) where the server must NOT\nanswer: another interface of its host. Repeat for several", func(s string) error {
		if s == "" {
			return errors.New("empty address")
		}
		o.notOn = append(o.notOn, s)
		return nil
	})
	fs.BoolVar(&o.cfg.RequireConcurrent, "require-concurrent", false, "fail a server that serves one caller at a time (default: only say which it is)")
	fs.BoolVar(&o.cfg.AllowOnce, "allow-once", false, "accept a server that serves one call and exits, as the lecture's script does:\n\"still answers\" and the checks that need more calls are then not required")
	fs.IntVar(&o.cfg.MaxRead, "max-read", grade.DefaultMaxRead, "the most bytes `N` one read may echo and pass; above 1000 it is an advisory WARN.\n1000 requires the lecture's recv(1000)")
	fs.BoolVar(&o.cfg.QuietWarn, "quiet-warn", false, "report advisory WARNs (advice beyond the lecture) as PASS, keeping their words")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.cfg.Timeout <= 0:
		return o, badUsage(fs, "-timeout must be positive, not %v", o.cfg.Timeout)
	case o.cfg.MaxRead < lab.MaxRead:
		return o, badUsage(fs, "-max-read must be at least %d, the lecture's recv(%d), not %d", lab.MaxRead, lab.MaxRead, o.cfg.MaxRead)
	case o.files.CSVHeader && o.files.CSV == "":
		return o, badUsage(fs, "-csv-header needs -csv")
	case o.jsonOut && o.files.CSV == "-":
		return o, badUsage(fs, "-json and -csv - both write stdout: give -csv a file")
	}
	var err error
	if o.weights, err = loadWeights(fs, *weightsFile); err != nil {
		return o, err
	}
	if o.host, o.port, err = parseTarget(fs); err != nil {
		return o, err
	}
	for i, s := range o.notOn {
		host, port, ok := splitNotOn(s, o.port)
		if !ok {
			return o, badUsage(fs, "bad -not-on %q: want host or host:port, the port from 1 to 65535", s)
		}
		o.notOn[i] = net.JoinHostPort(host, strconv.Itoa(port))
	}
	return o, nil
}

// splitNotOn reads a -not-on address: host, host:port, [v6] or [v6]:port.
func splitNotOn(s string, defaultPort int) (host string, port int, ok bool) {
	host, p, err := net.SplitHostPort(s)
	if err != nil {
		// No port: the whole is the host, an IPv6 one perhaps in brackets.
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		return host, defaultPort, host != "" && !strings.ContainsAny(host, "[]")
	}
	port, err = strconv.Atoi(p)
	return host, port, err == nil && host != "" && port >= 1 && port <= 65535
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
		fmt.Fprintf(stderr, "client: %v\n", err)
		return exitFailed
	}
	for _, a := range o.notOn {
		host, port, _ := net.SplitHostPort(a)
		addr, err := resolveAddr(ctx, host, port)
		if err != nil {
			fmt.Fprintf(stderr, "client: -not-on: %v\n", err)
			return exitFailed
		}
		if addr == o.cfg.Addr {
			fmt.Fprintf(stderr, "client grade: -not-on %s is the address being graded\n", a)
			return exitUsage
		}
		o.cfg.NotOn = append(o.cfg.NotOn, addr)
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
		fmt.Fprintf(stderr, "client: write the report: %v\n", err)
		return exitFailed
	}
	if err := outs.Write(results.Submission{Report: rep}, o.weights, stdout); err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return exitFailed
	}
	if err := outs.Close(); err != nil {
		fmt.Fprintf(stderr, "client: write the reports: %v\n", err)
		return exitFailed
	}
	if !rep.Passed {
		return exitFailed
	}
	return exitOK
}
