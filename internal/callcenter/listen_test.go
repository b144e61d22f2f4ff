package callcenter

import (
	"net"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/socketlab/socketlab/internal/lab"
)

// TestBacklogIsTheRealListenQueue holds callers on a listener nobody
// accepts from. Linux completes the handshake for backlog+1 of them and drops
// the SYNs of the rest, so their connect times out: the queue is what
// -backlog says, not the kernel's default of thousands.
func TestBacklogIsTheRealListenQueue(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the count of held callers is Linux's")
	}
	for _, backlog := range []int{1, 3} {
		t.Run(strconv.Itoa(backlog), func(t *testing.T) {
			l, err := Listen(net.IPv4(127, 0, 0, 1), 0, backlog, false)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			held := 0
			for range backlog + 3 {
				c, err := net.DialTimeout("tcp", l.Addr().String(), 300*time.Millisecond)
				if err != nil {
					if lab.Classify(err) != lab.KindTimeout {
						t.Fatalf("caller beyond the queue: %v; want a timeout", err)
					}
					continue
				}
				defer c.Close()
				held++
			}
			if held != backlog+1 {
				t.Fatalf("%d callers held on a backlog of %d; want %d", held, backlog, backlog+1)
			}
		})
	}
}
