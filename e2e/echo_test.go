package e2e

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEchoAcrossHostsWithDistinctIPs: two laptops with their own addresses in
// one subnet; the server sees the call come from the calling laptop's
// address, and what it was sent comes back exact, binary or 1000 bytes long;
// a 3000-byte message gets its first bytes back (the lecture's one recv of at
// most 1000), not a reset.
func TestEchoAcrossHostsWithDistinctIPs(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	// The server takes 2s to answer, so the caller is still on the line
	// when the test reads its address (Docker forgets it at exit), even on
	// a loaded machine.
	server := startServer(t, nets{nw}, "-iface", "eth0", "-think", "2s")

	t.Run("laptop to laptop", func(t *testing.T) {
		t.Parallel()
		caller := startCaller(t, nets{nw}, "-send", "hi back atcha", "-expect-echo", server.ip(nw))
		s, c := server.ips[nw.Name], caller.ips[nw.Name]
		require.NotEqual(t, s.Addr(), c.Addr(), "the two laptops' addresses")
		require.Equal(t, s.Masked(), c.Masked(), "the two laptops' subnets")

		require.Equal(t, 0, caller.waitExit(t, exitTimeout), caller.logs(t))
		require.Contains(t, caller.logs(t), fmt.Sprintf("Trying %s...\nConnected to %[1]s.\nhello\nhi back atcha\nConnection closed by foreign host.\n", s.Addr()))
		logs := server.waitLog(t, fmt.Sprintf("call from %s:", c.Addr()), 5*time.Second)
		require.Regexp(t, `call from `+regexp.QuoteMeta(c.Addr().String())+`:\d+: said "hi back atcha\\n" \(14 bytes\), echoed it`, logs)
	})

	// Between laptops, client bench checks the echo byte for byte (a
	// message over 1000 bytes may come back as its first 1000 or fewer),
	// and counts a reset as a failure. -msg adds the newline.
	for _, tc := range []struct {
		size int
		fill string // one letter per message, to tell their log lines apart
	}{{maxRead, "x"}, {3 * maxRead, "y"}} {
		t.Run(fmt.Sprintf("laptop to laptop, %d bytes", tc.size), func(t *testing.T) {
			t.Parallel()
			msg := strings.Repeat(tc.fill, tc.size-1)
			rep, err := runBench(t, nets{nw}, "-c", "1", "-n", "1", "-msg", msg, server.ip(nw))
			require.NoError(t, err)
			require.Equal(t, 1, rep.OK, "failures: %v", rep.Failures)
			// The server read once, 1000 bytes at most; its log shows the first 80.
			server.waitLog(t, fmt.Sprintf(`: said "%s"… (%d bytes), echoed it`, strings.Repeat(tc.fill, 80), maxRead), 5*time.Second)
		})
	}

	// From this machine through the published port, where the test writes
	// every byte itself: all 256 byte values, exactly 1000 bytes, 3000.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for name, msg := range map[string][]byte{
		"every byte value": all,
		"1000 bytes":       bytes.Repeat([]byte("0123456789"), maxRead/10),
	} {
		t.Run("host, "+name, func(t *testing.T) {
			t.Parallel()
			echo, end := talk(t, dialHost(t, server.addr), msg)
			require.NoError(t, end, "the echo must end with the server's hang-up, not a reset")
			require.Equal(t, msg, echo)
		})
	}
	t.Run("host, 3000 bytes", func(t *testing.T) {
		t.Parallel()
		msg := bytes.Repeat([]byte("abcdefghij"), 3*maxRead/10)
		start := time.Now()
		echo, end := talk(t, dialHost(t, server.addr), msg)
		require.NoError(t, end, "a long message must get its echo and a hang-up, not a reset")
		require.NotEmpty(t, echo)
		require.LessOrEqual(t, len(echo), maxRead)
		require.Equal(t, msg[:len(echo)], echo, "the echo is the start of the message")
		require.Less(t, time.Since(start), callTimeout)
	})
}
