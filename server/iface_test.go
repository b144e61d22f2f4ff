package main

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func ipnet(s string) net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	return *n
}

func TestResolveIface(t *testing.T) {
	lo := iface{Name: "lo", Up: true, Loopback: true, Addrs: []net.IPNet{ipnet("127.0.0.1/8"), ipnet("::1/128")}}
	eth0 := iface{Name: "eth0", Up: true, Addrs: []net.IPNet{ipnet("fe80::1/64"), ipnet("172.28.5.10/24"), ipnet("10.0.0.5/8")}}
	down := iface{Name: "eth1", Up: false, Addrs: []net.IPNet{ipnet("192.168.1.9/24")}}
	v6only := iface{Name: "wg0", Up: true, Addrs: []net.IPNet{ipnet("fd00::2/64")}}
	tests := []struct {
		name    string
		iface   string
		ifs     []iface
		want    string
		wantErr string
	}{
		{name: "named interface gives its first IPv4", iface: "eth0", ifs: []iface{lo, eth0}, want: "172.28.5.10"},
		{name: "loopback can be named", iface: "lo", ifs: []iface{lo, eth0}, want: "127.0.0.1"},
		{name: "auto skips loopback, down and IPv6-only", iface: "auto", ifs: []iface{lo, down, v6only, eth0}, want: "172.28.5.10"},
		{name: "auto with only loopback", iface: "auto", ifs: []iface{lo}, wantErr: "no interface is up with an IPv4 address (have: lo)"},
		{name: "macOS name on Linux lists the real ones", iface: "en0", ifs: []iface{lo, eth0}, wantErr: "resolve interface en0: no such interface (en0 is macOS's name; on Linux it is usually eth0); have: lo, eth0"},
		{name: "unknown name lists the real ones", iface: "wlan9", ifs: []iface{lo, eth0}, wantErr: "resolve interface wlan9: no such interface; have: lo, eth0"},
		{name: "interface with no IPv4", iface: "wg0", ifs: []iface{lo, v6only}, wantErr: "resolve interface wg0: it has no IPv4 address"},
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
	if !errors.Is(err, errNoSuchIface) {
		t.Fatalf("got %v; want errNoSuchIface", err)
	}
}
