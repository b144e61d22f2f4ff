package grade

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
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

// The fixes more than one check gives.
const (
	sendBack   = "send back exactly the bytes recv() returned: conn.send(data)."
	greetFirst = `send b"hello\n" right after accept(), before recv().`
)

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

func (g *grader) answers() (Status, string, string) {
	c := g.firstCall()
	if c.dialErr == nil {
		return Pass, "the call was picked up.", ""
	}
	switch lab.Classify(c.dialErr) {
	case lab.KindRefused:
		return Fail, "connection refused: nothing listens there.",
			"note: is the server running, and listening on this address and port?"
	case lab.KindTimeout:
		return Fail, fmt.Sprintf("no answer within %v.", g.cfg.Timeout),
			"note: is the address right, or does a firewall drop the call?"
	case lab.KindUnreachable:
		return Fail, "host unreachable.", "note: is the address right?"
	}
	return Fail, fmt.Sprintf("the call failed: %v.", c.dialErr), ""
}

func (g *grader) greeting() (Status, string, string) {
	c := g.first
	got := c.greeting()
	switch {
	case string(got) == lab.Greeting:
		return Pass, `it said "hello\n".`, ""
	case len(got) == 0 && !c.spoke && c.end == endReset:
		return Fail, "the call was reset before any greeting: did the server crash?",
			"note: look at what it printed."
	case len(got) == 0 && !c.spoke:
		return Fail, "it hung up without a word: did it crash?",
			`note: a Python 3 server that sends a str, "hello\n", crashes here: send bytes, b"hello\n".`
	case !c.heard():
		return Fail, fmt.Sprintf("it said nothing within %v, not even after the caller spoke.", g.cfg.Timeout),
			greetFirst
	case len(got) == 0 && looksHTTP(c.reply()):
		return Fail, "no greeting; it answered the caller's line like a web server (HTTP).",
			`a web server waits for the caller to speak: send b"hello\n" first.`
	case len(got) == 0:
		return Fail, fmt.Sprintf("no greeting; after the caller spoke, only %s.", preview(c.reply())), greetFirst
	case string(got) == "hello\r\n":
		return Fail, `it said "hello\r\n": telnet shows it the same, but the \r is extra.`,
			`send b"hello\n", without the \r.`
	case string(got) == lab.Busy:
		return Fail, `it said "busy\n" to the first caller, with nobody else on the line.`, ""
	case !bytes.HasSuffix(got, []byte("\n")):
		return Fail, fmt.Sprintf(`it said %s with no newline.`, lab.Preview(got)), `send b"hello\n".`
	}
	return Fail, fmt.Sprintf(`it said %s.`, lab.Preview(got)), `the greeting is exactly b"hello\n".`
}

func (g *grader) greetingFirst() (Status, string, string) {
	if g.first.greetedFirst() {
		return Pass, "the greeting came at once, before the caller said anything.", ""
	}
	return Fail, fmt.Sprintf("nothing came for %v, until the caller spoke.", g.cfg.Timeout), greetFirst
}

func (g *grader) echo() (Status, string, string) {
	c := g.first
	if c.onlyAfterHangUp() {
		return Fail, fmt.Sprintf("no echo in %v; it came only once the caller hung up its side.", g.cfg.Timeout),
			"it reads until the caller closes; telnet never does. Read once: conn.recv(1000)."
	}
	return g.judgeEcho(c, shortLine)
}

func (g *grader) echoCRLF() (Status, string, string) {
	if g.crlf == nil {
		g.crlf = g.callHere(crlfLine, g.patience(crlfLine))
	}
	if s, why, lost := g.lost(g.crlf); lost {
		return s, why, ""
	}
	if r := g.crlf.reply(); bytes.Equal(r, shortLine) {
		return Fail, fmt.Sprintf(`the \r was lost: sent "hi back atcha\r\n", got back %s.`, lab.Preview(r)), sendBack
	}
	return g.judgeEcho(g.crlf, crlfLine)
}

func (g *grader) echo1000() (Status, string, string) {
	if g.kb == nil {
		g.kb = g.callHere(kbLine, g.patience(kbLine))
	}
	if s, why, lost := g.lost(g.kb); lost {
		return s, why, ""
	}
	if r := g.kb.reply(); len(r) > 0 && len(r) < len(kbLine) && bytes.HasPrefix(kbLine, r) {
		return Fail, fmt.Sprintf("only the first %d of the 1000 bytes came back.", len(r)),
			"read up to 1000 bytes at once: conn.recv(1000)."
	}
	return g.judgeEcho(g.kb, kbLine)
}

