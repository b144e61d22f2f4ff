//go:build !linux

package callcenter

import "time"

// sleepOutsideRuntime is time.Sleep where the lab's servers do not run:
// the cost it avoids on Linux is measured there only (see CallLog and idleWatch).
func sleepOutsideRuntime(d time.Duration) { time.Sleep(d) }
