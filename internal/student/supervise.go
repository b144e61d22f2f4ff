package student

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/socketlab/socketlab/internal/netif"
	"github.com/socketlab/socketlab/internal/student/lang"
)

const (
	// maxSource is how much of the student's file the report carries: a
	// lecture-sized script is a few hundred bytes.
	maxSource = 32 << 10
	// tailSize is how much of each output stream the report keeps: enough
	// for a Python traceback several calls deep.
	tailSize = 4 << 10
	// listenPoll is how often the supervisor looks for a listening socket
	// until it finds one: a Python server listens within 50 ms of starting.
	listenPoll = 20 * time.Millisecond
	// stopWait is how long the program gets to end after SIGTERM before
	// it is killed.
	stopWait = 2 * time.Second
	// DefaultLinger bounds how long the supervisor stays once the program
	// has ended, waiting for the laptop giving the verdict to finish.
	DefaultLinger = 10 * time.Minute
	// DefaultAfterWait bounds the wait for Config.After.
	DefaultAfterWait = 30 * time.Second
)

// Config is what Supervise runs and where it reports.
type Config struct {
	// Command is the program and its arguments, run in Dir. Without one,
	// the supervisor finds the program in Dir itself (lang.Detect: File,
	// or the Role's server.c, Server.java, ...), builds it in Work, and
	// runs it with Args.
	Command []string
	Dir     string
	Role    lang.Role
	File    string
	Args    []string
	// Work is where a program is built (default a folder in the system's
	// temporary one: on a laptop, the /tmp tmpfs); BuildOwn, when set, is
	// called on each folder and file made there (the one-host grader gives
	// them to the program's user, who builds it through Prepare).
	Work     string
	BuildOwn func(path string) error
	// Report is the file the report is written to; "" writes none.
	Report string
	// After, when set, is a file to wait for (up to AfterWait) before
	// starting: the other laptop's sign that it is ready for the call.
	After     string
	AfterWait time.Duration
	// Linger is how long to stay after the program ends (default
	// DefaultLinger; negative: not at all). Compose stops every laptop when
	// one exits, so the supervisor must outlive the program until the
	// laptop that gives the verdict has given it.
	Linger time.Duration
	// Stdout and Stderr receive what the program prints, as it prints it.
	Stdout, Stderr io.Writer
	// Say is where the supervisor's own lines go (default Stderr).
	Say io.Writer
	// Prepare, when set, changes the command just before it starts: one
	// host runs it as another user, under limits (internal/onehost). Its
	// error is the grader's, not the program's, and Supervise returns it.
	Prepare func(*exec.Cmd) error
	// Forks, when set, counts the program's refused forks instead of the
	// laptop's cgroup (pids.events), which one host does not give it; and
	// ProcLimit is the limit they were refused at, for the explanation.
	Forks     func() int
	ProcLimit int
	// SayEnded, in the lab, adds to the line saying a server ended what a
	// call meets now: nothing answers (the lecture's script serves one
	// call; a student who keeps the lab up and calls it again met a silent
	// hang-up).
	SayEnded bool
}

