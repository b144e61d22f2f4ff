//go:build !linux

package callcenter

import (
	"os"
	"syscall"
)

func startChild(exe string, attr *os.ProcAttr) (*os.Process, error) {
	return os.StartProcess(exe, []string{exe}, attr)
}

// waitChild waits for p to exit and reaps it.
func waitChild(p *os.Process) (exitStatus, error) {
	st, err := p.Wait()
	if err != nil {
		return exitStatus{}, err
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitStatus{signal: ws.Signal()}, nil
	}
	return exitStatus{code: st.ExitCode()}, nil
}
