//go:build linux && !386

package callcenter

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// The event loop on Linux: one goroutine owns an epoll set of every call,
// the listener, a timerfd for the calls' deadlines and an eventfd for
// Shutdown, and runs the calls' state machines (eventloop.go) on what the
// set reports.
//
// It never blocks in a system call. Its system calls on non-blocking
// sockets (accept4, read, write, close), and epoll_wait with no timeout,
// are raw: they skip the runtime's bookkeeping for a call that might
// block. To wait, the goroutine parks in the runtime's own poller on the
// epoll set's descriptor, which is readable whenever the set has something
// to report: so no thread sits in a blocking epoll_wait. One that did
// would keep the runtime's monitor thread waking every 20µs to take its
// processor back, and a thread woken to run the rest of the program each
// time, measured at some 1.4 nanosleeps and 0.25 futex calls per call at
// one call at a time. For the same reason the goroutine is not locked to a
// thread: woken by the poller, a locked goroutine is handed to its own
// thread (a futex wake) instead of running where it was woken. And the
// deadlines wake it through the timerfd, set only when the first deadline
// comes sooner than the one it is set for, never through a runtime timer
// (see idleWatch for what those cost).

const (
	// maxEvents is how many sockets one epoll_wait reports at most.
	maxEvents = 256
	// acceptBatch bounds the calls picked up for one readiness of the
	// listener, so that calls already on the line are heard between them;
	// the listener is level-triggered, and reports again what is left.
	acceptBatch = 64
	// callEvents is what the loop hears of a call: readable (words, a
	// hang-up, a reset), edge-triggered, so that a caller who hangs up
	// while the employee thinks is heard once, not at every wait.
	callEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET
	// epollET is EPOLLET, which syscall spells as a negative int on some
	// platforms and as a positive one on others.
	epollET = 1 << 31
)

// epoll is one event loop's system side: its epoll set, its copy of the
// listening socket, the timerfd of its deadlines, and the eventfd with
// which Shutdown wakes it.
type epoll struct {
	fd, lfd, wake, timer int
	set                  *os.File // fd, for the runtime's poller to wait on
	events               []syscall.EpollEvent
	lp                   *loop
	listening            bool // lfd is open
	accept               bool // lfd is in the set with EPOLLIN
	backoff              time.Duration
	retryAt              int64 // after EMFILE, when to accept again (loop ns); 0: no wait
	armed                int64 // when the timer is set to go off (loop ns); 0: not set
}

// serveEventLoop serves l's calls from one event loop: see ModelEventLoop.
func (s *Server) serveEventLoop(l net.Listener) error {
	lfd, err := dupListener(l)
	// The loop's copy of the socket listens on; closing l takes it out of
	// the runtime's own poller, which would otherwise wake for every caller.
	l.Close()
	if err != nil {
		return fmt.Errorf("eventloop: %w", err)
	}
	e, err := newEpoll(lfd)
	if err != nil {
		syscall.Close(lfd)
		return fmt.Errorf("eventloop: %w", err)
	}
	if !s.addLoop(e) {
		e.closeAll()
		return ErrServerClosed
	}
	e.lp = newLoop(s, e)
	e.lp.inherited = socketKeepsAlive(lfd)
	stopped := make(chan error, 1)
	go e.run(s, stopped)
	return <-stopped
}

// dupListener is a non-blocking copy of l's socket.
func dupListener(l net.Listener) (int, error) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("a %T has no socket to wait on", l)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	cerr := rc.Control(func(orig uintptr) {
		var r uintptr
		var errno syscall.Errno
		r, _, errno = syscall.Syscall(syscall.SYS_FCNTL, orig, syscall.F_DUPFD_CLOEXEC, 0)
		if errno != 0 {
			err = fmt.Errorf("dup the listener: %w", errno)
			return
		}
		fd = int(r)
	})
	if err == nil {
		err = cerr
	}
	if err == nil {
		if err = syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(fd)
		}
	}
	return fd, err
}

