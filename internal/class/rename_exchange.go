//go:build linux && (amd64 || arm64)

package class

import (
	"syscall"
	"unsafe"
)

// exchange swaps the folders a and b in one step (renameat2's
// RENAME_EXCHANGE): no reader ever finds b missing. It fails on a file
// system or kernel that cannot; then swapIn renames twice. (The syscall's
// number is the one thing golang.org/x/sys would add, which the lab's
// images build without: no module download.)
func exchange(a, b string) error {
	pa, err := syscall.BytePtrFromString(a)
	if err != nil {
		return err
	}
	pb, err := syscall.BytePtrFromString(b)
	if err != nil {
		return err
	}
	const atFDCWD, renameExchange = -100, 2
	fd := atFDCWD
	_, _, errno := syscall.Syscall6(sysRenameat2, uintptr(fd), uintptr(unsafe.Pointer(pa)), uintptr(fd), uintptr(unsafe.Pointer(pb)), renameExchange, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
