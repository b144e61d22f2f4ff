package callcenter

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// rawFile is the descriptor of out when it is a regular file, which the
// log writes with a raw write(2): one that cannot block for long (a file
// is not a pipe whose reader may stop) and that the runtime does not hear
// of. A write the runtime hears of wakes its monitor thread when the
// program was idle, and the monitor then wakes every 20µs a while: on a
// server with one call at a time, one write of the log per 10ms cost some
// ten such wake-ups each (measured with strace -c on the event loop). A
// pipe or a terminal (Docker's logs, a student's shell) is written as any
// io.Writer.
func rawFile(out io.Writer) (int, bool) {
	f, ok := out.(*os.File)
	if !ok {
		return -1, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return -1, false
	}
	return int(f.Fd()), true
}

// writeRaw writes b to the file fd, all of it unless the write fails.
func writeRaw(fd int, b []byte) {
	for len(b) > 0 {
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 || n == 0 {
			return
		}
		b = b[n:]
	}
}
