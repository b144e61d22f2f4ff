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

// runSupervise is "client student run": the supervisor of the student's
// program on its laptop.
func runSupervise(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// One stream for the program's output, its traceback and the
	// supervisor's own lines: a container's stdout and stderr reach the
	// log apart, and may land out of order (a program's last print after
	// "your program ended"); written to one stream they stay in the order
	// the supervisor saw them. The program's own lines are cut at
	// student.MaxLogLine (a print() of a megabyte caller); the report
	// keeps them whole.
	cfg := student.Config{Stdout: student.CutLines(stdout, student.MaxLogLine),
		Stderr: student.CutLines(stdout, student.MaxLogLine), Say: stdout, SayEnded: true}
	fs := newFlagSet("client student run", "usage: client student run [flags] [-- COMMAND [ARG...]]\n"+
		"       client student run -auto [flags] [-- ARG...]\n\n"+
		"Without COMMAND (or with -auto), the program is found in the working folder and built first.\n\nflags:\n", "", stderr)
	var auto bool
	var role, progArgs string
	fs.StringVar(&cfg.Report, "report", "", "write how the program is doing to `FILE`, the supervisor's report (read by the\nother laptop's student check or judge)")
	fs.BoolVar(&auto, "auto", false, "find the program in the folder and build it; what follows -- is its arguments")
	fs.StringVar(&role, "role", "server", "what the program is, `server` or client, for finding it")
	fs.StringVar(&cfg.File, "file", "", "the program's `FILE` in the folder (default: found by its name: server.c, Server.java, ...)")
	fs.StringVar(&progArgs, "args", "", "the program's `ARGS`, split at spaces, before any after --")
	fs.StringVar(&cfg.After, "after", "", "start the program only once `FILE` exists (the other laptop is ready)")
	fs.DurationVar(&cfg.AfterWait, "after-wait", student.DefaultAfterWait, "wait up to `D` for -after's FILE")
	fs.DurationVar(&cfg.Linger, "linger", student.DefaultLinger, "stay `D` after the program ends, until stopped (negative: exit at once)")
	if err := fs.parse(args); err != nil {
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

const studentCheckUsage = `usage: client student check [flags] HOST [PORT]

On laptop-b of just my-server: wait for the student's server on laptop-a
(HOST) to listen, call it as the lab does, grade it with client grade's
checks, and explain a failure from laptop-a's -report (a traceback, en0 vs
eth0, str vs bytes, ...).

flags:
`

const studentJudgeUsage = `usage: client student judge [flags]

On laptop-a of just my-client: answer one call from the student's client as
the lecture's server does, and say what the client did, with what laptop-b's
-report says of how it ended. The verdict passes on a whole call: it read the
greeting, sent a line, read the echo to the end, hung up, and ended with exit
status 0.

flags:
`

// runStudentCheck is "client student check": the verdict on the student's
// server, from the other laptop.
func runStudentCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := student.CheckConfig{Out: stdout}
	var notOn []string
	var name string
	var files results.Files
	fs := newFlagSet("client student check", studentCheckUsage, "", stderr)
	fs.StringVar(&cfg.Report, "report", "", "read how the student's server is doing from `FILE`, the supervisor's report on\nits laptop (client student run -report)")
	fs.notOn(&notOn)
	fs.wait(&cfg.ListenWait, student.DefaultListenWait)
	fs.timeout(&cfg.Timeout, student.DefaultStepTimeout)
	fs.policies(&cfg.MaxRead, &cfg.QuietWarn, grade.DefaultMaxRead)
	policy := fs.String("policy", "", "what the course asks of a server: `NAME` lecture (one call, as the lecture's\nscript) or keep-serving (default: the weights file's policy, weights.txt's\n\"policy\" line; client class passes its own)")
	// The files a grade writes (client class reads -json-file back): the
	// same as client grade's.
	fs.name(&name)
	gradeFiles(fs, &files)
	weightsFile := weightsFlag(fs)
	fs.refused("json", "-json FILE is renamed -json-file FILE: -json is the switch that prints JSON on stdout", false)
	if err := fs.parse(args); err != nil {
		return usageExit(err)
	}
	weights, err := loadWeights(fs, *weightsFile)
	if err != nil {
		return usageExit(err)
	}
	cfg.Policy = weights.Serving()
	if *policy != "" {
		if cfg.Policy, err = grade.ParsePolicy(*policy); err != nil {
			return usageExit(badUsage(fs, "-policy: %v", err))
		}
	}
	if files.CSV == "-" {
		return usageExit(badUsage(fs, "-csv-file -: give a file: the verdict is on stdout"))
	}
	host, port, err := parseTarget(fs)
	if err != nil {
		return usageExit(err)
	}
	for i, s := range notOn {
		if notOn[i], err = notOnHost(s, port); err != nil {
			return usageExit(badUsage(fs, "%v", err))
		}
	}
	outputs, err := files.Open()
	if err != nil {
		return usageExit(badUsage(fs, "%v", err))
	}
	defer outputs.Close()
	start := time.Now()
	if cfg.Addr, err = resolveAddr(ctx, host, strconv.Itoa(port)); err != nil {
		fmt.Fprintf(stderr, "client student check: %v\n", err)
		return exitNetwork
	}
	if cfg.NotOn, err = resolveNotOn(ctx, notOn, port, cfg.Addr); err != nil {
		fmt.Fprintf(stderr, "client student check: %v\n", err)
		return exitCode(err)
	}
	v, err := student.Check(ctx, cfg)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "client student check: %v\n", err)
	}
	if files != (results.Files{}) {
		g := v.Grade
		if g == nil { // interrupted before any grade
			g = &grade.Report{Addr: cfg.Addr, Interrupted: ctx.Err() != nil, Policy: cfg.Policy}
		}
		sub := results.FromVerdict(v, student.Graded(v, *g, name, time.Since(start)))
		if err := outputs.Write(sub, weights, stdout); err != nil {
			fmt.Fprintf(stderr, "client student check: %v\n", err)
			return exitNetwork
		}
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		return exitNetwork
	}
	return gradeExit(v.Passed, false)
}

func runJudge(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := student.JudgeConfig{Out: stdout}
	var iface, addr string
	var port int
	fs := newFlagSet("client student judge", studentJudgeUsage, "", stderr)
	fs.StringVar(&iface, "iface", netif.Auto, "listen on the first IPv4 address of interface `NAME`")
	fs.StringVar(&addr, "addr", "", "listen on this `IP` instead")
	fs.IntVar(&port, "port", lab.DefaultPort, "the TCP `PORT` to listen on")
	fs.StringVar(&cfg.Report, "report", "", "read how the student's client is doing from `FILE`, the supervisor's report on\nits laptop (client student run -report)")
	fs.StringVar(&cfg.Ready, "ready", "", "write `FILE` once listening (the client's supervisor waits for it)")
	fs.DurationVar(&cfg.CallWait, "call-wait", student.DefaultCallWait, "wait up to `D` for the student's client to call")
	fs.refused("wait", "-wait is renamed -call-wait here: -wait is the wait for a server that is still starting", false)
	fs.timeout(&cfg.Timeout, student.DefaultStepTimeout)
	if err := fs.parse(args); err != nil {
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
			return exitNetwork
		}
	}
	cfg.Addr = net.JoinHostPort(addr, strconv.Itoa(port))
	v, err := student.Judge(ctx, cfg)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "client student judge: %v\n", err)
		return exitNetwork
	}
	return gradeExit(v.Passed, false)
}
