// Client calls a socketlab server the way the lecture's telnet does, and
// with the bench subcommand sends it a crowd of callers.
//
//	client [flags] HOST [PORT]
//	client bench [flags] HOST [PORT]
//	client grade [flags] HOST [PORT]   (checks a server against the lecture; client grade -h)
//	client student run|check|judge     (a student's own program in the lab; client student -h)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/socketlab/socketlab/internal/lab"
)

// Exit codes, as SPEC.md lists them.
const (
	exitOK       = 0
	exitNetwork  = 1
	exitUsage    = 2
	exitMismatch = 3
)

// errInterrupted ends a call cut short by SIGINT or SIGTERM; it is not a
// network failure, but the call did not finish either, so it exits 1.
var errInterrupted = errors.New("interrupted")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program but for the process around it: it reports any
// error on stderr itself and returns the exit code, so tests see exactly
// what a user would.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "bench" {
		return runBench(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "grade" {
		return runGrade(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "watch" {
		return runWatch(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "view" {
		return runView(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "student" {
		return runStudent(ctx, args[1:], stdout, stderr)
	}
	opts, err := parseCall(args, stderr)
	if err != nil {
		return usageExit(err)
	}
	err = call(ctx, opts, stdin, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "client: %s\n", describe(err))
	}
	return exitCode(err)
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

// exitCode maps a call's error to the exit status SPEC.md promises.
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

// parseTarget reads the HOST [PORT] operands both subcommands take.
func parseTarget(fs *flag.FlagSet) (host string, port int, err error) {
	args := fs.Args()
	switch {
	case len(args) == 0:
		return "", 0, badUsage(fs, "missing HOST")
	case len(args) > 2:
		return "", 0, badUsage(fs, "too many arguments: %q (flags go before HOST)", args[2:])
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

// resolve looks host up, IPv4 addresses first: the lecture's server binds
// an IPv4 address, so "localhost" should reach 127.0.0.1 before ::1.
func resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	slices.SortStableFunc(ips, func(a, b netip.Addr) int {
		switch {
		case a.Is4() == b.Is4():
			return 0
		case a.Is4():
			return -1
		}
		return 1
	})
	if len(ips) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	return ips, nil
}
