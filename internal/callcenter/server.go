// Package callcenter is the lecture's server as an engine: the call center
// of the lecture's bank, whose employees greet each caller, listen once,
// repeat what they heard and hang up. A Server answers calls on the
// listeners it is given, so the server command, a test or a tool can run
// it; Listen makes a listener with the lecture's short queue of callers on
// hold.
package callcenter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// ErrServerClosed is returned by Serve after Shutdown: a deliberate stop, not a failure.
var ErrServerClosed = errors.New("server closed")

// ProbeMsg is what the server's -probe health check says, so its calls are
// told apart from students' calls: they are not logged and do not count as
// the Once call.
const ProbeMsg = "socketlab-probe\n"

// Mode is how much of a call the server serves.
type Mode string

const (
	// ModeLecture is the lecture's script: greet, read once, echo, close.
	ModeLecture Mode = "lecture"
	// ModeEcho greets, then echoes everything until the caller hangs up,
	// for interactive telnet sessions.
	ModeEcho Mode = "echo"
)

// Server answers calls on the listeners it is given. Set its fields before
// the first Serve; the zero value serves the lecture's protocol with one
// goroutine per call, no think time, no idle timeout and no log.
type Server struct {
	Mode        Mode
	Model       Model         // how calls get an employee; "" is ModelThreads
	Workers     int           // calls served at once; 0 = one goroutine per call
	Busy        bool          // with Workers: answer lab.Busy instead of putting callers on hold
	Think       time.Duration // the balance lookup: time between the caller's words and the echo
	IdleTimeout time.Duration // hang up on a caller silent this long; 0 waits forever
	Once        bool          // serve one (non-probe) call, one at a time, then return nil
	Log         *CallLog      // where each call is told; nil logs nothing

	drain    time.Duration // after the echo, how long to read what the caller still sends
	initOnce sync.Once
	sem      chan struct{}
	done     chan struct{}
	closing  atomic.Bool
	// calls counts the calls in progress for Shutdown to wait on, and
	// inProgress the same calls for the stop's messages: from the moment
	// a call is picked up to its close, busy signal and drain included.
	calls      sync.WaitGroup
	inProgress atomic.Int64
	// serving counts the employees on a call: from pick-up until the
	// echo is written and the employee is free again (the web view's
	// employees busy).
	serving atomic.Int64

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	loops     map[waker]struct{} // the event loops, which Shutdown wakes

	// keepAlivePerCall: some listener's calls do not inherit TCP
	// keepalive from it (Listen with keepAlive gives them that), so with
	// no idle timeout each call sets its own.
	keepAlivePerCall atomic.Bool

	procs procs // the processes model's children
	// pickedUp is, in a process serving one call (RunHandedCall), when
	// its parent picked the call up: its log tells the call's time from
	// then, the start of the process included.
	pickedUp time.Time

	idle idleWatch
}

// defaultDrain bounds the drain after the half-close: long enough for a
// caller's extra bytes to arrive, short enough that a caller who keeps
// sending cannot hold an employee.
const defaultDrain = 2 * time.Second

// maxDrain bounds how much the drain reads, so a flood ends in a close.
const maxDrain = 4 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, lab.MaxRead); return &b }}

func (s *Server) init() {
	s.initOnce.Do(func() {
		if s.Workers > 0 {
			s.sem = make(chan struct{}, s.Workers)
		}
		s.done = make(chan struct{})
		s.listeners = make(map[net.Listener]struct{})
		s.loops = make(map[waker]struct{})
		if s.Mode == "" {
			s.Mode = ModeLecture
		}
		if s.drain == 0 {
			s.drain = defaultDrain
		}
	})
}

