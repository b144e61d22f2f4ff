package callcenter

import (
	"syscall"
	"time"
)

// sleepOutsideRuntime sleeps in nanosleep(2), which the Go runtime knows
// only as a blocking system call: unlike time.Sleep, it arms no runtime
// timer for the scheduler to keep checking (see CallLog and idleWatch).
func sleepOutsideRuntime(d time.Duration) {
	if d <= 0 {
		return
	}
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
