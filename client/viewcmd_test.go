package main

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestViewUsage(t *testing.T) {
	tests := []usageCase{
		{"help", []string{"view", "-h"}, exitOK, []string{"usage: client view [flags]", "CAP_NET_RAW", "-listen ADDR", `(default ":8080")`, "-status URL", "-names IP=NAME,...", "your computer", "-keep N", "-interval D"}},
		{"listed in the client's usage", []string{"-h"}, exitOK, []string{"\n  view ", `"client COMMAND -h"`}},
		{"operands", []string{"view", "laptop-a"}, exitUsage, []string{"view takes only flags"}},
		{"port 0", []string{"view", "-port", "0"}, exitUsage, []string{"-port 0: want a number from 1 to 65535"}},
		{"keep 0", []string{"view", "-keep", "0"}, exitUsage, []string{"-keep 0: want at least 1"}},
		{"interval 0", []string{"view", "-interval", "0s"}, exitUsage, []string{"-interval must be positive"}},
		{"bad names", []string{"view", "-names", "laptop-a"}, exitUsage, []string{"-names: "}},
		{"unknown interface", []string{"view", "-iface", "en0"}, exitUsage, []string{"interface en0: no such interface"}},
		{"url not a web address", []string{"view", "-url", "localhost:8080"}, exitUsage, []string{`-url "localhost:8080": want an address a browser opens`}},
	}
	checkUsage(t, tests)
}

// TestViewPageURL: the view says only an address a browser on this machine
// opens: the one it is told (where compose publishes it), else its
// listener's, with localhost for an address on every interface.
func TestViewPageURL(t *testing.T) {
	for _, c := range []struct {
		given  string
		listen net.Addr
		want   string
	}{
		{"http://localhost:8090", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8090"},
		{"", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://localhost:8080"},
		{"", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://localhost:8080"},
		{"", &net.TCPAddr{Port: 8080}, "http://localhost:8080"},
		{"", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 18080}, "http://127.0.0.1:18080"},
		{"", &net.TCPAddr{IP: net.IPv6loopback, Port: 18080}, "http://[::1]:18080"},
	} {
		require.Equal(t, c.want, pageURL(c.given, c.listen), "%q, %v", c.given, c.listen)
	}
}
