//go:build unix

package class

import (
	"os/exec"
	"syscall"
)

// ownGroup runs cmd in a process group of its own, and ends the whole
// group when its context ends. `docker compose` is the docker command
// running its compose plugin as a child: killing the docker command alone
// left the plugin running, still starting a lab after the class had taken
// every lab down. In its own group, a Ctrl-C at the terminal reaches the
// grader alone, which takes the labs down itself.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
