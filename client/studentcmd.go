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
	"time"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/netif"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/student"
	"github.com/socketlab/socketlab/internal/student/lang"
)

const studentUsage = `usage: client student run [flags] [-- COMMAND [ARG...]]
       client student check [flags] HOST [PORT]
       client student judge [flags]
       client student here [flags]

A student's own program in the lab (just my-server, just my-client):

  run     run COMMAND, or without one the student's program found in the
          folder (server.py, server.c, server.cpp, Server.java, server.js,
          server.go, a Makefile; -role client: client.*), built first; relay
          what it prints, and write how it ends (build, exit status,
          traceback) to -report, a file the other laptop reads
  check   call the student's server at HOST (laptop-a) as the lab does, grade
          it, and explain a failure from laptop-a's -report; exit 0 on PASS
  judge   answer one call as the lecture's server does and say what the
          student's client did (laptop-b's -report); exit 0 on a whole call
  here    grade a student's server on this machine alone, with no Docker
          (Gradescope, PrairieLearn): the same checks and verdict as the lab

Run "client student SUBCOMMAND -h" for each one's flags.
`

// runStudent is "client student": it dispatches to run, check or judge.
func runStudent(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(stderr, studentUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "run":
		return runSupervise(ctx, args[1:], stdout, stderr)
	case "check":
		return runStudentCheck(ctx, args[1:], stdout, stderr)
	case "judge":
		return runJudge(ctx, args[1:], stdout, stderr)
	case "here":
		return runHere(ctx, args[1:], stdout, stderr)
	case "limits":
		return runLimits(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "client student: unknown subcommand %q\n%s", args[0], studentUsage)
	return exitUsage
}

func runSupervise(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// One stream for the program's output, its traceback and the
	// supervisor's own lines: a container's stdout and stderr reach the
	// log apart, and may land out of order (a program's last print after
	// "your program ended"); written to one stream they stay in the order
	// the supervisor saw them.
	cfg := student.Config{Stdout: stdout, Stderr: stdout, Say: stdout}
	fs := newFlagSet("client student run", "usage: client student run [flags] [-- COMMAND [ARG...]]\n"+
		"       client student run -auto [flags] [-- ARG...]\n\n"+
		"Without COMMAND (or with -auto), the program is found in the working folder and built first.\n\nflags:\n", "", stderr)
	var auto bool
	var role, progArgs string
	fs.BoolVar(&auto, "auto", false, "find the program in the folder and build it; what follows -- is its arguments")
	fs.StringVar(&role, "role", "server", "what the program is, `server` or client, for finding it")
	fs.StringVar(&cfg.File, "file", "", "the program's `FILE` in the folder (default: found by its name: server.c, Server.java, ...)")
	fs.StringVar(&progArgs, "args", "", "the program's `ARGS`, split at spaces, before any after --")
	fs.StringVar(&cfg.Report, "report", "", "write the program's report to `FILE` (read by the other laptop)")
	fs.StringVar(&cfg.After, "after", "", "start the program only once `FILE` exists (the other laptop is ready)")
	fs.DurationVar(&cfg.AfterWait, "after-wait", student.DefaultAfterWait, "the longest wait for -after")
	fs.DurationVar(&cfg.Linger, "linger", student.DefaultLinger, "stay this long after the program ends, until stopped (negative: exit at once)")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	cfg.Role = lang.Role(role)
	if cfg.Role != lang.Server && cfg.Role != lang.Client {
		return usageExit(badUsage(fs, "-role %q: want server or client", role))
	}
	cfg.Args = strings.Fields(progArgs)
	switch {
	case auto:
		cfg.Args = append(cfg.Args, fs.Args()...)
	default:
		cfg.Command = fs.Args()
	}
	if dir, err := os.Getwd(); err == nil {
		cfg.Dir = dir
	}
	code, err := student.Supervise(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "client student run: %v\n", err)
		return exitNetwork
	}
	if code < 0 || code > 255 {
		return 1
	}
	return code
}

func runStudentCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := student.CheckConfig{Out: stdout}
	var notOn []string
	fs := newFlagSet("client student check", "usage: client student check [flags] HOST [PORT]\n\nflags:\n", "", stderr)
	fs.StringVar(&cfg.Report, "report", "", "the supervisor's report on the server's laptop, `FILE`")
	fs.Func("not-on", "`IP` of the server's laptop on another network, where it must not answer (repeat)", func(s string) error {
		if _, err := netipAddr(s); err != nil {
			return err
		}
		notOn = append(notOn, s)
		return nil
	})
	fs.DurationVar(&cfg.ListenWait, "wait", student.DefaultListenWait, "the longest wait for the program to listen")
	fs.DurationVar(&cfg.Timeout, "timeout", student.DefaultStepTimeout, "the longest each step of each call waits")
	fs.IntVar(&cfg.MaxRead, "max-read", grade.DefaultMaxRead, "the most bytes one read may echo and pass (as client grade -max-read)")
	fs.BoolVar(&cfg.QuietWarn, "quiet-warn", false, "report advisory warnings as PASS (as client grade -quiet-warn)")
	// The report files of a grade (client class reads -json back): the same as client grade's.
	var name string
	var files results.Files
	fs.StringVar(&name, "name", "", "label the report files with `STUDENT`")
	fs.StringVar(&files.JUnit, "junit", "", "also write the verdict as JUnit XML to `FILE`")
	fs.StringVar(&files.Gradescope, "gradescope", "", "also write the verdict as Gradescope's results.json to `FILE`")
	fs.StringVar(&files.CSV, "csv", "", "append the verdict as one CSV line to `FILE` (columns as client grade -csv)")
	fs.StringVar(&files.Markdown, "md", "", "write the verdict as one Markdown table row to `FILE`")
	fs.StringVar(&files.JSON, "json", "", "write the whole verdict as JSON to `FILE` (what client class reads back)")
	weightsFile := weightsFlag(fs)
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	weights, err := loadWeights(fs, *weightsFile)
	if err != nil {
		return usageExit(err)
	}
	if files.CSV == "-" {
		return usageExit(badUsage(fs, "-csv -: give a file: the verdict is on stdout"))
	}
	outputs, err := files.Open()
	if err != nil {
		return usageExit(badUsage(fs, "%v", err))
	}
	defer outputs.Close()
	start := time.Now()
	host, port, err := parseTarget(fs)
	if err != nil {
		return usageExit(err)
	}
	if cfg.Addr, err = resolveAddr(ctx, host, strconv.Itoa(port)); err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return exitFailed
	}
	for _, ip := range notOn {
		cfg.NotOn = append(cfg.NotOn, net.JoinHostPort(ip, strconv.Itoa(port)))
	}
	cfg.GradeAlways = files != (results.Files{})
	v, err := student.Check(ctx, cfg)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "client student check: %v\n", err)
	}
	if files != (results.Files{}) {
		g := v.Grade
		if g == nil { // interrupted before any grade
			g = &grade.Report{Addr: cfg.Addr, Interrupted: ctx.Err() != nil}
		}
		sub := results.FromVerdict(v, student.Graded(v, *g, name, time.Since(start)))
		if err := outputs.Write(sub, weights, stdout); err != nil {
			fmt.Fprintf(stderr, "client student check: %v\n", err)
			return exitFailed
		}
	}
	if !v.Passed {
		return exitFailed
	}
	return exitOK
}

func runJudge(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := student.JudgeConfig{Out: stdout}
	var iface, addr string
	var port int
	fs := newFlagSet("client student judge", "usage: client student judge [flags]\n\nflags:\n", "", stderr)
	fs.StringVar(&iface, "iface", netif.Auto, "listen on this `interface`'s first IPv4 address")
	fs.StringVar(&addr, "addr", "", "listen on this `IP` instead")
	fs.IntVar(&port, "port", lab.DefaultPort, "the `port` to listen on")
	fs.StringVar(&cfg.Report, "report", "", "the supervisor's report on the client's laptop, `FILE`")
	fs.StringVar(&cfg.Ready, "ready", "", "write `FILE` once listening (the client's supervisor waits for it)")
	fs.DurationVar(&cfg.CallWait, "wait", student.DefaultCallWait, "the longest wait for the call")
	fs.DurationVar(&cfg.Timeout, "timeout", student.DefaultStepTimeout, "the longest each step of the call waits")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() > 0 {
		return usageExit(badUsage(fs, "unexpected argument %q", fs.Arg(0)))
	}
	if addr == "" {
		ifs, err := netif.System()
		if err == nil {
			var i netif.Iface
			if i, err = netif.Choose(iface, ifs); err == nil && len(i.IPv4()) == 0 {
				err = fmt.Errorf("interface %s has no IPv4 address", iface)
			} else if err == nil {
				addr = i.IPv4()[0].String()
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "client student judge: %v\n", err)
			return exitFailed
		}
	}
	cfg.Addr = net.JoinHostPort(addr, strconv.Itoa(port))
	v, err := student.Judge(ctx, cfg)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "client student judge: %v\n", err)
	}
	if !v.Passed {
		return exitFailed
	}
	return exitOK
}

// netipAddr checks that s is an IP address.
func netipAddr(s string) (net.IP, error) {
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("%q is not an IP address", s)
	}
	return ip, nil
}
