package wire

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Names maps an IP address to the name students know it by, such as
// 172.28.5.20 → laptop-b. An address without a name is shown as itself.
type Names map[netip.Addr]string

// ParseNames reads -names: "IP=NAME" pairs separated by commas, such as
// "172.28.5.20=laptop-b,172.28.5.10=laptop-a". Spaces around items are
// ignored; an empty string is an empty map.
func ParseNames(s string) (Names, error) {
	names := Names{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		ipText, name, ok := strings.Cut(item, "=")
		ipText, name = strings.TrimSpace(ipText), strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("names: %q is not IP=NAME", item)
		}
		ip, err := netip.ParseAddr(ipText)
		if err != nil {
			return nil, fmt.Errorf("names: %q: %q is not an IP address", item, ipText)
		}
		names[ip.Unmap()] = name
	}
	return names, nil
}

// name is how an address is shown: its name, or the IP itself.
func (n Names) name(ip netip.Addr) string {
	if s, ok := n[ip]; ok {
		return s
	}
	return ip.String()
}

// AutoIface is the -iface value that picks an interface the way the
// server does: the first one that is up, not loopback, with an IPv4 address.
const AutoIface = "auto"

// ErrNoSuchIface is the lecture's en0/eth0 pitfall: the name is wrong for this machine.
var ErrNoSuchIface = errors.New("no such interface")

// Iface is what watch needs to know about a network interface. It is apart
// from net.Interface so that choosing one can be tested with a table.
type Iface struct {
	Name     string
	Index    int
	Up       bool
	Loopback bool
	IPv4     []netip.Addr
}

// ChooseIface picks the interface to watch from ifs: the one called name,
// or with name "auto" (or empty) the first that is up, not loopback, and
// has an IPv4 address.
func ChooseIface(name string, ifs []Iface) (Iface, error) {
	var have []string
	for _, i := range ifs {
		have = append(have, i.Name)
		auto := name == AutoIface || name == ""
		if (auto && i.Up && !i.Loopback && len(i.IPv4) > 0) || (!auto && i.Name == name) {
			return i, nil
		}
	}
	if len(have) == 0 {
		have = append(have, "none")
	}
	if name == AutoIface || name == "" {
		return Iface{}, fmt.Errorf("interface auto: %w that is up, not loopback, with an IPv4 address; have: %s", ErrNoSuchIface, strings.Join(have, ", "))
	}
	return Iface{}, fmt.Errorf("interface %s: %w; have: %s", name, ErrNoSuchIface, strings.Join(have, ", "))
}

// SystemIfaces lists this machine's interfaces.
func SystemIfaces() ([]Iface, error) {
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
			if ipn, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(ipn.IP.To4()); ok {
					i.IPv4 = append(i.IPv4, ip)
				}
			}
		}
		ifs = append(ifs, i)
	}
	return ifs, nil
}
