package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/socketlab/socketlab/internal/bench"
	"github.com/socketlab/socketlab/internal/callcenter"
	"github.com/socketlab/socketlab/internal/lab"
)

// Config is one measurement of the call center's models. Zero fields take
// the defaults main documents.
type Config struct {
	Server      string        // the server binary
	Dir         string        // where the servers' logs go
	Port        int           // the first of the ports the servers listen on, on 127.0.0.1
	Concurrency int           // the crowd's callers at once
	Calls       int           // the crowd's calls
	Duration    time.Duration // the crowd's time at most (the processes model is slow)
	Hold        int           // callers on hold, for the memory each costs
	HoldProcs   int           // the same for the processes model, whose callers cost a process each
	Slow        time.Duration // how long the slow caller says nothing (the servers' -idle-timeout)
	Progress    func(string)  // told what is being measured; nil: nothing
}

// A Model is one row of the table: a server set up one way.
type Model struct {
	Name  string
	Flags []string
	// OneAtATime is a server that greets one caller at a time: callers
	// on hold wait in the kernel's listen queue, not in the server, so
	// there is no memory per caller to measure.
	OneAtATime bool
}

// Models are the rows: the three models, and the lecture's one employee.
var Models = []Model{
	{Name: "threads", Flags: []string{"-model", "threads"}},
	{Name: "processes", Flags: []string{"-model", "processes"}},
	{Name: "eventloop", Flags: []string{"-model", "eventloop"}},
	{Name: "one employee", Flags: []string{"-model", "threads", "-workers", "1"}, OneAtATime: true},
}

// Row is what one model cost and how its callers fared.
type Row struct {
	Model
	Crowd        bench.Report  // the crowd alone
	CPUPerCall   time.Duration // the server's CPU (its children's included) per call of the crowd
	Held         int           // callers on hold for the memory figure
	HeldGreeted  int           // of them, greeted
	MemPerCaller int64         // bytes of memory (PSS, children included) per caller on hold
	LastGreeting time.Duration // how long until the last caller on hold was greeted
	SlowCrowd    bench.Report  // the same crowd, smaller, while one caller says nothing
}

// Run measures each model in turn, each on a server of its own.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	rows := make([]Row, 0, len(Models))
	for i, m := range Models {
		r, err := measure(ctx, cfg, m, cfg.Port+i)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", m.Name, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (c Config) tell(format string, a ...any) {
	if c.Progress != nil {
		c.Progress(fmt.Sprintf(format, a...))
	}
}

// measure is one row: the crowd on a fresh server, the hold on another (so
// that the crowd's garbage is not counted as the callers' memory), and the
// crowd again beside a silent caller.
func measure(ctx context.Context, cfg Config, m Model, port int) (Row, error) {
	row := Row{Model: m}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))

	cfg.tell("%s: a crowd of %d callers at once, %d calls", m.Name, cfg.Concurrency, cfg.Calls)
	srv, err := startServer(ctx, cfg, m, port, "crowd")
	if err != nil {
		return row, err
	}
	before, err := cpuTicks(srv.Process.Pid)
	if err == nil {
		row.Crowd, err = bench.Run(ctx, bench.Config{Addr: addr, Concurrency: cfg.Concurrency, Calls: cfg.Calls, Duration: cfg.Duration})
	}
	if err == nil {
		var after time.Duration
		if after, err = cpuTicks(srv.Process.Pid); err == nil && row.Crowd.Calls > 0 {
			row.CPUPerCall = (after - before) / time.Duration(row.Crowd.Calls)
		}
	}
	if serr := stopServer(srv); err == nil {
		err = serr
	}
	if err != nil {
		return row, err
	}

	if !m.OneAtATime {
		row.Held = cfg.Hold
		if m.Name == "processes" {
			row.Held = cfg.HoldProcs
		}
		cfg.tell("%s: %d callers on hold", m.Name, row.Held)
		if srv, err = startServer(ctx, cfg, m, port, "hold"); err != nil {
			return row, err
		}
		row.HeldGreeted, row.MemPerCaller, row.LastGreeting, err = hold(ctx, srv.Process.Pid, addr, row.Held)
		if serr := stopServer(srv); err == nil {
			err = serr
		}
		if err != nil {
			return row, err
		}
	}

	calls := max(cfg.Calls/10, cfg.Concurrency)
	cfg.tell("%s: %d calls beside one caller who says nothing for %v", m.Name, calls, cfg.Slow)
	if srv, err = startServer(ctx, cfg, m, port, "slow"); err != nil {
		return row, err
	}
	row.SlowCrowd, err = beside(ctx, addr, cfg, calls)
	if serr := stopServer(srv); err == nil {
		err = serr
	}
	return row, err
}

