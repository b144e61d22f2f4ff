package student

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/student/lang"
)

const (
	// DefaultListenWait bounds the wait for the student's program to
	// listen. Python starts in a tenth of a second; a program that has not
	// listened after this is stuck before listen().
	DefaultListenWait = 20 * time.Second
	// DefaultStepTimeout bounds each step of each call: between two
	// containers an answer takes a millisecond.
	DefaultStepTimeout = 2 * time.Second
	// exitSettle is how long, after the first call, the checker watches
	// for the program to end: the lecture's script exits right after its
	// one call.
	exitSettle = 300 * time.Millisecond
	// reportPoll is how often the other laptop's report is read.
	reportPoll = 20 * time.Millisecond
)

// Message is what laptop-b says on the call, as in the lab.
var Message = []byte("hi back atcha\n")

// CheckConfig is what Check calls and where it reads about the program.
type CheckConfig struct {
	// Addr is the student's server, ip:port; NotOn are its host's other
	// addresses, where it must not answer (grade.Config.NotOn).
	Addr  string
	NotOn []string
	// Report is the supervisor's report on the server's laptop; "" when
	// there is none (any server, not run by the supervisor).
	Report string
	// SameHost says the checker runs on the program's own machine (one
	// host's grader): its loopback is the program's, and a server bound
	// to it is called there directly instead of through the supervisor.
	SameHost bool
	// ListenWait and Timeout default to DefaultListenWait and
	// DefaultStepTimeout.
	ListenWait time.Duration
	Timeout    time.Duration
	// MaxRead, QuietWarn and Policy are the grader's policies
	// (grade.Config); Policy defaults to the lecture's.
	MaxRead   int
	QuietWarn bool
	Policy    grade.Policy
	Out       io.Writer
}

// gradeConfig is the grader's config for the student's server.
func (cfg CheckConfig) gradeConfig() grade.Config {
	return grade.Config{Addr: cfg.Addr, NotOn: cfg.NotOn, Timeout: cfg.Timeout, MaxRead: cfg.MaxRead, QuietWarn: cfg.QuietWarn,
		Policy: cfg.Policy}
}

// Verdict is the checker's last word.
type Verdict struct {
	Passed   bool
	Findings []Finding
	Report   Report
	Call     Call
	// Grade is every check, the lab's "program" first, in every case: a
	// program that never listened has its other checks "not run".
	Grade *grade.Report
}

// Check waits for the student's server to listen (or to end), calls it
// the way the lab does, grades it, and prints the verdict with what
// explains a failure. The error is for a check that could not be made.
func Check(ctx context.Context, cfg CheckConfig) (Verdict, error) {
	cfg.ListenWait = orDefault(cfg.ListenWait, DefaultListenWait)
	cfg.Timeout = orDefault(cfg.Timeout, DefaultStepTimeout)
	if cfg.Policy == "" {
		cfg.Policy = grade.PolicyLecture
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return Verdict{}, fmt.Errorf("check: address: %w", err)
	}
	c := &checker{cfg: cfg}
	v := c.run(ctx)
	c.say(v)
	return v, ctx.Err()
}

type checker struct {
	cfg CheckConfig
}

