package wire

import (
	"net/netip"
	"testing"
)

func TestParseNames(t *testing.T) {
	n, err := ParseNames(" 172.28.5.20=laptop-b, 172.28.5.10 = laptop-a,,")
	if err != nil || len(n) != 2 || n[netip.MustParseAddr("172.28.5.10")] != "laptop-a" {
		t.Errorf("got %v, %v", n, err)
	}
	if n, err := ParseNames(""); err != nil || len(n) != 0 {
		t.Errorf("empty: got %v, %v", n, err)
	}
	for _, bad := range []string{"laptop-a", "laptop-a=172.28.5.10", "172.28.5.10=", "1.2.3=x"} {
		if _, err := ParseNames(bad); err == nil {
			t.Errorf("ParseNames(%q): got no error", bad)
		}
	}
}