// Supervise runs the program, relays its output, keeps the report up to
// date, and returns the program's exit status once it has ended and the
// linger is over, or ctx is done (then the program is stopped first).
func Supervise(ctx context.Context, cfg Config) (int, error) {
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	if cfg.Say == nil {
		cfg.Say = cfg.Stderr
	}
	s := &supervisor{cfg: cfg}
	s.rep = Report{State: StateStarting, Command: cfg.Command, Started: time.Now(), Interfaces: interfaces(), ProcLimit: cfg.ProcLimit}
	if why := labFault(cfg.Dir); why != "" {
		s.rep.State, s.rep.LabFault, s.rep.StartError, s.rep.ExitCode, s.rep.Ended = StateExited, why, why, 127, time.Now()
		if err := s.write(); err != nil {
			return 0, err
		}
		fmt.Fprintf(cfg.Say, "socketlab: %s\n", why)
		s.linger(ctx)
		return 127, nil
	}
	dir := cfg.Dir
	var env []string
	if len(cfg.Command) == 0 {
		ready, code, ok, err := s.build(ctx)
		if !ok {
			return code, err
		}
		cfg.Command, dir, env = append(ready.Run, cfg.Args...), ready.Dir, ready.Env
		s.update(func(r *Report) { r.State, r.Command = StateStarting, cfg.Command })
	} else {
		s.rep.File, s.rep.Source = sourceOf(cfg.Dir, cfg.Command)
		s.rep.Lang = string(lang.Of(s.rep.File))
		if err := s.write(); err != nil {
			return 0, err
		}
	}
	if cfg.Report != "" {
		// laptop-b may ask for a grade made from here: of a server bound
		// to this laptop's loopback, which only this laptop can call.
		tctx, stop := context.WithCancel(ctx)
		var there sync.WaitGroup
		there.Add(1)
		go func() { defer there.Done(); serveThere(tctx, cfg.Report, cfg.Say) }()
		// Nothing of the supervisor writes in the report's folder once it
		// has returned: a caller may remove the folder then.
		defer func() { stop(); there.Wait() }()
	}
	if cfg.After != "" {
		if err := waitFile(ctx, cfg.After, orDefault(cfg.AfterWait, DefaultAfterWait)); err != nil {
			fmt.Fprintf(cfg.Say, "socketlab: %v\n", err)
		}
	}

	// What listens before the program starts is not the program's: Docker's
	// DNS resolver listens on 127.0.0.11 inside every container of a
	// user-defined network. (The program's own sockets are told apart by
	// its open files too; this is for when those cannot be read.)
	baseline := listening(0)
	reserveThreads(reservedThreads)
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "PYTHONUNBUFFERED=1"), env...)
	stdout, stderr := newTail(tailSize), newTail(tailSize)
	cmd.Stdout = io.MultiWriter(cfg.Stdout, stdout)
	cmd.Stderr = io.MultiWriter(cfg.Stderr, stderr)
	ownGroup(cmd)
	// A child that keeps the program's output open must not keep the
	// supervisor waiting once the program has ended.
	cmd.WaitDelay = time.Second
	if cfg.Prepare != nil {
		if err := cfg.Prepare(cmd); err != nil {
			return 0, fmt.Errorf("supervise: %w", err)
		}
	}
	if err := cmd.Start(); err != nil {
		s.update(func(r *Report) {
			r.State, r.StartError, r.ExitCode, r.Ended = StateExited, err.Error(), 127, time.Now()
		})
		fmt.Fprintf(cfg.Say, "socketlab: could not start %s: %v\n", strings.Join(cfg.Command, " "), err)
		s.linger(ctx)
		return 127, nil
	}
	s.update(func(r *Report) { r.State = StateRunning })

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	watchDone := make(chan struct{})
	var watchers sync.WaitGroup
	for _, watch := range []func(){
		func() { s.watchListen(cmd.Process.Pid, baseline, watchDone) },
		func() { s.watchForks(watchDone) },
		func() { s.watchSockets(cmd.Process.Pid, watchDone) },
		func() { s.watchOutput(stdout, watchDone) },
	} {
		watchers.Add(1)
		go func() { defer watchers.Done(); watch() }()
	}

	var werr error
	stopped := false
	select {
	case werr = <-exited:
	case <-ctx.Done():
		stopped = true
		werr = stop(cmd, exited)
	}
	close(watchDone)
	// A watcher's last update must not land after the final one below.
	watchers.Wait()
	// Whatever the program started goes with it: a child left behind
	// would keep its port and its share of the laptop's processes.
	signalGroup(cmd, true)
	code, sig := exitStatus(werr, cmd)
	s.update(func(r *Report) {
		r.State, r.ExitCode, r.Signal, r.Ended = StateExited, code, sig, time.Now()
		r.Stdout, r.Stderr = stdout.String(), stderr.String()
		r.MemLimit = sig == "killed" && !stopped
	})
	if stopped {
		return code, nil
	}
	switch {
	case sig != "":
		fmt.Fprintf(cfg.Say, "socketlab: your program was ended by a signal (%s)\n", sig)
	default:
		fmt.Fprintf(cfg.Say, "socketlab: your program ended with exit status %d\n", code)
	}
	if cfg.SayEnded && cfg.Role != lang.Client {
		s.mu.Lock()
		rep := s.rep
		s.mu.Unlock()
		if note := endedNote(rep); note != "" {
			fmt.Fprintf(cfg.Say, "socketlab: %s\n", note)
		}
	}
	s.linger(ctx)
	return code, nil
}

