// Package grade is the engine of "client grade": it checks any server
// listening on a port (a student's Python script, the lab's server, anything)
// against the lecture's protocol, and says in plain words what is wrong.
//
// The checklist is data: each check has an id, a title, whether it is
// required, what must hold before it can run, and a judge that makes the
// calls it needs and gives a verdict with a reason. Calls are shared: the
// first call alone tells whether the server answers, greets, echoes and
// hangs up, so a server that serves one call and exits (the lecture's
// script) is graded on that call and then reported as gone, instead of
// failing every later check. A check that could not observe what it checks
// is SKIP with the reason, never PASS; a required one fails the grade.
//
// A grade makes about ten calls. Each wait is bounded by the timeout, and
// once one has run out the later ones are short (grader.wait), so a grade
// takes about one timeout whatever the bug. The engine knows nothing of
// flags; the report is rendered apart from the calls (report.go, and
// formats.go for CSV; internal/results for JUnit and the platforms' files).
package grade

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// DefaultTimeout bounds each step of a call: connecting, waiting for the
// greeting, waiting for the answer. A server on the same network answers
// in milliseconds; this is how long "waits forever" is watched for.
const DefaultTimeout = 3 * time.Second

// DefaultMaxRead is the most bytes one read may return and still pass:
// recv(1024) is the idiom most students write for the lecture's
// recv(1000), and reading once is what the lecture teaches, not the
// number. More than this in one echo means the server read more than once.
const DefaultMaxRead = 1024

// Config says what to grade. Zero fields take the documented defaults.
type Config struct {
	// Addr is the host:port to grade. Pass an IP address: a name would be
	// looked up for each call.
	Addr string
	// NotOn are host:port addresses where the server must not answer: the
	// host's other interfaces. The lecture binds one interface's address.
	NotOn []string
	// Timeout bounds each step of each call (default DefaultTimeout).
	Timeout time.Duration
	// RequireConcurrent makes a server that serves one caller at a time
	// fail the model check instead of being described by it.
	RequireConcurrent bool
	// Policy is what the course asks of a server: the lecture's one call
	// (PolicyLecture), or a server that keeps serving (PolicyKeepServing,
	// the default here; every grader of a student's program sets it from
	// its weights file, whose default is the lecture's).
	Policy Policy
	// First, when set, is the first call, already made by the caller
	// (laptop-b's transcript): the grade judges it instead of making its
	// own, so the lecture's script, which serves one call, is graded on
	// the call the student saw.
	First *Call
	// Ended says the server's program had ended after the first call (its
	// host's supervisor saw it exit): no further call is made to it, and
	// what only further calls could show is "not run".
	Ended bool
	// Listening are the addresses the server's program listens on, ip:port,
	// as its host's socket table shows them; nil when unknown. They judge
	// "not reachable on another address" without a call when the server
	// has ended.
	Listening []string
	// MaxRead is the most bytes one read may return and still pass
	// (default DefaultMaxRead). An echo of more than lab.MaxRead but at
	// most MaxRead bytes is an advisory WARN: recv(1024) instead of the
	// lecture's recv(1000). Set it to lab.MaxRead to require recv(1000).
	MaxRead int
	// QuietWarn reports advisory warnings (advice beyond the lecture, such
	// as closing without a reset) as PASS, with their words kept.
	QuietWarn bool
	// Name labels the report (a student's name) in every output format.
	Name string
	// OnCheck, when set, is called with each result as soon as it is
	// known, in the order of the report.
	OnCheck func(Result)
}

// Policy is what a course asks of a server beyond the lecture's protocol.
type Policy string

const (
	// PolicyLecture is the lecture's exercise: one call, greeted, echoed,
	// closed, on the interface's address. A server that serves that call
	// and ends passes; the checks that need more calls are "not run" for
	// it, and for a server that keeps serving they are advice (WARN at
	// worst), worth nothing.
	PolicyLecture Policy = "lecture"
	// PolicyKeepServing asks for a server that keeps answering: every
	// check is required, and one that could not run because the server
	// ended costs its points.
	PolicyKeepServing Policy = "keep-serving"
)

// Policies lists the policies by name, for flags and weights files.
var Policies = []Policy{PolicyLecture, PolicyKeepServing}

