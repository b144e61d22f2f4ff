package netif

import (
	"errors"
	"net/netip"
	"testing"
)

func prefixes(s ...string) []netip.Prefix {
	p := make([]netip.Prefix, len(s))
	for k, a := range s {
		p[k] = netip.MustParsePrefix(a)
	}
	return p
}

func TestChoose(t *testing.T) {
	lo := Iface{Name: "lo", Up: true, Loopback: true, Addrs: prefixes("127.0.0.1/8", "::1/128")}
	eth0 := Iface{Name: "eth0", Up: true, Addrs: prefixes("fe80::1/64", "172.28.5.10/24", "10.0.0.5/8")}
	down := Iface{Name: "eth1", Up: false, Addrs: prefixes("192.168.1.9/24")}
	v6only := Iface{Name: "wg0", Up: true, Addrs: prefixes("fd00::2/64")}
	all := []Iface{lo, down, v6only, eth0}
	tests := []struct {
		name, iface, want, wantErr string
		ifs                        []Iface
	}{
		{name: "by name", iface: "eth0", ifs: all, want: "eth0"},
		{name: "loopback by name", iface: "lo", ifs: all, want: "lo"},
		{name: "down, by name", iface: "eth1", ifs: all, want: "eth1"},
		{name: "auto skips loopback, down and IPv6-only", iface: "auto", ifs: all, want: "eth0"},
		{name: "empty is auto", iface: "", ifs: all, want: "eth0"},
		{name: "auto with only loopback", iface: "auto", ifs: []Iface{lo, v6only}, wantErr: "interface auto: no such interface that is up, not loopback and has an IPv4 address; have: lo, wg0"},
		{name: "macOS name on Linux", iface: "en0", ifs: []Iface{lo, eth0}, wantErr: "interface en0: no such interface (en0 is macOS's name; on Linux it is usually eth0); have: lo, eth0"},
		{name: "unknown name", iface: "wlan9", ifs: []Iface{lo, eth0}, wantErr: "interface wlan9: no such interface; have: lo, eth0"},
		{name: "no interfaces", iface: "eth0", wantErr: "interface eth0: no such interface (on macOS it is usually en0); have: none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Choose(tt.iface, tt.ifs)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrNoSuchIface) {
					t.Fatalf("got error %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Name != tt.want {
				t.Fatalf("got %q, %v; want %q", got.Name, err, tt.want)
			}
		})
	}
}

func TestIPv4AndString(t *testing.T) {
	i := Iface{Name: "eth0", Up: true, Addrs: prefixes("fe80::1/64", "172.28.5.10/24", "10.0.0.5/8")}
	if got := i.IPv4(); len(got) != 2 || got[0].String() != "172.28.5.10" {
		t.Fatalf("IPv4() = %v; want 172.28.5.10 first", got)
	}
	if got, want := i.String(), "up fe80::1/64 172.28.5.10/24 10.0.0.5/8"; got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
	if got, want := (Iface{Name: "ifb0"}).String(), "down no addresses"; got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestSystemHasLoopback(t *testing.T) {
	ifs, err := System()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		for _, a := range i.IPv4() {
			if a == netip.MustParseAddr("127.0.0.1") {
				return
			}
		}
	}
	t.Fatalf("no interface has 127.0.0.1: %v", ifs)
}
