package onehost

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// procTask is one process of /proc, as far as the limits care.
type procTask struct {
	pid, ppid, uid, threads int
	zombie                  bool
}

// procTasks lists this PID namespace's processes, from /proc.
func procTasks() []procTask {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []procTask
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if t, ok := readTask(pid); ok {
			out = append(out, t)
		}
	}
	return out
}

// readTask reads /proc/PID/status: the real uid (what RLIMIT_NPROC counts
// by), the threads, and whether the process is a zombie.
func readTask(pid int) (procTask, bool) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return procTask{}, false
	}
	defer f.Close()
	t := procTask{pid: pid, uid: -1}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		switch k {
		case "State":
			t.zombie = fields[0] == "Z"
		case "PPid":
			t.ppid, _ = strconv.Atoi(fields[0])
		case "Uid":
			t.uid, _ = strconv.Atoi(fields[0])
		case "Threads":
			t.threads, _ = strconv.Atoi(fields[0])
		}
	}
	return t, t.uid >= 0
}

// userThreads is how many processes and threads uid has: what its
// RLIMIT_NPROC is counted against.
func userThreads(uid int) int {
	n := 0
	for _, t := range procTasks() {
		if t.uid == uid {
			n += max(t.threads, 1)
		}
	}
	return n
}

// killLeftovers kills what is left of the program, and reaps what was left
// to the grader, until nothing is, or within has passed; it says how many
// were left then. What is left is every process descending from the
// grader (the program's children, in any session or process group, come
// to it: becomeSubreaper) and, when byUID, every process of uid. A fork
// bomb refills a slot as soon as one is freed: killing it takes a few
// rounds, not one. Reaping matters: until then, a zombie counts against
// its user's process limit, and a PID 1 may never reap it.
func killLeftovers(uid int, byUID bool, within time.Duration) int {
	deadline := time.Now().Add(within)
	self := os.Getpid()
	for {
		tasks := procTasks()
		parent := map[int]int{}
		for _, t := range tasks {
			parent[t.pid] = t.ppid
		}
		left := 0
		for _, t := range tasks {
			if t.pid == self || !(byUID && t.uid == uid || descends(t.pid, self, parent)) {
				continue
			}
			left++
			switch {
			case t.zombie && t.ppid == self:
				var ws syscall.WaitStatus
				syscall.Wait4(t.pid, &ws, syscall.WNOHANG, nil)
			case !t.zombie:
				syscall.Kill(t.pid, syscall.SIGKILL)
			}
		}
		if left == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// descends says whether pid is a descendant of root, by the parents given.
func descends(pid, root int, parent map[int]int) bool {
	for range 1 << 16 { // a bound, should parent have a loop
		p, ok := parent[pid]
		if !ok || p == 0 {
			return false
		}
		if p == root {
			return true
		}
		pid = p
	}
	return false
}

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER.
const prSetChildSubreaper = 36

// becomeSubreaper makes the grader the one that orphans of its children
// are given to, as PID 1 is otherwise.
func becomeSubreaper() {
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
}

// maxSweep bounds the files removeFilesOf looks at in each folder.
const maxSweep = 100000

// removeFilesOf removes what uid made in the folders every user may write
// to (a disk filler's files), and returns how many files and folders it
// removed. Symbolic links are removed, never followed.
func removeFilesOf(uid int, roots []string) int {
	removed := 0
	for _, root := range roots {
		seen := 0
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || p == root {
				return nil
			}
			if seen++; seen > maxSweep {
				return fs.SkipAll
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			st, ok := info.Sys().(*syscall.Stat_t)
			if !ok || int(st.Uid) != uid {
				return nil
			}
			if os.RemoveAll(p) == nil {
				removed++
			}
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		})
	}
	return removed
}

// sharedTemp are the folders any user may write to on a Debian or Ubuntu
// machine, where a program of another user leaves files.
var sharedTemp = []string{"/tmp", "/var/tmp", "/dev/shm", "/run/lock"}
