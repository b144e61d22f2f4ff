package student

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/student/lang"
)

// rstWait is how long a caller's reset may trail its FIN: a round trip
// between two containers takes a tenth of a millisecond.
const rstWait = 50 * time.Millisecond

// DefaultCallWait bounds the judge's wait for the student's client to call.
const DefaultCallWait = 20 * time.Second

// JudgeConfig is where the judge answers and what it reads.
type JudgeConfig struct {
	// Addr is the address to listen on, ip:port: laptop-a's eth0.
	Addr string
	// Report is the supervisor's report on the client's laptop; "" when
	// there is none.
	Report string
	// Ready, when set, is a file written once the judge listens: the
	// supervisor starts the student's client only then.
	Ready string
	// CallWait and Timeout default to DefaultCallWait and DefaultStepTimeout.
	CallWait time.Duration
	Timeout  time.Duration
	Out      io.Writer
}

// Step is one thing the lecture's client must do, as the judge saw it.
type Step struct {
	Status string // PASS, FAIL, INFO
	What   string
}

// ClientVerdict is the judge's last word on a student's client.
type ClientVerdict struct {
	Passed   bool
	Called   bool
	Steps    []Step
	Findings []Finding
	Report   Report
}

// Judge answers one call as the lecture's server does (hello, one read,
// the echo, hang up), watching what the caller does at each step, then
// says whether the student's client made the whole lecture call.
func Judge(ctx context.Context, cfg JudgeConfig) (ClientVerdict, error) {
	cfg.CallWait = orDefault(cfg.CallWait, DefaultCallWait)
	cfg.Timeout = orDefault(cfg.Timeout, DefaultStepTimeout)
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	l, err := net.Listen("tcp4", cfg.Addr)
	if err != nil {
		return ClientVerdict{}, fmt.Errorf("judge: listen %s: %w", cfg.Addr, err)
	}
	defer l.Close()
	fmt.Fprintf(cfg.Out, "server listening at %s\n", l.Addr())
	if cfg.Ready != "" {
		if err := os.WriteFile(cfg.Ready, []byte(l.Addr().String()+"\n"), 0o644); err != nil {
			fmt.Fprintf(cfg.Out, "socketlab: %v\n", err)
		}
	}
	j := &judge{cfg: cfg}
	v := j.run(ctx, l.(*net.TCPListener))
	j.say(v)
	return v, ctx.Err()
}

type judge struct{ cfg JudgeConfig }

// callSeen is the call as the server side saw it.
type callSeen struct {
	from    net.Addr
	said    []byte
	saidEnd string // how the read ended when nothing was said: closed, reset, open
	echoed  bool
	end     string // after the echo: closed, reset, open
	took    time.Duration
}

func (j *judge) run(ctx context.Context, l *net.TCPListener) ClientVerdict {
	var v ClientVerdict
	conn, rep := j.accept(ctx, l)
	v.Report = rep
	name := programName(rep)
	if conn == nil {
		if rep.Exited() {
			v.Steps = append(v.Steps, Step{"FAIL", fmt.Sprintf("called laptop-a: it ended (exit status %d) without calling", rep.ExitCode)})
			v.Findings = withHints(ExplainCrash(crashOf(rep)), rep, nil)
			switch {
			case rep.LabFault != "":
				v.Steps[len(v.Steps)-1] = Step{"FAIL", "called laptop-a: " + failWords(Verdict{Report: rep})}
				v.Findings = []Finding{{ID: "lab", Says: "this is the lab's fault, not your program's: " + rep.LabFault + ". Nothing of your program ran; run it again, or ask whoever runs the lab."}}
			case rep.BuildFailed() || rep.StartError != "" && len(rep.Command) == 0:
				v.Steps[len(v.Steps)-1] = Step{"FAIL", "called laptop-a: " + failWords(Verdict{Report: rep})}
				v.Findings = buildFindings(rep)
			}
		} else {
			v.Steps = append(v.Steps, Step{"FAIL", fmt.Sprintf("called laptop-a: no call came within %v", j.cfg.CallWait)})
			v.Findings = append(v.Findings, Finding{ID: "no-call", Says: fmt.Sprintf("your %s never called %s: %s.", name, j.cfg.Addr, rep.phrases().Connect)})
		}
		return v
	}
	v.Called = true
	c := j.serve(conn)
	fmt.Fprintf(j.cfg.Out, "call from %s: %s (%s)\n", c.from, c.story(), round(c.took))
	if r, ended := j.waitExit(ctx); ended || r.State != "" {
		v.Report = r
	}
	v.Steps, v.Findings = judgeCall(c, v.Report, j.cfg.Timeout)
	v.Passed = true
	for _, s := range v.Steps {
		if s.Status == "FAIL" {
			v.Passed = false
		}
	}
	return v
}

