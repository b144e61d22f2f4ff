package grade

import (
	"bytes"
	"fmt"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// What the calls say: the lecture's line, as a shell's echo and as telnet
// send it, and two long lines, one that fits the lecture's recv(1000) and
// one that does not.
var (
	shortLine = []byte("hi back atcha\n")
	crlfLine  = []byte("hi back atcha\r\n")
	kbLine    = longLine(lab.MaxRead)
	bigLine   = longLine(3 * lab.MaxRead)
)

// longLine is n bytes of printable text ending in a newline, like a long
// line typed into telnet.
func longLine(n int) []byte {
	const text = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = text[i%len(text)]
	}
	b[n-1] = '\n'
	return b
}

// sendBack is the fix for every wrong echo.
const sendBack = "send back exactly the bytes recv() returned"

// firstCall makes the first call, once: the lecture's call with its line.
// It waits a whole timeout for the greeting before speaking anyway, to
// see whether the greeting comes first.
func (g *grader) firstCall() *conversation {
	if g.first == nil {
		g.first = g.call(g.cfg.Addr, shortLine, g.cfg.Timeout, 0)
		if g.first.heard() {
			g.served++
		}
	}
	return g.first
}

// patience is the answer length after which a call stops listening: none
// (listen until the hang-up) for a server that hung up on the first call,
// the message's length for one that keeps the line open, so that each
// call does not wait a whole timeout for a hang-up that never comes.
func (g *grader) patience(msg []byte) int {
	if g.first.end == endEOF || g.first.end == endReset {
		return 0
	}
	return len(msg)
}

func (g *grader) answers() (Status, string) {
	c := g.firstCall()
	if c.dialErr == nil {
		return Pass, "the call was picked up."
	}
	switch lab.Classify(c.dialErr) {
	case lab.KindRefused:
		return Fail, "connection refused, nothing listens there: is the server running, on this address and port?"
	case lab.KindTimeout:
		return Fail, fmt.Sprintf("no answer within %v: is the address right, or does a firewall drop the call?", g.cfg.Timeout)
	case lab.KindUnreachable:
		return Fail, "host unreachable: is the address right?"
	}
	return Fail, fmt.Sprintf("the call failed: %v.", c.dialErr)
}

func (g *grader) greeting() (Status, string) {
	c := g.first
	got := c.greeting()
	switch {
	case string(got) == lab.Greeting:
		return Pass, `it said "hello\n".`
	case len(got) == 0 && !c.spoke && c.end == endReset:
		return Fail, "the call was reset before any greeting: did the server crash?"
	case len(got) == 0 && !c.spoke:
		return Fail, `it hung up without a word: did it crash? (A Python 3 server must send bytes, b"hello\n", not a str.)`
	case !c.heard():
		return Fail, fmt.Sprintf("it said nothing within %v, not even after the caller spoke.", g.cfg.Timeout)
	case len(got) == 0:
		return Fail, fmt.Sprintf("it sent no greeting: it said nothing before the caller spoke, and then only %s.", lab.Preview(c.reply()))
	case string(got) == "hello\r\n":
		return Fail, `it said "hello\r\n": telnet shows it the same, but the lecture's greeting is "hello\n", without the \r.`
	case string(got) == lab.Busy:
		return Fail, `it said "busy\n" to the first caller, with nobody else on the line.`
	case !bytes.HasSuffix(got, []byte("\n")):
		return Fail, fmt.Sprintf(`it said %s with no newline: the greeting is "hello\n".`, lab.Preview(got))
	}
	return Fail, fmt.Sprintf(`it said %s: the greeting is exactly "hello\n".`, lab.Preview(got))
}

func (g *grader) greetingFirst() (Status, string) {
	if g.first.greetedFirst() {
		return Pass, "the greeting came at once, before the caller said anything."
	}
	return Fail, fmt.Sprintf("nothing came for %v, until the caller spoke: send the greeting right after accept(), before recv().", g.cfg.Timeout)
}

func (g *grader) echo() (Status, string) {
	return g.judgeEcho(g.first, shortLine)
}

