//go:build !linux

package view

import "errors"

// listenQueue needs Linux's sock_diag; elsewhere the page shows no queue.
func listenQueue(port int) (queue, backlog int, ok bool, err error) {
	return 0, 0, false, errors.New("the listen queue is read with Linux's sock_diag")
}
