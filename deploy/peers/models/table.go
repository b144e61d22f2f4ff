package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteTable writes the rows as one table for a person, with what each
// column means under it.
func WriteTable(w io.Writer, rows []Row, cfg Config) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-13s %9s %9s %13s %9s %9s %22s\n", "model", "calls/s", "CPU/call", "mem/holder", "p50", "p99", "p99 beside a slow one")
	for _, r := range rows {
		slow := "-"
		if r.SlowCrowd.OK > 0 {
			slow = dur(r.SlowCrowd.Latency.P99)
			if r.SlowCrowd.Failed > 0 {
				slow += fmt.Sprintf(" (%d failed)", r.SlowCrowd.Failed)
			}
		}
		failed := ""
		if r.Crowd.Failed > 0 {
			failed = fmt.Sprintf("  (%d of %d calls failed: %v)", r.Crowd.Failed, r.Crowd.Calls, r.Crowd.Failures)
		}
		mem := kb(r.MemPerCaller)
		if r.OneAtATime {
			mem = "(in the queue)"
		}
		fmt.Fprintf(&b, "%-13s %9.0f %9s %13s %9s %9s %22s%s\n", r.Name, r.Crowd.CallsPerSec, us(r.CPUPerCall),
			mem, dur(r.Crowd.Latency.P50), dur(r.Crowd.Latency.P99), slow, failed)
	}
	fmt.Fprintf(&b, "\ncalls/s, p50, p99  a crowd of %d callers at once, %d calls (%v at most)\n", cfg.Concurrency, cfg.Calls, cfg.Duration)
	b.WriteString("CPU/call           the server's user and system time per call, its processes' included\n")
	b.WriteString("mem/holder         the server's memory (PSS, its processes' included) per caller on hold:\n")
	for _, r := range rows {
		if r.Held > 0 {
			fmt.Fprintf(&b, "                   %s %d held, %d greeted, the last after %s\n", r.Name, r.Held, r.HeldGreeted, dur(r.LastGreeting))
		}
	}
	fmt.Fprintf(&b, "beside a slow one  %d calls while one caller says nothing until -idle-timeout %v hangs up on it\n",
		max(cfg.Calls/10, cfg.Concurrency), cfg.Slow)
	_, err := io.WriteString(w, b.String())
	return err
}

func us(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 1, 64) + "µs"
}

func kb(n int64) string {
	if n < 0 {
		n = 0
	}
	return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + "ms"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}
