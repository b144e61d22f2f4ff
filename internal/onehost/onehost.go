// Package onehost grades a student's server on one machine, or in one
// container, with no Docker: what Gradescope and PrairieLearn give a grader.
// It runs the lab's own supervisor and checker (internal/student) in one
// process: the program as an unprivileged user under limits, in a process
// group of its own that is killed at the end, with everything else that
// user runs; the caller on this machine's eth0 address, as laptop-b calls
// laptop-a, and on loopback and every other local address, where the
// server must refuse. The checks, the explanations and the verdict are the
// lab's; what one host cannot show is said as INFO. The platforms' results
// files are internal/results', written from Result.Submission, as every
// other grader's are.
package onehost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/netif"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/student"
)

const (
	// DefaultTime bounds a whole grade: under PrairieLearn's default
	// timeout (30 s), with room to start the container and read the file.
	DefaultTime = 25 * time.Second
	// DefaultListenWait is how long the program has to listen. Python
	// listens within a second even on half a CPU; one host has no other
	// laptop to wait for, as the lab's 20 s allow.
	DefaultListenWait = 8 * time.Second
	// maxNotOn bounds the addresses checked for refusal: a machine with a
	// bridge per Docker network has dozens.
	maxNotOn = 16
)

// Config says what to grade and how. Zero fields take the defaults.
type Config struct {
	// Dir is the submission: the folder the student handed in. It is
	// copied; the program never sees the original.
	Dir string
	// Find says what to run in Dir (default FindProgram).
	Find func(dir string) (Program, error)
	// Port is the port the program must listen on (default 8000).
	Port int
	// Iface is the interface whose address is called; "" is eth0 or,
	// where there is none, the first that is up, not loopback and has an
	// IPv4 address.
	Iface string
	// Helper is the command that sets the limits and becomes the program
	// (one that runs ExecLimited: "client student limits"). Required.
	Helper []string
	// UID is the user the program runs as; 0 picks one: a fresh uid that
	// nothing else uses, as root, or this process's own user otherwise (a
	// non-root grader can run nothing as anyone else). Never root.
	UID    int
	Limits Limits
	// Time bounds the whole grade, the program's life in it (default
	// DefaultTime). The program is stopped when the grade ends, and when
	// ctx is done.
	Time time.Duration
	// ListenWait (default DefaultListenWait), Timeout, MaxRead, QuietWarn
	// and Policy (the weights file's: the lecture's one call by default)
	// are the checker's (student.CheckConfig).
	ListenWait, Timeout time.Duration
	MaxRead             int
	QuietWarn           bool
	Policy              grade.Policy
	// Name labels the report (grade.Report.Name).
	Name string
	// Out receives the caller's transcript as it happens, as laptop-b's
	// log shows it in the lab.
	Out io.Writer
}

// Result is a whole grade on one host.
type Result struct {
	// Graded says the program was run and graded. When it was not, Why
	// says why, and Setup whether that is the grading machine's doing (no
	// network, no Python) rather than the submission's.
	Graded bool
	Setup  bool
	Why    string
	// NoNetwork: the machine has no interface but loopback, the set-up
	// PrairieLearn gives a grader unless the question enables networking.
	NoNetwork bool
	// Program is what was run.
	Program Program
	// Verdict and Grade are the lab's: its checks, "program", "explained"
	// when there is something to explain, and "one-host", an INFO that
	// says what one host cannot show.
	Verdict student.Verdict
	Grade   grade.Report
	// Addr is the address called: eth0's, port 8000.
	Addr string
	// Transcript is what the caller said, and Output what the program
	// printed (its output and errors as one stream), each capped.
	Transcript, Output string
	// Notes are the one-host INFO's sentences.
	Notes []string
	Took  time.Duration
	// say puts the lab's sentences in one host's words (oneHostWords).
	say func(string) string
}

// words is say, or the sentences as they are.
func (r Result) words(s string) string {
	if r.say == nil {
		return s
	}
	return r.say(s)
}

// VerdictText is the verdict's line and its findings, as the lab's
// laptop-b ends its log; for a submission that was not graded, why not.
func (r Result) VerdictText() string {
	if !r.Graded {
		return "not graded: " + r.Why + "\n"
	}
	var b strings.Builder
	student.WriteVerdict(&b, r.Verdict)
	return r.words(b.String())
}

// Submission is the grade as every results file is written from it
// (internal/results): Gradescope's and PrairieLearn's here, the same
// writers, tests and points as client grade's and the class grader's.
func (r Result) Submission() results.Submission {
	s := results.Submission{Report: r.Grade}
	if r.Graded {
		s = results.FromVerdict(r.Verdict, r.Grade)
		s.Verdict = r.words(s.Verdict)
		s.Findings = slices.Clone(s.Findings)
		for i := range s.Findings {
			s.Findings[i].Says = r.words(s.Findings[i].Says)
		}
		s.Output = &r.Output
	} else {
		s.Why, s.Setup, s.NoNetwork = r.Why, r.Setup, r.NoNetwork
		if s.Why == "" {
			s.Why = "the grader gave no reason"
		}
	}
	s.OneHost, s.Notes = true, r.Notes
	// The platforms' execution_time is the whole grade's, from the copy of
	// the submission to the program's end.
	s.Report.Elapsed = r.Took
	return s
}

