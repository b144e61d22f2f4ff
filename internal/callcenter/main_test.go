package callcenter

import (
	"os"
	"testing"
)

// TestMain serves a call when the processes model's tests start this test
// binary again for one, as the server command does.
func TestMain(m *testing.M) {
	if code, isChild := RunHandedCall(); isChild {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