func (g *grader) echo3000() (Status, string, string) {
	if g.big == nil {
		g.big = g.callHere(bigLine, g.patience(bigLine))
	}
	c := g.big
	if s, why, lost := g.lost(c); lost {
		return s, why, ""
	}
	r := c.reply()
	switch {
	case len(r) == 0:
		return Fail, nothingBack(c, g.cfg.Timeout), sendBack
	case !bytes.HasPrefix(bigLine, r):
		return Fail, "the echo is " + diffWords(bigLine, r) + ".", sendBack
	case len(r) > g.cfg.MaxRead:
		return Fail, fmt.Sprintf("%d bytes came back: more than one read of up to %d returns.", len(r), g.cfg.MaxRead),
			"the lecture reads once, up to 1000: conn.recv(1000)."
	case len(r) > lab.MaxRead:
		return warnAdvisory(fmt.Sprintf("%d bytes came back: one read of up to %d, not 1000.", len(r), len(r)),
			"the lecture reads up to 1000: conn.recv(1000).")
	case c.end == endReset:
		return warnAdvisory(fmt.Sprintf("the first %d came back, then a reset: %d were left unread.",
			len(r), len(bigLine)-len(r)),
			"note: fine for this exercise; on a slow network the reset can destroy the echo.")
	}
	return Pass, fmt.Sprintf("the first %d bytes came back, one read; the rest did no harm.", len(r)), ""
}

// advisory is the Status an advisory WARN is given; run turns it into a
// WARN marked Advisory, or a PASS with -quiet-warn.
const advisory Status = "advisory"

func warnAdvisory(reason, fix string) (Status, string, string) { return advisory, reason, fix }

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

// judgeEcho says whether c's answer is msg, byte for byte, and if not,
// where it first differs.
func (g *grader) judgeEcho(c *conversation, msg []byte) (Status, string, string) {
	r := c.reply()
	switch {
	case bytes.Equal(r, msg) && len(msg) > 100:
		return Pass, fmt.Sprintf("all %d bytes came back, byte for byte.", len(msg)), ""
	case bytes.Equal(r, msg):
		return Pass, fmt.Sprintf("%s came back byte for byte.", lab.Preview(msg)), ""
	case len(r) == 0:
		return Fail, nothingBack(c, g.cfg.Timeout), sendBack
	case len(msg) > 100:
		return Fail, "the echo is " + diffWords(msg, r) + ".", sendBack
	}
	return Fail, fmt.Sprintf("sent %s, got back %s.", lab.Preview(msg), preview(r)), sendBack
}

// looksHTTP says an answer is a web server's: a status line, or the HTML
// page of an error that Python's http.server sends a line it cannot read.
func looksHTTP(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 64)])
	return bytes.HasPrefix(head, []byte("http/")) || bytes.HasPrefix(head, []byte("<!doctype html")) ||
		bytes.HasPrefix(head, []byte("<html"))
}

