//go:build unix

package lang

import (
	"os/exec"
	"syscall"
	"time"
)

// killGroup runs the build in a process group of its own and, when its
// time is up, kills the whole group: gcc's cc1 and javac's JVM are
// children of the command the lab started.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
}
