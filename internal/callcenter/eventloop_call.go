//go:build linux && !386

package callcenter

// A call's state machine: what each phase does with what the kernel says,
// and with its deadlines. Every system call goes through l.ops.

import (
	"io"
	"net/netip"
	"os"
	"syscall"

	"github.com/socketlab/socketlab/internal/lab"
)

// The greeting and the busy signal as the loop writes them: a conversion
// at each write would allocate, the slice passing through an interface.
var (
	greetingBytes = []byte(lab.Greeting)
	busyBytes     = []byte(lab.Busy)
)

// pickUp starts a call the listener gave: fd, non-blocking, from ip:port.
func (l *loop) pickUp(fd int32, from netip.AddrPort) {
	c := l.at(fd)
	a := from.Addr()
	*c = call{phase: phaseGreeting, prev: -1, next: -1, start: l.now(), port: from.Port(), v4: a.Is4() || a.Is4In6(), ip: a.As16()}
	l.active++
	l.s.inProgress.Add(1)
	if l.s.Busy && l.limit > 0 && l.serving >= l.limit {
		c.busy = true
		// Into an empty send queue it fits; if not, the drain's close ends it.
		l.ops.write(fd, busyBytes)
		l.drain(fd, c)
		return
	}
	l.serving++
	l.s.serving.Add(1)
	if l.limit > 0 && !l.s.Busy && l.serving >= l.limit {
		l.paused = true
		l.ops.accepting(false)
	}
	if l.s.IdleTimeout == 0 {
		if !l.inherited {
			l.ops.keepAlive(fd)
		}
	} else {
		l.push(fd, listIdle, c.start+int64(l.s.IdleTimeout))
	}
	l.greet(fd, c)
}

func (l *loop) greet(fd int32, c *call) {
	n, err := l.ops.write(fd, greetingBytes[c.greeted:])
	switch {
	case err == syscall.EAGAIN:
		l.watch(fd, c, true)
		return
	case err != 0:
		l.fail(fd, c, nil, l.opError("write", err, c))
		return
	}
	c.greeted += uint8(n)
	if int(c.greeted) < len(lab.Greeting) {
		l.watch(fd, c, true)
		return
	}
	l.watch(fd, c, false)
	c.phase = phaseGreeted
}

func (l *loop) watch(fd int32, c *call, on bool) {
	if c.watching != on {
		c.watching = on
		l.ops.watchWrite(fd, on)
	}
}

// ready is what the kernel said of fd: readable (or hung up, or in error),
// writable, or both.
func (l *loop) ready(fd int32, readable, writable bool) {
	if fd < 0 || int(fd) >= len(l.calls) {
		return
	}
	c := &l.calls[fd]
	switch c.phase {
	case phaseGreeting:
		l.greet(fd, c)
	case phaseGreeted:
		if readable {
			l.hear(fd, c)
		}
	case phaseEchoing:
		l.flush(fd, c)
	case phaseDraining:
		if readable {
			l.drainSome(fd, c)
		}
	}
	// phaseThinking: the employee looks the balance up; what the caller
	// does meanwhile is for the echo's write, or the drain, to find.
}

// hear is the one read of a greeted call; in echo mode, its reads until
// the caller pauses.
func (l *loop) hear(fd int32, c *call) {
	for range 16 { // a bound, so that one caller in echo mode cannot hold the loop
		n, err := l.ops.read(fd, l.buf[:lab.MaxRead])
		switch {
		case err == syscall.EAGAIN:
			return
		case n <= 0 || err != 0:
			l.silence(fd, c, err)
			return
		}
		said := l.buf[:n]
		if c.echoed == 0 && string(said) == ProbeMsg {
			c.probe = true
		}
		if l.s.Mode == ModeEcho && !c.probe {
			l.s.Log.saidHeld(&record{from: l.caller(c)}, said)
			l.logged()
		}
		if l.s.Think > 0 && !c.probe {
			l.hold(fd, said, 0)
			l.unlink(fd)
			c.phase = phaseThinking
			l.push(fd, listThink, l.now()+int64(l.s.Think))
			return
		}
		if !l.echo(fd, c, said) {
			return
		}
	}
}

