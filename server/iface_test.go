package main

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/socketlab/socketlab/internal/netif"
)

func prefixes(s ...string) []netip.Prefix {
	p := make([]netip.Prefix, len(s))
	for k, a := range s {
		p[k] = netip.MustParsePrefix(a)
	}
	return p
}

func TestResolveIface(t *testing.T) {
	lo := netif.Iface{Name: "lo", Up: true, Loopback: true, Addrs: prefixes("127.0.0.1/8", "::1/128")}
	eth0 := netif.Iface{Name: "eth0", Up: true, Addrs: prefixes("fe80::1/64", "172.28.5.10/24", "10.0.0.5/8")}
	down := netif.Iface{Name: "eth1", Up: false, Addrs: prefixes("192.168.1.9/24")}
	v6only := netif.Iface{Name: "wg0", Up: true, Addrs: prefixes("fd00::2/64")}
	tests := []struct {
		name    string
		iface   string
		ifs     []netif.Iface
		want    string
		wantErr string
	}{
		{name: "named interface gives its first IPv4", iface: "eth0", ifs: []netif.Iface{lo, eth0}, want: "172.28.5.10"},
		{name: "loopback can be named", iface: "lo", ifs: []netif.Iface{lo, eth0}, want: "127.0.0.1"},
		{name: "auto skips loopback, down and IPv6-only", iface: "auto", ifs: []netif.Iface{lo, down, v6only, eth0}, want: "172.28.5.10"},
		{name: "auto with only loopback", iface: "auto", ifs: []netif.Iface{lo}, wantErr: "resolve interface auto: no such interface that is up, not loopback and has an IPv4 address; have: lo"},
		{name: "macOS name on Linux lists the real ones", iface: "en0", ifs: []netif.Iface{lo, eth0}, wantErr: "resolve interface en0: no such interface (en0 is macOS's name; on Linux it is usually eth0); have: lo, eth0"},
		{name: "unknown name lists the real ones", iface: "wlan9", ifs: []netif.Iface{lo, eth0}, wantErr: "resolve interface wlan9: no such interface; have: lo, eth0"},
		{name: "interface with no IPv4", iface: "wg0", ifs: []netif.Iface{lo, v6only}, wantErr: "resolve interface wg0: it has no IPv4 address (up fd00::2/64)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip, err := resolveIface(tt.iface, tt.ifs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v; want %s", err, tt.want)
			}
			if ip.String() != tt.want {
				t.Fatalf("got %s; want %s", ip, tt.want)
			}
		})
	}
}

func TestResolveIfaceUnknownIsErrNoSuchIface(t *testing.T) {
	_, err := resolveIface("en0", nil)
	if !errors.Is(err, netif.ErrNoSuchIface) {
		t.Fatalf("got %v; want netif.ErrNoSuchIface", err)
	}
}
