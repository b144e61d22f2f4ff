package callcenter

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Starting a call's process, and waiting for one when none can be had.
//
// A pids limit (a container's, such as laptop-a's 64) counts threads, and a
// Go process needs a few to start: so at the limit fork fails (EAGAIN), or
// worse, fork succeeds and the new process dies in the runtime's start,
// unable to make its second or third thread, before it ever runs the call.
// The second is told by the child's stderr: until the child runs its call
// (RunHandedCall) its stderr is a pipe to the server, and the runtime's
// dying words go there; then the child puts the server's own stderr, its
// descriptor 4, in that pipe's place, and the server reads the pipe's end
// with nothing in it.

// spawnPatience is how long a call waits for a process when none can be
// had: other calls' processes end meanwhile, each a few milliseconds after
// its echo.
const spawnPatience = 2500 * time.Millisecond

// startProcess starts a process for conn, one that lives to serve it; out
// is the read end of its stdout. Out of processes, the call waits for other
// calls' processes to end, as accept waits out EMFILE, rather than turn the
// caller away at once: for up to spawnPatience, in turn with the other
// calls that wait, first come first served, so that none waits while calls
// that came after it get the processes that end. Shutdown ends the wait.
func (s *Server) startProcess(conn net.Conn) (*os.Process, *os.File, error) {
	p := &s.procs
	w := procWait{p: p, done: s.done}
	defer w.end()
	err := fmt.Errorf("start a process for the call: %w", syscall.EAGAIN)
	if p.waiting.Load() > 0 {
		// Calls wait for a process already: this one waits behind them.
		if !w.turn() {
			return nil, nil, err
		}
	}
	for {
		ended := p.endedNow()
		child, out, crash, serr := p.spawn(conn)
		switch {
		case serr == nil && crash == "":
			return child, out, nil
		case serr == nil:
			err = fmt.Errorf("start a process for the call: it died as it started: %s", crash)
			ended = p.endedNow() // its own end, just now, freed nothing
		case outOfProcesses(serr):
			err = serr
		default:
			return nil, nil, serr
		}
		if !w.waiting {
			s.Log.Errorf("%v (call from %v); retrying, for up to %v", err, conn.RemoteAddr(), spawnPatience)
			if !w.turn() {
				return nil, nil, err
			}
		}
		if !w.pause(ended) {
			return nil, nil, err
		}
	}
}

// procWait is one call's wait for a process.
type procWait struct {
	p        *procs
	done     <-chan struct{} // the Server's: closed when it stops
	waiting  bool            // counted in p.waiting, the patience running
	hasTurn  bool
	patience *time.Timer
	retry    *time.Timer
	backoff  time.Duration
}

// turn starts the call's wait and waits for its turn, and says whether it
// came before the call's patience ran out and the server stopped.
func (w *procWait) turn() bool {
	w.waiting = true
	w.p.waiting.Add(1)
	w.patience = time.NewTimer(spawnPatience)
	select {
	case w.p.turn <- struct{}{}:
		w.hasTurn = true
		return true
	case <-w.patience.C:
	case <-w.done:
	}
	return false
}

// pause waits until a call's process ends (ended is closed) or a while
// has passed, and says whether the call may try again.
func (w *procWait) pause(ended <-chan struct{}) bool {
	// A call's process ending frees one at once; the timer is for the
	// processes of others, such as a shell's in the same container.
	w.backoff = min(max(2*w.backoff, 5*time.Millisecond), 100*time.Millisecond)
	if w.retry == nil {
		w.retry = time.NewTimer(w.backoff)
	} else {
		w.retry.Reset(w.backoff)
	}
	select {
	case <-ended:
	case <-w.retry.C:
	case <-w.patience.C:
		return false
	case <-w.done:
		return false
	}
	return true
}

// end ends the call's wait, if it waited.
func (w *procWait) end() {
	if w.hasTurn {
		<-w.p.turn
	}
	if w.waiting {
		w.p.waiting.Add(-1)
		w.patience.Stop()
	}
	if w.retry != nil {
		w.retry.Stop()
	}
}

// endedNow is what the next reaped process closes.
func (p *procs) endedNow() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ended
}

// reap waits for child to exit, reaps it and tells the calls that wait for
// a process.
func (p *procs) reap(child *os.Process) (exitStatus, error) {
	code, err := waitChild(child)
	p.mu.Lock()
	delete(p.live, child)
	close(p.ended)
	p.ended = make(chan struct{})
	p.mu.Unlock()
	return code, err
}

// spawn starts a process for conn and waits until it runs the call. out is
// the read end of its stdout. A process that died as it started is reaped,
// and crash is the first line of what it said.
func (p *procs) spawn(conn net.Conn) (child *os.Process, out *os.File, crash string, err error) {
	fc, ok := conn.(interface{ File() (*os.File, error) })
	if !ok {
		return nil, nil, "", fmt.Errorf("start a process for the call: a %T has no socket to hand over", conn)
	}
	sock, err := fc.File()
	if err != nil {
		return nil, nil, "", fmt.Errorf("start a process for the call: %w", err)
	}
	defer sock.Close()
	out, w, err := os.Pipe()
	if err != nil {
		return nil, nil, "", fmt.Errorf("start a process for the call: %w", err)
	}
	defer w.Close()
	starting, ew, err := os.Pipe()
	if err != nil {
		out.Close()
		return nil, nil, "", fmt.Errorf("start a process for the call: %w", err)
	}
	defer starting.Close()
	env := append(p.env[:len(p.env):len(p.env)], pickedUpEnv+"="+strconv.FormatInt(time.Now().UnixNano(), 10))
	attr := &os.ProcAttr{Env: env, Files: []*os.File{nil, w, ew, sock, os.Stderr}}
	p.mu.Lock()
	child, err = p.forkExec(p.exe, []string{p.exe}, attr)
	if err == nil {
		p.live[child] = struct{}{}
		p.started.Add(1)
	}
	p.mu.Unlock()
	ew.Close()
	if err != nil {
		out.Close()
		return nil, nil, "", fmt.Errorf("start a process for the call: %w", err)
	}
	if crash = dyingWords(starting); crash != "" {
		out.Close()
		p.reap(child)
		return nil, nil, crash, nil
	}
	return child, out, "", nil
}

// dyingWords reads what a starting process says on its stderr until it
// runs its call (the pipe ends, empty) or dies (the pipe ends after the
// runtime's words), and returns the first line.
func dyingWords(starting *os.File) string {
	var first [256]byte
	n, _ := io.ReadFull(starting, first[:])
	if n > 0 {
		io.Copy(io.Discard, starting) // the rest of a crash's dump
	}
	line, _, _ := strings.Cut(string(first[:n]), "\n")
	return strings.TrimSpace(line)
}

// outOfProcesses says whether err is fork's: no process can be made now.
func outOfProcesses(err error) bool {
	return errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.ENOMEM)
}
