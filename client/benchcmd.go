package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"

	"github.com/socketlab/socketlab/internal/bench"
	"github.com/socketlab/socketlab/internal/fdlimit"
)

const benchUsage = `usage: client bench [flags] HOST [PORT]

Send a crowd of callers to HOST at PORT (default 8000): the lecture's
"10,000 people calling the bank". Each call connects, waits for the greeting,
sends the message, reads the echo until the server hangs up, and checks it.
With -hold N, N callers dial at once, wait for their greeting and stay on the
line until every one is greeted or -hold-timeout passes: how long does the
last caller wait on hold?

Progress goes to stderr; the report (or with -json one JSON object) to
stdout, with the failed calls counted by kind: refused, timeout, reset, wrong
greeting, wrong echo, busy.

flags:
`

// benchOptions is "client bench" as its flags describe it.
type benchOptions struct {
	cfg     bench.Config
	msg     string
	jsonOut bool
	host    string
	port    int
}

func parseBench(args []string, stderr io.Writer) (benchOptions, error) {
	var o benchOptions
	fs := newFlagSet("client bench", benchUsage, "", stderr)
	fs.IntVar(&o.cfg.Concurrency, "c", bench.DefaultConcurrency, "`N` callers on the line at once; with -hold, dials in flight")
	fs.IntVar(&o.cfg.Calls, "n", 0, "`N` calls in all (default "+strconv.Itoa(bench.DefaultCalls)+" when -d is not given either;\nwith -d, whichever ends first)")
	fs.DurationVar(&o.cfg.Duration, "d", 0, "stop starting calls after `D`; calls in progress finish (default 0: no time limit)")
	fs.StringVar(&o.msg, "msg", "hi back atcha", "`TEXT` each caller sends; a newline is added, as -send does")
	fs.timeout(&o.cfg.Timeout, bench.DefaultTimeout)
	fs.IntVar(&o.cfg.Hold, "hold", 0, "open `N` calls at once and keep them on hold instead of making calls\n(default 0: make calls); -n, -d and -msg do not apply")
	fs.DurationVar(&o.cfg.HoldTimeout, "hold-timeout", bench.DefaultTimeout, "with -hold: end the hold after `D`; callers not greeted by then count as\ntimed out")
	fs.DurationVar(&o.cfg.HoldFor, "hold-for", 0, "with -hold: keep the greeted callers on the line for `D` after the last greeting")
	fs.Func("source", "call from the addresses of `CIDR` in turn (up to 1024 of them), e.g. 127.0.0.0/8 on\nloopback: one address has ports for only some 28,000 callers to one server", func(v string) error {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return fmt.Errorf("want an address range such as 127.0.0.0/8: %w", err)
		}
		o.cfg.Source = p
		return nil
	})
	fs.json(&o.jsonOut)
	if err := fs.parse(args); err != nil {
		return o, err
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if o.cfg.Hold > 0 && explicit["timeout"] && !explicit["hold-timeout"] {
		// -timeout used to be the hold's length: an old command line
		// keeps its hold, with a note.
		o.cfg.HoldTimeout = o.cfg.Timeout
		fmt.Fprintf(stderr, "client bench: with -hold, the hold's length is -hold-timeout now; -timeout %v is taken for it\n", o.cfg.Timeout)
	}
	switch {
	case o.cfg.Concurrency < 1:
		return o, badUsage(fs, "-c must be at least 1, not %d", o.cfg.Concurrency)
	case o.cfg.Calls < 0, o.cfg.Hold < 0:
		return o, badUsage(fs, "-n and -hold must not be negative")
	case o.cfg.Duration < 0:
		return o, badUsage(fs, "-d must not be negative, not %v", o.cfg.Duration)
	case o.cfg.HoldTimeout <= 0:
		return o, badUsage(fs, "-hold-timeout must be positive, not %v", o.cfg.HoldTimeout)
	case o.cfg.Hold > 0 && (explicit["n"] || explicit["d"]):
		return o, badUsage(fs, "-hold keeps callers on hold, it makes no calls: drop -n and -d")
	case o.cfg.HoldFor < 0 || (o.cfg.HoldFor > 0 && o.cfg.Hold == 0):
		return o, badUsage(fs, "-hold-for needs -hold N, and a duration that is not negative")
	case explicit["hold-timeout"] && o.cfg.Hold == 0:
		return o, badUsage(fs, "-hold-timeout needs -hold N")
	}
	o.cfg.Msg = []byte(o.msg + "\n")
	var err error
	o.host, o.port, err = parseTarget(fs)
	return o, err
}

// runBench is "client bench": it fills a bench.Config from the flags,
// runs it and prints the report.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseBench(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	if o.cfg.Addr, err = resolveAddr(ctx, o.host, strconv.Itoa(o.port)); err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return exitNetwork
	}

	// A failure to raise the limit matters only if the crowd does not fit.
	atOnce := max(o.cfg.Hold, o.cfg.Concurrency)
	if limit, err := fdlimit.Raise(); limit > 0 && uint64(atOnce)+16 > limit {
		why := ""
		if err != nil {
			why = fmt.Sprintf(" (raising it failed: %v)", err)
		}
		fmt.Fprintf(stderr, "client: the open-files limit is %d%s, too few for %d calls at once; expect failures\n", limit, why, atOnce)
	}

	o.cfg.Progress = stderr
	o.cfg.ProgressTTY = isTerminal(stderr)
	rep, err := bench.Run(ctx, o.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "client: %v\n", err)
		return exitUsage
	}
	if o.jsonOut {
		err = json.NewEncoder(stdout).Encode(rep)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "client: write the report: %v\n", err)
		return exitNetwork
	}
	return exitOK
}

// isTerminal says whether w is a terminal, where a progress line can be
// rewritten in place; a log file or a pipe gets whole lines instead.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
