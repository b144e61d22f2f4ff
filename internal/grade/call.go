package grade

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

const (
	// maxReply bounds what is kept of an answer: an echo is at most a few
	// kilobytes, so a server still talking past this is not echoing.
	maxReply = 64 << 10
	// peekWait is how long the caller waits for news that should already
	// be there: a hang-up sent before the greeting just heard.
	peekWait = 20 * time.Millisecond
	// lateGreetWait replaces the timeout as the wait for a greeting once
	// the first call showed that this server greets only after the caller
	// speaks, so each later call does not wait a whole timeout for nothing.
	lateGreetWait = 100 * time.Millisecond
	// shortWait replaces the timeout once a wait has run out in this grade:
	// the server showed it will not answer in time, and a server that does
	// answer does so in milliseconds, even across the lab. It keeps a
	// broken server's grade to about one timeout instead of one per call.
	shortWait = 300 * time.Millisecond
)

// ending says how a call ended, as the caller saw it.
type ending int

const (
	endNone   ending = iota // not ended: the caller is still listening
	endEOF                  // the server hung up (an orderly close, FIN)
	endReset                // the connection was reset (RST)
	endOpen                 // still open when the caller stopped waiting
	endEnough               // the caller had heard all it needed and stopped listening
	endError                // another error
)

// endOf names the end a read error means.
func endOf(err error) ending {
	switch {
	case errors.Is(err, io.EOF):
		return endEOF
	case lab.Classify(err) == lab.KindReset:
		return endReset
	case lab.Classify(err) == lab.KindTimeout:
		return endOpen
	}
	return endError
}

// conversation is one call as the caller heard it: what arrived before it
// spoke (the greeting, normally), what it said, and what came back.
type conversation struct {
	dialErr error
	early   []byte // received before the caller spoke
	spoke   bool   // the message was sent
	late    []byte // received after the caller spoke
	end     ending
	err     error // the error behind endReset and endError
	gone    bool  // the server had stopped answering: this call says nothing about it
	// halfClosed says the caller hung up its side (FIN) before any answer
	// came, to see whether the server was waiting for that.
	halfClosed bool
}

// Call is a call made before the grade, by another caller (laptop-b's
// transcript, which a student reads): what it heard, as the grade's own
// first call would have. A grade given one (Config.First) judges it.
type Call struct {
	// DialErr is why the call was not picked up; nil when it was.
	DialErr error
	// Early is what came before the caller spoke (the greeting), Late what
	// came after; Spoke says the caller's line was sent.
	Early, Late []byte
	Spoke       bool
	// End is how the call ended: "closed" (the server hung up), "reset",
	// "open" (still open when the caller stopped listening), "enough" (the
	// caller stopped listening to a server that kept talking), or an
	// error's words.
	End string
	// HalfClosed says the caller hung up its side before any answer came.
	HalfClosed bool
}

// conversation is c as the grade's own calls are kept.
func (c *Call) conversation() *conversation {
	v := &conversation{dialErr: c.DialErr, early: c.Early, spoke: c.Spoke, late: c.Late, halfClosed: c.HalfClosed}
	switch c.End {
	case "closed":
		v.end = endEOF
	case "reset":
		v.end = endReset
	case "open":
		v.end = endOpen
	case "enough":
		v.end = endEnough
	case "":
		v.end = endNone
	default:
		v.end, v.err = endError, errors.New(c.End)
	}
	return v
}

// heard says whether the server sent anything at all.
func (c *conversation) heard() bool { return len(c.early)+len(c.late) > 0 }

// greetedFirst says the server spoke before the caller did.
func (c *conversation) greetedFirst() bool { return len(c.early) > 0 }

// greeting is the server's first line: what came before the caller spoke,
// up to the newline; or, from a server that waits for the caller, a
// "hello\n" that starts its answer.
func (c *conversation) greeting() []byte {
	if i := bytes.IndexByte(c.early, '\n'); i >= 0 {
		return c.early[:i+1]
	}
	if len(c.early) > 0 {
		return c.early
	}
	if bytes.HasPrefix(c.late, []byte(lab.Greeting)) {
		return c.late[:len(lab.Greeting)]
	}
	return nil
}

// reply is what the server sent after its greeting: the echo, normally.
func (c *conversation) reply() []byte {
	if i := bytes.IndexByte(c.early, '\n'); i >= 0 {
		return append(c.early[i+1:len(c.early):len(c.early)], c.late...)
	}
	if len(c.early) > 0 {
		return c.late
	}
	return c.late[len(c.greeting()):]
}

