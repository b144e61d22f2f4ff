package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// flagSet is one command's flags. The flags that several commands share
// are defined by its methods, each once, so that a flag's name means one
// thing, said in the same words, in every command that has it.
type flagSet struct {
	*flag.FlagSet
	// hidden are the old spellings: still accepted (with a note) or
	// refused (saying the new name), never listed by -h.
	hidden map[string]bool
	// checks run after parsing, in order: the first error is bad usage.
	checks []func() error
}

// newFlagSet is a command's flag set: errors and usage go to stderr, and
// usage is head, the flags with their defaults, tail, then the command's
// exit statuses from the one table (exitcodes.go).
func newFlagSet(name, head, tail string, stderr io.Writer) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), hidden: map[string]bool{}}
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), head)
		fs.printDefaults()
		fmt.Fprint(fs.Output(), tail)
		fmt.Fprint(fs.Output(), exitLine(name))
	}
	return fs
}

// printDefaults is flag's PrintDefaults without the hidden flags.
func (fs *flagSet) printDefaults() {
	out := fs.Output()
	var b bytes.Buffer
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(out)
	// Each flag is a line "  -name ..." and its usage's lines, which
	// PrintDefaults indents with a tab.
	skip := false
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "  -"); ok {
			name, _, _ = strings.Cut(strings.TrimRight(name, "\n"), " ")
			name, _, _ = strings.Cut(name, "\t")
			skip = fs.hidden[name]
		}
		if !skip {
			io.WriteString(out, line)
		}
	}
}

// parse parses args, then runs the checks; an error has been reported
// with the usage text by the time it returns.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, check := range fs.checks {
		if err := check(); err != nil {
			return badUsage(fs, "%v", err)
		}
	}
	return nil
}

// check adds a check that runs once the flags are parsed.
func (fs *flagSet) check(f func() error) { fs.checks = append(fs.checks, f) }