// ParsePolicy reads a policy's name.
func ParsePolicy(s string) (Policy, error) {
	for _, p := range Policies {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("no policy is called %q: %s (the lecture's one call) or %s", s, PolicyLecture, PolicyKeepServing)
}

// Status is a check's verdict.
type Status string

const (
	Pass Status = "PASS" // as the lecture asks
	Fail Status = "FAIL" // not as the lecture asks
	Warn Status = "WARN" // works, but fragile; does not fail the grade
	Info Status = "INFO" // a fact about the server, not a verdict
	Skip Status = "SKIP" // could not be checked, the reason says why
)

// Model is how many callers a server serves at once, in the lecture's words.
type Model string

const (
	ModelOne  Model = "one employee"   // one caller at a time; the others wait on hold
	ModelMany Model = "many employees" // a thread or process per caller
)

// Result is one check's verdict.
//
// ID and Name are the same for every server graded, so a check can be
// followed across a class: they never hold an address or a port. Title is
// Name as the text report says it, with the address where there is one.
type Result struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	Reason string `json:"reason"`
	// Fix says what to change, on a line of its own; "" when nothing. A
	// Fix that starts "note: " is no change to make, only what helps to
	// know, and is printed as a note.
	Fix      string `json:"fix,omitempty"`
	Required bool   `json:"required"`
	// Advisory marks a WARN that is advice beyond the lecture (a PASS
	// under Config.QuietWarn), not a sign that something may break.
	Advisory bool `json:"advisory,omitempty"`
	// Extra marks a check beyond the course's policy (PolicyLecture's
	// checks that need more than the one call): shown, never required,
	// worth no points, a failure of it a WARN.
	Extra   bool          `json:"extra,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Report is a whole grade. Durations are in nanoseconds in JSON.
type Report struct {
	// Name is Config.Name: who this is a grade of.
	Name    string        `json:"name,omitempty"`
	Addr    string        `json:"addr"`
	Timeout time.Duration `json:"timeout_ns"`
	Checks  []Result      `json:"checks"`
	// Model is what the model check found, "" when it could not tell.
	Model Model `json:"model"`
	// Policy is the policy the grade was made under.
	Policy Policy `json:"policy,omitempty"`
	// Calls counts the calls made, to every address.
	Calls   int           `json:"calls"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Passed says every required check passed (a warning passes).
	Passed      bool `json:"passed"`
	Interrupted bool `json:"interrupted"`
}

// passed says whether every required check passed: a warning or a fact
// passes, a failure or a required check that could not run does not.
func passed(checks []Result) bool {
	for _, r := range checks {
		if r.Required && (r.Status == Fail || r.Status == Skip) {
			return false
		}
	}
	return true
}

// check is one line of the checklist.
type check struct {
	id string
	// name is the check's title for every server; title is how the text
	// report says it, with the address graded, and defaults to name.
	name, title string
	required    bool
	// again marks a check that needs the server to take another call, and
	// extra one beyond the lecture's one call: with PolicyLecture it is
	// never required, and worth nothing (not-on needs another call, but
	// is the lecture's: one interface's address).
	again, extra bool
	// needs are what must hold before the check can run, in order; the
	// first that does not hold gives the SKIP reason.
	needs []need
	// judge gives the verdict, the reason and the fix ("" for none).
	judge func(g *grader) (Status, string, string)
}

// need says why a check cannot run, or "" when it can.
type need func(g *grader) string

// checklist is the lecture's protocol as checks, in the order they run
// and are reported. Later checks read the calls earlier ones made.
func checklist(cfg Config) []check {
	cs := []check{
		{id: "answers", name: "answers on the address graded", title: "answers on " + cfg.Addr, required: true,
			judge: (*grader).answers},
		{id: "greeting", name: `greets with "hello\n"`, required: true,
			needs: []need{answered}, judge: (*grader).greeting},
		{id: "greeting-first", name: "greets before the caller speaks", required: true,
			needs: []need{answered, heard}, judge: (*grader).greetingFirst},
		{id: "echo", name: "echoes a short line", required: true,
			needs: []need{answered, spoke, heard}, judge: (*grader).echo},
		{id: "echo-crlf", name: `echoes a telnet line ending "\r\n"`, required: true, again: true, extra: true,
			needs: []need{answered, spoke, heard, echoed, there}, judge: (*grader).echoCRLF},
		{id: "echo-1000", name: "echoes 1000 bytes whole", required: true, again: true, extra: true,
			needs: []need{answered, spoke, heard, echoed, there}, judge: (*grader).echo1000},
		{id: "echo-3000", name: "echoes one read of 3000 bytes", required: true, again: true, extra: true,
			needs: []need{answered, spoke, heard, echoed, there}, judge: (*grader).echo3000},
		{id: "hangs-up", name: "hangs up after the echo", required: true,
			needs: []need{answered, spoke, heard, echoedAny}, judge: (*grader).hangsUp},
		{id: "silent-caller", name: "handles a silent caller", again: true, extra: true,
			needs: []need{answered, greetsFirst, there}, judge: (*grader).silentCaller},
		{id: "model", name: "one employee or many", required: cfg.RequireConcurrent, again: true, extra: !cfg.RequireConcurrent,
			needs: []need{answered, greetsFirst, there}, judge: (*grader).model},
	}
	if len(cfg.NotOn) > 0 {
		// One check however many addresses the host has: a grade is out
		// of the same points on every machine (notOnAll).
		cs = append(cs, check{id: "not-on", name: "not reachable on another address", title: "not reachable on " + addrList(cfg.NotOn),
			required: true, again: true, needs: []need{answered}, judge: (*grader).notOnAll})
	}
	return append(cs, check{id: "still-there", name: "still answers after the checks", required: true, again: true, extra: true,
		needs: []need{answered}, judge: (*grader).stillThere})
}

