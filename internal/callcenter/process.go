package callcenter

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The processes model: the lecture's "a new process for each incoming
// request". The server accepts a call and starts its own executable again,
// handing it the call's socket as its descriptor 3; that process serves the
// one call as the threads model's goroutine would, writes its log line to a
// pipe the server reads, and exits. The server waits for it (reaps it), and
// with Workers runs at most that many at once.

// childEnv marks a process started to serve one call, and carries the
// settings it serves it with.
const childEnv = "SOCKETLAB_CALL_PROCESS"

// pickedUpEnv tells a child when its call was picked up, in Unix ns: the
// wall clock, the one two processes share.
const pickedUpEnv = "SOCKETLAB_CALL_PICKED_UP"

// exitProbe is a child's exit status after a call that was the -probe's:
// the parent's Once must not count it.
const exitProbe = 3

// procs is a Server's children, in the processes model.
type procs struct {
	once    sync.Once
	exe     string   // what to start: the server's own executable
	env     []string // its environment, childEnv included
	err     error
	mu      sync.Mutex
	live    map[*os.Process]struct{}
	started atomic.Int64
	// ended is closed, and made anew, each time a child is reaped: a
	// process can be made again.
	ended chan struct{}
	// turn is held by the call that waits for a process, the others
	// queued behind it in the order they came, and waiting counts them.
	turn    chan struct{}
	waiting atomic.Int32
	// forkExec is os.StartProcess, or a test's stand-in.
	forkExec func(name string, argv []string, attr *os.ProcAttr) (*os.Process, error)
}

// start finds the executable to run for each call, once per Server.
func (p *procs) start(s *Server) error {
	p.once.Do(func() {
		p.exe, p.err = os.Executable()
		if p.err != nil {
			p.err = fmt.Errorf("-model processes: find the server's own executable to start for each call: %w", p.err)
			return
		}
		settings := fmt.Sprintf("mode=%s think=%s idle=%s drain=%s log=%t", s.Mode, s.Think, s.IdleTimeout, s.drain, s.Log != nil)
		p.env = append(os.Environ(), childEnv+"="+settings)
		if _, ok := os.LookupEnv("GOMAXPROCS"); !ok {
			// A process with one call to serve needs one processor, and so
			// starts fewer threads (a container's pids limit counts them).
			p.env = append(p.env, "GOMAXPROCS=1")
		}
		p.live = map[*os.Process]struct{}{}
		p.ended = make(chan struct{})
		p.turn = make(chan struct{}, 1)
		if p.forkExec == nil {
			p.forkExec = os.StartProcess
		}
	})
	return p.err
}

// Started is how many processes the processes model has started for calls.
func (s *Server) Started() int64 { return s.procs.started.Load() }

// kill ends the children still serving calls: Shutdown gave up on them.
func (p *procs) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.live {
		c.Kill()
	}
}

// serveInProcess hands conn to a new process and waits for it to end, and
// tells whether the call was a probe.
func (s *Server) serveInProcess(conn net.Conn) (probe bool) {
	defer s.endCall()
	s.serving.Add(1)
	defer func() {
		s.serving.Add(-1)
		if s.sem != nil {
			<-s.sem
		}
	}()
	child, out, err := s.startProcess(conn)
	if err != nil {
		// Never greeted: a reset tells the caller at once, as a caller the
		// server never picked up hears when the listener closes, rather
		// than a hang-up that reads as a greeting gone missing.
		resetCall(conn)
		s.Log.call(&record{caller: conn.RemoteAddr(), outcome: outcomeError, err: err})
		return false
	}
	conn.Close() // the child has its own copy of the socket
	// The child's stdout ends when it exits: relaying it is waiting for
	// the child in the runtime's poller, not in a thread of its own, as
	// os.Process.Wait would for the whole call. The wait that reaps it
	// then lasts only until the kernel has made it a zombie.
	s.relay(out)
	code, err := s.procs.reap(child)
	switch {
	case err != nil:
		s.Log.Errorf("wait for the process of the call from %v: %v", conn.RemoteAddr(), err)
	case code == exitStatus{code: exitProbe}:
		return true
	case code != exitStatus{}:
		s.Log.call(&record{caller: conn.RemoteAddr(), outcome: outcomeError, err: fmt.Errorf("its process %d ended with %s", child.Pid, code)})
	}
	return false
}

// relay logs what a child writes, line by line, as its own lines, until
// the child's stdout ends.
func (s *Server) relay(out *os.File) {
	defer out.Close()
	br := bufio.NewReaderSize(out, 1024)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 && s.Log != nil {
			s.Log.log(line)
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// exitStatus is how a child ended, as its exit code or the signal that ended it.
type exitStatus struct {
	code   int
	signal syscall.Signal
}

// waitChild waits for p to exit and reaps it.
func waitChild(p *os.Process) (exitStatus, error) {
	st, err := p.Wait()
	if err != nil {
		return exitStatus{}, err
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitStatus{signal: ws.Signal()}, nil
	}
	return exitStatus{code: st.ExitCode()}, nil
}

func (e exitStatus) String() string {
	if e.signal != 0 {
		return "signal " + e.signal.String()
	}
	return "exit status " + strconv.Itoa(e.code)
}

// RunHandedCall serves the call that a processes-model server handed this
// process, when it is such a child; isChild is false otherwise, and then it
// does nothing. The server command, and every test binary whose tests use
// the processes model, call it first and exit with code when isChild.
func RunHandedCall() (code int, isChild bool) {
	settings, ok := os.LookupEnv(childEnv)
	if !ok {
		return 0, false
	}
	os.Unsetenv(childEnv)
	if err := useServerStderr(); err != nil {
		fmt.Fprintf(os.Stderr, "server: call process: take the server's stderr (descriptor 4): %v\n", err)
		return 1, true
	}
	s := &Server{}
	if ns, err := strconv.ParseInt(os.Getenv(pickedUpEnv), 10, 64); err == nil {
		s.pickedUp = time.Unix(0, ns)
	}
	os.Unsetenv(pickedUpEnv)
	s.init()
	if err := s.readSettings(settings); err != nil {
		fmt.Fprintf(os.Stderr, "server: call process: %v\n", err)
		return 1, true
	}
	// The parent decides when calls stop: Ctrl-C in a terminal reaches
	// every process of the group, and the parent's stop lets calls finish.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	f := os.NewFile(3, "call")
	conn, err := net.FileConn(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "server: call process: descriptor 3 is not the call: %v\n", err)
		return 1, true
	}
	// FileConn turns TCP keepalive on, as the other models have it with
	// no idle timeout; with one, they have none, and no probe shows on
	// the wire of a silent call.
	if tc, ok := conn.(*net.TCPConn); ok && s.IdleTimeout > 0 {
		tc.SetKeepAlive(false)
	}
	s.startCall()
	probe := s.serveCall(conn)
	s.Log.Flush()
	if probe {
		return exitProbe, true
	}
	return 0, true
}

// readSettings reads what the parent put in childEnv.
func (s *Server) readSettings(settings string) error {
	for _, kv := range strings.Fields(settings) {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "mode":
			s.Mode = Mode(v)
		case "think":
			s.Think, err = time.ParseDuration(v)
		case "idle":
			s.IdleTimeout, err = time.ParseDuration(v)
		case "drain":
			s.drain, err = time.ParseDuration(v)
		case "log":
			if v == "true" {
				s.Log = NewCallLog(os.Stdout, os.Stderr)
			}
		}
		if err != nil {
			return fmt.Errorf("%s %q: %w", childEnv, settings, err)
		}
	}
	return nil
}