// given says whether the flag was on the command line.
func (fs *flagSet) given(name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// -timeout: the one meaning, in every command that has it.
func (fs *flagSet) timeout(p *time.Duration, def time.Duration) {
	fs.DurationVar(p, "timeout", def, "wait at most `D` at each step of a call: the connect, then each answer\nfrom the other end")
	fs.check(func() error {
		if *p <= 0 {
			return fmt.Errorf("-timeout must be positive, not %v", *p)
		}
		return nil
	})
}

// -wait: a server that is still starting.
func (fs *flagSet) wait(p *time.Duration, def time.Duration) {
	fs.DurationVar(p, "wait", def, "wait up to `D` for a server that is still starting to listen")
	fs.check(func() error {
		if *p < 0 {
			return fmt.Errorf("-wait must not be negative, not %v", *p)
		}
		return nil
	})
}

// -submission-timeout: a whole grade of one submission.
func (fs *flagSet) submissionTimeout(p *time.Duration, def time.Duration) {
	fs.DurationVar(p, "submission-timeout", def, "give the grade of one submission at most `D`, start to verdict; its\nprogram is stopped then")
	fs.check(func() error {
		if *p <= 0 {
			return fmt.Errorf("-submission-timeout must be positive, not %v", *p)
		}
		return nil
	})
}

// -names: who the addresses are.
func (fs *flagSet) names(p *string) {
	fs.StringVar(p, "names", "", "name the addresses shown, `IP=NAME,...` such as\n172.28.5.20=laptop-b,172.28.5.10=laptop-a (default: show IPs)")
}

// -json: the result as JSON on stdout.
func (fs *flagSet) json(p *bool) {
	fs.BoolVar(p, "json", false, "print the result as JSON on stdout instead of text")
}

// fileFormats are the files a command can write, each named
// -FORMAT-file FILE, and what goes in each.
var fileFormats = map[string]string{
	"junit":        "write the report as JUnit XML to `FILE`, one test case per check",
	"gradescope":   "write the report as Gradescope's results.json to `FILE`",
	"prairielearn": "write the report as PrairieLearn's results.json to `FILE`",
	"csv": "append the grade as one CSV line to `FILE` (\"-\": stdout, after the report):\n" +
		"student,verdict,passed,required,failed_checks,seconds,note",
	"md":   "write the grade as one Markdown table row to `FILE` (the rows of a class's summary.md)",
	"json": "write the report as JSON to `FILE`: what -json prints",
	"pcap": "write the segments shown to `FILE`, a pcap file that Wireshark, tshark and\ntcpdump -r open",
}

// file is -FORMAT-file FILE. The format's old flag, -FORMAT FILE, still
// works with a note, but for -json, which is the switch everywhere.
func (fs *flagSet) file(p *string, format string) {
	usage, ok := fileFormats[format]
	if !ok {
		panic("no file format " + format)
	}
	fs.StringVar(p, format+"-file", "", usage)
	if format != "json" {
		fs.renamed(format, format+"-file")
	}
}

// -name: who is graded.
func (fs *flagSet) name(p *string) {
	fs.StringVar(p, "name", "", "label the report and every file written with `STUDENT`")
}

// -max-read and -quiet-warn: the grader's policies.
func (fs *flagSet) policies(maxRead *int, quietWarn *bool, def int) {
	fs.IntVar(maxRead, "max-read", def, "the most bytes `N` one read may echo and pass; above 1000 it is an advisory WARN.\n1000 requires the lecture's recv(1000)")
	fs.BoolVar(quietWarn, "quiet-warn", false, "report advisory WARNs (advice beyond the lecture) as PASS, keeping their words")
	fs.check(func() error {
		if *maxRead < lab.MaxRead {
			return fmt.Errorf("-max-read must be at least %d, the lecture's recv(%d), not %d", lab.MaxRead, lab.MaxRead, *maxRead)
		}
		return nil
	})
}

// -not-on: where the server must not answer. The value is a host, called
// at the port under test; HOST:PORT is taken too when PORT is that port.
func (fs *flagSet) notOn(p *[]string) {
	fs.Func("not-on", "`HOST`: another address of the server's machine (an IP or a name) where\nthe server must NOT answer, at the port under test. Repeat for several", func(s string) error {
		if s == "" {
			return errors.New("empty address")
		}
		*p = append(*p, s)
		return nil
	})
}

// notOnHost reads a -not-on value against the port under test: the host,
// without brackets.
func notOnHost(s string, port int) (string, error) {
	host, p, err := net.SplitHostPort(s)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		if host == "" || strings.ContainsAny(host, "[]") || strings.HasPrefix(s, "[") != strings.HasSuffix(s, "]") {
			return "", fmt.Errorf("bad -not-on %q: want an IP or a host name", s)
		}
		return host, nil
	}
	if host == "" {
		return "", fmt.Errorf("bad -not-on %q: want an IP or a host name", s)
	}
	if n, err := strconv.Atoi(p); err != nil || n != port {
		return "", fmt.Errorf("bad -not-on %q: it is called at the port under test, %d: give the address alone", s, port)
	}
	return host, nil
}

// renamed keeps old working as new for one release, with a note on
// stderr each time it is used.
func (fs *flagSet) renamed(old, new string) {
	f := fs.Lookup(new)
	fs.hidden[old] = true
	fs.Var(&renamedValue{f.Value, func() {
		fmt.Fprintf(fs.Output(), "%s: -%s is renamed -%s; the old name goes in the next release\n", fs.Name(), old, new)
	}}, old, "renamed -"+new)
}

// refused is an old flag whose name now means something else in other
// commands: keeping it would give it two meanings, so it is an error that
// says what to type instead.
func (fs *flagSet) refused(old, instead string, isBool bool) {
	fs.hidden[old] = true
	fail := func(string) error { return errors.New(instead) }
	if isBool {
		fs.BoolFunc(old, instead, fail)
	} else {
		fs.Func(old, instead, fail)
	}
}

// renamedValue is a flag's value under its old name.
type renamedValue struct {
	flag.Value
	note func()
}

func (v *renamedValue) Set(s string) error {
	v.note()
	return v.Value.Set(s)
}

// String is the value's; flag also calls it on a zero renamedValue.
func (v *renamedValue) String() string {
	if v.Value == nil {
		return ""
	}
	return v.Value.String()
}

// IsBoolFlag keeps an old switch a switch.
func (v *renamedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
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

// badUsage reports msg and the usage text, the way flag reports an unknown flag.
func badUsage(fs *flagSet, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintf(fs.Output(), "%s: %v\n", fs.Name(), err)
	fs.Usage()
	return usageError{err}
}

// parseTarget reads the HOST [PORT] operands the subcommands take, or one
// HOST:PORT ([v6]:PORT), the way addresses are usually written and the way
// a server prints where it listens.
func parseTarget(fs *flagSet) (host string, port int, err error) {
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
