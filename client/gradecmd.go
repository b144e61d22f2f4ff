package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/socketlab/socketlab/client/grade"
)

const gradeUsage = `usage: client grade [flags] HOST [PORT]

Grade the server listening on HOST at PORT (default 8000) against the
lecture's protocol: it greets with "hello\n" before the caller speaks, reads
once (up to 1000 bytes), sends exactly that back and hangs up. Any server
will do: a student's Python script, the lab's server, anything listening.

Each check prints one line: PASS, FAIL, WARN (works, but fragile), INFO (a
fact, such as one employee or many) or SKIP (could not run after an earlier
failure), with the reason. A grade makes about ten calls; each step waits at
most -timeout, so even a server that never answers is graded in seconds.

exit status: 0 every required check passed (warnings allowed), 1 a required
check failed or could not run, 2 bad usage.

flags:
`

// exitFailed is a grade with a required check that did not pass.
const exitFailed = 1

// gradeOptions is "client grade" as its flags describe it.
type gradeOptions struct {
	cfg     grade.Config
	notOn   []string // as typed: host or host:port
	jsonOut bool
	junit   string
	host    string
	port    int
}

func parseGrade(args []string, stderr io.Writer) (gradeOptions, error) {
	var o gradeOptions
	fs := newFlagSet("client grade", gradeUsage, "", stderr)
	fs.DurationVar(&o.cfg.Timeout, "timeout", grade.DefaultTimeout, "the longest each step waits `D`: to connect, for the greeting, for the echo,\nfor a silent caller's hang-up")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as one JSON object on stdout instead of text")
	fs.StringVar(&o.junit, "junit", "", "also write the report as JUnit XML to `FILE`, one test case per check")
	fs.Func("not-on", "`ADDR` (host or host:port; the port defaults to PORT) where the server must NOT\nanswer: another interface of its host. Repeat for several", func(s string) error {
		if s == "" {
			return errors.New("empty address")
		}
		o.notOn = append(o.notOn, s)
		return nil
	})
	fs.BoolVar(&o.cfg.RequireConcurrent, "require-concurrent", false, "fail a server that serves one caller at a time (default: only say which it is)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.cfg.Timeout <= 0 {
		return o, badUsage(fs, "-timeout must be positive, not %v", o.cfg.Timeout)
	}
	var err error
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
		fmt.Fprint(stdout, grade.Header(o.cfg.Addr, o.cfg.Timeout))
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
	if o.junit != "" {
		if err := writeJUnit(o.junit, rep); err != nil {
			fmt.Fprintf(stderr, "client: %v\n", err)
			return exitFailed
		}
	}
	if !rep.Passed {
		return exitFailed
	}
	return exitOK
}

// writeJUnit writes rep as JUnit XML to the file at path.
func writeJUnit(path string, rep grade.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the JUnit report: %w", err)
	}
	werr := rep.WriteJUnit(f)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("write the JUnit report %s: %w", path, werr)
	}
	return nil
}
