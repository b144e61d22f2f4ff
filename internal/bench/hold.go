package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// holdResult is one caller on hold, as it reported back.
type holdResult struct {
	conn    net.Conn      // the open call, when greeted; the aggregator closes it
	wait    time.Duration // from dial to greeting
	at      time.Duration // from the start of the hold to the greeting
	kind    lab.Kind      // why it was not greeted; "" when it was
	aborted bool          // ctx ended it: it says nothing about the server
	skipped int           // callers never dialed because the hold ended first
}

// runHold puts cfg.Hold callers on hold at once: the lecture's crowd that
// a server with few employees keeps waiting in its listen queue. Each is
// dialed (at most cfg.Concurrency dials in flight), waits for its greeting,
// and stays on the line until every caller is greeted or has failed, or
// cfg.HoldTimeout has passed since the start; then all hang up together.
// Each dial has cfg.Timeout.
func runHold(ctx context.Context, cfg Config) Report {
	start := time.Now()
	hctx, cancel := context.WithDeadline(ctx, start.Add(cfg.HoldTimeout))
	defer cancel()
	n := cfg.Hold
	results := make(chan holdResult, min(n, 1024))
	dialing := make(chan struct{}, cfg.Concurrency)
	d := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: -1}
	src := sources(cfg.Source)
	go func() {
		for i := range n {
			select {
			case dialing <- struct{}{}:
			case <-hctx.Done():
				results <- holdResult{skipped: n - i, aborted: ctx.Err() != nil}
				return
			}
			d := d
			if len(src) > 0 {
				dd := *d
				dd.LocalAddr = src[i%len(src)]
				d = &dd
			}
			go func() { results <- holdOne(ctx, hctx, d, cfg.Addr, start, dialing) }()
		}
	}()

	col := newCollector()
	held := make([]net.Conn, 0, min(n, 1<<16))
	var last time.Duration
	prog := newProgress(cfg)
	// Every caller reports exactly once, and each is bounded by hctx, so
	// this loop ends by the deadline at the latest.
	for got := 0; got < n; {
		select {
		case r := <-results:
			switch {
			case r.skipped > 0:
				got += r.skipped
				if !r.aborted {
					for range r.skipped {
						col.add(result{kind: lab.KindTimeout})
					}
				}
			case r.aborted:
				got++
			default:
				got++
				col.add(result{latency: r.wait, kind: r.kind})
				if r.conn != nil {
					held = append(held, r.conn)
					last = max(last, r.at)
				}
			}
		case <-prog.tick():
			prog.show(col.holdLine(n, time.Since(start)))
		}
	}
	elapsed := time.Since(start)
	prog.finish(col.holdLine(n, elapsed))
	if cfg.HoldFor > 0 && len(held) > 0 {
		select {
		case <-time.After(cfg.HoldFor):
		case <-ctx.Done():
		}
	}
	for _, c := range held {
		c.Close()
	}
	rep := col.report(elapsed)
	rep.Mode, rep.Addr, rep.Concurrency = "hold", cfg.Addr, cfg.Concurrency
	rep.CallsPerSec = 0 // callers on hold make no calls per second
	rep.LastGreeting = last
	rep.Interrupted = ctx.Err() != nil
	return rep
}

// holdOne dials one caller and waits for its greeting. It gives back its
// place in dialing once the dial is done: waiting on hold is not dialing.
func holdOne(ctx, hctx context.Context, d *net.Dialer, addr string, start time.Time, dialing <-chan struct{}) holdResult {
	t0 := time.Now()
	conn, err := d.DialContext(hctx, "tcp", addr)
	<-dialing
	if err != nil {
		return holdResult{kind: lab.Classify(err), aborted: ctx.Err() != nil}
	}
	if dl, ok := hctx.Deadline(); ok {
		conn.SetReadDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	var buf [64]byte
	g, err := readGreeting(conn, buf[:])
	stop()
	now := time.Now()
	if kind := greetingKind(g, err); kind != "" {
		conn.Close()
		return holdResult{kind: kind, aborted: ctx.Err() != nil}
	}
	return holdResult{conn: conn, wait: now.Sub(t0), at: now.Sub(start)}
}

// readGreeting reads up to the first newline, or until buf is full.
func readGreeting(r io.Reader, buf []byte) ([]byte, error) {
	n := 0
	// A net.Conn's Read returns a byte or an error, so len(buf) rounds
	// are enough; the count keeps any other reader bounded too.
	for range len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return buf[:i+1], nil
		}
		if err != nil {
			return buf[:n], err
		}
		if n == len(buf) {
			break
		}
	}
	return buf[:n], nil
}

// greetingKind judges a greeting as lab.Exchange would: "" for the
// lecture's, busy for a busy signal, wrong greeting for anything else or
// for a hang-up before the line ended.
func greetingKind(g []byte, err error) lab.Kind {
	switch {
	case err == nil && string(g) == lab.Greeting:
		return ""
	case err == nil && string(g) == lab.Busy:
		return lab.KindBusy
	case err == nil, errors.Is(err, io.EOF):
		return lab.KindWrongGreeting
	}
	return lab.Classify(err)
}