// accept waits for the one call, polling the client's report so that a
// client that ended without calling stops the wait at once.
func (j *judge) accept(ctx context.Context, l *net.TCPListener) (net.Conn, Report) {
	start := time.Now()
	var rep Report
	for time.Since(start) < j.cfg.CallWait && ctx.Err() == nil {
		if rep.State == StateBuilding || rep.State == StateStarting && rep.Build != nil {
			// The client's build is bounded by its own limit: the wait
			// for its call starts when it has been built.
			start = time.Now()
		}
		l.SetDeadline(time.Now().Add(100 * time.Millisecond))
		conn, err := l.Accept()
		if err == nil {
			return conn, rep
		}
		if !isTimeout(err) {
			return nil, rep
		}
		if r, err := j.read(); err == nil {
			rep = r
			if r.Exited() {
				// A last look: its call may be in the queue already.
				l.SetDeadline(time.Now().Add(50 * time.Millisecond))
				if conn, err := l.Accept(); err == nil {
					return conn, rep
				}
				return nil, rep
			}
		}
	}
	return nil, rep
}

// serve answers the call as the lecture's server does, noting at each
// step what the caller did.
func (j *judge) serve(conn net.Conn) callSeen {
	defer conn.Close()
	start := time.Now()
	c := callSeen{from: conn.RemoteAddr()}
	t := j.cfg.Timeout
	conn.SetWriteDeadline(time.Now().Add(t))
	if _, err := io.WriteString(conn, lab.Greeting); err != nil {
		c.saidEnd, c.took = endWord(err), time.Since(start)
		return c
	}
	buf := make([]byte, lab.MaxRead)
	conn.SetReadDeadline(time.Now().Add(t))
	n, err := conn.Read(buf)
	c.said = bytes.Clone(buf[:n])
	if n == 0 {
		c.saidEnd = "open"
		if err != nil {
			c.saidEnd = endWord(err)
		}
		// A caller who closed before the greeting came answers it with RST,
		// just after its FIN: wait that moment out, then look.
		if c.saidEnd == "closed" {
			time.Sleep(rstWait)
			if resetSince(conn) {
				c.saidEnd = "reset"
			}
		}
		c.took = time.Since(start)
		return c
	}
	if _, err := conn.Write(c.said); err != nil {
		c.end, c.took = endWord(err), time.Since(start)
		return c
	}
	c.echoed = true
	lab.CloseWrite(conn)
	// Drain: a caller that read everything hangs up with FIN (EOF here);
	// one that hangs up with unread bytes makes its kernel send RST.
	conn.SetReadDeadline(time.Now().Add(t))
	_, err = io.Copy(io.Discard, io.LimitReader(conn, 1<<20))
	switch {
	case err == nil:
		c.end = "closed"
	default:
		c.end = endWord(err)
	}
	c.took = time.Since(start)
	return c
}

// story is the call in the words of the server's log line.
func (c callSeen) story() string {
	switch {
	case len(c.said) == 0 && c.saidEnd == "reset":
		return "hung up without reading the greeting (reset), nothing echoed"
	case len(c.said) == 0 && c.saidEnd == "closed":
		return "hung up without saying anything, nothing echoed"
	case len(c.said) == 0:
		return "said nothing; hung up on them"
	}
	s := fmt.Sprintf("said %s (%d bytes), echoed it", lab.Preview(c.said), len(c.said))
	switch c.end {
	case "closed":
		return s + ", caller hung up"
	case "reset":
		return s + ", caller hung up without reading it all (reset)"
	case "open":
		return s + ", caller stayed on the line"
	}
	return s + ", then " + c.end
}

