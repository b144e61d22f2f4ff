package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/socketlab/socketlab/internal/call"
)

const callUsage = `usage: client [flags] HOST [PORT]
       client [flags] HOST:PORT
       client bench [flags] HOST [PORT]
       client grade [flags] HOST [PORT]
       client watch [flags]
       client view [flags]

Call HOST at PORT (default 8000) the way the lecture's telnet does: print what
the server says, send what you type line by line, and stop when the server
hangs up. "client bench -h" describes the load generator (the "10,000 callers"),
"client grade -h" the grader of any server against the lecture,
"client watch -h" the capture that shows a call's packets on the wire, and
"client view -h" the web page that draws them and the call center.

flags:
`

const callUsageEnd = `
exit status: 0 ok, 1 network error (refused, timeout, reset), 2 bad usage,
3 protocol mismatch (wrong greeting or wrong echo, with -expect-echo).
`

// parseCall reads the flags of a plain call into a call.Config. Errors have
// been reported on stderr with the usage text by the time it returns.
func parseCall(args []string, stderr io.Writer) (call.Config, error) {
	var cfg call.Config
	var send string
	fs := newFlagSet("client", callUsage, callUsageEnd, stderr)
	fs.BoolVar(&cfg.CRLF, "crlf", false, "end each line sent with \\r\\n, as telnet does (default \\n)")
	fs.StringVar(&send, "send", "", "send `TEXT` and a newline after the greeting instead of reading stdin, then\nprint everything the server says until it hangs up (default: read stdin)")
	fs.BoolVar(&cfg.ExpectEcho, "expect-echo", false, "with -send: exit 3 unless the greeting is exactly \"hello\\n\" and the echo is\nthe line sent; of a line over 1000 bytes, the server's one read: its first 1 to\n1000 bytes (a reset after that echo is how the lecture's server ends such a call)")
	fs.DurationVar(&cfg.Wait, "wait", 0, "keep retrying a refused, unreachable or timed-out connect for up to `D`,\nfor a server that is still starting (default 0: try once)")
	fs.DurationVar(&cfg.Timeout, "timeout", call.DefaultTimeout, "deadline `D` for connecting; with -send also for the exchange after the greeting,\nwhich must come within 3s (or D, if shorter). An interactive session waits for\nyou and the server without limit")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "send" {
			cfg.Send = append([]byte{}, send...) // not nil, even for -send "": an empty line
		}
	})
	switch {
	case cfg.Timeout <= 0:
		return cfg, badUsage(fs, "-timeout must be positive, not %v", cfg.Timeout)
	case cfg.Wait < 0:
		return cfg, badUsage(fs, "-wait must not be negative, not %v", cfg.Wait)
	case cfg.ExpectEcho && cfg.Send == nil:
		return cfg, badUsage(fs, "-expect-echo needs -send: it checks the echo of what -send sent")
	}
	var err error
	cfg.Host, cfg.Port, err = parseTarget(fs)
	return cfg, err
}

// runCall is the plain call: flags to a call.Config, the call, its exit code.
func runCall(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseCall(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	cfg.Stdin, cfg.Stdout, cfg.Stderr = stdin, stdout, stderr
	if err := call.Run(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "client: %s\n", describe(err))
		return exitCode(err)
	}
	return exitOK
}