func (c *checker) run(ctx context.Context) (v Verdict) {
	out := c.cfg.Out
	p := &printer{out: out}
	// Whatever happened, the grade lists every check, the program's first.
	defer func() {
		if v.Grade == nil {
			g := grade.NotRun(c.cfg.gradeConfig(), "the grade was interrupted")
			g.Interrupted = true
			v.Grade = &g
		}
		g := *v.Grade
		g.Checks = append([]grade.Result{programResult(v)}, g.Checks...)
		g.Passed = g.Passed && g.Checks[0].Status != grade.Fail && !g.Interrupted
		v.Grade, v.Passed = &g, g.Passed
		if g.Checks[0].Status == grade.Fail {
			p.check(g.Checks[0])
			for _, r := range g.Checks[1:] {
				p.check(r)
			}
			p.flush()
			fmt.Fprint(out, g.Summary())
		}
	}()
	notRun := func(why string) {
		g := grade.NotRun(c.cfg.gradeConfig(), why)
		v.Grade = &g
	}
	rep, waited, ok := c.waitListening(ctx)
	v.Report = rep
	name := programName(rep)
	switch {
	case rep.LabFault != "":
		fmt.Fprintf(out, "laptop-a could not run your %s: %s\n\n", name, rep.LabFault)
		v.Findings = append(v.Findings, Finding{ID: "lab", Says: "this is the lab's fault, not your program's: " + rep.LabFault + ". Nothing of your program ran; run it again, or ask whoever runs the lab."})
		notRun("the lab could not run the program")
		return v
	case !ok && rep.Exited() && (rep.BuildFailed() || rep.StartError != "" && len(rep.Command) == 0):
		fmt.Fprintf(out, "laptop-a's %s %s: not calling it\n\n", name, failWords(Verdict{Report: rep}))
		v.Findings = append(v.Findings, buildFindings(rep)...)
		notRun("your " + name + " " + failWords(Verdict{Report: rep}))
		return v
	case !ok && rep.Exited():
		fmt.Fprintf(out, "laptop-a's %s ended before it listened: not calling it\n\n", name)
		v.Findings = append(v.Findings, c.crashFindings(rep)...)
		if len(v.Findings) == 0 {
			v.Findings = append(v.Findings, neverListened(rep))
		}
		notRun("your " + name + " ended before it listened")
		return v
	case ctx.Err() != nil:
		return v
	case !ok && c.cfg.Report != "":
		fmt.Fprintf(out, "laptop-a's %s is not listening after %s; calling anyway\n", name, round(waited))
	case ok && c.cfg.Report != "":
		fmt.Fprintf(out, "laptop-a's %s is listening at %s%s\n", name, strings.Join(rep.Listening, ", "), after(waited))
	}

	v.Call = Transcript(ctx, c.cfg.Addr, Message, c.cfg.Timeout, out)
	fmt.Fprintln(out)
	rep, ended := c.waitExit(ctx, exitSettle)
	if ended {
		v.Report = rep
	}
	if ctx.Err() != nil {
		return v
	}
	if !ok && v.Call.DialErr != nil && !v.Report.Exited() {
		// A program on its way out (a memory hog the kernel is killing)
		// is given a step's time to end, so its ending explains it.
		if r, ended := c.waitExit(ctx, c.cfg.Timeout); ended {
			v.Report = r
		}
	}
	if !ok && v.Call.DialErr != nil && !v.Report.Exited() {
		// It never listened, and nothing answered: the calls can show nothing more.
		v.Findings = append(v.Findings, stuckFindings(v.Report, waited)...)
		notRun("your " + name + " never listened")
		return v
	}
	if !ok && v.Report.Exited() && len(v.Report.Listening) == 0 && v.Call.DialErr != nil {
		v.Findings = append(v.Findings, c.crashFindings(v.Report)...)
		if len(v.Findings) == 0 {
			v.Findings = append(v.Findings, neverListened(v.Report))
		}
		notRun("your " + name + " ended before it listened")
		return v
	}
	if !c.graded(ctx, &v, p, ended) {
		return v
	}
	if v.Report.Exited() {
		v.Findings = append(v.Findings, c.endFindings(v, v.Report)...)
		return v
	}
	// The supervisor counts the program's sockets every socketPoll: after
	// two, the count is the one after the last call.
	sleep(ctx, 2*socketPoll+reportPoll)
	if r, err := c.read(); err == nil {
		v.Report = r
	}
	if v.Report.Exited() {
		v.Findings = append(v.Findings, c.endFindings(v, v.Report)...)
		return v
	}
	v.Findings = append(v.Findings, behaviour(v, c.cfg)...)
	if !v.Grade.Passed && v.Report.language() != lang.Python {
		// The mistakes in the source that explain the failed checks, at
		// their lines (Python's verdict names the lecture's pitfalls only
		// when the program ended, as it always has).
		v.Findings = withHints(v.Findings, v.Report, failedChecks(*v.Grade))
	}
	return v
}

// graded grades the server on the call laptop-b made (v.Call) and the
// calls after it, printing each check, and puts the grade in v. A server
// that laptop-b could not call where it listens is graded there, by the
// supervisor on its laptop when only that laptop can reach it. It says
// false when the grade could not be made.
func (c *checker) graded(ctx context.Context, v *Verdict, p *printer, ended bool) bool {
	gc := c.cfg.gradeConfig()
	first := v.Call.gradeCall()
	gc.First, gc.Ended, gc.Listening = &first, ended, v.Report.Listening
	there, elsewhere := elsewhereOf(c.cfg, v.Report, v.Call)
	p.check(programResult(*v))
	if !elsewhere {
		gc.OnCheck = func(r grade.Result) { p.check(withFix(v.Report, r)) }
	}
	g, err := grade.Run(ctx, gc)
	if err != nil {
		v.Findings = append(v.Findings, Finding{ID: "grade", Says: err.Error()})
		return false
	}
	if elsewhere {
		g = c.gradeThere(ctx, g, there, v.Report, p)
		for _, r := range g.Checks {
			if r.ID != "answers" {
				p.check(withFix(v.Report, r))
			}
		}
	}
	p.flush()
	for i := range g.Checks {
		g.Checks[i] = withFix(v.Report, g.Checks[i])
	}
	fmt.Fprint(c.cfg.Out, g.Summary())
	v.Grade = &g
	return true
}

// withFix is r with its fix in the program's language and words. An echo
// that never came back from a program that then crashed is the crash's
// doing, not a send to fix: its fix points at the error that stopped it.
func withFix(rep Report, r grade.Result) grade.Result {
	if strings.HasPrefix(r.ID, "echo") && r.Status == grade.Fail && strings.HasPrefix(r.Reason, "nothing came back") &&
		rep.Exited() && (rep.ExitCode != 0 || rep.Signal != "") {
		r.Fix = "your server crashed before it sent anything back: fix the error that stopped it, as the verdict below says."
		return r
	}
	r.Fix = rep.graderFix(r.Fix)
	return r
}