// echo writes said back at once; what the caller does not take yet waits
// in a pending. It says whether the call reads on: an echo mode call whose
// echo is all written.
func (l *loop) echo(fd int32, c *call, said []byte) bool {
	n, err := l.ops.write(fd, said)
	switch {
	case err == syscall.EAGAIN:
		n = 0
	case err != 0:
		l.fail(fd, c, said, l.opError("write", err, c))
		return false
	}
	c.echoed += int64(n)
	if n < len(said) {
		l.hold(fd, said, n)
		l.wait(fd, c)
		return false
	}
	return l.echoed(fd, c, said)
}

// flush writes on an echo that waited: for the think time, or for the
// caller to read.
func (l *loop) flush(fd int32, c *call) {
	p := l.pending[fd]
	n, err := l.ops.write(fd, p.said[p.off:])
	switch {
	case err == syscall.EAGAIN:
		n = 0
	case err != 0:
		l.fail(fd, c, p.said, l.opError("write", err, c))
		return
	}
	p.off += n
	c.echoed += int64(n)
	if p.off < len(p.said) {
		l.wait(fd, c)
		return
	}
	l.watch(fd, c, false)
	more := l.echoed(fd, c, p.said)
	l.release(fd)
	if more {
		l.hear(fd, c) // what came while the echo waited raised no event of its own
	}
}

// wait is an echo the caller does not take: the loop waits for room, as
// long as IdleTimeout allows.
func (l *loop) wait(fd int32, c *call) {
	c.phase = phaseEchoing
	l.watch(fd, c, true)
	if l.s.IdleTimeout > 0 {
		l.push(fd, listIdle, l.now()+int64(l.s.IdleTimeout))
	}
}

// echoed is a call whose echo is written: the lecture's call ends, an echo
// mode call reads on.
func (l *loop) echoed(fd int32, c *call, said []byte) bool {
	if l.s.Mode == ModeEcho {
		c.phase = phaseGreeted
		if l.s.IdleTimeout > 0 {
			l.push(fd, listIdle, l.now()+int64(l.s.IdleTimeout))
		} else {
			l.unlink(fd)
		}
		return true
	}
	l.unlink(fd)
	l.free(c)
	if !c.probe {
		l.log(&record{from: l.caller(c), said: said, echoed: int(c.echoed), outcome: outcomeEchoed, took: l.took(c)})
	}
	// As the threads model does: the drain only when bytes may be unread.
	if int(c.echoed) < lab.MaxRead && !l.ops.unread(fd) {
		l.end(fd, c)
	} else {
		l.drain(fd, c)
	}
	return false
}

// thought is the end of a call's think time: its echo is written now.
func (l *loop) thought(fd int32, c *call) {
	l.unlink(fd)
	c.phase = phaseEchoing
	l.flush(fd, c)
}

// hold keeps said, from off on, for a later write, in a buffer of the
// call's own: l.buf takes the next call's read.
func (l *loop) hold(fd int32, said []byte, off int) {
	p := l.pending[fd]
	if p == nil {
		p = &pending{}
		if k := len(l.spare); k > 0 {
			p.said, l.spare = l.spare[k-1], l.spare[:k-1]
		}
		l.pending[fd] = p
	}
	p.said, p.off = append(p.said[:0], said...), off
}

func (l *loop) release(fd int32) {
	if p := l.pending[fd]; p != nil {
		delete(l.pending, fd)
		if cap(p.said) <= lab.MaxRead && len(l.spare) < 1024 {
			l.spare = append(l.spare, p.said)
		}
	}
}