// judgeCall turns the call and the client's report into the steps of the
// lecture's client and what explains a failed one.
func judgeCall(c callSeen, rep Report, t time.Duration) ([]Step, []Finding) {
	ph := rep.phrases()
	var steps []Step
	var fs []Finding
	steps = append(steps, Step{"PASS", fmt.Sprintf("called laptop-a (from %s)", c.from)})
	switch {
	case len(c.said) == 0 && c.saidEnd == "reset":
		steps = append(steps, Step{"FAIL", "read the greeting: it hung up before reading \"hello\\n\" (its side reset the call)"})
		fs = append(fs, Finding{ID: "rude", Says: "your client hung up without reading the greeting. The lecture's call: connect(), recv() the greeting, send() your line, recv() the echo until the server hangs up (" + ph.EOF + "), then close()."})
	case c.end == "closed" || strings.Contains(rep.Stdout, "hello"):
		steps = append(steps, Step{"PASS", "read the greeting"})
	default:
		steps = append(steps, Step{"INFO", "read the greeting: not known (it did not print it)"})
	}
	switch {
	case len(c.said) > 0 && bytes.HasSuffix(c.said, []byte("\n")):
		steps = append(steps, Step{"PASS", fmt.Sprintf("sent a line: %s", lab.Preview(c.said))})
	case len(c.said) > 0:
		steps = append(steps, Step{"PASS", fmt.Sprintf("sent %s (no newline at the end: telnet would send one)", lab.Preview(c.said))})
	case c.saidEnd == "closed":
		steps = append(steps, Step{"FAIL", "sent a line: it hung up without sending anything"})
		fs = append(fs, Finding{ID: "said-nothing", Says: "your client read the greeting and hung up: send a line after it, e.g. " + ph.SendLine + "."})
	case c.saidEnd == "open":
		steps = append(steps, Step{"FAIL", fmt.Sprintf("sent a line: it said nothing for %v", t)})
		fs = append(fs, Finding{ID: "said-nothing", Says: "your client connected but sent nothing: after reading the greeting, send your line with " + ph.SendAny + "."})
	}
	if c.echoed {
		switch c.end {
		case "closed":
			steps = append(steps, Step{"PASS", "read the echo to the end and hung up"})
		case "reset":
			steps = append(steps, Step{"FAIL", "read the echo: it hung up before reading all of it (its side reset the call)"})
			fs = append(fs, Finding{ID: "no-echo-read", Says: "your client hung up before reading the echo: " + ph.ReadEcho + "."})
		case "open":
			steps = append(steps, Step{"FAIL", fmt.Sprintf("hung up: it was still on the line %v after the echo and the server's hang-up", t)})
			fs = append(fs, Finding{ID: "no-hangup", Says: "your client did not hang up after the server did: " + ph.HangUp + "."})
		default:
			steps = append(steps, Step{"FAIL", "read the echo: " + c.end})
		}
	}
	if rep.State != "" {
		switch {
		case !rep.Exited():
			steps = append(steps, Step{"FAIL", fmt.Sprintf("ended: still running %v after the call", t)})
			fs = append(fs, Finding{ID: "still-running", Says: "your client kept running after the call: " + ph.End + "."})
		case rep.ExitCode == 0 && rep.Signal == "":
			steps = append(steps, Step{"PASS", "ended with exit status 0"})
		default:
			steps = append(steps, Step{"FAIL", fmt.Sprintf("ended with exit status %d", rep.ExitCode)})
			fs = append(fs, withHints(ExplainCrash(crashOf(rep)), rep, nil)...)
		}
	}
	return steps, fs
}

func crashOf(rep Report) Crash {
	return Crash{ExitCode: rep.ExitCode, Signal: rep.Signal, Stderr: rep.Stderr, File: rep.File, Source: rep.Source, Interfaces: rep.Interfaces,
		Lang: rep.language(), Stdout: rep.Stdout, Role: lang.Client}
}

// waitExit waits up to the step timeout for the client program to end.
func (j *judge) waitExit(ctx context.Context) (Report, bool) {
	var rep Report
	start := time.Now()
	for ctx.Err() == nil {
		r, err := j.read()
		if errors.Is(err, ErrNoReport) && j.cfg.Report == "" {
			return rep, false
		}
		if err == nil {
			rep = r
			if r.Exited() {
				return r, true
			}
		}
		if time.Since(start) >= j.cfg.Timeout {
			return rep, false
		}
		sleep(ctx, reportPoll)
	}
	return rep, false
}

func (j *judge) read() (Report, error) {
	if j.cfg.Report == "" {
		return Report{}, ErrNoReport
	}
	return ReadReport(j.cfg.Report)
}

// say prints what the client did, step by step, and the verdict.
func (j *judge) say(v ClientVerdict) {
	out := j.cfg.Out
	name := programName(v.Report)
	if name == "server" {
		name = "client"
	}
	fmt.Fprintf(out, "\nwhat laptop-b's %s did:\n", name)
	for _, s := range v.Steps {
		fmt.Fprintf(out, "%-4s  %s\n", s.Status, s.What)
	}
	fmt.Fprintln(out)
	if v.Passed {
		fmt.Fprintf(out, "verdict: PASS: your %s made the lecture's call to laptop-a: read the greeting, sent a line, read the echo to the end, hung up.\n", name)
	} else {
		fmt.Fprintf(out, "verdict: FAIL: your %s did not make the whole lecture call.\n", name)
	}
	for _, f := range v.Findings {
		fmt.Fprintf(out, "  - %s\n", f)
	}
}
