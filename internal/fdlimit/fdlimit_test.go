package fdlimit

import (
	"runtime"
	"testing"
)

func TestRaise(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no RLIMIT_NOFILE here")
	}
	n, err := Raise()
	if err != nil {
		t.Fatal(err)
	}
	if n < 1024 {
		t.Fatalf("open files limit %d after raising; want the hard limit", n)
	}
}