// grader holds one grade's calls, so checks can share them.
type grader struct {
	ctx    context.Context
	cfg    Config
	calls  int  // calls made, to every address
	served int  // calls to the graded address the server said something on
	gone   bool // the server refused a call after serving one, or had ended (Config.Ended)
	spent  bool // a wait ran out: later waits are short (see wait)
	// failed says a required check has failed: a server that then ended
	// is explained by that failure, not by its ending.
	failed bool
	// first is the first call; the calls below are made when first needed.
	first         *conversation
	crlf, kb, big *conversation
	silent        *silentRun
	notOnCalls    map[string]*conversation
	last          *conversation
	status        map[string]Status
}

// Run grades the server at cfg.Addr. Cancelling ctx stops at once: the
// checks not yet run are skipped and the report is marked Interrupted.
// The error is only for a Config that cannot run.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.check(); err != nil {
		return Report{}, err
	}
	cfg = cfg.withDefaults()
	g := &grader{ctx: ctx, cfg: cfg, status: map[string]Status{}}
	if cfg.First != nil {
		g.first = cfg.First.conversation()
		if g.first.heard() {
			g.served++
		}
		if !g.first.greetedFirst() && g.first.dialErr == nil {
			// The caller waited its whole timeout for a greeting.
			g.spent = true
		}
		g.gone = cfg.Ended
	}
	start := time.Now()
	rep := Report{Name: cfg.Name, Addr: cfg.Addr, Timeout: cfg.Timeout, Policy: cfg.Policy}
	for _, c := range checklist(cfg) {
		r := g.run(c)
		g.status[c.id] = r.Status
		if r.Required && r.Status == Fail {
			g.failed = true
		}
		rep.Checks = append(rep.Checks, r)
		if cfg.OnCheck != nil {
			cfg.OnCheck(r)
		}
	}
	rep.Calls = g.made()
	rep.Elapsed = time.Since(start)
	rep.Interrupted = ctx.Err() != nil
	rep.Passed = passed(rep.Checks) && !rep.Interrupted
	if g.silent != nil {
		rep.Model = g.silent.model
	}
	return rep, nil
}

// made is how many calls the grade is made of: its own, and the first
// when another caller made it (Config.First). Every count of calls a
// student reads is this one.
func (g *grader) made() int {
	if g.cfg.First != nil {
		return g.calls + 1
	}
	return g.calls
}

// withDefaults fills the zero fields with the documented defaults.
func (cfg Config) withDefaults() Config {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxRead == 0 {
		cfg.MaxRead = DefaultMaxRead
	}
	if cfg.Policy == "" {
		cfg.Policy = PolicyKeepServing
	}
	return cfg
}

// NotRun is the grade of a server that could not be called at all (a
// program that never listened): every check of cfg's checklist, none of
// them run, each saying why in the same words.
func NotRun(cfg Config, why string) Report {
	cfg = cfg.withDefaults()
	rep := Report{Name: cfg.Name, Addr: cfg.Addr, Timeout: cfg.Timeout, Policy: cfg.Policy}
	for _, c := range checklist(cfg) {
		r := Result{ID: c.id, Name: c.name, Title: c.title, Status: Skip, Reason: "not run: " + why, Required: c.required}
		if r.Title == "" {
			r.Title = r.Name
		}
		if c.extra && cfg.Policy == PolicyLecture {
			r.Required, r.Extra = false, true
		}
		rep.Checks = append(rep.Checks, r)
	}
	return rep
}

