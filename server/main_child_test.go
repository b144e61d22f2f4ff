package main

import (
	"os"
	"testing"

	"github.com/socketlab/socketlab/internal/callcenter"
)

// TestMain serves a call when a server run in a test with -model processes
// starts this test binary again for one, as it starts the server command.
func TestMain(m *testing.M) {
	if code, isChild := callcenter.RunHandedCall(); isChild {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
