package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/bench"
	"github.com/socketlab/socketlab/internal/lab"
)

func TestParseCPU(t *testing.T) {
	// A stat line of a server whose command has a space and a parenthesis.
	stat := []byte("4242 (ser ver)) S 1 4242 4242 0 -1 4194560 900 0 0 0 150 30 7 3 20 0 8 0 12345 0 0")
	got, err := parseCPU(stat, 10*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, (150+30+7+3)*10*time.Millisecond, got, "utime, stime, cutime and cstime")
	_, err = parseCPU([]byte("4242 (x) S 1"), time.Millisecond)
	require.Error(t, err)
}

func TestParsePss(t *testing.T) {
	got, err := parsePss([]byte("55f0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  8000 kB\nPss:  5120 kB\nPss_Anon: 3000 kB\n"))
	require.NoError(t, err)
	require.Equal(t, int64(5120<<10), got)
	_, err = parsePss([]byte("Rss: 1 kB\n"))
	require.Error(t, err)
}

func TestWriteTable(t *testing.T) {
	crowd := func(rate float64, p50, p99 time.Duration) bench.Report {
		return bench.Report{Calls: 100, OK: 100, CallsPerSec: rate, Latency: bench.Latency{P50: p50, P99: p99}}
	}
	rows := []Row{
		{Model: Models[0], Crowd: crowd(15000, 4*time.Millisecond, 9*time.Millisecond), CPUPerCall: 34 * time.Microsecond,
			Held: 1000, HeldGreeted: 1000, MemPerCaller: 4300, LastGreeting: 25 * time.Millisecond, SlowCrowd: crowd(0, 0, 11*time.Millisecond)},
		{Model: Models[3], Crowd: bench.Report{Calls: 100, OK: 90, Failed: 10, Failures: map[lab.Kind]int{lab.KindTimeout: 10}, CallsPerSec: 6000,
			Latency: bench.Latency{P50: 8 * time.Millisecond, P99: 30 * time.Millisecond}}, CPUPerCall: 66 * time.Microsecond, SlowCrowd: crowd(0, 0, 2010*time.Millisecond)},
	}
	var b strings.Builder
	require.NoError(t, WriteTable(&b, rows, Config{Concurrency: 64, Calls: 20000, Duration: 15 * time.Second, Slow: 2 * time.Second}))
	got := b.String()
	for _, want := range []string{
		"model           calls/s  CPU/call    mem/holder       p50       p99  p99 beside a slow one\n",
		"threads           15000    34.0µs       4.2 KiB     4.0ms     9.0ms                 11.0ms\n",
		"one employee       6000    66.0µs (in the queue)     8.0ms    30.0ms                  2.01s  (10 of 100 calls failed: map[timeout:10])\n",
		"                   threads 1000 held, 1000 greeted, the last after 25.0ms\n",
		"beside a slow one  2000 calls while one caller says nothing until -idle-timeout 2s hangs up on it\n",
	} {
		require.Contains(t, got, want)
	}
	require.NotContains(t, got, "one employee 0 held", "a server that greets one at a time holds nobody")
}
