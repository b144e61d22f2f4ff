//go:build unix && !linux

package callcenter

import "syscall"

// useServerStderr: see process_stderr_linux.go.
func useServerStderr() error {
	if err := syscall.Dup2(4, 2); err != nil {
		return err
	}
	return syscall.Close(4)
}
