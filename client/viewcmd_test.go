package main

import (
	"strings"
	"testing"
)

func TestViewUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  []string
	}{
		{"help", []string{"view", "-h"}, exitOK, []string{"usage: client view [flags]", "CAP_NET_RAW", "-listen ADDR", `(default ":8080")`, "-status URL", "-names IP=NAME,...", "your computer", "-keep N", "-interval D"}},
		{"listed in the client's usage", []string{"-h"}, exitOK, []string{"client view [flags]", `"client view -h"`}},
		{"operands", []string{"view", "laptop-a"}, exitUsage, []string{"view takes only flags"}},
		{"port 0", []string{"view", "-port", "0"}, exitUsage, []string{"-port 0: want a number from 1 to 65535"}},
		{"keep 0", []string{"view", "-keep", "0"}, exitUsage, []string{"-keep 0: want at least 1"}},
		{"interval 0", []string{"view", "-interval", "0s"}, exitUsage, []string{"-interval must be positive"}},
		{"bad names", []string{"view", "-names", "laptop-a"}, exitUsage, []string{"-names: "}},
		{"unknown interface", []string{"view", "-iface", "en0"}, exitUsage, []string{"interface en0: no such interface"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runClient(t, "", tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d; want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q; want nothing", out)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}
