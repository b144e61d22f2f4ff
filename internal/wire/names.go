package wire

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/socketlab/socketlab/internal/netif"
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

// Iface is a network interface to capture on; choosing one follows the
// server's rule (internal/netif), so "auto" watches what the server binds.
type Iface = netif.Iface

// AutoIface is the -iface value that picks the first interface that is up,
// not loopback, with an IPv4 address.
const AutoIface = netif.Auto

// ErrNoSuchIface is the lecture's en0/eth0 pitfall: the name is wrong for this machine.
var ErrNoSuchIface = netif.ErrNoSuchIface
