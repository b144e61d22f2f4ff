package callcenter

import "syscall"

// useServerStderr makes descriptor 4, the server's stderr, this call
// process's stderr, in place of the pipe the server reads while the process
// starts (see spawn): the end of that pipe tells the server it started.
func useServerStderr() error {
	if err := syscall.Dup3(4, 2, 0); err != nil {
		return err
	}
	return syscall.Close(4)
}
