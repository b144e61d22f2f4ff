package bench

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// Report is what a bench found. Durations are time.Duration, so in JSON
// they are integer nanoseconds, as the _ns in their names says.
type Report struct {
	// Mode is "calls" for a crowd making the lecture's call, "hold" for
	// callers waiting on hold together.
	Mode        string `json:"mode"`
	Addr        string `json:"addr"`
	Concurrency int    `json:"concurrency"`
	// Calls counts the calls that ended, OK those that passed lab.Verify
	// (in hold mode: that were greeted), Failed the rest.
	Calls  int `json:"calls"`
	OK     int `json:"ok"`
	Failed int `json:"failed"`
	// Failures counts failed calls by kind; kinds with none are left out.
	Failures    map[lab.Kind]int `json:"failures"`
	Elapsed     time.Duration    `json:"elapsed_ns"`
	CallsPerSec float64          `json:"calls_per_sec"`
	// Latency is of the calls that passed, from dial to the echo's end;
	// in hold mode, from dial to the greeting.
	Latency Latency `json:"latency"`
	// Histogram counts the same latencies in fixed buckets, the same for
	// every run so runs can be compared.
	Histogram []Bucket `json:"histogram"`
	// LastGreeting is, in hold mode, how long after the start the last
	// greeting arrived: when every greeted caller was finally talking.
	LastGreeting time.Duration `json:"last_greeting_ns,omitempty"`
	// Interrupted says the bench was cancelled and the numbers are partial.
	Interrupted bool `json:"interrupted"`
}

// Latency summarizes latencies. Percentiles are nearest-rank: P90 is the
// smallest latency at least 90% of the calls did not exceed.
type Latency struct {
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
	Mean time.Duration `json:"mean_ns"`
}

// Bucket counts latencies above the previous bucket's Le and at most Le.
// The last bucket has Le 0: it has no upper bound.
type Bucket struct {
	Le    time.Duration `json:"le_ns"`
	Count int           `json:"count"`
}

// bucketBounds are the histogram's upper bounds, 1-2-5 steps from what
// loopback takes to what only a stuck server takes.
var bucketBounds = []time.Duration{
	50 * time.Microsecond, 100 * time.Microsecond, 200 * time.Microsecond, 500 * time.Microsecond,
	1 * time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	1 * time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second,
}

// maxSamples bounds the latencies kept for percentiles; beyond it a
// uniform sample stands for them all (reservoir sampling), so a long -d
// run stays within a few megabytes. Count, max, mean and histogram stay exact.
const maxSamples = 1 << 20

// collector adds results up. Only the aggregating goroutine touches it.
type collector struct {
	keep      int // samples kept at most: maxSamples, less in tests
	calls, ok int
	failures  map[lab.Kind]int
	samples   []time.Duration
	max, sum  time.Duration
	hist      []int // per bucketBounds, plus one for beyond the last
}

func newCollector() *collector {
	return &collector{keep: maxSamples, failures: map[lab.Kind]int{}, hist: make([]int, len(bucketBounds)+1)}
}

func (c *collector) add(r result) {
	c.calls++
	if r.kind != "" {
		c.failures[r.kind]++
		return
	}
	c.ok++
	d := r.latency
	c.sum += d
	c.max = max(c.max, d)
	i, _ := slices.BinarySearch(bucketBounds, d)
	c.hist[i]++
	if len(c.samples) < c.keep {
		c.samples = append(c.samples, d)
	} else if j := rand.IntN(c.ok); j < c.keep {
		c.samples[j] = d
	}
}

// report turns the counts into a Report; it sorts the samples in place.
func (c *collector) report(elapsed time.Duration) Report {
	r := Report{
		Calls:     c.calls,
		OK:        c.ok,
		Failed:    c.calls - c.ok,
		Failures:  map[lab.Kind]int{},
		Elapsed:   elapsed,
		Histogram: make([]Bucket, len(c.hist)),
	}
	for k, n := range c.failures {
		if n > 0 {
			r.Failures[k] = n
		}
	}
	if elapsed > 0 {
		r.CallsPerSec = float64(c.calls) / elapsed.Seconds()
	}
	slices.Sort(c.samples)
	r.Latency = Latency{
		P50: percentile(c.samples, 50),
		P90: percentile(c.samples, 90),
		P99: percentile(c.samples, 99),
		Max: c.max,
	}
	if c.ok > 0 {
		r.Latency.Mean = c.sum / time.Duration(c.ok)
	}
	for i, n := range c.hist {
		if i < len(bucketBounds) {
			r.Histogram[i].Le = bucketBounds[i]
		}
		r.Histogram[i].Count = n
	}
	return r
}

