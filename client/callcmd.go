package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/socketlab/socketlab/internal/call"
)

// callUsage is client -h: how to call, every command in one line, and
// (after the call's flags) the exit statuses.
func callUsage() string {
	var b strings.Builder
	b.WriteString(`usage: client [flags] HOST [PORT]
       client [flags] HOST:PORT
       client COMMAND [flags] ...

Call HOST at PORT (default 8000) the way the lecture's telnet does: print what
the server says, send what you type line by line, and stop when the server
hangs up. A call you type waits for you and the server without limit; with
-send it waits at most -timeout at each step, and at most 3s for the greeting
(a server greets as it picks up).

commands ("client COMMAND -h" for each one's flags):
`)
	for _, name := range commandNames() {
		for _, c := range commands {
			if c.name == name {
				fmt.Fprintf(&b, "  %-14s %s\n", name, wrap(c.summary, 17))
			}
		}
	}
	b.WriteString("\nflags of a call:\n")
	return b.String()
}

// parseCall reads the flags of a plain call into a call.Config. Errors have
// been reported on stderr with the usage text by the time it returns.
func parseCall(args []string, stderr io.Writer) (call.Config, error) {
	var cfg call.Config
	var send string
	fs := newFlagSet("client", callUsage(), "", stderr)
	fs.BoolVar(&cfg.CRLF, "crlf", false, "end each line sent with \\r\\n, as telnet does (default \\n)")
	fs.StringVar(&send, "send", "", "send `TEXT` and a newline after the greeting instead of reading stdin, then\nprint everything the server says until it hangs up (default: read stdin)")
	fs.BoolVar(&cfg.ExpectEcho, "expect-echo", false, "with -send: exit 3 unless the greeting is exactly \"hello\\n\" and the echo is\nthe line sent; of a line over 1000 bytes, the server's one read: its first 1 to\n1000 bytes (a reset after that echo is how the lecture's server ends such a call)")
	fs.wait(&cfg.Wait, 0)
	fs.timeout(&cfg.Timeout, call.DefaultTimeout)
	if err := fs.parse(args); err != nil {
		return cfg, err
	}
	if fs.given("send") {
		cfg.Send = append([]byte{}, send...) // not nil, even for -send "": an empty line
	}
	if cfg.ExpectEcho && cfg.Send == nil {
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