// endedNote says what a call meets once a server that listened has ended,
// and, when it ended of itself with status 0 (the lecture's script), how
// to keep answering; "" for a program that never listened.
func endedNote(rep Report) string {
	if len(rep.Listening) == 0 {
		return ""
	}
	name := rep.File
	if name == "" {
		name = "program"
	}
	note := fmt.Sprintf("your %s has ended, so nothing answers at %s now: a call there is refused.", name, strings.Join(rep.Listening, ", "))
	if !slices.ContainsFunc(rep.Listening, isLoopback) {
		// Only a lab kept up (docker compose up) is still there to call,
		// and Docker's forward of the port answers for a program gone.
		note += " (If you keep the lab up, `telnet localhost 8000` from your computer connects to Docker's forward of the port, " +
			"then at once says \"Connection closed by foreign host.\", with no hello.)"
	}
	if rep.ExitCode != 0 || rep.Signal != "" {
		return note
	}
	loop := "."
	if lang.Of(rep.File) != "" || rep.File == "" {
		loop = ", " + rep.phrases().Loop + "."
	}
	return note + " The lecture's script serves one call, then ends: to keep answering, put everything from accept() to close() in a loop" + loop
}

// supervisor is one run: the report, kept under a lock because the
// listen watcher updates it too.
type supervisor struct {
	cfg Config
	mu  sync.Mutex
	rep Report
}

func (s *supervisor) write() error {
	if s.cfg.Report == "" {
		return nil
	}
	return WriteReport(s.cfg.Report, s.rep)
}

// update changes the report and writes it; a report that cannot be written
// is said once on the supervisor's own output, not fatal to the program.
func (s *supervisor) update(f func(*Report)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.rep)
	if err := s.write(); err != nil {
		fmt.Fprintf(s.cfg.Say, "socketlab: %v\n", err)
	}
}

// watchListen looks at the laptop's listening sockets until a new one appears or
// the program ends, and puts them in the report. Bounded: it stops when
// done is closed, which Supervise does when the program has ended.
func (s *supervisor) watchListen(pid int, baseline []netip.AddrPort, done <-chan struct{}) {
	t := time.NewTicker(listenPoll)
	defer t.Stop()
	for {
		if l := without(listening(pid), baseline); len(l) > 0 {
			s.update(func(r *Report) {
				if r.State != StateExited {
					r.State, r.Listening = StateListening, addrStrings(l)
				}
			})
			return
		}
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// watchOutput keeps the report's Stdout, the last of what the program
// printed, current while it runs, until done is closed: the checker reads
// what a server that is still running printed (the empty bytes a Python server prints).
func (s *supervisor) watchOutput(out *tail, done <-chan struct{}) {
	t := time.NewTicker(socketPoll)
	defer t.Stop()
	seen := 0
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if n := out.written(); n != seen {
			seen = n
			s.update(func(r *Report) {
				if r.State != StateExited {
					r.Stdout = out.String()
				}
			})
		}
	}
}

// forkPoll is how often the supervisor reads the laptop's count of fork
// failures while the program runs.
const forkPoll = 500 * time.Millisecond

// watchForks puts in the report how often the program hit the laptop's
// process limit (a fork bomb, or a process per call that never ends),
// until done is closed.
func (s *supervisor) watchForks(done <-chan struct{}) {
	t := time.NewTicker(forkPoll)
	defer t.Stop()
	forks := s.cfg.Forks
	if forks == nil {
		forks = func() int { return forkFailures(cgroupRoot) }
	}
	last := forks()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		if n := forks(); n != last {
			last = n
			s.update(func(r *Report) { r.ForkFailures = n })
		}
	}
}

