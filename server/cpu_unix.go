//go:build unix

package main

import "syscall"

// cpuSeconds is the CPU time this process has used, user and system, and
// its children that have ended (the processes model's calls): the web view
// shows an idle server using none.
func cpuSeconds() float64 {
	total := 0.0
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		}
	}
	return total
}
