//go:build !unix

package class

import "os/exec"

// ownGroup is the unix process group's (procgroup_unix.go); elsewhere the
// docker command alone is ended.
func ownGroup(*exec.Cmd) {}
