// Package bench is the engine of "client bench", the lecture's "10,000
// people calling the bank": many callers make the lecture's call at once, or
// all wait on hold together, and a Report says how the server coped.
//
// The engine knows nothing of flags or terminals. Workers send one result
// per call to a single aggregating goroutine, which alone owns the counts, so
// the hot path shares no lock of its own; the Report is computed from those
// counts apart from any I/O.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

const (
	// DefaultConcurrency is a crowd big enough to fill a small server's
	// listen queue many times over, small enough for any laptop.
	DefaultConcurrency = 64
	// DefaultCalls is how many calls a bench makes when given neither
	// Calls nor Duration.
	DefaultCalls = 1000
	// DefaultTimeout bounds each step of a call: the connect, the wait
	// for the greeting, the wait for the echo. It is also the hold's
	// default length.
	DefaultTimeout = 10 * time.Second
	// DefaultMsg is the lecture's line, what a caller says by default.
	DefaultMsg = "hi back atcha\n"
)

// Config says what crowd to send. Zero fields take the documented defaults.
type Config struct {
	// Addr is the host:port to call. It is dialed as given for every call,
	// so pass an IP address: a name would be looked up each time.
	Addr string
	// Concurrency is how many callers are on the line at once (default
	// DefaultConcurrency). In hold mode it bounds the dials in flight.
	Concurrency int
	// Calls is how many calls to make in all. With Duration, whichever
	// ends first ends the bench; both zero means DefaultCalls.
	Calls int
	// Duration stops the starting of new calls once it has passed; calls in
	// progress finish. Zero means no time limit.
	Duration time.Duration
	// Msg is what each caller sends after the greeting, byte for byte
	// (default DefaultMsg). The echo must equal it (see lab.Verify).
	Msg []byte
	// Hold, when positive, switches to hold mode: open Hold calls at once,
	// wait for each greeting, and keep every call open until all are
	// greeted or HoldTimeout has passed since the start. Nothing is sent.
	Hold int
	// HoldFor, in hold mode, keeps the greeted callers on the line this
	// long after the last of them is greeted (or has failed), before all
	// hang up: time to look at the server with every caller on hold.
	HoldFor time.Duration
	// Source spreads the callers over the addresses of this prefix, from
	// its first host address up (at most MaxSources of them), each call
	// from the next: one source address has only some 28,000 ports to call
	// one server from, so 100,000 callers on hold need several. On
	// loopback, 127.0.0.0/8 is all this machine's. The zero Prefix lets the
	// kernel choose, as usual.
	Source netip.Prefix
	// Timeout bounds each step of a call (default DefaultTimeout): the
	// connect, then the greeting, then the echo's end once the message is
	// sent; in hold mode, each caller's connect.
	Timeout time.Duration
	// HoldTimeout bounds the hold, HoldFor apart (default DefaultTimeout):
	// the callers not greeted by then count as timed out. Waiting on hold
	// is what the hold measures, so it is not one step's Timeout.
	HoldTimeout time.Duration
	// Progress, when set, gets a status line while the bench runs.
	Progress io.Writer
	// ProgressTTY says Progress is a terminal: one line is rewritten with
	// \r four times a second, instead of a new line every second.
	ProgressTTY bool
}

// withDefaults checks c and fills in its zero fields.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Addr == "":
		return c, errors.New("bench: no address to call")
	case c.Concurrency < 0, c.Calls < 0, c.Duration < 0, c.Hold < 0, c.Timeout < 0, c.HoldTimeout < 0, c.HoldFor < 0:
		return c, fmt.Errorf("bench: negative setting in %+v", c)
	case c.Source.IsValid() && len(sources(c.Source)) == 0:
		return c, fmt.Errorf("bench: source %v has no host address", c.Source)
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Calls == 0 && c.Duration == 0 {
		c.Calls = DefaultCalls
	}
	if len(c.Msg) == 0 {
		c.Msg = []byte(DefaultMsg)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HoldTimeout == 0 {
		c.HoldTimeout = DefaultTimeout
	}
	return c, nil
}

// Run sends the crowd cfg describes and reports on it. Cancelling ctx stops
// the bench at once and returns the report so far, marked Interrupted; calls
// cut short by the cancellation are not counted. The error is only for a
// Config that cannot run.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Report{}, err
	}
	if cfg.Hold > 0 {
		return runHold(ctx, cfg), nil
	}
	return runCalls(ctx, cfg), nil
}

// MaxSources bounds the source addresses Config.Source gives the callers.
const MaxSources = 1024