func (s *supervisor) linger(ctx context.Context) {
	d := orDefault(s.cfg.Linger, DefaultLinger)
	if d < 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// stop ends the program: SIGTERM to its process group, then SIGKILL after
// stopWait, and returns how it ended.
func stop(cmd *exec.Cmd, exited <-chan error) error {
	signalGroup(cmd, false)
	select {
	case err := <-exited:
		return err
	case <-time.After(stopWait):
	}
	signalGroup(cmd, true)
	return <-exited
}

// exitStatus is the program's exit code, or -1 and the signal's name.
func exitStatus(err error, cmd *exec.Cmd) (int, string) {
	if cmd.ProcessState == nil {
		if err != nil {
			return -1, err.Error()
		}
		return -1, "unknown"
	}
	if sig := signalName(cmd.ProcessState); sig != "" {
		return -1, sig
	}
	return cmd.ProcessState.ExitCode(), ""
}

// waitFile waits up to within for path to exist.
func waitFile(ctx context.Context, path string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not appear within %v; starting anyway", path, within)
}

// sourceOf finds the program's source file among the command's arguments:
// the first that names a file in dir (server.py in `python3 -u server.py`).
func sourceOf(dir string, command []string) (name, src string) {
	for _, a := range command[1:] {
		if strings.HasPrefix(a, "-") {
			continue
		}
		p := a
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(f, maxSource))
		f.Close()
		return a, string(b)
	}
	return "", ""
}

// interfaces lists the laptop's interfaces as "eth0 172.28.5.10".
func interfaces() []string {
	ifs, err := netif.System()
	if err != nil {
		return nil
	}
	var out []string
	for _, i := range ifs {
		line := i.Name
		for _, a := range i.IPv4() {
			line += " " + a.String()
		}
		out = append(out, line)
	}
	// By name, loopback first, as `ip addr` shows them: the kernel's order
	// of a container's interfaces depends on which network came first.
	slices.SortStableFunc(out, func(a, b string) int {
		la, lb := strings.HasPrefix(a, "lo"), strings.HasPrefix(b, "lo")
		switch {
		case la && !lb:
			return -1
		case lb && !la:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

func addrStrings(l []netip.AddrPort) []string {
	out := make([]string, 0, len(l))
	for _, a := range l {
		out = append(out, a.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// orDefault is d, or def when d is zero.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// tail keeps the last n bytes written to it.
type tail struct {
	mu  sync.Mutex
	n   int
	buf []byte
	// total counts every byte written, kept or not.
	total int
}

func newTail(n int) *tail { return &tail{n: n} }

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total += len(p)
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.n {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.n:]...)
	}
	return len(p), nil
}

// written is how many bytes were written, kept or not.
func (t *tail) written() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// without is l less the addresses in old.
func without(l, old []netip.AddrPort) []netip.AddrPort {
	var out []netip.AddrPort
	for _, a := range l {
		if !slices.Contains(old, a) {
			out = append(out, a)
		}
	}
	return out
}

// labFault says why dir cannot be the student's folder, "" when it can: a
// folder that is missing, or an empty mount of its own, was never given the
// student's files. The lab copies them into the laptop's image, so this is
// the lab's (or the engine's) doing, never the student's: a bind mount of a
// path that only another machine has arrives as an empty folder mounted from
// the engine's own disk. An empty folder that is no mount is the student's
// own, empty, and the build step says what it lacks.
func labFault(dir string) string {
	if dir == "" {
		return ""
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err != nil:
		return fmt.Sprintf("the lab gave this laptop no folder %s (%v): your files never reached it", dir, errors.Unwrap(err))
	case len(entries) == 0 && isMount(dir):
		return fmt.Sprintf("the lab gave this laptop an empty folder %s, mounted from elsewhere: your files never reached it (is the engine on another machine, and the folder a bind mount of a path only yours has?)", dir)
	}
	return ""
}

// isLoopback says whether addr (host:port) is on a loopback address, which
// nothing outside its laptop can call.
func isLoopback(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
