package student

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// procNetTCP is /proc/net/tcp as the kernel wrote it inside a lab laptop:
// Docker's DNS resolver, a student's server on 0.0.0.0:8000, one on eth0's
// address, and a call in progress (state 01, not listening).
const procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0B00007F:9CAB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 41223 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 41307 1 0000000000000000 100 0 0 10 0
   2: 0A051CAC:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 41308 1 0000000000000000 100 0 0 10 0
   3: 0A051CAC:1F40 14051CAC:B562 01 00000000:00000000 00:00000000 00000000 65532        0 41309 1 0000000000000000 20 4 30 10 -1
`

const procNetTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 51 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000A051CAC:1F41 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 52 1 0000000000000000 100 0 0 10 0
`

func TestParseListening(t *testing.T) {
	tests := []struct {
		name  string
		table string
		want  []string
	}{
		{"ipv4", procNetTCP, []string{"127.0.0.11:40107", "0.0.0.0:8000", "172.28.5.10:8000"}},
		{"ipv6 and mapped ipv4", procNetTCP6, []string{"[::]:8000", "172.28.5.10:8001"}},
		{"header only", "  sl  local_address rem_address   st\n", nil},
		{"garbage", "0: zz:1F40 00000000:0000 0A\n1: 0100007F 0 0A\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, ap := range ParseListening(strings.NewReader(tt.table)) {
				got = append(got, ap.String())
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestWithoutDropsWhatListenedBefore(t *testing.T) {
	dns := netip.MustParseAddrPort("127.0.0.11:40107")
	srv := netip.MustParseAddrPort("172.28.5.10:8000")
	require.Equal(t, []netip.AddrPort{srv}, without([]netip.AddrPort{dns, srv}, []netip.AddrPort{dns}))
}

func TestParseListenKeepsTheInode(t *testing.T) {
	s := parseListen(strings.NewReader(procNetTCP))
	require.Len(t, s, 3)
	require.Equal(t, "0.0.0.0:8000", s[1].addr.String())
	require.Equal(t, "41307", s[1].inode, "the inode names the socket in /proc/PID/fd")
}
