package callcenter

import (
	"os"
	"sync"
	"syscall"
)

// children's pidfds, by process, until they are waited for.
var pidfds sync.Map // *os.Process → *os.File

// startChild starts exe with attr, and keeps a pidfd of the child that the
// runtime's poller can wait on: os.Process.Wait blocks a thread for each
// child until it exits, and a crowd of children would need a crowd of them.
func startChild(exe string, attr *os.ProcAttr) (*os.Process, error) {
	pidfd := -1
	attr.Sys = &syscall.SysProcAttr{PidFD: &pidfd}
	p, err := os.StartProcess(exe, []string{exe}, attr)
	if err != nil {
		return nil, err
	}
	if pidfd >= 0 {
		if syscall.SetNonblock(pidfd, true) == nil {
			pidfds.Store(p, os.NewFile(uintptr(pidfd), "pidfd"))
		} else {
			syscall.Close(pidfd)
		}
	}
	return p, nil
}

// waitChild waits for p to exit and reaps it.
func waitChild(p *os.Process) (exitStatus, error) {
	if f, ok := pidfds.LoadAndDelete(p); ok {
		pf := f.(*os.File)
		// A pidfd is readable once its process has exited: wait for that
		// in the poller, then reap, which no longer blocks.
		if rc, err := pf.SyscallConn(); err == nil {
			first := true
			rc.Read(func(uintptr) bool {
				done := !first
				first = false
				return done
			})
		}
		pf.Close()
	}
	st, err := p.Wait()
	if err != nil {
		return exitStatus{}, err
	}
	ws, _ := st.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return exitStatus{signal: ws.Signal()}, nil
	}
	return exitStatus{code: st.ExitCode()}, nil
}
