//go:build linux && !386

package callcenter

import (
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// The event loop's calls. One goroutine owns every call of the loop: a
// table of small state machines, one per socket, moved on by what the
// kernel says of that socket (readable, writable) and by deadlines. This
// file (the table and the deadlines) and eventloop_call.go (the machine)
// make no system call of their own: they ask ops for each, so the fuzz
// test drives them without sockets.

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
	// inherited: the listener gives every call TCP keepalive (Listen
	// with keepAlive), so with no idle timeout a call need not set it.
	inherited bool
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