// Serve accepts calls on l until Shutdown, and returns ErrServerClosed then.
// With Once it returns nil after the first call that is not a probe. Serve
// always closes l before it returns.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	if s.model() == ModelEventLoop {
		return s.serveEventLoop(l)
	}
	serve := s.serveCall
	if s.model() == ModelProcesses {
		if err := s.procs.start(s); err != nil {
			l.Close()
			return err
		}
		serve = s.serveInProcess
	}
	if !s.track(l, true) {
		l.Close()
		return ErrServerClosed
	}
	if s.IdleTimeout == 0 && !listenerKeepsAlive(l) {
		s.keepAlivePerCall.Store(true)
	}
	defer s.track(l, false)
	defer l.Close()
	var backoff time.Duration
	for {
		if s.sem != nil && !s.Busy {
			// An employee must be free before the phone is picked up;
			// until then callers wait in the kernel's listen queue.
			select {
			case s.sem <- struct{}{}:
			case <-s.done:
				return ErrServerClosed
			}
		}
		conn, err := l.Accept()
		if err != nil {
			if s.sem != nil && !s.Busy {
				<-s.sem
			}
			if s.closing.Load() {
				return ErrServerClosed
			}
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				// Out of file descriptors (this process's or the
				// system's): wait for calls to end rather than spin.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.Log.Errorf("accept: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("accept: %w", err)
		}
		backoff = 0
		if !s.startCall() {
			// Shutdown began between Accept and here: this caller is
			// turned away like those still in the listen queue, with a
			// reset. A plain close would be a hang-up before the
			// greeting, which reads as a server that greets wrong.
			resetCall(conn)
			if s.sem != nil && !s.Busy {
				<-s.sem
			}
			return ErrServerClosed
		}
		if s.sem != nil && s.Busy {
			select {
			case s.sem <- struct{}{}:
			default:
				go s.sayBusy(conn)
				continue
			}
		}
		if s.Once {
			probe := serve(conn)
			if !probe {
				return nil
			}
			continue
		}
		go serve(conn)
	}
}

// startCall counts a call in progress unless Shutdown has begun. It takes
// the lock Shutdown takes to set closing, so every call it counts is counted
// before Shutdown waits: a WaitGroup must not grow from zero during Wait.
func (s *Server) startCall() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.calls.Add(1)
	s.inProgress.Add(1)
	return true
}

// endCall is the end of a call startCall counted.
func (s *Server) endCall() {
	s.inProgress.Add(-1)
	s.calls.Done()
}

func (s *Server) track(l net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closing.Load() {
			return false
		}
		s.listeners[l] = struct{}{}
	} else {
		delete(s.listeners, l)
	}
	return true
}

// Shutdown stops accepting calls at once, then waits for calls in progress
// to finish, or for ctx to end; it returns ctx's error if calls were still
// in progress then.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	if !s.closing.Swap(true) {
		close(s.done)
	}
	for l := range s.listeners {
		l.Close()
	}
	for w := range s.loops {
		w.stop()
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() { s.calls.Wait(); close(finished) }()
	select {
	case <-finished:
		return nil
	case <-ctx.Done():
		n := s.InProgress()
		// A call in a process of its own would outlive the server: cut
		// short, it ends with it, as a goroutine's call does.
		s.procs.kill()
		return fmt.Errorf("%d calls still in progress: %w", n, ctx.Err())
	}
}

// InProgress is how many calls are in progress: being served, hearing the
// busy signal, or being hung up on (the drain after the echo).
func (s *Server) InProgress() int64 { return s.inProgress.Load() }

// Serving is how many calls an employee is on now: picked up, and the
// echo not yet written. With Workers it is at most Workers.
func (s *Server) Serving() int64 { return s.serving.Load() }

func (s *Server) sayBusy(conn net.Conn) {
	defer s.endCall()
	start := time.Now()
	conn.SetWriteDeadline(start.Add(time.Second))
	_, err := io.WriteString(conn, lab.Busy)
	s.hangUp(conn, nil)
	s.Log.call(&record{caller: conn.RemoteAddr(), outcome: outcomeBusy, err: err, took: time.Since(start)})
}

// serveCall owns conn from greeting to close, and tells whether it was a probe.
func (s *Server) serveCall(conn net.Conn) (probe bool) {
	defer s.endCall()
	s.serving.Add(1)
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	c := record{caller: conn.RemoteAddr()}
	if s.IdleTimeout == 0 && s.keepAlivePerCall.Load() {
		// Nothing else hangs up on a caller whose machine vanished: let
		// TCP's probes find it, unless the listener gave the call them.
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true})
		}
	}
	start := time.Now()
	if !s.pickedUp.IsZero() {
		start = s.pickedUp // a process's one call began in its parent
	}
	var hangUp bool
	if s.Mode == ModeEcho {
		s.echo(conn, *bp, &c)
	} else {
		hangUp = s.lecture(conn, *bp, &c)
	}
	c.took = time.Since(start)
	// The employee is free once the echo is written: waiting for the caller
	// to hang up is the kernel's business, not a reason to keep others on hold.
	s.serving.Add(-1)
	if s.sem != nil {
		<-s.sem
	}
	if !c.probe {
		s.Log.call(&c)
	}
	if hangUp {
		// The drain costs a wait for the caller's hang-up. It is only
		// needed when bytes may still be unread: the one read filled the
		// buffer, or more is already queued. Otherwise the receive queue
		// is empty and a plain close sends FIN, never RST.
		if c.echoed < len(*bp) && !unreadInput(conn) {
			conn.Close()
		} else {
			s.hangUp(conn, *bp)
		}
	}
	return c.probe
}

