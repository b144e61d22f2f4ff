package view

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseNetstatFindsListenOverflows(t *testing.T) {
	const netstat = "TcpExt: SyncookiesSent SyncookiesRecv ListenOverflows ListenDrops\n" +
		"TcpExt: 0 0 25 27\n" +
		"IpExt: InNoRoutes ListenOverflows\n" +
		"IpExt: 0 99\n"
	n, err := parseNetstat(strings.NewReader(netstat), "TcpExt:", "ListenOverflows")
	require.NoError(t, err)
	require.Equal(t, int64(25), n)
	_, err = parseNetstat(strings.NewReader(netstat), "TcpExt:", "NoSuchCounter")
	require.Error(t, err)
}

func TestNetstatOverflowsReadsThisMachine(t *testing.T) {
	if _, err := netstatOverflows(); err != nil {
		t.Skipf("no /proc/net/netstat here: %v", err)
	}
}

func TestCenterSampleSaysWhenTheServerSleeps(t *testing.T) {
	overflows := int64(100)
	st := ServerStatus{Workers: 2, Backlog: 5, CPUSeconds: 10}
	p := &centerProbe{
		port:      8000,
		listen:    func(int) (int, int, bool, error) { return 0, 5, true, nil },
		overflows: func() (int64, error) { return overflows, nil },
		status:    func(context.Context) (*ServerStatus, error) { s := st; return &s, nil },
	}
	t0 := time.Unix(1700000000, 0)
	c := p.sample(context.Background(), t0)
	require.Equal(t, int64(0), c.Overflows, "overflows count from the view's start")
	require.True(t, c.Sleeping)

	// A crowd: both employees busy, 4 callers on hold, 2 overflows, and
	// half a second of CPU in one second.
	st = ServerStatus{Workers: 2, Backlog: 5, Busy: 2, InProgress: 2, CPUSeconds: 10.5}
	overflows = 102
	p.listen = func(int) (int, int, bool, error) { return 4, 5, true, nil }
	c = p.sample(context.Background(), t0.Add(time.Second))
	require.Equal(t, 4, c.Queue)
	require.Equal(t, 5, c.Backlog)
	require.Equal(t, int64(2), c.Overflows)
	require.InDelta(t, 50.0, c.CPU, 0.01)
	require.False(t, c.Sleeping)
	require.Equal(t, 2, c.Server.Busy)

	p.status = func(context.Context) (*ServerStatus, error) { return nil, errors.New("no answer") }
	c = p.sample(context.Background(), t0.Add(2*time.Second))
	require.Nil(t, c.Server)
	require.Equal(t, "no answer", c.StatusError)
	require.False(t, c.Sleeping, "nobody can tell")
}
