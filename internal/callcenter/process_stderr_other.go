//go:build !unix

package callcenter

import "errors"

// useServerStderr: a call's socket cannot be handed to a process here.
func useServerStderr() error { return errors.ErrUnsupported }
