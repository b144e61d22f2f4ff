package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
)

// autoIface is the -iface value that picks the first suitable interface.
const autoIface = "auto"

// iface is what the server needs to know about one network interface. It is
// separate from net.Interface so that resolving can be tested with a table.
type iface struct {
	Name     string
	Up       bool
	Loopback bool
	Addrs    []net.IPNet
}

// errNoSuchIface is the lecture's en0/eth0 pitfall: the name is wrong for this machine.
var errNoSuchIface = errors.New("no such interface")

// resolveIface returns the first IPv4 address of the named interface, as
// netifaces.ifaddresses(name)[AF_INET][0]['addr'] does in the lecture. With
// name "auto" it takes the first interface that is up, not loopback, and has
// an IPv4 address.
func resolveIface(name string, ifs []iface) (net.IP, error) {
	if name == autoIface {
		for _, i := range ifs {
			if !i.Up || i.Loopback {
				continue
			}
			if ip := firstIPv4(i.Addrs); ip != nil {
				return ip, nil
			}
		}
		return nil, fmt.Errorf("resolve interface auto: no interface is up with an IPv4 address (have: %s); use -iface NAME or -addr IP", names(ifs))
	}
	for _, i := range ifs {
		if i.Name != name {
			continue
		}
		ip := firstIPv4(i.Addrs)
		if ip == nil {
			return nil, fmt.Errorf("resolve interface %s: it has no IPv4 address (%s); pick another with -iface (see -list-interfaces)", name, describe(i))
		}
		return ip, nil
	}
	hint := ""
	switch name {
	case "en0":
		hint = " (en0 is macOS's name; on Linux it is usually eth0)"
	case "eth0":
		hint = " (on macOS it is usually en0)"
	}
	return nil, fmt.Errorf("resolve interface %s: %w%s; have: %s", name, errNoSuchIface, hint, names(ifs))
}

func firstIPv4(addrs []net.IPNet) net.IP {
	for _, a := range addrs {
		if ip4 := a.IP.To4(); ip4 != nil {
			return ip4
		}
	}
	return nil
}

func names(ifs []iface) string {
	if len(ifs) == 0 {
		return "none"
	}
	n := make([]string, len(ifs))
	for k, i := range ifs {
		n[k] = i.Name
	}
	return strings.Join(n, ", ")
}

// describe renders one interface as -list-interfaces prints it.
func describe(i iface) string {
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

// systemIfaces reads this machine's interfaces.
func systemIfaces() ([]iface, error) {
	nifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	ifs := make([]iface, 0, len(nifs))
	for _, n := range nifs {
		i := iface{Name: n.Name, Up: n.Flags&net.FlagUp != 0, Loopback: n.Flags&net.FlagLoopback != 0}
		addrs, err := n.Addrs()
		if err != nil {
			return nil, fmt.Errorf("list addresses of %s: %w", n.Name, err)
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				i.Addrs = append(i.Addrs, *ipn)
			}
		}
		ifs = append(ifs, i)
	}
	return ifs, nil
}
