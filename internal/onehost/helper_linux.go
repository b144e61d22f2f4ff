package onehost

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"unsafe"
)

// prSetNoNewPrivs is prctl's PR_SET_NO_NEW_PRIVS: after it, no exec gains
// privileges (a set-user-ID program runs as the caller).
const prSetNoNewPrivs = 38

// ExecLimited is the helper that becomes the student's program. Go cannot
// run code between fork and exec, so the limits are set here, in a process
// already running as the program's user (Supervise started it so), which
// then replaces itself with the program: the program and all it starts
// inherit them, and nothing else of the grader does. args are Limits.args'
// flags, then "--" and the command; -check only says whether the command
// could be started, as the program's user, and starts nothing. It returns
// only when it cannot exec, with the reason.
func ExecLimited(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("limits", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "say whether the command can be started, and start nothing")
	var lims []rlimit
	for _, r := range []struct {
		name string
		res  int
	}{
		{"nproc", rlimitNproc}, {"as", syscall.RLIMIT_AS}, {"data", syscall.RLIMIT_DATA},
		{"fsize", syscall.RLIMIT_FSIZE}, {"nofile", syscall.RLIMIT_NOFILE},
	} {
		fs.Func(r.name, "the limit of "+r.name, func(s string) error {
			v, err := parseLimit(s)
			lims = append(lims, rlimit{res: r.res, cur: v, max: v})
			return err
		})
	}
	fs.Func("cpu", "CPU seconds (SIGXCPU then, SIGKILL 2 s later)", func(s string) error {
		v, err := parseLimit(s)
		lims = append(lims, rlimit{res: syscall.RLIMIT_CPU, cur: v, max: v + 2})
		return err
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	argv := fs.Args()
	if len(argv) == 0 {
		return errors.New("no command to run")
	}
	// The user's own lookup: root's PATH may name folders it cannot enter
	// (a pyenv under /root), and a later one has the same program.
	file, err := exec.LookPath(argv[0])
	if err == nil {
		err = syscall.Access(file, 1) // X_OK, as this user
	}
	if err != nil {
		return fmt.Errorf("cannot start %s as uid %d: %w", argv[0], os.Getuid(), err)
	}
	if *check {
		return nil
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); e != 0 {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", e)
	}
	// Below the grader, when they compete: for the CPU (a busy loop, a
	// fork bomb's 64 processes), and for memory, when the machine runs
	// out and its kernel picks a process to kill.
	syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19)
	os.WriteFile("/proc/self/oom_score_adj", []byte("1000"), 0)
	// No core files: a crash must not fill the disk.
	lims = append(lims, rlimit{res: syscall.RLIMIT_CORE})
	// The memory limits go last, and nothing is allocated after them:
	// this Go process maps more than a Python server, and a heap that
	// grows past them ends it before it can exec.
	slices.SortStableFunc(lims, func(a, b rlimit) int { return memoryLimit(a.res) - memoryLimit(b.res) })
	path, err := syscall.BytePtrFromString(file)
	if err != nil {
		return err
	}
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envp, err := syscall.SlicePtrFromStrings(os.Environ())
	if err != nil {
		return err
	}
	for i := range lims {
		l := &lims[i]
		// Below what the grader had: a user may lower a hard limit, never raise it.
		var old syscall.Rlimit
		if err := syscall.Getrlimit(l.res, &old); err == nil {
			l.max = min(l.max, old.Max)
			l.cur = min(l.cur, l.max)
		}
	}
	for i := range lims {
		l := &lims[i]
		if _, _, e := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, 0, uintptr(l.res), uintptr(unsafe.Pointer(&l.cur)), 0, 0, 0); e != 0 {
			return fmt.Errorf("set limit %d to %d: %w", l.res, l.cur, e)
		}
	}
	_, _, e := syscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(path)),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])))
	return fmt.Errorf("exec %s: %w", file, e)
}

// memoryLimit orders the memory limits after the others.
func memoryLimit(res int) int {
	if res == syscall.RLIMIT_AS || res == syscall.RLIMIT_DATA {
		return 1
	}
	return 0
}

// rlimitNproc is RLIMIT_NPROC, which package syscall does not name.
const rlimitNproc = 6

// rlimit is one limit; cur and max are laid out as the kernel's struct
// rlimit64, which prlimit64 reads from &cur.
type rlimit struct {
	cur, max uint64
	res      int
}

func parseLimit(s string) (uint64, error) {
	var v uint64
	if _, err := fmt.Sscan(s, &v); err != nil {
		return 0, fmt.Errorf("not a limit: %q", s)
	}
	return v, nil
}