// sources lists the host addresses of p that callers call from: from the
// first after p's own address (the network's), at most MaxSources, and
// never the last of an IPv4 network of more than two (its broadcast).
func sources(p netip.Prefix) []*net.TCPAddr {
	p = p.Masked()
	a := p.Addr()
	last := netip.Addr{}
	if bits := a.BitLen() - p.Bits(); bits > 1 && a.Is4() {
		a = a.Next()
		if bits < 32 {
			v := a.As4()
			n := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
			n |= 1<<bits - 1
			last = netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		}
	}
	var out []*net.TCPAddr
	for ; a.IsValid() && p.Contains(a) && a != last && len(out) < MaxSources; a = a.Next() {
		out = append(out, net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, 0)))
	}
	return out
}

// result is one call as a worker saw it.
type result struct {
	latency time.Duration // from dial to the echo's end, for calls that passed
	kind    lab.Kind      // why it failed; "" when it passed
}

func runCalls(ctx context.Context, cfg Config) Report {
	workers := cfg.Concurrency
	if cfg.Calls > 0 && cfg.Calls < workers {
		workers = cfg.Calls
	}
	start := time.Now()
	var stopAt time.Time
	if cfg.Duration > 0 {
		stopAt = start.Add(cfg.Duration)
	}
	var issued atomic.Int64
	results := make(chan result, 4*workers)
	var wg sync.WaitGroup
	src := sources(cfg.Source)
	for i := range workers {
		w := newWorker(cfg)
		if len(src) > 0 {
			// A worker calls from one address; the workers take turns.
			w.dialer.LocalAddr = src[i%len(src)]
		}
		wg.Go(func() {
			// A context of its own keeps each dial's deadline bookkeeping
			// off the lock of the context all workers share.
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			// One hook per worker, not per call: cancelling ctx ends the
			// call in progress now instead of at its timeout.
			stop := context.AfterFunc(ctx, w.abort)
			defer stop()
			for ctx.Err() == nil {
				if !stopAt.IsZero() && !time.Now().Before(stopAt) {
					return
				}
				if cfg.Calls > 0 && issued.Add(1) > int64(cfg.Calls) {
					return
				}
				r, aborted := w.call(ctx)
				if aborted {
					return
				}
				results <- r
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	col := newCollector()
	prog := newProgress(cfg)
	// Ends when every worker has returned, which the call count, the
	// duration, each call's timeout and ctx all bound.
	for {
		select {
		case r, ok := <-results:
			if !ok {
				elapsed := time.Since(start)
				prog.finish(col.callsLine(cfg, elapsed))
				rep := col.report(elapsed)
				rep.Mode, rep.Addr, rep.Concurrency = "calls", cfg.Addr, workers
				rep.Interrupted = ctx.Err() != nil
				return rep
			}
			col.add(r)
		case <-prog.tick():
			prog.show(col.callsLine(cfg, time.Since(start)))
		}
	}
}

// worker is one caller, making its calls one after another. Its dialer and
// message are reused by each call; conn is the call in progress, kept where
// abort can reach it.
type worker struct {
	addr    string
	msg     []byte
	timeout time.Duration
	dialer  net.Dialer
	conn    atomic.Pointer[net.TCPConn]
}

func newWorker(cfg Config) *worker {
	return &worker{
		addr:    cfg.Addr,
		msg:     cfg.Msg,
		timeout: cfg.Timeout,
		// No keep-alive probes: a call lasts milliseconds, and skipping
		// them saves system calls on every dial.
		dialer: net.Dialer{Timeout: cfg.Timeout, KeepAlive: -1},
	}
}

// call makes the lecture's call once. aborted reports that ctx ended it, so
// its outcome says nothing about the server.
func (w *worker) call(ctx context.Context) (r result, aborted bool) {
	start := time.Now()
	conn, err := w.dialer.DialContext(ctx, "tcp", w.addr)
	if err != nil {
		return result{kind: lab.Classify(err)}, ctx.Err() != nil
	}
	defer conn.Close()
	err = conn.SetDeadline(time.Now().Add(w.timeout))
	// The deadline is set before conn is published, and ctx checked after,
	// so abort either sees conn or the check sees the cancellation.
	if tc, ok := conn.(*net.TCPConn); ok {
		w.conn.Store(tc)
		defer w.conn.Store(nil)
	}
	if ctx.Err() != nil {
		return result{}, true
	}
	var res lab.Result
	if err == nil {
		res, err = lab.Exchange(stepConn{conn, w.timeout}, w.msg)
	}
	if err == nil {
		err = lab.Verify(res, w.msg)
	}
	if err != nil {
		return result{kind: lab.Classify(err)}, ctx.Err() != nil
	}
	return result{latency: time.Since(start)}, false
}

// stepConn gives the echo a deadline of its own: the message is the one
// write of a call, so the wait for the echo starts there.
type stepConn struct {
	net.Conn
	timeout time.Duration
}

func (c stepConn) Write(b []byte) (int, error) {
	if err := c.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// abort ends the call in progress, if any, by moving its deadline to the past.
func (w *worker) abort() {
	if c := w.conn.Load(); c != nil {
		c.SetDeadline(time.Unix(1, 0))
	}
}