func (cfg Config) withDefaults() Config {
	if cfg.Find == nil {
		cfg.Find = FindProgram
	}
	if cfg.Port == 0 {
		cfg.Port = lab.DefaultPort
	}
	if cfg.Time <= 0 {
		cfg.Time = DefaultTime
	}
	if cfg.ListenWait <= 0 {
		cfg.ListenWait = DefaultListenWait
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	cfg.Limits = cfg.Limits.withDefaults(cfg.Time)
	return cfg
}

// Grade grades the submission in cfg.Dir. The error is for a grade that
// could not be made at all (a bad Config, a machine that cannot run it);
// a submission or a machine that cannot be graded is a Result with Why.
func Grade(ctx context.Context, cfg Config) (res Result, err error) {
	start := time.Now()
	defer func() { res.Took = time.Since(start) }()
	cfg = cfg.withDefaults()
	say := oneHostWords(cfg.Limits.Memory)
	cfg.Out = wordsWriter{cfg.Out, say}
	defer func() { res = res.inWords(say) }()
	if len(cfg.Helper) == 0 {
		return res, errors.New("one host: no helper to set the program's limits")
	}
	if _, err := os.Stat(cfg.Dir); err != nil {
		return res, fmt.Errorf("one host: the submission: %w", err)
	}
	who, err := chooseUser(cfg.UID)
	if err != nil {
		return res, err
	}
	prog, err := cfg.Find(cfg.Dir)
	if errors.Is(err, ErrSubmission) {
		res.Why = err.Error()
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Program = prog
	ifs, err := netif.System()
	if err != nil {
		return res, err
	}
	t, err := pickTarget(ifs, cfg.Iface, cfg.Port)
	if err != nil {
		res.Setup, res.Why = true, err.Error()
		res.NoNetwork = errors.As(err, new(noNetworkError))
		return res, nil
	}
	res.Addr = t.addr
	if busy := taken(cfg.Port); busy != "" {
		res.Setup, res.Why = true, fmt.Sprintf("port %d is taken on this machine already (something listens on %s): the grader needs it free for the student's server", cfg.Port, busy)
		return res, nil
	}
	return run(ctx, cfg, prog, t, who, res, start)
}

// target is where the program is called, and where it must refuse.
type target struct {
	iface string
	ip    netip.Addr
	addr  string
	notOn []string
}

// pickTarget chooses the address to call, name's first IPv4 address (eth0's
// when name is ""), and the ones that must refuse: loopback, then every
// other IPv4 address of the machine. A machine with loopback alone (a
// container with no network) cannot be graded, and the error says so.
func pickTarget(ifs []netif.Iface, name string, port int) (target, error) {
	var i netif.Iface
	var err error
	switch {
	case name != "":
		i, err = netif.Choose(name, ifs)
		if err == nil && len(i.IPv4()) == 0 {
			err = fmt.Errorf("interface %s has no IPv4 address", name)
		}
	default:
		i, err = netif.Choose("eth0", ifs)
		if err != nil || !i.Up || len(i.IPv4()) == 0 {
			i, err = netif.Choose(netif.Auto, ifs)
		}
	}
	if err != nil {
		return target{}, noNetwork(ifs, err)
	}
	t := target{iface: i.Name, ip: i.IPv4()[0]}
	p := strconv.Itoa(port)
	t.addr = net.JoinHostPort(t.ip.String(), p)
	t.notOn = []string{net.JoinHostPort("127.0.0.1", p)}
	for _, o := range ifs {
		for _, a := range o.IPv4() {
			hp := net.JoinHostPort(a.String(), p)
			if o.Up && a != t.ip && !a.IsLoopback() && !slices.Contains(t.notOn, hp) && len(t.notOn) < maxNotOn {
				t.notOn = append(t.notOn, hp)
			}
		}
	}
	return t, nil
}

// noNetwork says why a machine without a network interface cannot grade a
// server that binds one: the set-up's doing, never the student's.
func noNetwork(ifs []netif.Iface, err error) error {
	if errors.Is(err, netif.ErrNoSuchIface) && len(ifs) > 0 {
		return noNetworkError{netif.Names(ifs)}
	}
	return fmt.Errorf("this machine's network interfaces cannot be read (%v): the grader's set-up, not the program", err)
}

// noNetworkError is a machine with loopback alone.
type noNetworkError struct{ have string }

func (e noNetworkError) Error() string {
	return fmt.Sprintf("this machine has no network interface but loopback (it has: %s), so the lecture's server, which binds "+
		"a network interface's address (ni.ifaddresses('eth0')), has nothing to bind here and cannot be called: the grader's set-up, not the program", e.have)
}

// taken is an address something listens on at port already, or "".
func taken(port int) string {
	for _, p := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		l := student.ParseListening(f)
		f.Close()
		for _, a := range l {
			if int(a.Port()) == port {
				return a.String()
			}
		}
	}
	return ""
}

// oneHostNotes say what one host cannot show that the lab can.
func oneHostNotes(t target, who user, prog Program) []string {
	notes := []string{fmt.Sprintf("On one host: the grader called your server on this machine's own %s address, %s, so the call did not cross a network, as it does in socketlab's lab, where the caller is another machine.",
		t.iface, t.ip)}
	if len(t.notOn) == 1 {
		notes = append(notes, "This machine has no second network: \"not reachable on another address\" was checked on loopback (127.0.0.1), not on a second network as in the lab.")
	} else {
		notes = append(notes, fmt.Sprintf("\"Not reachable on another address\" was checked on loopback and on this machine's %d other addresses.", len(t.notOn)-1))
	}
	if who.own {
		notes = append(notes, "The grader does not run as root here, so your program ran as the grader's own user: its limits held, but it could read and change what that user can (weaker containment than the lab's).")
	}
	if prog.Note != "" {
		notes = append(notes, prog.Note)
	}
	return notes
}