// neverListened explains a program that ended well without ever
// listening: an empty file says so.
func neverListened(rep Report) Finding {
	name := programName(rep)
	if rep.File != "" && strings.TrimSpace(rep.Source) == "" {
		return Finding{ID: "empty-file", Says: fmt.Sprintf("your %s is empty: there is nothing in it to run. Write the lecture's server in it: bind(), listen(), accept() a call, send the greeting, echo, close().", name)}
	}
	return Finding{ID: "never-listened", Says: fmt.Sprintf("your program ended with exit status %d without ever listening: a server must bind(), listen() and accept() a call.", rep.ExitCode)}
}

// waitListening polls the report until the program listens or ends, or
// ListenWait passes. With no report to read, it returns at once.
func (c *checker) waitListening(ctx context.Context) (Report, time.Duration, bool) {
	start := time.Now()
	if c.cfg.Report == "" {
		return Report{}, 0, true
	}
	var rep Report
	deadline := start.Add(c.cfg.ListenWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		r, err := c.read()
		if err == nil {
			rep = r
			if r.State == StateBuilding || r.State == StateStarting && r.Build != nil {
				// A build is bounded by its own limit: the wait for the
				// program to listen starts once it is built.
				deadline = time.Now().Add(c.cfg.ListenWait)
			}
			if r.State == StateListening {
				return r, time.Since(start), true
			}
			if r.Exited() {
				return r, time.Since(start), false
			}
		}
		sleep(ctx, reportPoll)
	}
	return rep, time.Since(start), false
}

// waitExit watches the report for within and says whether the program ended.
func (c *checker) waitExit(ctx context.Context, within time.Duration) (Report, bool) {
	if c.cfg.Report == "" {
		return Report{}, false
	}
	start := time.Now()
	for ctx.Err() == nil {
		if r, err := c.read(); err == nil && r.Exited() {
			return r, true
		}
		if time.Since(start) >= within {
			return Report{}, false
		}
		sleep(ctx, reportPoll)
	}
	return Report{}, false
}

func (c *checker) read() (Report, error) {
	if c.cfg.Report == "" {
		return Report{}, ErrNoReport
	}
	return ReadReport(c.cfg.Report)
}

// crashFindings explains how the program ended, then the pitfalls still in
// its file that the crash did not already name.
func (c *checker) crashFindings(rep Report) []Finding {
	var fs []Finding
	if rep.StartError != "" {
		fs = append(fs, Finding{ID: "start", Says: fmt.Sprintf("the lab could not start %q: %s.", strings.Join(rep.Command, " "), rep.StartError)})
	}
	if rep.ForkFailures > 0 {
		fs = append(fs, processLimit(rep))
	}
	c2 := crashOf(rep)
	c2.Role = lang.Server
	fs = append(fs, ExplainCrash(c2)...)
	return withHints(fs, rep, nil)
}

// stuckFindings explains a program that was still running but never
// listened: a fork bomb the process limit stopped, or a program stuck
// before listen().
func stuckFindings(rep Report, waited time.Duration) []Finding {
	if rep.ForkFailures > 0 {
		return []Finding{processLimit(rep)}
	}
	if f, ok := stuckAccepting(programOf(rep)); ok {
		return []Finding{f}
	}
	return []Finding{{ID: "stuck", Says: fmt.Sprintf("after %s your program was still running but had not called listen(): "+
		"is it stuck in a loop before bind() and listen(), or waiting for %s?", round(waited), rep.phrases().Input)}}
}

// processLimit explains the laptop's process limit refusing the program.
func processLimit(rep Report) Finding {
	if rep.ProcLimit > 0 {
		return Finding{ID: "process-limit", Says: fmt.Sprintf("your program tried to start more processes or threads than the laptop allows "+
			"(it reached its limit of %d): a fork bomb, or a new process or thread per call that never ends.", rep.ProcLimit)}
	}
	return Finding{ID: "process-limit", Says: fmt.Sprintf("your program tried to start more processes or threads than the laptop allows "+
		"(refused %d times): a fork bomb, or a new process or thread per call that never ends. The lab stops them at %d.", rep.ForkFailures, lang.LimitsOf(rep.language()).Pids)}
}

// endFindings explains a program that ended during or after the calls.
func (c *checker) endFindings(v Verdict, rep Report) []Finding {
	if rep.ExitCode == 0 && rep.Signal == "" {
		fs := []Finding{{ID: "one-call", Says: "your server served one call, then ended (exit status 0): that is what the lecture's script does, accept() once. " +
			"A server keeps answering: put everything from accept() to close() in a loop, " + rep.phrases().Loop + "."}}
		fs = append(fs, behaviour(v, c.cfg)...)
		return withHints(fs, rep, nil)
	}
	return append(c.crashFindings(rep), behaviour(v, c.cfg)...)
}

func round(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// after says how long laptop-b waited, when it waited at all.
func after(d time.Duration) string {
	if d < 50*time.Millisecond {
		return ""
	}
	return " (after " + round(d) + ")"
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
