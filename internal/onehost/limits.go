package onehost

import (
	"path"
	"strconv"
	"time"

	"github.com/socketlab/socketlab/internal/student/lang"
)

// Limits are what the student's program may use. Zero fields take the
// defaults below, the lab's laptop's budget where there is one.
type Limits struct {
	// Procs is how many processes and threads the program's user may have
	// at once (RLIMIT_NPROC): a fork bomb stops there. Default 64, the
	// lab's pids limit.
	Procs int
	// Memory is the most memory the program may map, in bytes (RLIMIT_AS,
	// or RLIMIT_DATA for a runtime that reserves address space it never
	// uses: a JVM, node). Default 512 MiB.
	Memory int64
	// CPU is the CPU time it may use (RLIMIT_CPU), default the grade's
	// whole time: a busy loop is stopped by the wall clock first.
	CPU time.Duration
	// FileSize is the largest file it may write (RLIMIT_FSIZE), 16 MiB by
	// default, as the lab's /tmp.
	FileSize int64
	// Files is how many files it may have open (RLIMIT_NOFILE), default 256.
	Files int
	// Output is how much of what it prints is kept, in bytes (default
	// 64 KiB); the rest is counted, not kept.
	Output int
}

// Defaults of Limits.
const (
	DefaultProcs    = 64
	DefaultMemory   = 512 << 20
	DefaultFileSize = 16 << 20
	DefaultFiles    = 256
	DefaultOutput   = 64 << 10
)

func (l Limits) withDefaults(wall time.Duration) Limits {
	if l.Procs <= 0 {
		l.Procs = DefaultProcs
	}
	if l.Memory <= 0 {
		l.Memory = DefaultMemory
	}
	if l.CPU <= 0 {
		l.CPU = wall
	}
	if l.FileSize <= 0 {
		l.FileSize = DefaultFileSize
	}
	if l.Files <= 0 {
		l.Files = DefaultFiles
	}
	if l.Output <= 0 {
		l.Output = DefaultOutput
	}
	return l
}

// args are the limits as the helper's flags (ExecLimited), for a program
// run by command (whose runtime decides how memory is limited) whose user
// may have nproc processes in all.
func (l Limits) args(command []string, nproc int) []string {
	memory := "-as"
	if reservesAddressSpace(command) {
		memory = "-data"
	}
	cpu := int64((l.CPU + time.Second - 1) / time.Second)
	return []string{
		"-nproc=" + strconv.Itoa(nproc),
		memory + "=" + strconv.FormatInt(l.Memory, 10),
		"-cpu=" + strconv.FormatInt(cpu, 10),
		"-fsize=" + strconv.FormatInt(l.FileSize, 10),
		"-nofile=" + strconv.Itoa(l.Files),
	}
}

// reservesAddressSpace says whether the command's runtime maps far more
// address space than it uses, so that an RLIMIT_AS of a few hundred MB
// would stop it at start: Java's (javac's too) and node's do, and the go
// command's compiler may; Python's does not.
func reservesAddressSpace(command []string) bool {
	if len(command) == 0 {
		return false
	}
	switch path.Base(command[0]) {
	case "java", "node", "nodejs", "go":
		return true
	}
	return false
}

// toolOf is what a language's program needs installed first: its compiler,
// or the runtime that runs it.
func toolOf(l lang.Lang) string {
	switch l {
	case lang.C:
		return "gcc"
	case lang.CPP:
		return "g++"
	case lang.Java:
		return "java"
	case lang.Node:
		return "node"
	case lang.Go:
		return "go"
	}
	return "python3"
}
