package student

import (
	"context"
	"fmt"
	"io"
	"net"
	"path"
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
	// ListenWait and Timeout default to DefaultListenWait and
	// DefaultStepTimeout.
	ListenWait time.Duration
	Timeout    time.Duration
	// MaxRead and QuietWarn are the grader's policies (grade.Config).
	MaxRead   int
	QuietWarn bool
	// GradeAlways grades, quietly, a program that ended before its grade,
	// so that every Verdict.Grade lists the same checks (a class's reports).
	GradeAlways bool
	Out         io.Writer
}

// gradeConfig is the grader's config for the student's server.
func (cfg CheckConfig) gradeConfig() grade.Config {
	return grade.Config{Addr: cfg.Addr, NotOn: cfg.NotOn, Timeout: cfg.Timeout, MaxRead: cfg.MaxRead, QuietWarn: cfg.QuietWarn}
}

// Verdict is the checker's last word.
type Verdict struct {
	Passed   bool
	Findings []Finding
	Report   Report
	Call     Call
	Grade    *grade.Report
}

// Check waits for the student's server to listen (or to end), calls it
// the way the lab does, grades it, and prints the verdict with what
// explains a failure. The error is for a check that could not be made.
func Check(ctx context.Context, cfg CheckConfig) (Verdict, error) {
	cfg.ListenWait = orDefault(cfg.ListenWait, DefaultListenWait)
	cfg.Timeout = orDefault(cfg.Timeout, DefaultStepTimeout)
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
	defer func() {
		if c.cfg.GradeAlways && v.Grade == nil && ctx.Err() == nil {
			// Nothing answers any more: this takes a moment.
			if g, err := grade.Run(ctx, c.cfg.gradeConfig()); err == nil {
				v.Grade = &g
			}
		}
	}()
	out := c.cfg.Out
	rep, waited, ok := c.waitListening(ctx)
	v.Report = rep
	name := programName(rep)
	switch {
	case rep.LabFault != "":
		fmt.Fprintf(out, "laptop-a could not run your %s: %s\n", name, rep.LabFault)
		v.Findings = append(v.Findings, Finding{ID: "lab", Says: "this is the lab's fault, not your program's: " + rep.LabFault + ". Nothing of your program ran; run it again, or ask whoever runs the lab."})
		return v
	case !ok && rep.Exited() && (rep.BuildFailed() || rep.StartError != "" && len(rep.Command) == 0):
		fmt.Fprintf(out, "laptop-a's %s %s: not calling it\n", name, failWords(Verdict{Report: rep}))
		v.Findings = append(v.Findings, buildFindings(rep)...)
		return v
	case !ok && rep.Exited():
		fmt.Fprintf(out, "laptop-a's %s ended before it listened: not calling it\n", name)
		v.Findings = append(v.Findings, c.crashFindings(rep)...)
		if len(v.Findings) == 0 {
			v.Findings = append(v.Findings, Finding{ID: "never-listened", Says: fmt.Sprintf("your program ended with exit status %d without ever listening: a server must bind(), listen() and accept() a call.", rep.ExitCode)})
		}
		return v
	case !ok && ctx.Err() == nil && c.cfg.Report != "":
		fmt.Fprintf(out, "laptop-a's %s is not listening after %s; calling anyway\n", name, round(waited))
		defer func() {
			if !v.Report.Exited() {
				v.Findings = append(v.Findings, stuckFindings(v.Report, waited)...)
			}
		}()
	case ok && c.cfg.Report != "":
		fmt.Fprintf(out, "laptop-a's %s is listening at %s%s\n", name, strings.Join(rep.Listening, ", "), after(waited))
	}

	v.Call = Transcript(ctx, c.cfg.Addr, Message, c.cfg.Timeout, out)
	if rep, ended := c.waitExit(ctx, exitSettle); ended {
		v.Report = rep
		v.Findings = append(v.Findings, c.endFindings(v, rep)...)
		return v
	}
	if ctx.Err() != nil {
		return v
	}
	fmt.Fprintln(out)
	gc := c.cfg.gradeConfig()
	gc.OnCheck = func(r grade.Result) {
		r.Fix = v.Report.graderFix(r.Fix)
		grade.WriteResult(out, r)
	}
	g, err := grade.Run(ctx, gc)
	if err != nil {
		v.Findings = append(v.Findings, Finding{ID: "grade", Says: err.Error()})
		return v
	}
	for i := range g.Checks {
		g.Checks[i].Fix = v.Report.graderFix(g.Checks[i].Fix)
	}
	fmt.Fprint(out, g.Summary())
	v.Grade = &g
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
	if (!g.Passed || !v.Call.Complete(Message)) && v.Report.language() != lang.Python {
		// The mistakes in the source that explain the failed checks, at
		// their lines (Python's verdict names the lecture's pitfalls only
		// when the program ended, as it always has).
		v.Findings = withHints(v.Findings, v.Report, failedChecks(g))
	}
	v.Passed = g.Passed && v.Call.Complete(Message)
	return v
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
		served := "answered laptop-b's call"
		if !v.Call.Complete(Message) {
			served = "took laptop-b's call"
		}
		fs := []Finding{{ID: "one-call", Says: "your server " + served + ", then ended (exit status 0): that is what the lecture's script does, accept() once. " +
			"A server keeps answering: put everything from accept() to close() in a loop, " + rep.phrases().Loop + "."}}
		fs = append(fs, behaviour(v, c.cfg)...)
		return withHints(fs, rep, nil)
	}
	return append(c.crashFindings(rep), behaviour(v, c.cfg)...)
}

