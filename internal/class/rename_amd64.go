//go:build linux

package class

const sysRenameat2 = 316 // linux/amd64
