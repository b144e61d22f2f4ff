//go:build unix

// Package fdlimit raises the open-files limit, for the server and for
// client bench: each caller on the line is a file descriptor, so a crowd
// meets "too many open files" long before it meets anything else.
package fdlimit

import "syscall"

// Raise lifts this process's open-files soft limit to the hard limit and
// returns the limit now in force. Go already does this at start on Linux;
// doing it here keeps the promise on every system and tells the caller the
// number. When raising fails (macOS refuses an unlimited soft limit), it
// returns the limit that is still in force, and the error.
func Raise() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur == lim.Max {
		return uint64(lim.Cur), nil
	}
	want := lim
	want.Cur = want.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		return uint64(lim.Cur), err
	}
	return uint64(want.Cur), nil
}
