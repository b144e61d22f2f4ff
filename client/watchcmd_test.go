package main

import (
	"testing"

	"github.com/socketlab/socketlab/internal/wire"
)

func TestWatchUsage(t *testing.T) {
	tests := []usageCase{
		{"help", []string{"watch", "-h"}, exitOK, []string{"usage: client watch [flags]", "CAP_NET_RAW", "-port PORT", "(default 8000)", "-iface NAME", `(default "auto")`, "-pcap-file FILE", "-count N", "-duration D", "-json", "-names IP=NAME,..."}},
		{"listed in the client's usage", []string{"-h"}, exitOK, []string{"\n  watch "}},
		{"unknown flag", []string{"watch", "-x"}, exitUsage, []string{"flag provided but not defined: -x", "usage: client watch"}},
		{"operands", []string{"watch", "laptop-a"}, exitUsage, []string{"watch takes only flags"}},
		{"port 0", []string{"watch", "-port", "0"}, exitUsage, []string{"-port 0: want a number from 1 to 65535"}},
		{"negative count", []string{"watch", "-count", "-1"}, exitUsage, []string{"-count must not be negative"}},
		{"negative duration", []string{"watch", "-duration", "-1s"}, exitUsage, []string{"-duration must not be negative"}},
		{"bad names", []string{"watch", "-names", "laptop-a=172.28.5.10"}, exitUsage, []string{`-names: names: "laptop-a=172.28.5.10": "laptop-a" is not an IP address`}},
		{"unknown interface", []string{"watch", "-iface", "en0"}, exitUsage, []string{"interface en0: no such interface (en0 is macOS's name; on Linux it is usually eth0); have: ", "lo"}},
	}
	checkUsage(t, tests)
}

func TestWatchDrops(t *testing.T) {
	tests := []struct {
		name string
		st   wire.Stats
		want string
	}{
		{"unknown", wire.Stats{Dropped: 3}, ""},
		{"none", wire.Stats{DropsKnown: true}, "; the kernel dropped 0 frames"},
		{"one", wire.Stats{Dropped: 1, DropsKnown: true}, "; the kernel dropped 1 frame: they came faster than watch read them, so segments may be missing above"},
		{"some", wire.Stats{Dropped: 12, DropsKnown: true}, "; the kernel dropped 12 frames: they came faster than watch read them, so segments may be missing above"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := drops(tt.st); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}