// silence is a greeted call whose read found the caller gone (EOF, a
// reset) or in error.
func (l *loop) silence(fd int32, c *call, errno syscall.Errno) {
	err := io.EOF
	if errno != 0 {
		err = l.opError("read", errno, c)
	}
	r := record{from: l.caller(c), echoed: int(c.echoed)}
	switch {
	case c.echoed > 0 && errno == 0:
		r.outcome = outcomeEchoed
	case c.echoed > 0:
		r.outcome, r.err = outcomeError, err
	default:
		r.outcome, r.err = outcomeOfSilence(err), err
	}
	l.hangUpOn(fd, c, &r)
}

// fail ends a call whose write failed: the network failed mid-call.
func (l *loop) fail(fd int32, c *call, said []byte, err error) {
	if l.s.Mode == ModeEcho {
		said = nil // echo mode logs what was said as it comes
	}
	l.hangUpOn(fd, c, &record{from: l.caller(c), said: said, echoed: int(c.echoed), outcome: outcomeError, err: err})
}

// idle is a call whose IdleTimeout ran out: silent, or not reading its echo.
func (l *loop) idle(fd int32, c *call) {
	if c.phase == phaseEchoing {
		l.fail(fd, c, l.pending[fd].said, l.opError("write", syscall.ETIMEDOUT, c))
		return
	}
	l.hangUpOn(fd, c, &record{from: l.caller(c), echoed: int(c.echoed), outcome: outcomeIdle, err: os.ErrDeadlineExceeded})
}

// hangUpOn ends a call that did not end in the lecture's echo, and logs r.
func (l *loop) hangUpOn(fd int32, c *call, r *record) {
	l.unlink(fd)
	l.free(c)
	if !c.probe {
		r.took = l.took(c)
		l.log(r)
	}
	l.end(fd, c)
}

// log queues r's line, to be written when the loop flushes the log.
func (l *loop) log(r *record) {
	l.s.Log.callHeld(r)
	l.logged()
}

// logged is a line queued: the log is flushed flushDelay after the first
// line since the last flush, by the loop itself, as the CallLog's own
// goroutine would.
func (l *loop) logged() {
	if l.flushAt == 0 && l.s.Log != nil {
		l.flushAt = max(l.now()+int64(l.s.Log.delay), 1)
	}
}

// free is the employee done with a call: the echo is written, or the call
// is over. Then an employee may pick up the next.
func (l *loop) free(c *call) {
	if c.busy {
		return
	}
	l.serving--
	l.s.serving.Add(-1)
	if l.paused && l.serving < l.limit && !l.s.Once {
		l.paused = false
		l.ops.accepting(true)
	}
}

// drain half-closes a call and reads what its caller still sends, until the
// caller hangs up, maxDrain bytes or the drain time (see Server.hangUp).
func (l *loop) drain(fd int32, c *call) {
	c.phase = phaseDraining
	if l.ops.shutdownWrite(fd) != 0 {
		l.end(fd, c)
		return
	}
	l.push(fd, listDrain, l.now()+int64(l.s.drain))
	l.drainSome(fd, c)
}

func (l *loop) drainSome(fd int32, c *call) {
	for c.drained < maxDrain {
		n, err := l.ops.read(fd, l.buf)
		if err == syscall.EAGAIN {
			return
		}
		if n <= 0 || err != 0 {
			break
		}
		c.drained += int64(n)
	}
	l.end(fd, c)
}

// end closes a call, whatever its phase.
func (l *loop) end(fd int32, c *call) {
	l.unlink(fd)
	l.release(fd)
	l.ops.close(fd)
	if c.busy {
		l.log(&record{from: l.caller(c), outcome: outcomeBusy, took: l.took(c)})
	}
	probe := c.probe
	*c = call{prev: -1, next: -1}
	l.active--
	l.s.inProgress.Add(-1)
	if l.s.Once {
		// One call at a time, hang-up included, as the threads model's
		// Once serves it; a probe does not count.
		if probe {
			l.paused = false
			l.ops.accepting(true)
		} else {
			l.once = true
		}
	}
}