func (g *grader) echoCRLF() (Status, string) {
	if g.crlf == nil {
		g.crlf = g.callHere(crlfLine, g.patience(crlfLine))
	}
	if s, why, lost := g.lost(g.crlf); lost {
		return s, why
	}
	if r := g.crlf.reply(); bytes.Equal(r, shortLine) {
		return Fail, fmt.Sprintf(`the \r was lost: sent "hi back atcha\r\n", got back %s: %s.`, lab.Preview(r), sendBack)
	}
	return g.judgeEcho(g.crlf, crlfLine)
}

func (g *grader) echo1000() (Status, string) {
	if g.kb == nil {
		g.kb = g.callHere(kbLine, g.patience(kbLine))
	}
	c := g.kb
	if s, why, lost := g.lost(c); lost {
		return s, why
	}
	if r := c.reply(); len(r) > 0 && len(r) < len(kbLine) && bytes.HasPrefix(kbLine, r) {
		return Fail, fmt.Sprintf("only the first %d of the 1000 bytes came back: read up to 1000 bytes at once, recv(1000).", len(r))
	}
	return g.judgeEcho(c, kbLine)
}

func (g *grader) echo3000() (Status, string) {
	if g.big == nil {
		g.big = g.callHere(bigLine, g.patience(bigLine))
	}
	c := g.big
	if s, why, lost := g.lost(c); lost {
		return s, why
	}
	r := c.reply()
	switch {
	case len(r) == 0:
		return Fail, fmt.Sprintf("nothing came back (%s): %s.", endWords(c, g.cfg.Timeout), sendBack)
	case !bytes.HasPrefix(bigLine, r):
		return Fail, fmt.Sprintf("sent 3000 bytes, got back %d that are not their start (%s): %s.", len(r), lab.Preview(r), sendBack)
	case len(r) > lab.MaxRead:
		return Fail, fmt.Sprintf("%d bytes came back: it read more than once, or more than 1000 bytes; the lecture reads once, recv(1000).", len(r))
	case c.end == endReset:
		return Warn, fmt.Sprintf("the first %d bytes came back, then a reset (RST): closing with unread data sends RST, which can destroy the echo before the caller reads it; after the echo, call shutdown(SHUT_WR), read until the caller hangs up or a second passes, then close().", len(r))
	}
	return Pass, fmt.Sprintf("the first %d bytes came back (one read), and the rest did not break the call.", len(r))
}

// lost says why a call after the first tells nothing about its check:
// the server has gone (SKIP), or the call was not picked up (FAIL).
func (g *grader) lost(c *conversation) (Status, string, bool) {
	switch {
	case c.gone:
		return Skip, g.goneSkip(), true
	case c.dialErr != nil:
		return Fail, fmt.Sprintf("this call was not picked up (%s), though the first one was.", lab.Classify(c.dialErr)), true
	}
	return "", "", false
}

// judgeEcho says whether c's answer is msg, byte for byte.
func (g *grader) judgeEcho(c *conversation, msg []byte) (Status, string) {
	r := c.reply()
	switch {
	case bytes.Equal(r, msg):
		if len(msg) > 100 {
			return Pass, fmt.Sprintf("all %d bytes came back, byte for byte.", len(msg))
		}
		return Pass, fmt.Sprintf("%s came back byte for byte.", lab.Preview(msg))
	case len(r) == 0:
		return Fail, fmt.Sprintf("nothing came back (%s): %s.", endWords(c, g.cfg.Timeout), sendBack)
	case len(msg) > 100:
		return Fail, fmt.Sprintf("sent %d bytes, got back %d different ones (%s): %s.", len(msg), len(r), lab.Preview(r), sendBack)
	}
	return Fail, fmt.Sprintf("sent %s, got back %s: %s.", lab.Preview(msg), lab.Preview(r), sendBack)
}

// endWords says how a call that got nothing back ended.
func endWords(c *conversation, timeout time.Duration) string {
	switch c.end {
	case endEOF:
		return "it hung up"
	case endReset:
		return "the call was reset"
	case endOpen, endNone:
		return fmt.Sprintf("it waited %v", timeout)
	case endError:
		return fmt.Sprintf("%v", c.err)
	}
	return "it stopped"
}

func (g *grader) hangsUp() (Status, string) {
	c := g.first
	switch c.end {
	case endEOF:
		return Pass, "the caller saw the call end right after the echo."
	case endReset:
		return Warn, "it ended the call with a reset (RST) instead of a clean close: did it close with unread data, or set SO_LINGER to 0?"
	case endOpen:
		return Fail, fmt.Sprintf("the line was still open %v after the caller spoke: call close() after the echo, or the caller waits forever.", g.cfg.Timeout)
	case endEnough:
		return Fail, "it kept talking: more than 64 KiB came back."
	}
	return Fail, fmt.Sprintf("the call ended with an error: %v.", c.err)
}

