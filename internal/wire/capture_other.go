//go:build !linux

package wire

import "errors"

// openCapture needs Linux's AF_PACKET sockets; elsewhere watch explains
// where to run it instead.
func openCapture(iface Iface) (source, error) {
	return nil, errors.New("watch captures with a Linux AF_PACKET socket: run it on Linux, or in the lab's containers")
}
