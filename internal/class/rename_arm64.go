//go:build linux

package class

const sysRenameat2 = 276 // linux/arm64