// startServer starts the server of m on 127.0.0.1:port, its log in a file
// named after what it is for, and waits until it answers.
func startServer(ctx context.Context, cfg Config, m Model, port int, what string) (*exec.Cmd, error) {
	log, err := os.Create(filepath.Join(cfg.Dir, strings.ReplaceAll(m.Name, " ", "-")+"-"+what+".log"))
	if err != nil {
		return nil, err
	}
	defer log.Close()
	args := []string{"-addr", "127.0.0.1", "-port", strconv.Itoa(port), "-backlog", "4096"}
	if what == "slow" {
		// The slow caller is hung up on after this: it bounds the wait
		// of those it holds up.
		args = append(args, "-idle-timeout", cfg.Slow.String())
	}
	args = append(args, m.Flags...)
	cmd := exec.Command(cfg.Server, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			// A probe, as the server's own -probe calls: not a student's call.
			c.SetDeadline(time.Now().Add(5 * time.Second))
			lab.Exchange(c, []byte(callcenter.ProbeMsg))
			c.Close()
			return cmd, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stopServer(cmd)
			return nil, fmt.Errorf("the server %q did not answer on %s: %w (is the port taken? try -port)", args, addr, err)
		}
	}
}

// stopServer stops a server as Ctrl-C would, and waits for it.
func stopServer(cmd *exec.Cmd) error {
	cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		return errors.New("the server did not stop within 15s of Ctrl-C; killed it")
	}
}

// hold puts n callers on hold and samples the server's memory while they
// hold, against the same server idle before.
func hold(ctx context.Context, pid int, addr string, n int) (greeted int, perCaller int64, last time.Duration, err error) {
	idle, err := memory(pid)
	if err != nil {
		return 0, 0, 0, err
	}
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var most int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for hctx.Err() == nil {
			if m, err := memory(pid); err == nil {
				most = max(most, m)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	// Dialing 256 at a time; the last greeted hold on for a second, while
	// the memory is sampled.
	rep, err := bench.Run(ctx, bench.Config{Addr: addr, Hold: n, Concurrency: 256, Timeout: 60 * time.Second, HoldFor: time.Second})
	cancel()
	wg.Wait()
	if err != nil {
		return 0, 0, 0, err
	}
	if rep.OK > 0 {
		perCaller = (most - idle) / int64(rep.OK)
	}
	return rep.OK, perCaller, rep.LastGreeting, nil
}

// beside runs calls calls while one caller says nothing until the server
// hangs up on it.
func beside(ctx context.Context, addr string, cfg Config, calls int) (bench.Report, error) {
	slow, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return bench.Report{}, err
	}
	defer slow.Close()
	slow.SetDeadline(time.Now().Add(cfg.Slow + 10*time.Second))
	g, err := bufio.NewReader(slow).ReadString('\n')
	if err != nil || g != lab.Greeting {
		return bench.Report{}, fmt.Errorf("the slow caller was not greeted: %q, %v", g, err)
	}
	return bench.Run(ctx, bench.Config{Addr: addr, Concurrency: cfg.Concurrency, Calls: calls})
}

// cpuTicks is the CPU time of pid and its children that have ended.
func cpuTicks(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseCPU(b, clockTick)
}

// clockTick is the unit of /proc/PID/stat's times: USER_HZ, 100 on Linux.
const clockTick = 10 * time.Millisecond

// parseCPU reads utime, stime, cutime and cstime from a /proc/PID/stat.
func parseCPU(stat []byte, tick time.Duration) (time.Duration, error) {
	// The command in field 2 is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("stat: no command field")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 15 {
		return 0, errors.New("stat: too few fields")
	}
	var total time.Duration
	for _, s := range f[11:15] { // fields 14 to 17: utime stime cutime cstime
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("stat: %w", err)
		}
		total += time.Duration(n) * tick
	}
	return total, nil
}

// memory is the proportional set size of pid and its children, in bytes:
// a child's pages shared with its parent (the same executable) are counted
// once, shared out among them.
func memory(pid int) (int64, error) {
	total, err := pss(pid)
	if err != nil {
		return 0, err
	}
	for _, c := range children(pid) {
		if n, err := pss(c); err == nil {
			total += n
		}
	}
	return total, nil
}

func pss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0, err
	}
	return parsePss(b)
}

// parsePss reads the Pss line of a /proc/PID/smaps_rollup, in bytes.
func parsePss(b []byte) (int64, error) {
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("smaps_rollup: no Pss line")
}

// children lists pid's children, from each of its threads' children file.
func children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
