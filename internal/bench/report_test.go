package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// collect feeds a collector latencies in milliseconds and failures.
func collect(ms []int, failures ...lab.Kind) *collector {
	c := newCollector()
	for _, m := range ms {
		c.add(result{latency: time.Duration(m) * time.Millisecond})
	}
	for _, k := range failures {
		c.add(result{kind: k})
	}
	return c
}

// oneTo returns 1, 2, ..., n.
func oneTo(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i + 1
	}
	return s
}

func TestReportLatency(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		ms   []int
		want Latency
	}{
		{"none", nil, Latency{}},
		{"one", []int{7}, Latency{P50: 7 * ms, P90: 7 * ms, P99: 7 * ms, Max: 7 * ms, Mean: 7 * ms}},
		{"1 to 100", oneTo(100), Latency{P50: 50 * ms, P90: 90 * ms, P99: 99 * ms, Max: 100 * ms, Mean: 50500 * time.Microsecond}},
		{"1 to 10 shuffled", []int{7, 3, 10, 1, 9, 2, 8, 4, 6, 5}, Latency{P50: 5 * ms, P90: 9 * ms, P99: 10 * ms, Max: 10 * ms, Mean: 5500 * time.Microsecond}},
		{"one slow outlier", append(make([]int, 0), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1000), Latency{P50: 1 * ms, P90: 1 * ms, P99: 1000 * ms, Max: 1000 * ms, Mean: 100900 * time.Microsecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(tt.ms).report(time.Second).Latency
			if got != tt.want {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestReportCounts(t *testing.T) {
	c := collect(oneTo(6), lab.KindBusy, lab.KindBusy, lab.KindRefused)
	r := c.report(2 * time.Second)
	if r.Calls != 9 || r.OK != 6 || r.Failed != 3 {
		t.Errorf("calls %d, ok %d, failed %d; want 9, 6, 3", r.Calls, r.OK, r.Failed)
	}
	if r.CallsPerSec != 4.5 {
		t.Errorf("calls/s %v; want 4.5", r.CallsPerSec)
	}
	want := map[lab.Kind]int{lab.KindBusy: 2, lab.KindRefused: 1}
	if len(r.Failures) != len(want) || r.Failures[lab.KindBusy] != 2 || r.Failures[lab.KindRefused] != 1 {
		t.Errorf("failures %v; want %v", r.Failures, want)
	}
}

func TestReportHistogram(t *testing.T) {
	us := time.Microsecond
	c := newCollector()
	for _, d := range []time.Duration{
		10 * us, 50 * us, // <= 50us: the bound itself belongs to its bucket
		51 * us,                                    // <= 100us
		3 * time.Millisecond, 4 * time.Millisecond, // <= 5ms
		20 * time.Second, 21 * time.Second, time.Minute, // <= 20s, then two beyond
	} {
		c.add(result{latency: d})
	}
	r := c.report(time.Second)
	if len(r.Histogram) != len(bucketBounds)+1 {
		t.Fatalf("%d buckets; want %d", len(r.Histogram), len(bucketBounds)+1)
	}
	want := map[time.Duration]int{50 * us: 2, 100 * us: 1, 5 * time.Millisecond: 2, 20 * time.Second: 1, 0: 2}
	total := 0
	for _, b := range r.Histogram {
		total += b.Count
		if b.Count != want[b.Le] {
			t.Errorf("bucket <= %v has %d; want %d", b.Le, b.Count, want[b.Le])
		}
	}
	if total != 8 {
		t.Errorf("buckets hold %d latencies; want 8", total)
	}
	if last := r.Histogram[len(r.Histogram)-1]; last.Le != 0 {
		t.Errorf("last bucket's bound %v; want 0 (none)", last.Le)
	}
}

func TestReservoir(t *testing.T) {
	c := newCollector()
	c.keep = 10000
	n := 20 * c.keep
	for i := range n {
		c.add(result{latency: time.Duration(i+1) * time.Microsecond})
	}
	r := c.report(time.Second)
	if len(c.samples) != c.keep || r.OK != n {
		t.Fatalf("%d samples of %d ok; want %d of %d", len(c.samples), r.OK, c.keep, n)
	}
	if r.Latency.Max != time.Duration(n)*time.Microsecond {
		t.Errorf("max %v; want the exact %v", r.Latency.Max, time.Duration(n)*time.Microsecond)
	}
	// The median of a uniform sample of 10,000 has a standard deviation
	// of 0.5% of the range, so 10% is ten of them: never by chance. Had
	// the first samples been kept, the median would be 95% off.
	trueP50 := time.Duration(n/2) * time.Microsecond
	if diff := r.Latency.P50 - trueP50; diff < -trueP50/10 || diff > trueP50/10 {
		t.Errorf("p50 %v; want about %v", r.Latency.P50, trueP50)
	}
}

func TestWriteText(t *testing.T) {
	r := collect([]int{1, 1, 1, 2, 2, 40}, lab.KindBusy, lab.KindRefused, lab.KindBusy).report(500 * time.Millisecond)
	r.Mode, r.Addr, r.Concurrency = "calls", "10.0.0.1:8000", 4
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `bench: 9 calls to 10.0.0.1:8000, 4 at a time, in 500ms: 12.0 answered calls/s
  ok 6, failed 3
  latency: p50 1.00ms  p90 40.0ms  p99 40.0ms  max 40.0ms  mean 7.83ms
  failures: refused 1, busy 2

latency (6 calls passed):
     <= 1ms |##################################################| 3
     <= 2ms |#################################                 | 2
     <= 5ms |                                                  | 0
    <= 10ms |                                                  | 0
    <= 20ms |                                                  | 0
    <= 50ms |################                                  | 1
`
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	for _, c := range b.String() {
		if c > 127 {
			t.Fatalf("report has non-ASCII %q", c)
		}
	}
}

// TestWriteTextHeadlinesFailuresWhenMostFailed: 498 busy signals of 500
// come back fast; the summary says they failed, first, and gives the rate
// of the 2 answered calls, not a record rate of failures.
func TestWriteTextHeadlinesFailuresWhenMostFailed(t *testing.T) {
	kinds := make([]lab.Kind, 498)
	for i := range kinds {
		kinds[i] = lab.KindBusy
	}
	r := collect([]int{20, 20}, kinds...).report(50 * time.Millisecond)
	r.Mode, r.Addr, r.Concurrency = "calls", "172.28.5.10:8000", 50
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "bench: 498 of 500 calls to 172.28.5.10:8000 failed, 50 at a time, in 50.0ms\n" +
		"  ok 2, failed 498: 40.0 answered calls/s\n"
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("got:\n%s\nwant it to start:\n%s", b.String(), want)
	}
	if !strings.Contains(b.String(), "  failures: busy 498\n") {
		t.Errorf("no failures line:\n%s", b.String())
	}
}

func TestWriteTextHold(t *testing.T) {
	r := collect([]int{3, 5}, lab.KindTimeout).report(time.Second)
	r.Mode, r.Addr, r.Concurrency, r.LastGreeting = "hold", "10.0.0.1:8000", 64, 6*time.Millisecond
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"hold: 3 callers on hold at 10.0.0.1:8000 (dialing 64 at a time), 1.00s",
		"greeted 2, failed 1",
		"last greeting arrived 6.00ms after the start",
		"wait for the greeting: p50 3.00ms",
		"failures: timeout 1",
	} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, b.String())
		}
	}
}

func TestReportJSON(t *testing.T) {
	r := collect([]int{1, 2}, lab.KindWrongEcho).report(time.Second)
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"calls":3`, `"ok":2`, `"failures":{"wrong echo":1}`, `"p50_ns":1000000`, `"elapsed_ns":1000000000`, `"le_ns":0`} {
		if !strings.Contains(string(data), w) {
			t.Errorf("JSON lacks %s:\n%s", w, data)
		}
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || back.Latency != r.Latency || back.Failures[lab.KindWrongEcho] != 1 {
		t.Errorf("round trip: %v, %+v; want %+v", err, back, r)
	}
}

func TestFmtDur(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0us"},
		{812 * time.Microsecond, "812us"},
		{1234 * time.Microsecond, "1.23ms"},
		{45678 * time.Microsecond, "45.7ms"},
		{250 * time.Millisecond, "250ms"},
		{2500 * time.Millisecond, "2.50s"},
		{90 * time.Second, "90.0s"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fmtDur(tt.d); got != tt.want {
				t.Errorf("fmtDur(%v) = %q; want %q", tt.d, got, tt.want)
			}
		})
	}
}
