// Client calls a socketlab server the way the lecture's telnet does; its
// commands send a crowd of callers, grade a server, a student's program or
// a class, and show the calls on the wire. client -h lists them, and
// README.md beside this file is every command's -h.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/socketlab/socketlab/internal/call"
	"github.com/socketlab/socketlab/internal/lab"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one of the client's commands, named by its first arguments
// ("bench", "student check"); without one of these names, the arguments
// are a plain call's. Each reports any error on stderr itself and returns
// the exit code.
type command struct {
	name    string
	summary string // one line in client -h; "" for a hidden one
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	// renamed: the command's old name, which still works, with a note.
	renamed string
}

// commands are listed by client -h in this order. They are set in init:
// a command's usage text lists the commands.
var commands []command

func init() {
	commands = []command{
		{name: "bench", summary: `send a crowd of callers: the lecture's "10,000 callers"`, run: runBench},
		{name: "grade", summary: "grade any server at HOST against the lecture's protocol", run: runGrade},
		{name: "watch", summary: "show each TCP segment of the calls to a port, explained", run: runWatch},
		{name: "view", summary: "a live web page that draws each call and the call center", run: runView},
		{name: "onehost", summary: "the one-host grader (Gradescope, PrairieLearn), with no Docker", run: runOnehost},
		{name: "class", summary: "grade a class, each submission in a lab of its own (Docker)", run: runClass},
		{name: "student run", summary: "build and run the student's program on its lab laptop", run: runSupervise},
		{name: "student check", summary: "grade the student's server from laptop-b (just my-server)", run: runStudentCheck},
		{name: "student judge", summary: "grade the student's client as laptop-a (just my-client)", run: runJudge},
		{name: "student here", run: runOnehost, renamed: "onehost"},
		{name: "student limits", run: runLimits}, // one-host grading's helper, not for people
	}
}

// commandNames are the names client -h lists, in order.
func commandNames() []string {
	var names []string
	for _, c := range commands {
		if c.summary != "" {
			names = append(names, c.name)
		}
	}
	return names
}

// run is the whole program but for the process around it, so tests see
// exactly what a user would.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "student" {
		if len(args) == 1 || args[1] == "-h" || args[1] == "-help" || args[1] == "--help" {
			fmt.Fprint(stderr, studentUsage())
			if len(args) == 1 {
				return exitUsage
			}
			return exitOK
		}
	}
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) < len(words) || !slices.Equal(args[:len(words)], words) {
			continue
		}
		if c.renamed != "" {
			fmt.Fprintf(stderr, "client: %q is renamed %q; the old name goes in the next release\n", "client "+c.name, "client "+c.renamed)
		}
		return c.run(ctx, args[len(words):], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "student" {
		fmt.Fprintf(stderr, "client student: unknown command %q\n%s", args[1], studentUsage())
		return exitUsage
	}
	return runCall(ctx, args, stdin, stdout, stderr)
}

// studentUsage is client student -h: the commands of a student's own
// program in the lab.
func studentUsage() string {
	var b strings.Builder
	b.WriteString("usage: client student run [flags] [-- COMMAND [ARG...]]\n" +
		"       client student check [flags] HOST [PORT]\n" +
		"       client student judge [flags]\n\n" +
		"A student's own program in the lab (just my-server, just my-client):\n\n")
	for _, c := range commands {
		if name, ok := strings.CutPrefix(c.name, "student "); ok && c.summary != "" {
			fmt.Fprintf(&b, "  %-7s %s\n", name, wrap(c.summary, 10))
		}
	}
	b.WriteString("\nRun \"client student COMMAND -h\" for each one's flags. The one-host grader\n" +
		"(Gradescope, PrairieLearn) is client onehost.\n")
	return b.String()
}

// exitCode maps a call's error to the exit status the usage text promises.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	switch lab.Classify(err) {
	case lab.KindWrongGreeting, lab.KindWrongEcho, lab.KindBusy:
		return exitMismatch
	}
	return exitNetwork
}

// describe says what went wrong in one line. A CallError of a known kind
// already reads like "connect 10.0.0.1:8000: connection refused (nothing is
// listening there)"; the Go error under it would only repeat that.
func describe(err error) string {
	var ce *lab.CallError
	if errors.As(err, &ce) && ce.Kind != lab.KindOther && ce.Msg != "" {
		return ce.Msg
	}
	return err.Error()
}

// resolveAddr looks host up once and returns host:port for its first
// address (IPv4 first), for the engines that dial one address many times:
// a name would be looked up again for each of thousands of calls.
func resolveAddr(ctx context.Context, host string, port string) (string, error) {
	ips, err := call.Resolve(ctx, host)
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(ips[0].String(), port), nil
}
