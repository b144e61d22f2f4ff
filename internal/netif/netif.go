// Package netif picks a network interface the way the lecture does with
// netifaces: by name, or "auto" for the first one a student would mean. The
// server binds its first IPv4 address; client watch captures on it.
package netif

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Auto is the interface name that picks the first interface that is up, not
// loopback, and has an IPv4 address.
const Auto = "auto"

// ErrNoSuchIface is the lecture's en0/eth0 pitfall: the name is wrong for this machine.
var ErrNoSuchIface = errors.New("no such interface")

// Iface is what socketlab needs to know about a network interface. It is
// apart from net.Interface so that choosing one can be tested with a table.
type Iface struct {
	Name     string
	Index    int
	Up       bool
	Loopback bool
	Addrs    []netip.Prefix // every address, IPv4 and IPv6, as the system lists them
}

// IPv4 is the interface's IPv4 addresses, in the system's order.
func (i Iface) IPv4() []netip.Addr {
	var v4 []netip.Addr
	for _, p := range i.Addrs {
		if a := p.Addr().Unmap(); a.Is4() {
			v4 = append(v4, a)
		}
	}
	return v4
}

// String renders the interface as -list-interfaces prints it, after its name.
func (i Iface) String() string {
	state := "down"
	if i.Up {
		state = "up"
	}
	if i.Loopback {
		state += ",loopback"
	}
	addrs := make([]string, 0, len(i.Addrs))
	for _, a := range i.Addrs {
		addrs = append(addrs, a.String())
	}
	if len(addrs) == 0 {
		addrs = append(addrs, "no addresses")
	}
	return state + " " + strings.Join(addrs, " ")
}

// Choose picks the interface called name from ifs, or with Auto (or "") the
// first that is up, not loopback, and has an IPv4 address. Its errors list
// the interfaces there are.
func Choose(name string, ifs []Iface) (Iface, error) {
	auto := name == Auto || name == ""
	for _, i := range ifs {
		if (auto && i.Up && !i.Loopback && len(i.IPv4()) > 0) || (!auto && i.Name == name) {
			return i, nil
		}
	}
	if auto {
		return Iface{}, fmt.Errorf("interface auto: %w that is up, not loopback and has an IPv4 address; have: %s", ErrNoSuchIface, Names(ifs))
	}
	hint := ""
	switch name {
	case "en0":
		hint = " (en0 is macOS's name; on Linux it is usually eth0)"
	case "eth0":
		hint = " (on macOS it is usually en0)"
	}
	return Iface{}, fmt.Errorf("interface %s: %w%s; have: %s", name, ErrNoSuchIface, hint, Names(ifs))
}

// Names lists the interfaces' names for an error message.
func Names(ifs []Iface) string {
	if len(ifs) == 0 {
		return "none"
	}
	n := make([]string, len(ifs))
	for k, i := range ifs {
		n[k] = i.Name
	}
	return strings.Join(n, ", ")
}

// System lists this machine's interfaces.
func System() ([]Iface, error) {
	nifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	ifs := make([]Iface, 0, len(nifs))
	for _, n := range nifs {
		i := Iface{Name: n.Name, Index: n.Index, Up: n.Flags&net.FlagUp != 0, Loopback: n.Flags&net.FlagLoopback != 0}
		addrs, err := n.Addrs()
		if err != nil {
			return nil, fmt.Errorf("list addresses of %s: %w", n.Name, err)
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			if ip4 := ipn.IP.To4(); ip4 != nil {
				ip = netip.AddrFrom4([4]byte(ip4))
			}
			ones, _ := ipn.Mask.Size()
			i.Addrs = append(i.Addrs, netip.PrefixFrom(ip, ones))
		}
		ifs = append(ifs, i)
	}
	return ifs, nil
}
