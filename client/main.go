// Client calls a socketlab server the way the lecture's telnet does, and
// with the bench subcommand sends it a crowd of callers.
//
//	client [flags] HOST [PORT]
//	client bench [flags] HOST [PORT]
//	client grade [flags] HOST [PORT]   (checks a server against the lecture; client grade -h)
//	client student run|check|judge     (a student's own program in the lab; client student -h)
//	client class [flags] DIR [OUT]     (grades a class, one lab per student; client class -h)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/socketlab/socketlab/internal/call"
	"github.com/socketlab/socketlab/internal/lab"
)

// Exit codes, as the usage text (client -h) and the README list them.
const (
	exitOK       = 0
	exitNetwork  = 1
	exitUsage    = 2
	exitMismatch = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// subcommands are the commands named by the first argument, each with its
// own flag set. Each reports any error on stderr itself and returns the exit
// code. Without one of these names, the arguments are a plain call's.
var subcommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) int{
	"bench":   runBench,
	"grade":   runGrade,
	"watch":   runWatch,
	"view":    runView,
	"student": runStudent,
	"class":   runClass,
}

// run is the whole program but for the process around it, so tests see
// exactly what a user would.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if cmd, ok := subcommands[args[0]]; ok {
			return cmd(ctx, args[1:], stdout, stderr)
		}
	}
	return runCall(ctx, args, stdin, stdout, stderr)
}

// usageError is bad usage that has already been reported with the usage text.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usageExit turns a parse error into an exit code: -h is a successful
// request for help, anything else is bad usage.
func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
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

// newFlagSet is a subcommand's flag set: errors and usage go to stderr, and
// usage is head, the flags with their defaults, then tail.
func newFlagSet(name, head, tail string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), head)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), tail)
	}
	return fs
}

// badUsage reports msg and the usage text, the way flag reports an unknown flag.
func badUsage(fs *flag.FlagSet, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
	fs.Usage()
	return usageError{err}
}

// parseTarget reads the HOST [PORT] operands the subcommands take, or one
// HOST:PORT ([v6]:PORT), the way addresses are usually written and the way
// a server prints where it listens.
func parseTarget(fs *flag.FlagSet) (host string, port int, err error) {
	args := fs.Args()
	switch {
	case len(args) == 0:
		return "", 0, badUsage(fs, "missing HOST")
	case len(args) > 2:
		return "", 0, badUsage(fs, "too many arguments: %q (flags go before HOST)", args[2:])
	}
	if h, p, err := net.SplitHostPort(args[0]); err == nil {
		if len(args) == 2 {
			return "", 0, badUsage(fs, "%q already has a port: give HOST:PORT or HOST PORT", args[0])
		}
		if h == "" {
			return "", 0, badUsage(fs, "empty HOST in %q", args[0])
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, badUsage(fs, "bad PORT %q in %q: want a number from 1 to 65535", p, args[0])
		}
		return h, n, nil
	}
	host = strings.TrimSuffix(strings.TrimPrefix(args[0], "["), "]")
	if host == "" {
		return "", 0, badUsage(fs, "empty HOST")
	}
	port = lab.DefaultPort
	if len(args) == 2 {
		p, err := strconv.Atoi(args[1])
		if err != nil || p < 1 || p > 65535 {
			return "", 0, badUsage(fs, "bad PORT %q: want a number from 1 to 65535", args[1])
		}
		port = p
	}
	return host, port, nil
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
