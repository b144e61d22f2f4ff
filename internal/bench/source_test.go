package bench

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/lab"
	"github.com/socketlab/socketlab/internal/labtest"
)

func TestSources(t *testing.T) {
	tests := []struct {
		prefix string
		want   []string // the first few
		n      int
	}{
		{"127.0.0.0/8", []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}, MaxSources},
		{"127.0.0.0/30", []string{"127.0.0.1", "127.0.0.2"}, 2}, // not .0 (the network), not .3 (broadcast)
		{"127.0.0.5/32", []string{"127.0.0.5"}, 1},
		{"10.0.0.4/31", []string{"10.0.0.4", "10.0.0.5"}, 2},
		{"127.1.2.3/24", []string{"127.1.2.1", "127.1.2.2"}, 254},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			got := sources(netip.MustParsePrefix(tt.prefix))
			require.Len(t, got, tt.n)
			for i, w := range tt.want {
				require.Equal(t, w, got[i].IP.String())
			}
		})
	}
}

// TestSourceSpreadsTheCallers: with Source, the server sees its callers
// come from the prefix's addresses in turn, in both modes.
func TestSourceSpreadsTheCallers(t *testing.T) {
	var mu sync.Mutex
	from := map[string]int{}
	srv := labtest.Start(t, func(c net.Conn) {
		mu.Lock()
		from[c.RemoteAddr().(*net.TCPAddr).IP.String()]++
		mu.Unlock()
		labtest.Lecture(c)
	})
	src := netip.MustParsePrefix("127.0.0.0/29") // .1 to .6
	rep, err := Run(context.Background(), Config{Addr: srv.Addr, Calls: 60, Concurrency: 6, Source: src})
	require.NoError(t, err)
	checkReport(t, rep, 60, 60, nil)
	rep, err = Run(context.Background(), Config{Addr: srv.Addr, Hold: 12, Concurrency: 4, Source: src})
	require.NoError(t, err)
	checkReport(t, rep, 12, 12, nil)
	mu.Lock()
	defer mu.Unlock()
	addrs := make([]string, 0, len(from))
	for a := range from {
		addrs = append(addrs, a)
	}
	slices.Sort(addrs)
	require.Equal(t, []string{"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"}, addrs)
	total := 0
	for _, n := range from {
		total += n
	}
	require.Equal(t, 72, total)
}

// TestHoldFor: the greeted callers stay on the line HoldFor after the last
// greeting, then hang up.
func TestHoldFor(t *testing.T) {
	held := make(chan time.Duration, 3)
	srv := labtest.Start(t, func(c net.Conn) {
		start := time.Now()
		c.Write([]byte(lab.Greeting))
		c.Read(make([]byte, 1)) // the caller's hang-up
		held <- time.Since(start)
	})
	const holdFor = 300 * time.Millisecond
	rep, err := Run(context.Background(), Config{Addr: srv.Addr, Hold: 3, HoldFor: holdFor})
	require.NoError(t, err)
	checkReport(t, rep, 3, 3, nil)
	for range 3 {
		require.GreaterOrEqual(t, <-held, holdFor, "a caller hung up before HoldFor")
	}
}
