package main

import (
	"fmt"
	"net"

	"github.com/socketlab/socketlab/internal/netif"
)

// resolveIface returns the first IPv4 address of the named interface, as
// netifaces.ifaddresses(name)[AF_INET][0]['addr'] does in the lecture. With
// name "auto" it takes the first interface that is up, not loopback, and has
// an IPv4 address.
func resolveIface(name string, ifs []netif.Iface) (net.IP, error) {
	i, err := netif.Choose(name, ifs)
	if err != nil {
		return nil, fmt.Errorf("resolve %w (see -list-interfaces; or -addr IP)", err)
	}
	v4 := i.IPv4()
	if len(v4) == 0 {
		return nil, fmt.Errorf("resolve interface %s: it has no IPv4 address (%s); pick another with -iface (see -list-interfaces)", name, i)
	}
	return net.IP(v4[0].AsSlice()), nil
}
