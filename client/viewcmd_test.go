package main

import "testing"

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
	}
	checkUsage(t, tests)
}