// say prints the verdict and its findings, after a blank line.
func (c *checker) say(v Verdict) {
	fmt.Fprintln(c.cfg.Out)
	WriteVerdict(c.cfg.Out, v)
}

// WriteVerdict writes the verdict's line and its findings, as the lab's
// laptop-b ends its log.
func WriteVerdict(out io.Writer, v Verdict) {
	name := programName(v.Report)
	if v.Passed {
		fmt.Fprintf(out, "verdict: PASS: your %s on laptop-a answered laptop-b across the lab as the lecture's server does.\n", name)
		for _, f := range v.Findings {
			fmt.Fprintf(out, "  - %s\n", f)
		}
		return
	}
	fmt.Fprintf(out, "verdict: FAIL: your %s %s.\n", name, failWords(v))
	if len(v.Findings) == 0 {
		fmt.Fprintln(out, "  - see the FAIL lines above.")
	}
	for i, f := range v.Findings {
		if i == 1 && strings.HasPrefix(f.ID, "hint-") || i > 1 && strings.HasPrefix(f.ID, "hint-") && !strings.HasPrefix(v.Findings[i-1].ID, "hint-") {
			fmt.Fprintln(out, "  also in your file:")
		}
		fmt.Fprintf(out, "  - %s\n", f)
	}
}

// failWords says in a few words how it failed.
func failWords(v Verdict) string {
	r := v.Report
	switch {
	case r.LabFault != "":
		return "could not be run by the lab (not your program's fault)"
	case r.BuildFailed() && r.Build.TimedOut:
		return fmt.Sprintf("did not build within %v", r.Build.Limit)
	case r.BuildFailed() && r.Build.Error == nil && r.Build.Problem != "":
		return "could not be built"
	case r.BuildFailed():
		return "did not compile"
	case r.Exited() && r.StartError != "" && len(r.Command) == 0:
		return "was not found"
	case r.Exited() && r.StartError != "":
		return "could not be started"
	case r.Exited() && len(r.Listening) == 0:
		if r.ExitCode != 0 || r.Signal != "" {
			return "stopped before it listened"
		}
		return "ended before it listened"
	case r.Exited() && (r.ExitCode != 0 || r.Signal != ""):
		return "crashed during a call"
	case r.Exited():
		return "served one call, then ended"
	case v.Call.DialErr != nil:
		return "did not answer laptop-b's call"
	}
	return "did not do all the lecture asks"
}

// programName is the student's file, or the command, as the verdict names it.
func programName(r Report) string {
	switch {
	case r.File != "":
		return path.Base(r.File)
	case len(r.Command) > 0:
		// The file the command names, even one that is not there:
		// "python3 -u server.py" is the student's server.py, not python3.
		for _, a := range r.Command[1:] {
			if !strings.HasPrefix(a, "-") && path.Ext(a) != "" {
				return path.Base(a)
			}
		}
		return path.Base(r.Command[0])
	}
	return "server"
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
