//go:build linux

package callcenter

import (
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// The event loop's calls. One goroutine owns every call of the loop: a
// table of small state machines, one per socket, moved on by what the
// kernel says of that socket (readable, writable) and by deadlines. This
// file is the machines and their deadlines, with no system call of its own:
// it asks ops for each, so the fuzz test drives it without sockets.

// phase is where a call of the event loop stands.
type phase uint8

const (
	phaseFree     phase = iota // no call on this descriptor
	phaseGreeting              // picked up; the greeting is not all written yet
	phaseGreeted               // greeted; waiting for the caller's words
	phaseThinking              // heard; the echo is due when the think time ends
	phaseEchoing               // the echo is not all written: the caller is not reading
	phaseDraining              // half-closed after the echo (or the busy signal): reading what the caller still sends
)

// The deadline lists. Each holds calls whose deadline is a fixed time after
// they joined, so joining at the tail keeps a list in deadline order, and
// the loop looks only at each list's head: no timer per call, and no
// runtime timer at all (see idleWatch for what those cost).
const (
	listNone  = iota // on no list
	listIdle         // greeted (or echoing), and hung up on at IdleTimeout
	listThink        // thinking, echoed at Think
	listDrain        // draining, closed at drain
	numLists
)

// sysOps is what a call asks of the kernel. The errors are errno values, 0
// for none, as the system calls return them.
type sysOps interface {
	write(fd int32, p []byte) (int, syscall.Errno)
	read(fd int32, p []byte) (int, syscall.Errno)
	// unread says whether bytes wait unread in fd's receive queue (see unreadInput).
	unread(fd int32) bool
	shutdownWrite(fd int32) syscall.Errno
	close(fd int32)
	// watchWrite asks (or stops asking) to hear when fd can be written.
	watchWrite(fd int32, on bool)
	// keepAlive turns TCP keepalive on, as the threads model does without an idle timeout.
	keepAlive(fd int32)
	// accepting pauses or resumes taking calls from the listen queue.
	accepting(on bool)
}

// call is one call of the loop. It holds no pointer, so the table of calls
// costs the garbage collector nothing to scan however many callers hold.
type call struct {
	phase      phase
	list       uint8 // the deadline list it is on, or listNone
	probe      bool  // the -probe health check: not logged, not the Once call
	busy       bool  // hears the busy signal and is hung up on
	watching   bool  // watchWrite(fd, true) is in force
	v4         bool
	greeted    uint8 // bytes of the greeting written
	port       uint16
	ip         [16]byte
	prev, next int32 // neighbours on its deadline list; -1 for none
	start      int64 // when it was picked up, in ns since the loop began
	deadline   int64 // when its list's time runs out, in the same ns
	echoed     int64
	drained    int64
}

// pending is an echo that could not be written at once: the think time, or
// a caller not reading. said is the whole read, for the log; off what of it
// is written.
type pending struct {
	said []byte
	off  int
}

type dlist struct{ head, tail int32 }

// loop is the state of every call of one event loop.
type loop struct {
	s     *Server
	ops   sysOps
	epoch time.Time
	clock func() int64 // the time in ns since the loop began; nil: the real one
	calls []call       // by descriptor
	lists [numLists]dlist
	// buf takes every call's one read (MaxRead of it) and the drains.
	buf     []byte
	pending map[int32]*pending
	spare   [][]byte // buffers of pendings done with, for the next ones
	limit   int      // calls served at once (Workers, 1 with Once); 0: no limit
	active  int      // calls open
	serving int      // calls picked up and not yet echoed, busy signals not counted
	paused  bool     // accepting(false) was asked because every employee is busy
	flushAt int64    // when to write the log's lines (loop ns); 0: none waiting
	once    bool     // the Once call is over: take no more
}

func newLoop(s *Server, ops sysOps) *loop {
	l := &loop{s: s, ops: ops, epoch: time.Now(), buf: make([]byte, 64<<10), pending: map[int32]*pending{}, limit: s.Workers}
	if s.Once {
		l.limit = 1
	}
	for i := range l.lists {
		l.lists[i] = dlist{-1, -1}
	}
	return l
}

// now is the loop's clock, monotonic, in ns since the loop began.
func (l *loop) now() int64 {
	if l.clock != nil {
		return l.clock()
	}
	return int64(time.Since(l.epoch))
}

func (l *loop) at(fd int32) *call {
	if int(fd) >= len(l.calls) {
		l.calls = append(l.calls, make([]call, int(fd)+1-len(l.calls)+len(l.calls)/2)...)
	}
	return &l.calls[fd]
}

func (l *loop) push(fd int32, list uint8, deadline int64) {
	c := &l.calls[fd]
	l.unlink(fd)
	c.list, c.deadline, c.next = list, deadline, -1
	d := &l.lists[list]
	c.prev = d.tail
	if d.tail >= 0 {
		l.calls[d.tail].next = fd
	} else {
		d.head = fd
	}
	d.tail = fd
}

func (l *loop) unlink(fd int32) {
	c := &l.calls[fd]
	if c.list == listNone {
		return
	}
	d := &l.lists[c.list]
	if c.prev >= 0 {
		l.calls[c.prev].next = c.next
	} else {
		d.head = c.next
	}
	if c.next >= 0 {
		l.calls[c.next].prev = c.prev
	} else {
		d.tail = c.prev
	}
	c.list, c.prev, c.next = listNone, -1, -1
}

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
		l.ops.write(fd, []byte(lab.Busy))
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
		l.ops.keepAlive(fd)
	} else {
		l.push(fd, listIdle, c.start+int64(l.s.IdleTimeout))
	}
	l.greet(fd, c)
}

func (l *loop) greet(fd int32, c *call) {
	n, err := l.ops.write(fd, []byte(lab.Greeting[c.greeted:]))
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

// expire moves on every call whose deadline is now or past, and writes the
// log when its time has come.
func (l *loop) expire(now int64) {
	defer func() {
		if l.flushAt > 0 && now >= l.flushAt {
			l.flushAt = 0
			l.s.Log.Flush()
		}
	}()
	for list := listIdle; list < numLists; list++ {
		for fd := l.lists[list].head; fd >= 0; fd = l.lists[list].head {
			c := &l.calls[fd]
			if c.deadline > now {
				break
			}
			switch list {
			case listIdle:
				l.idle(fd, c)
			case listThink:
				l.thought(fd, c)
			case listDrain:
				l.end(fd, c)
			}
		}
	}
}

// next is how long from now until the first deadline (the log's write
// included), or -1 for none.
func (l *loop) next(now int64) time.Duration {
	next := time.Duration(-1)
	if l.flushAt > 0 {
		next = time.Duration(max(l.flushAt-now, 0))
	}
	for list := listIdle; list < numLists; list++ {
		if fd := l.lists[list].head; fd >= 0 {
			if d := time.Duration(max(l.calls[fd].deadline-now, 0)); next < 0 || d < next {
				next = d
			}
		}
	}
	return next
}

func (l *loop) caller(c *call) netip.AddrPort {
	a := netip.AddrFrom16(c.ip)
	if c.v4 {
		a = a.Unmap()
	}
	return netip.AddrPortFrom(a, c.port)
}

func (l *loop) took(c *call) time.Duration { return time.Duration(l.now() - c.start) }

// opError is a failed system call of c's as net's errors word it.
func (l *loop) opError(op string, errno syscall.Errno, c *call) error {
	return &net.OpError{Op: op, Net: "tcp", Addr: net.TCPAddrFromAddrPort(l.caller(c)), Err: os.NewSyscallError(op, errno)}
}