func newEpoll(lfd int) (e *epoll, err error) {
	e = &epoll{fd: -1, lfd: lfd, wake: -1, timer: -1, listening: true, events: make([]syscall.EpollEvent, maxEvents)}
	defer func() {
		if err != nil {
			for _, fd := range []int{e.fd, e.wake, e.timer} {
				if fd >= 0 {
					syscall.Close(fd)
				}
			}
		}
	}()
	if e.fd, err = syscall.EpollCreate1(syscall.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	r, _, errno := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		return nil, fmt.Errorf("eventfd: %w", errno)
	}
	e.wake = int(r)
	const clockMonotonic, tfdNonblock, tfdCloexec = 1, syscall.O_NONBLOCK, syscall.O_CLOEXEC
	r, _, errno = syscall.RawSyscall(syscall.SYS_TIMERFD_CREATE, clockMonotonic, tfdNonblock|tfdCloexec, 0)
	if errno != 0 {
		return nil, fmt.Errorf("timerfd_create: %w", errno)
	}
	e.timer = int(r)
	for _, fd := range []int{lfd, e.wake, e.timer} {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
		if err := syscall.EpollCtl(e.fd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return nil, fmt.Errorf("epoll_ctl: %w", err)
		}
	}
	// Non-blocking, the set's descriptor is one the runtime's poller
	// takes: os.NewFile registers it there.
	if err := syscall.SetNonblock(e.fd, true); err != nil {
		return nil, fmt.Errorf("epoll set: %w", err)
	}
	e.set = os.NewFile(uintptr(e.fd), "epoll")
	e.accept = true
	return e, nil
}

// stop wakes the loop to look at its Server's closing: Shutdown calls it.
func (e *epoll) stop() {
	one := uint64(1)
	syscall.Write(e.wake, (*[8]byte)(unsafe.Pointer(&one))[:])
}

// run is the loop. It tells stopped once it stops taking calls, and goes on
// until the calls it has are over.
func (e *epoll) run(s *Server, stopped chan<- error) {
	defer s.removeLoop(e)
	defer e.closeAll()
	defer s.Log.Flush()
	rc, err := e.set.SyscallConn()
	var perr syscall.Errno
	if err == nil {
		// Read calls turn, and while turn says not done, parks the
		// goroutine in the poller until the set is readable and calls it
		// again. The loop runs inside that one Read: the poller forgets
		// a readiness that came before a Read began, so a Read per turn
		// would have to look at the set once more before each wait, for
		// nothing, most times.
		err = rc.Read(func(uintptr) bool {
			// A turn that left something to do (a full batch of events,
			// callers still in the listen queue) turns again at once:
			// what is left raises no new readiness to wake the loop.
			for more := true; more && perr == 0; {
				perr, more = e.turn(s, stopped)
			}
			return perr != 0 || (!e.listening && e.lp.active == 0)
		})
	}
	if err == nil && perr != 0 {
		err = os.NewSyscallError("epoll_wait", perr)
	}
	if err != nil {
		s.Log.Errorf("eventloop: %v", err)
		e.stopListening(stopped, fmt.Errorf("eventloop: %w", err))
	}
}

// turn serves what the set reports now, without waiting, and moves on the
// calls whose deadlines have come. It says whether more may wait already.
func (e *epoll) turn(s *Server, stopped chan<- error) (perr syscall.Errno, more bool) {
	lp := e.lp
	n, perr := e.poll()
	if perr != 0 {
		return perr, false
	}
	more = n == len(e.events)
	for _, ev := range e.events[:n] {
		switch int(ev.Fd) {
		case e.wake, e.timer:
			var b [8]byte
			e.read(ev.Fd, b[:]) // raw, as every system call of the loop (see above)
			if int(ev.Fd) == e.timer {
				e.armed = 0
			}
		case e.lfd:
			if e.listening && e.acceptSome(s) {
				more = true
			}
		default:
			lp.ready(ev.Fd, ev.Events&^syscall.EPOLLOUT != 0, ev.Events&(syscall.EPOLLOUT|syscall.EPOLLERR|syscall.EPOLLHUP) != 0)
		}
	}
	now := lp.now()
	lp.expire(now)
	if e.retryAt > 0 && now >= e.retryAt {
		e.retryAt = 0
		e.accepting(!lp.paused)
	}
	if e.listening {
		switch {
		case s.closing.Load():
			e.stopListening(stopped, ErrServerClosed)
		case lp.once:
			e.stopListening(stopped, nil)
		}
	}
	e.arm(now, lp.next(now))
	return 0, more
}