// percentile is the nearest-rank p-th percentile of sorted, 0 if empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func (c *collector) callsLine(cfg Config, elapsed time.Duration) string {
	of := ""
	if cfg.Calls > 0 {
		of = "/" + strconv.Itoa(cfg.Calls)
	}
	rate := 0.0
	if elapsed > 0 {
		rate = float64(c.ok) / elapsed.Seconds()
	}
	return fmt.Sprintf("bench: %d%s calls, %d ok, %d failed, %.0f answered calls/s, %s",
		c.calls, of, c.ok, c.calls-c.ok, rate, fmtDur(elapsed))
}

func (c *collector) holdLine(n int, elapsed time.Duration) string {
	return fmt.Sprintf("hold: %d/%d greeted, %d failed, %s", c.ok, n, c.calls-c.ok, fmtDur(elapsed))
}

// WriteText writes the report for a person: a summary, failures by kind
// and an ASCII histogram of the latencies.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	what := "latency"
	if r.Mode == "hold" {
		what = "wait for the greeting"
		fmt.Fprintf(&b, "hold: %d callers on hold at %s (dialing %d at a time), %s\n",
			r.Calls, r.Addr, r.Concurrency, fmtDur(r.Elapsed))
		fmt.Fprintf(&b, "  greeted %d, failed %d\n", r.OK, r.Failed)
		if r.OK > 0 {
			fmt.Fprintf(&b, "  last greeting arrived %s after the start\n", fmtDur(r.LastGreeting))
		}
	} else {
		// The rate is of answered calls: failures come fast (a busy
		// signal, a refusal), and 498 of 500 failing read as a record
		// rate. When most failed, that is the headline.
		answered := 0.0
		if r.Elapsed > 0 {
			answered = float64(r.OK) / r.Elapsed.Seconds()
		}
		if r.Failed > r.OK {
			fmt.Fprintf(&b, "bench: %d of %d calls to %s failed, %d at a time, in %s\n",
				r.Failed, r.Calls, r.Addr, r.Concurrency, fmtDur(r.Elapsed))
			fmt.Fprintf(&b, "  ok %d, failed %d: %.1f answered calls/s\n", r.OK, r.Failed, answered)
		} else {
			fmt.Fprintf(&b, "bench: %d calls to %s, %d at a time, in %s: %.1f answered calls/s\n",
				r.Calls, r.Addr, r.Concurrency, fmtDur(r.Elapsed), answered)
			fmt.Fprintf(&b, "  ok %d, failed %d\n", r.OK, r.Failed)
		}
	}
	if r.OK > 0 {
		l := r.Latency
		fmt.Fprintf(&b, "  %s: p50 %s  p90 %s  p99 %s  max %s  mean %s\n",
			what, fmtDur(l.P50), fmtDur(l.P90), fmtDur(l.P99), fmtDur(l.Max), fmtDur(l.Mean))
	}
	if r.Failed > 0 {
		var parts []string
		for _, k := range lab.Kinds {
			if n := r.Failures[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, n))
			}
		}
		fmt.Fprintf(&b, "  failures: %s\n", strings.Join(parts, ", "))
	}
	if r.Interrupted {
		b.WriteString("  interrupted: these are the calls that ended before the stop\n")
	}
	if r.OK > 0 {
		if r.Mode == "hold" {
			fmt.Fprintf(&b, "\nwait for the greeting (%d greeted):\n", r.OK)
		} else {
			fmt.Fprintf(&b, "\nlatency (%d calls passed):\n", r.OK)
		}
		writeHistogram(&b, r.Histogram)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// histWidth is the longest bar: the fullest bucket.
const histWidth = 50

// writeHistogram draws the buckets from the first to the last that has
// anything, so the picture is as tall as the spread and no taller.
func writeHistogram(b *strings.Builder, hist []Bucket) {
	first, last, top := -1, -1, 0
	for i, h := range hist {
		if h.Count > 0 {
			if first < 0 {
				first = i
			}
			last = i
			top = max(top, h.Count)
		}
	}
	if first < 0 {
		return
	}
	for _, h := range hist[first : last+1] {
		label := "> " + fmtBound(bucketBounds[len(bucketBounds)-1])
		if h.Le > 0 {
			label = "<= " + fmtBound(h.Le)
		}
		bar := h.Count * histWidth / top
		if h.Count > 0 && bar == 0 {
			bar = 1 // a bucket with anything in it shows it
		}
		fmt.Fprintf(b, "  %9s |%-*s| %d\n", label, histWidth, strings.Repeat("#", bar), h.Count)
	}
}

// fmtDur writes d in ASCII with about three significant digits: 812us,
// 1.23ms, 45.6ms, 2.50s.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	case d < time.Second:
		return sig3(float64(d)/float64(time.Millisecond)) + "ms"
	}
	return sig3(d.Seconds()) + "s"
}

func sig3(x float64) string {
	prec := 0
	switch {
	case x < 10:
		prec = 2
	case x < 100:
		prec = 1
	}
	return strconv.FormatFloat(x, 'f', prec, 64)
}

// fmtBound writes a bucket bound as short as it goes: 50us, 1ms, 2s.
func fmtBound(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}