func (g *grader) silentCaller() (Status, string) {
	s := g.silentRun()
	if s.skip != "" {
		return Skip, s.skip
	}
	switch {
	case s.hungUp:
		return Pass, fmt.Sprintf("it hung up on the caller who said nothing after %s.", seconds(s.hungUpAfter))
	case s.model == ModelOne:
		others := "answered nobody else meanwhile"
		if s.busy {
			others = "told everyone else it was busy"
		}
		return Warn, fmt.Sprintf("it waited %v for a caller who said nothing and %s: one silent caller blocks everyone; give up after a while (settimeout) or serve each caller in a thread.", g.cfg.Timeout, others)
	}
	return Pass, fmt.Sprintf("after %v it still waited for the caller who said nothing, but it answered another caller meanwhile; a timeout (settimeout) would free that employee too.", g.cfg.Timeout)
}

func (g *grader) model() (Status, string) {
	s := g.silentRun()
	if s.skip != "" {
		return Skip, s.skip
	}
	if s.model == "" {
		return Skip, "not checked: " + s.how
	}
	words := string(s.model) + ": " + s.how + "."
	if s.model == ModelOne && g.cfg.RequireConcurrent {
		return Fail, words + " Serve each caller in its own thread or process (-require-concurrent)."
	}
	return Info, words
}

func (g *grader) notOn(addr string) (Status, string) {
	g.notOnAndLast()
	c := g.notOnCalls[addr]
	if g.gone {
		return Skip, "not conclusive: the server stopped answering altogether"
	}
	if c.dialErr == nil {
		return Fail, "it answered there too: it listens on every interface (0.0.0.0 or \"\"); bind the one address the lecture binds."
	}
	switch lab.Classify(c.dialErr) {
	case lab.KindRefused:
		return Pass, "refused there: it listens on one address only, as the lecture asks."
	case lab.KindTimeout:
		return Pass, fmt.Sprintf("no answer there within %v: not reachable.", g.cfg.Timeout)
	case lab.KindUnreachable:
		return Pass, "unreachable there."
	}
	return Skip, fmt.Sprintf("not checked: calling there failed: %v", c.dialErr)
}

// notOnAndLast makes the calls to the -not-on addresses, then the last
// call to the graded address: a refusal elsewhere proves something only if
// the server still answers here afterwards.
func (g *grader) notOnAndLast() {
	if g.notOnCalls != nil {
		return
	}
	g.notOnCalls = map[string]*conversation{}
	for _, a := range g.cfg.NotOn {
		g.notOnCalls[a] = g.call(a, shortLine, g.greetWait(), g.patience(shortLine))
	}
	g.lastCall()
}

func (g *grader) lastCall() *conversation {
	if g.last == nil && !g.gone {
		g.last = g.callHere(shortLine, g.patience(shortLine))
	}
	return g.last
}

func (g *grader) stillThere() (Status, string) {
	g.notOnAndLast()
	c := g.last
	switch {
	case g.gone && g.served == 1:
		return Fail, "it served one call, then stopped answering: like the lecture's script, which calls accept() once; loop around accept() to serve every caller."
	case g.gone:
		return Fail, fmt.Sprintf("it served %d calls, then stopped answering: did it crash? Look at what it printed.", g.served)
	case c.dialErr != nil:
		return Fail, fmt.Sprintf("the last call got no answer (%s).", lab.Classify(c.dialErr))
	case g.first.greetedFirst() && len(c.greeting()) == 0:
		return Fail, fmt.Sprintf("the last call was picked up but not greeted (%s): did something break?", endWords(c, g.cfg.Timeout))
	case g.first.greetedFirst() && !bytes.Equal(c.greeting(), g.first.greeting()):
		return Fail, fmt.Sprintf("the last call was greeted with %s, the first with %s: did something break?", lab.Preview(c.greeting()), lab.Preview(g.first.greeting()))
	}
	return Pass, fmt.Sprintf("the last of %d calls was answered like the first.", g.calls)
}

// seconds rounds d for a student: 1.2s, 150ms.
func seconds(d time.Duration) string {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}