// run runs one check, or says why it cannot.
func (g *grader) run(c check) (r Result) {
	if c.title == "" {
		c.title = c.name
	}
	r = Result{ID: c.id, Name: c.name, Title: c.title, Required: c.required}
	start := time.Now()
	defer func() { r.Elapsed = time.Since(start) }()
	if g.ctx.Err() != nil {
		r.Status, r.Reason = Skip, "not run: the grade was interrupted"
		return g.policy(c, r)
	}
	for _, n := range c.needs {
		if why := n(g); why != "" {
			r.Status, r.Reason = Skip, why
			return g.policy(c, r)
		}
	}
	r.Status, r.Reason, r.Fix = c.judge(g)
	if r.Status == advisory {
		r.Status, r.Advisory = Warn, true
		if g.cfg.QuietWarn {
			r.Status, r.Fix = Pass, ""
		}
	}
	if g.ctx.Err() != nil {
		r.Status, r.Reason, r.Fix = Skip, "not run: the grade was interrupted", ""
	}
	return g.policy(c, r)
}

// policy applies the course's policy to a check's result. Under the
// lecture's, a check beyond its one call is never required and worth
// nothing: not run for a server that served the one call and ended, and
// for one that keeps serving advice, a failure of it a warning. Under
// either, not-on, which needs another call only to see a refusal, is not
// required of a server that served one call and ended when nothing else
// shows where it listened.
func (g *grader) policy(c check, r Result) Result {
	lecture := g.cfg.Policy == PolicyLecture
	switch {
	case c.extra && lecture:
		r.Required, r.Extra = false, true
		if r.Status == Fail {
			r.Status = Warn
		}
	case c.again && lecture && r.Status == Skip && g.gone && g.served == 1:
		r.Required = false
	}
	return r
}
func (cfg Config) check() error {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return fmt.Errorf("grade: address to grade: %w", err)
	}
	if cfg.Timeout < 0 {
		return errors.New("grade: negative timeout")
	}
	if cfg.MaxRead != 0 && cfg.MaxRead < lab.MaxRead {
		return fmt.Errorf("grade: max read %d is below the lecture's recv(%d)", cfg.MaxRead, lab.MaxRead)
	}
	for _, a := range cfg.NotOn {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fmt.Errorf("grade: not-on address: %w", err)
		}
		if a == cfg.Addr {
			return fmt.Errorf("grade: not-on address %s is the address being graded", a)
		}
	}
	return nil
}

// The needs: each says why a check cannot run yet, or "".

func answered(g *grader) string {
	if g.firstCall().dialErr != nil {
		return "not run: nothing answered"
	}
	return ""
}

func spoke(g *grader) string {
	if !g.first.spoke {
		return "not run: it hung up before the caller spoke"
	}
	return ""
}

func heard(g *grader) string {
	if !g.first.heard() {
		return "not run: the server said nothing at all"
	}
	return ""
}

func echoed(g *grader) string {
	if g.status["echo"] != Pass {
		return "not run: the short line did not come back as sent"
	}
	return ""
}

// echoedAny says a reply came back on the first call after the greeting,
// echo or not, before the caller hung up: whatever it was, the caller then
// saw whether the server hung up. An answer from a server that never
// greeted (a web server's) answers another protocol, and one the caller's
// hang-up set off shows nothing about hanging up after the echo.
func echoedAny(g *grader) string {
	c := g.first
	switch {
	case c.onlyAfterHangUp():
		return "not observed: the echo came only after the caller hung up its side"
	case c.greeting() == nil:
		return "not observed: no greeting, so what came back is no echo"
	case len(c.reply()) == 0:
		return "not observed: nothing came back after the greeting"
	}
	return ""
}

func greetsFirst(g *grader) string {
	if !g.first.greetedFirst() {
		return "not run: the server does not greet first"
	}
	return ""
}

func there(g *grader) string {
	if g.gone {
		return g.goneSkip()
	}
	return ""
}

// goneSkip is the reason for a check the server's leaving made impossible.
func (g *grader) goneSkip() string {
	switch {
	case g.served == 0 && g.cfg.Ended:
		return "not run: the program had ended during the first call"
	case g.served == 1 && g.cfg.Policy == PolicyLecture:
		return "not run: it ended after one call"
	}
	return fmt.Sprintf("not run: it stopped answering after %s", plural(g.served, "call"))
}

// plural says "one call", "2 calls".
func plural(n int, what string) string {
	if n == 1 {
		return "one " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