// lecture is the lecture's script: send the greeting, read once, echo
// exactly what was read. It closes conn itself when the call failed, and
// otherwise says the caller is owed a hang-up that does not lose the echo.
func (s *Server) lecture(conn net.Conn, buf []byte, c *record) (hangUp bool) {
	if s.IdleTimeout > 0 {
		s.idle.watch(conn, s.IdleTimeout)
		defer s.idle.forget(conn)
	}
	if _, err := io.WriteString(conn, lab.Greeting); err != nil {
		c.outcome, c.err = outcomeError, err
		conn.Close()
		return false
	}
	n, err := conn.Read(buf)
	c.said = buf[:n]
	if n == 0 {
		c.outcome, c.err = outcomeOfSilence(err), err
		conn.Close()
		return false
	}
	if string(c.said) == ProbeMsg {
		c.probe = true
	}
	if s.Think > 0 && !c.probe {
		time.Sleep(s.Think)
	}
	if _, err := conn.Write(c.said); err != nil {
		c.outcome, c.err = outcomeError, err
		conn.Close()
		return false
	}
	c.outcome = outcomeEchoed
	c.echoed = n
	return true
}

// echo greets, then echoes every read until the caller hangs up.
func (s *Server) echo(conn net.Conn, buf []byte, c *record) {
	defer conn.Close()
	if s.IdleTimeout > 0 {
		conn.SetDeadline(time.Now().Add(s.IdleTimeout))
	}
	if _, err := io.WriteString(conn, lab.Greeting); err != nil {
		c.outcome, c.err = outcomeError, err
		return
	}
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if c.echoed == 0 && string(buf[:n]) == ProbeMsg {
				c.probe = true
			}
			if !c.probe {
				s.Log.said(c, buf[:n])
			}
			if s.Think > 0 && !c.probe {
				time.Sleep(s.Think)
			}
			if _, werr := conn.Write(buf[:n]); werr != nil {
				c.outcome, c.err = outcomeError, werr
				return
			}
			c.echoed += n
			if s.IdleTimeout > 0 {
				conn.SetDeadline(time.Now().Add(s.IdleTimeout))
			}
		}
		if err != nil {
			switch {
			case c.echoed > 0 && errors.Is(err, io.EOF):
				c.outcome = outcomeEchoed
			case c.echoed > 0 && isTimeout(err):
				c.outcome, c.err = outcomeIdle, err
			case c.echoed > 0:
				c.outcome, c.err = outcomeError, err
			default:
				c.outcome, c.err = outcomeOfSilence(err), err
			}
			return
		}
	}
}

// hangUp closes a call without turning what was written into a reset. A
// socket closed with unread bytes in its receive queue sends RST, and the
// caller's kernel may then throw away the echo before the caller reads it.
// So: send FIN first, read what the caller still sends until it hangs up
// too (bounded in time and bytes), and only then close.
func (s *Server) hangUp(conn net.Conn, buf []byte) {
	defer conn.Close()
	if lab.CloseWrite(conn) != nil {
		return
	}
	if buf == nil {
		var small [512]byte
		buf = small[:]
	}
	conn.SetReadDeadline(time.Now().Add(s.drain))
	for drained := 0; drained < maxDrain; {
		n, err := conn.Read(buf)
		drained += n
		if err != nil {
			return
		}
	}
}

// resetCall ends a call never greeted with a reset (RST), as the kernel
// ends those of callers still in the listen queue when it closes.
func resetCall(conn net.Conn) {
	if l, ok := conn.(interface{ SetLinger(int) error }); ok {
		l.SetLinger(0)
	}
	conn.Close()
}

func outcomeOfSilence(err error) outcome {
	switch {
	// A caller who hangs up with the greeting unread sends RST, not FIN:
	// still a caller who hung up before speaking.
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		return outcomeHungUp
	case isTimeout(err):
		return outcomeIdle
	default:
		return outcomeError
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
