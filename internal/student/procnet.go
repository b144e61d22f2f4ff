package student

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// tcpListen is the state number of a listening socket in /proc/net/tcp.
const tcpListen = "0A"

// ParseListening reads a /proc/net/tcp or /proc/net/tcp6 table and returns
// the addresses its listening sockets are bound to. The table is the
// kernel's own view of this network namespace, so the supervisor sees what
// the student's program bound (0.0.0.0, 127.0.0.1, eth0's address) without
// calling it, which would use up the one call the lecture's script serves.
func ParseListening(r io.Reader) []netip.AddrPort {
	var out []netip.AddrPort
	for _, s := range parseListen(r) {
		out = append(out, s.addr)
	}
	return out
}

// listenSocket is one listening socket: its address and its inode, which
// names it in /proc/PID/fd ("socket:[inode]").
type listenSocket struct {
	addr  netip.AddrPort
	inode string
}

func parseListen(r io.Reader) []listenSocket {
	var out []listenSocket
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
		if len(f) < 4 || f[3] != tcpListen {
			continue
		}
		ap, ok := parseHexAddr(f[1])
		if !ok {
			continue
		}
		s := listenSocket{addr: ap}
		if len(f) > 9 {
			s.inode = f[9]
		}
		out = append(out, s)
	}
	return out
}

// parseHexAddr reads the kernel's "0100007F:1F40": the address as 32-bit
// words in host byte order (little endian on every platform the lab runs
// on), the port in hex.
func parseHexAddr(s string) (netip.AddrPort, bool) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	b := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(b[i:], binary.LittleEndian.Uint32(raw[i:]))
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), true
}

// listening reads this namespace's listening TCP sockets, IPv4 and IPv6;
// with pid > 0, only those the process pid holds open, when its open files
// can be read (the supervisor runs the program as its own user).
func listening(pid int) []netip.AddrPort {
	var all []listenSocket
	for _, path := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		all = append(all, parseListen(f)...)
		f.Close()
	}
	owned, ok := socketsOf(pid)
	var out []netip.AddrPort
	for _, s := range all {
		if !ok || owned[s.inode] {
			out = append(out, s.addr)
		}
	}
	return out
}

// socketsOf is the inodes of the sockets process pid has open; false when
// they cannot be read (no /proc, another user's process, pid <= 0).
func socketsOf(pid int) (map[string]bool, bool) {
	if pid <= 0 {
		return nil, false
	}
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, false
	}
	inodes := map[string]bool{}
	read := 0
	for _, e := range ents {
		link, err := os.Readlink(dir + "/" + e.Name())
		if err != nil {
			continue
		}
		read++
		if in, ok := strings.CutPrefix(link, "socket:["); ok {
			inodes[strings.TrimSuffix(in, "]")] = true
		}
	}
	// Root without CAP_SYS_PTRACE (a container's, by default) may list
	// another user's open files but read none of them: that is not
	// knowing, not "no sockets".
	if read == 0 && len(ents) > 0 {
		return nil, false
	}
	return inodes, true
}