// onlyAfterHangUp says the answer came only once the caller had hung up
// its side: the server reads until the caller closes, which telnet never
// does first.
func (c *conversation) onlyAfterHangUp() bool {
	return c.halfClosed && len(c.reply()) > 0
}

// line is an open call that a cancelled grade hangs up at once.
type line struct {
	net.Conn
	stop func() bool
}

func (l *line) Close() error {
	l.stop()
	return l.Conn.Close()
}

// CloseWrite half-closes the call: the embedded net.Conn alone would hide
// the TCP connection's CloseWrite from lab.CloseWrite.
func (l *line) CloseWrite() error { return lab.CloseWrite(l.Conn) }

// dial calls addr. Calls to the graded address are counted, and a refusal
// after the server has served a call marks it gone.
func (g *grader) dial(addr string) (*line, error) {
	g.calls++
	d := net.Dialer{Timeout: g.cfg.Timeout}
	conn, err := d.DialContext(g.ctx, "tcp", addr)
	if err != nil {
		if addr == g.cfg.Addr && g.served > 0 && lab.Classify(err) == lab.KindRefused {
			g.gone = true
		}
		return nil, err
	}
	return &line{Conn: conn, stop: context.AfterFunc(g.ctx, func() { conn.Close() })}, nil
}

// wait is how long to wait for something that may never come: the
// timeout, until one wait in this grade has run out; then shortWait.
func (g *grader) wait() time.Duration {
	if g.spent {
		return min(shortWait, g.cfg.Timeout)
	}
	return g.cfg.Timeout
}

// ranOut records that a wait of d ran out with nothing.
func (g *grader) ranOut(d time.Duration) {
	if d >= g.cfg.Timeout {
		g.spent = true
	}
}

// hear listens for the greeting for up to wait: until a whole line has
// come, the server hangs up, or the wait is over. Once some of the line has
// come, the rest should follow at once: it waits at most shortWait more,
// and on later calls not at all past the greeting the first call heard
// without a newline ("hello"). A second hear on the same call goes on where
// the first stopped.
func (g *grader) hear(conn net.Conn, c *conversation, wait time.Duration) {
	deadline := time.Now().Add(wait)
	conn.SetReadDeadline(deadline)
	buf := make([]byte, lab.MaxGreeting)
	for bytes.IndexByte(c.early, '\n') < 0 && len(c.early) < lab.MaxGreeting {
		if g.first != nil && c != g.first && len(g.first.early) > 0 && bytes.IndexByte(g.first.early, '\n') < 0 &&
			len(c.early) >= len(g.first.early) {
			return
		}
		n, err := conn.Read(buf[:lab.MaxGreeting-len(c.early)])
		if n > 0 && len(c.early) == 0 {
			if d := time.Now().Add(min(shortWait, wait)); d.Before(deadline) {
				conn.SetReadDeadline(d)
			}
		}
		c.early = append(c.early, buf[:n]...)
		if err != nil {
			e := endOf(err)
			if e != endOpen {
				c.end, c.err = e, err
			} else if len(c.early) == 0 {
				g.ranOut(wait)
			}
			return
		}
	}
}

// speak sends msg and listens to the answer until the server hangs up,
// the wait passes, or, with enough > 0, the answer holds enough bytes. When
// the wait passes with nothing back, the caller hangs up its side and
// listens a moment more: a server that reads until the caller closes
// answers then, one that never echoes does not. After a first call that
// showed this, it hangs up its side at once.
func (g *grader) speak(conn net.Conn, c *conversation, msg []byte, enough int) {
	wait := g.wait()
	start := time.Now()
	conn.SetWriteDeadline(start.Add(g.cfg.Timeout))
	if _, err := conn.Write(msg); err != nil {
		c.end, c.err = endOf(err), err
		return
	}
	c.spoke = true
	if g.first != nil && c != g.first {
		switch {
		case g.first.onlyAfterHangUp():
			c.halfClosed = true
			lab.CloseWrite(conn)
		case g.first.halfClosed && len(g.first.reply()) == 0:
			// It never answered the first call, not even when the caller
			// hung up: hang up at once, and listen only for what is
			// already on its way.
			c.halfClosed = true
			lab.CloseWrite(conn)
			wait = peekWait
		}
	}
	conn.SetReadDeadline(start.Add(wait))
	buf := make([]byte, 4096)
	for {
		if n := len(c.reply()); (enough > 0 && n >= enough) || n >= maxReply {
			c.end = endEnough
			return
		}
		n, err := conn.Read(buf)
		c.late = append(c.late, buf[:n]...)
		if err == nil {
			continue
		}
		c.end, c.err = endOf(err), err
		if c.end != endOpen || len(c.reply()) > 0 || c.halfClosed {
			return
		}
		g.ranOut(wait)
		c.halfClosed, c.end, c.err = true, endNone, nil
		lab.CloseWrite(conn)
		conn.SetReadDeadline(time.Now().Add(min(shortWait, g.cfg.Timeout)))
	}
}