// preview quotes the start of b, short enough for a result line.
func preview(b []byte) string {
	const max = 24
	if len(b) <= max {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%q…", b[:max])
}

// diffWords says where got, an echo, first differs from sent: what came
// and what was sent from that byte on (bytes are counted from 1).
func diffWords(sent, got []byte) string {
	i := 0
	for i < len(sent) && i < len(got) && sent[i] == got[i] {
		i++
	}
	window := func(b []byte) []byte { return b[i:min(len(b), i+8)] }
	switch {
	case i == len(got):
		return fmt.Sprintf("only the first %d of %d bytes", len(got), len(sent))
	case i == len(sent) || (i >= lab.MaxRead && len(sent) > lab.MaxRead):
		// The echo of one whole read was right; what follows was added.
		return fmt.Sprintf("right up to byte %d, then %s was added", i, lab.Preview(window(got)))
	case i == 0:
		return fmt.Sprintf("wrong from byte 1: got %s, sent %s", lab.Preview(window(got)), lab.Preview(window(sent)))
	}
	return fmt.Sprintf("right up to byte %d, then got %s, sent %s", i, lab.Preview(window(got)), lab.Preview(window(sent)))
}

// nothingBack says that nothing came back on c, and how the call ended.
func nothingBack(c *conversation, timeout time.Duration) string {
	switch {
	case c.halfClosed && c.end == endEOF:
		return fmt.Sprintf("nothing came back in %v; it hung up when the caller did.", timeout)
	case c.halfClosed:
		return fmt.Sprintf("nothing came back in %v, nor when the caller hung up its side.", timeout)
	}
	return "nothing came back: " + endWords(c, timeout) + "."
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

func (g *grader) hangsUp() (Status, string, string) {
	c := g.first
	switch c.end {
	case endEOF:
		if g.status["echo"] != Pass {
			return Pass, "the caller saw the call end right after its reply.", ""
		}
		return Pass, "the caller saw the call end right after the echo.", ""
	case endReset:
		return Warn, "it ended the call with a reset instead of a clean close.",
			"just close(): no SO_LINGER, and read what the caller sent first."
	case endOpen:
		return Fail, fmt.Sprintf("the line was still open %v after the echo.", g.cfg.Timeout),
			"call close() after the echo, or the caller waits forever."
	case endEnough:
		return Fail, "it kept talking: more than 64 KiB came back.", ""
	}
	return Fail, fmt.Sprintf("the call ended with an error: %v.", c.err), ""
}

func (g *grader) silentCaller() (Status, string, string) {
	s := g.silentRun()
	if s.skip != "" {
		return Skip, s.skip, ""
	}
	switch {
	case s.hungUp:
		return Pass, fmt.Sprintf("it hung up on the silent caller after %s.", seconds(s.hungUpAfter)), ""
	case s.model == ModelOne:
		others := "answered nobody else meanwhile"
		if s.busy {
			others = "told everyone else it was busy"
		}
		return warnAdvisory(fmt.Sprintf("it waited %v for it and %s.", s.waited, others),
			"one silent caller blocks everyone: conn.settimeout(), or a thread per caller.")
	}
	return Pass, fmt.Sprintf("it waited %v for it, and answered another caller meanwhile.", s.waited), ""
}

func (g *grader) model() (Status, string, string) {
	s := g.silentRun()
	if s.skip != "" {
		return Skip, s.skip, ""
	}
	if s.model == "" {
		return Skip, "not observed: " + s.how + ".", ""
	}
	words := string(s.model) + ": " + s.how + "."
	if s.model == ModelOne && g.cfg.RequireConcurrent {
		return Fail, words, "serve each caller in its own thread or process (-require-concurrent)."
	}
	return Info, words, ""
}

// notOnAll judges "not reachable on another address" on every -not-on
// address as one check, so a host with more addresses gives no more
// points: it fails when the server answered on any of them, passes when
// it was refused on one at least and answered on none, and is not run
// when no address could show anything.
func (g *grader) notOnAll() (Status, string, string) {
	type seen struct {
		addr     string
		status   Status
		why, fix string
	}
	var all []seen
	for _, a := range g.cfg.NotOn {
		s, why, fix := g.notOn(a)
		all = append(all, seen{a, s, why, fix})
	}
	if len(all) == 1 {
		return all[0].status, all[0].why, all[0].fix
	}
	// says groups the addresses that have the same reason, in order; the
	// addresses are left out when every one has it (the title lists them).
	says := func(ss []seen) string {
		var whys []string
		at := map[string][]string{}
		for _, s := range ss {
			if at[s.why] == nil {
				whys = append(whys, s.why)
			}
			at[s.why] = append(at[s.why], s.addr)
		}
		if len(whys) == 1 && len(ss) == len(all) {
			return whys[0]
		}
		var b []string
		for _, why := range whys {
			b = append(b, addrList(at[why])+": "+why)
		}
		return strings.Join(b, " ")
	}
	with := func(st Status) []seen {
		var out []seen
		for _, s := range all {
			if s.status == st {
				out = append(out, s)
			}
		}
		return out
	}
	if bad := with(Fail); len(bad) > 0 {
		return Fail, says(bad), bad[0].fix
	}
	if len(with(Pass)) > 0 {
		return Pass, says(all), ""
	}
	return Skip, says(all), ""
}

// addrList names addresses for a student: a few, then how many more.
func addrList(addrs []string) string {
	const few = 3
	switch n := len(addrs); {
	case n == 1:
		return addrs[0]
	case n <= few:
		return strings.Join(addrs[:n-1], ", ") + " and " + addrs[n-1]
	default:
		return fmt.Sprintf("%s and %d more", strings.Join(addrs[:few], ", "), n-few)
	}
}

func (g *grader) notOn(addr string) (Status, string, string) {
	// A server that has gone is judged by its socket table, not called:
	// a refusal would be that of a server that is not there.
	gone := func() (Status, string, string) {
		if s, why, fix, ok := g.notOnListening(addr); ok {
			return s, why, fix
		}
		return Skip, "not run: it had stopped answering on its own address.", ""
	}
	if g.gone {
		return gone()
	}
	g.notOnAndLast()
	c := g.notOnCalls[addr]
	if g.gone {
		return gone()
	}
	if c.dialErr == nil {
		return Fail, "it answered there too: bound to all addresses (0.0.0.0, ::).",
			"bind the one address of the interface, as the lecture does."
	}
	// A refusal there proves something only if the server answers here.
	if last := g.last; last.dialErr != nil && lab.Classify(last.dialErr) == lab.KindRefused {
		return Skip, "not observed: its own address refused calls too.", ""
	} else if last.dialErr != nil {
		return Skip, fmt.Sprintf("not observed: no answer on its own address either (%s).", lab.Classify(last.dialErr)), ""
	} else if !last.heard() {
		return Skip, "not observed: it said nothing on its own address either.", ""
	}
	// The address it answers on is named: "its own address" read as the
	// address laptop-b called, which a server bound to localhost does not
	// answer on (its grade is made on the loopback, Addr here).
	switch lab.Classify(c.dialErr) {
	case lab.KindRefused:
		return Pass, fmt.Sprintf("refused there, while it answers on %s.", g.cfg.Addr), ""
	case lab.KindTimeout:
		return Pass, fmt.Sprintf("no answer there within %v, while it answers on %s.", g.cfg.Timeout, g.cfg.Addr), ""
	case lab.KindUnreachable:
		return Pass, fmt.Sprintf("unreachable there, while it answers on %s.", g.cfg.Addr), ""
	}
	return Skip, fmt.Sprintf("not observed: calling there failed: %v", c.dialErr), ""
}

// notOnListening judges "not reachable on addr" from the addresses the
// server's host says it listened on (Config.Listening), for a server that
// has ended: a refusal then proves nothing, but its socket table does.
// ok is false when there is no table to read.
func (g *grader) notOnListening(addr string) (Status, string, string, bool) {
	if len(g.cfg.Listening) == 0 {
		return "", "", "", false
	}
	there, err := netip.ParseAddrPort(addr)
	if err != nil {
		return "", "", "", false
	}
	for _, l := range g.cfg.Listening {
		ap, err := netip.ParseAddrPort(l)
		if err != nil || ap.Port() != there.Port() {
			continue
		}
		switch {
		case ap.Addr().IsUnspecified():
			return Fail, fmt.Sprintf("it listened on %s: every address, so it answered there too.", l),
				"bind the one address of the interface, as the lecture does.", true
		case ap.Addr().Unmap() == there.Addr().Unmap():
			return Fail, fmt.Sprintf("it listened there too (%s).", l),
				"bind the one address of the interface, as the lecture does.", true
		}
	}
	return Pass, fmt.Sprintf("it listened only on %s, as its socket table shows.",
		strings.Join(g.cfg.Listening, ", ")), "", true
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

func (g *grader) stillThere() (Status, string, string) {
	if !g.gone {
		g.notOnAndLast()
	}
	c := g.last
	switch {
	case g.gone && g.served == 0:
		return Skip, g.goneSkip() + ".", ""
	case g.gone && g.served == 1 && g.cfg.Policy == PolicyLecture:
		return Skip, "not run: it ended after one call, like the lecture's script.", ""
	case g.gone && g.served == 1:
		return Fail, "it served one call and ended, like the lecture's script.",
			"loop around accept() to serve every caller."
	case g.gone:
		return Fail, fmt.Sprintf("it served %d calls, then stopped answering: did it crash?", g.served),
			"note: look at what it printed."
	case !g.first.heard() && c.dialErr != nil:
		return Fail, fmt.Sprintf("silent on the first call, %s on the last: did it crash?",
			lab.Classify(c.dialErr)), "note: look at what it printed."
	case !g.first.heard():
		return Skip, "not observed: it said nothing on any call.", ""
	case c.dialErr != nil:
		return Fail, fmt.Sprintf("the last call got no answer (%s).", lab.Classify(c.dialErr)), ""
	case g.first.greetedFirst() && len(c.greeting()) == 0:
		return Fail, fmt.Sprintf("the last call was picked up but not greeted (%s).", endWords(c, g.cfg.Timeout)),
			"note: did something break? Look at what it printed."
	case g.first.greetedFirst() && !bytes.Equal(c.greeting(), g.first.greeting()):
		return Fail, fmt.Sprintf("the last call was greeted with %s, the first with %s.",
			lab.Preview(c.greeting()), lab.Preview(g.first.greeting())), "note: did something break? Look at what it printed."
	}
	return Pass, fmt.Sprintf("the last of %d calls was answered like the first.", g.made()), ""
}

// seconds rounds d for a student: 1.2s, 150ms.
func seconds(d time.Duration) string {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Millisecond).String()
}
