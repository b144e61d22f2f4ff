//go:build unix

package student

import (
	"net"
	"os"
	"os/exec"
	"syscall"
)

// ownGroup starts the program in a process group of its own, so that
// stopping it stops whatever it started too.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends SIGTERM, or SIGKILL when kill is set, to the program's
// process group.
func signalGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, sig)
	}
}

// signalName names the signal that ended the program, "" if none did.
// SIGKILL is "killed": in the lab's container that is the memory limit,
// unless the supervisor sent it.
func signalName(ps *os.ProcessState) string {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ""
	}
	if ws.Signal() == syscall.SIGKILL {
		return "killed"
	}
	return ws.Signal().String()
}

// resetSince says whether the other end reset conn after its FIN: the
// greeting reached a caller who had already closed its socket, whose
// kernel answered with RST. Linux keeps that as the socket's error
// (EPIPE in CLOSE_WAIT) even though a read still returns EOF first.
func resetSince(conn net.Conn) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	soErr := 0
	rc.Control(func(fd uintptr) {
		soErr, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)
	})
	return soErr != 0
}

// isMount says whether dir is on another device than its parent: the root
// of a mount, such as a bind mount into a container.
func isMount(dir string) bool {
	var st, parent syscall.Stat_t
	if syscall.Stat(dir, &st) != nil || syscall.Stat(dir+"/..", &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev
}