// busyRetries bounds how often a call that heard the busy signal is made
// again: a server with few employees is busy for a moment after each call,
// while an employee finishes the last one, and a caller calls back.
const busyRetries = 4

// call makes the lecture's call to addr: wait up to greetWait for the
// greeting, say msg (even without a greeting: telnet users type anyway),
// and listen to the answer. A busy signal is answered by calling back.
func (g *grader) call(addr string, msg []byte, greetWait time.Duration, enough int) *conversation {
	for i := 0; ; i++ {
		c := g.callOnce(addr, msg, greetWait, enough)
		if string(c.early) != lab.Busy || i == busyRetries || !g.sleep(50*time.Millisecond<<i) {
			return c
		}
	}
}

func (g *grader) callOnce(addr string, msg []byte, greetWait time.Duration, enough int) *conversation {
	c := &conversation{}
	conn, err := g.dial(addr)
	if err != nil {
		c.dialErr = err
		c.gone = g.gone
		return c
	}
	defer conn.Close()
	g.hear(conn, c, greetWait)
	if c.end == endNone && string(c.early) != lab.Busy {
		g.speak(conn, c, msg, enough)
	}
	return c
}

// callHere is a call to the graded address after the first one. It tells
// apart a server that went away from one that dropped this call: a program
// that exits right after a call (the lecture's script) can keep its
// listening socket for a moment while it ends, so the kernel picks up the
// next call and resets it when the program is gone.
func (g *grader) callHere(msg []byte, enough int) *conversation {
	if !g.first.heard() {
		return g.pickUp()
	}
	c := g.call(g.cfg.Addr, msg, g.greetWait(), enough)
	switch {
	case c.heard():
		g.served++
	case c.dialErr != nil:
		c.gone = g.goneAfterFailedDial()
	case (c.end == endEOF || c.end == endReset) && g.first.greetedFirst():
		c.gone = g.goneAfterDrop()
	}
	return c
}

// pickUp is a call after a first one on which the server said nothing at
// all, even when the caller spoke and hung up: whether it is still picked
// up, and stays up, is all such a call can show. A program that died keeps
// its listening socket a moment (the kernel picks up, then resets the
// call), so a call dropped at once is made again, and a refusal then is
// the answer.
func (g *grader) pickUp() *conversation {
	c := &conversation{}
	for i := 0; i < 3; i++ {
		conn, err := g.dial(g.cfg.Addr)
		if err != nil {
			c.dialErr = err
			return c
		}
		conn.SetReadDeadline(time.Now().Add(min(shortWait, g.cfg.Timeout)))
		_, err = conn.Read(make([]byte, 64))
		conn.Close()
		if c.end = endOf(err); c.end == endOpen || err == nil {
			return c
		}
		if !g.sleep(100 * time.Millisecond) {
			return c
		}
	}
	return c
}

// goneAfterFailedDial says whether a call to the graded address that was
// not picked up means the server has gone: it answered before, and calls
// made again are refused. A listening socket closed during the handshake
// resets the call instead of refusing it.
func (g *grader) goneAfterFailedDial() bool {
	return g.gone || (g.served > 0 && g.goneAfterDrop())
}

// goneAfterDrop calls again, a few times with growing pauses, after a call
// was dropped without a word or not picked up: refused means the server is
// gone. A call that is greeted is finished politely, so the server sees an
// ordinary caller.
func (g *grader) goneAfterDrop() bool {
	for pause := 100 * time.Millisecond; pause <= 400*time.Millisecond; pause *= 2 {
		if !g.sleep(pause) {
			return false
		}
		conn, err := g.dial(g.cfg.Addr)
		if g.gone {
			return true
		}
		if err != nil {
			continue
		}
		c := &conversation{}
		g.hear(conn, c, g.wait())
		if c.heard() {
			g.served++
			g.speak(conn, c, shortLine, len(shortLine))
		}
		conn.Close()
		if c.heard() || c.end == endNone {
			return false
		}
	}
	return false
}

// sleep waits d unless the grade is cancelled first.
func (g *grader) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-g.ctx.Done():
		return false
	}
}

// greetWait is how long a call after the first waits for the greeting.
func (g *grader) greetWait() time.Duration {
	if g.first.greetedFirst() {
		return g.wait()
	}
	return min(lateGreetWait, g.cfg.Timeout)
}
