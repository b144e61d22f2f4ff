//go:build unix

package main

import "syscall"

// raiseFileLimit lifts this process's open-files soft limit to the hard
// limit, so a bench can hold thousands of sockets, and returns the limit
// now in force. Go already does this at start on Linux; doing it here
// keeps the promise on every system and tells the caller the number.
func raiseFileLimit() (uint64, error) {
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
		// macOS refuses an unlimited soft limit; what there is still works.
		return uint64(lim.Cur), err
	}
	return uint64(want.Cur), nil
}
