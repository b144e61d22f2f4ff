package wire

import (
	"net/netip"
	"strings"
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

func TestChooseIface(t *testing.T) {
	v4 := []netip.Addr{netip.MustParseAddr("172.28.5.10")}
	ifs := []Iface{
		{Name: "lo", Up: true, Loopback: true, IPv4: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		{Name: "eth1", Up: false, IPv4: v4},
		{Name: "eth2", Up: true},
		{Name: "eth0", Up: true, IPv4: v4},
	}
	tests := []struct {
		name, want, wantErr string
	}{
		{name: "auto", want: "eth0"},
		{name: "", want: "eth0"},
		{name: "lo", want: "lo"},
		{name: "eth1", want: "eth1"},
		{name: "en0", wantErr: "interface en0: no such interface; have: lo, eth1, eth2, eth0"},
	}
	for _, tt := range tests {
		got, err := ChooseIface(tt.name, ifs)
		switch {
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("ChooseIface(%q): got error %v; want %q", tt.name, err, tt.wantErr)
		case tt.wantErr == "" && (err != nil || got.Name != tt.want):
			t.Errorf("ChooseIface(%q) = %q, %v; want %q", tt.name, got.Name, err, tt.want)
		}
	}
	if _, err := ChooseIface("auto", ifs[:3]); err == nil || !strings.Contains(err.Error(), "have: lo, eth1, eth2") {
		t.Errorf("auto with no candidate: got %v; want the list of interfaces", err)
	}
}