// poll takes what the set reports now, without waiting.
func (e *epoll) poll() (int, syscall.Errno) {
	for {
		r, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(e.fd), uintptr(unsafe.Pointer(&e.events[0])), uintptr(len(e.events)), 0, 0, 0)
		if errno != syscall.EINTR {
			if errno != 0 {
				return 0, errno
			}
			return int(r), 0
		}
	}
}

// arm sets the timer for the first deadline, next from now (or -1: none),
// or the accept retry, if it comes sooner than the timer is set for. A
// timer set for a deadline that has gone (its call ended) goes off once
// for nothing, and is set again then.
func (e *epoll) arm(now int64, next time.Duration) {
	if e.retryAt > 0 && (next < 0 || e.retryAt-now < int64(next)) {
		next = time.Duration(e.retryAt - now)
	}
	if next < 0 {
		return
	}
	at := now + int64(max(next, time.Microsecond))
	if e.armed != 0 && e.armed <= at {
		return
	}
	// struct itimerspec: no interval, then the time from now.
	spec := [2]syscall.Timespec{{}, syscall.NsecToTimespec(at - now)}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_TIMERFD_SETTIME, uintptr(e.timer), 0, uintptr(unsafe.Pointer(&spec)), 0, 0, 0); errno == 0 {
		e.armed = at
	}
}

// stopListening closes the loop's listener, and tells Serve why.
func (e *epoll) stopListening(stopped chan<- error, why error) {
	if e.listening {
		e.listening, e.accept = false, false
		syscall.Close(e.lfd)
		stopped <- why
	}
}

func (e *epoll) closeAll() {
	if e.listening {
		syscall.Close(e.lfd)
	}
	syscall.Close(e.wake)
	syscall.Close(e.timer)
	e.set.Close() // the epoll set itself, and its place in the poller
}

// acceptSome picks up the calls waiting in the listen queue, a batch at
// most, and says whether it stopped with callers still there.
func (e *epoll) acceptSome(s *Server) (more bool) {
	var rsa syscall.RawSockaddrAny
	for range acceptBatch {
		if !e.accept {
			return false
		}
		size := uint32(syscall.SizeofSockaddrAny)
		r, _, errno := syscall.RawSyscall6(syscall.SYS_ACCEPT4, uintptr(e.lfd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&size)), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0, 0)
		fd := int32(r)
		switch errno {
		case 0:
		case syscall.EAGAIN, syscall.EINTR, syscall.ECONNABORTED:
			if errno == syscall.EAGAIN {
				return false
			}
			continue
		case syscall.EMFILE, syscall.ENFILE:
			// Out of file descriptors: wait for calls to end, as the
			// threads model does, but without stopping the loop.
			e.backoff = min(max(2*e.backoff, 5*time.Millisecond), time.Second)
			s.Log.Errorf("accept: %v; retrying in %v", os.NewSyscallError("accept4", errno), e.backoff)
			e.accepting(false)
			e.retryAt = e.lp.now() + int64(e.backoff)
			return false
		default:
			s.Log.Errorf("accept: accept4: %v", errno)
			return false
		}
		e.backoff = 0
		ev := syscall.EpollEvent{Events: uint32(callEvents), Fd: fd}
		if err := syscall.EpollCtl(e.fd, syscall.EPOLL_CTL_ADD, int(fd), &ev); err != nil {
			syscall.Close(int(fd))
			s.Log.Errorf("eventloop: epoll_ctl: %v", err)
			continue
		}
		e.lp.pickUp(fd, sockaddrAddrPort(&rsa))
	}
	return e.accept
}
