package onehost

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// user is who the program runs as.
type user struct {
	uid, gid int
	// root: the grader is root, and the program has a user of its own,
	// whose every process and file can be found, and removed, by its uid.
	root bool
	// own: the grader is not root, and the program runs as the grader.
	own bool
}

// The fresh uids, above any a system or a person has: no other process
// shares the program's process limit, and killing its uid kills only it.
const (
	freshLow  = 1 << 20
	freshHigh = 1 << 30
)

// chooseUser is who runs the program: uid, or a fresh one, as root; the
// grader itself otherwise.
func chooseUser(uid int) (user, error) {
	if uid < 0 {
		return user{}, fmt.Errorf("one host: uid %d: a user is a number above 0", uid)
	}
	if os.Geteuid() == 0 {
		if uid == 0 {
			uid = freshUID()
		}
		return user{uid: uid, gid: uid, root: true}, nil
	}
	if uid != 0 && uid != os.Geteuid() {
		return user{}, fmt.Errorf("one host: only root can run the program as another user (uid %d); this grader runs as uid %d", uid, os.Geteuid())
	}
	return user{uid: os.Geteuid(), gid: os.Getegid(), own: true}, nil
}

// freshUID is a uid no process of this machine has, among those this
// user namespace maps (a rootless engine's maps 65536, not 2^32).
func freshUID() int {
	used := map[int]bool{}
	for _, t := range procTasks() {
		used[t.uid] = true
	}
	low, high := freshRange(mappedIDs("/proc/self/uid_map"), mappedIDs("/proc/self/gid_map"))
	for range 1000 {
		if u := low + rand.IntN(high-low); !used[u] {
			return u
		}
	}
	return high - 1
}

// freshRange is where fresh ids are drawn from, given how many ids from 0
// up the namespace maps for users and for groups (0: unknown, all).
func freshRange(uids, gids int) (int, int) {
	high := freshHigh
	for _, n := range []int{uids, gids} {
		if n > 0 && n < high {
			high = n
		}
	}
	if high > freshLow {
		return freshLow, high
	}
	// A small map: its upper half, above the people a system has.
	return max(high/2, 1000), high
}

// mappedIDs is how many ids from 0 up the map at path (uid_map, gid_map)
// gives, one range after another; 0 when it cannot be read.
func mappedIDs(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	next := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var inside, outside, count int
		if _, err := fmt.Sscan(line, &inside, &outside, &count); err != nil || inside != next {
			break
		}
		next += count
	}
	return next
}

// credential is what a process of the program's user starts with: that
// user and group alone, none of root's groups; nil to stay the grader.
func (u user) credential() *syscall.Credential {
	if !u.root {
		return nil
	}
	return &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid), Groups: []uint32{}}
}

// othersCanRun says whether a user that is neither owner nor group can run
// the file at p: it can enter every folder above it and execute it.
func othersCanRun(p string) bool {
	p, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o001 == 0 {
		return false
	}
	for d := filepath.Dir(p); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// The bounds of a submission: a lecture's server is one file.
const (
	maxFiles = 500
	maxBytes = 20 << 20
)

// copyTree copies the submission's folders and regular files (no links, no
// devices) from src to dst, owned by u when the grader is root, so that the
// program can write beside its file and never touches the original.
func copyTree(src, dst string, u user) error {
	files, bytes := 0, int64(0)
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			err = os.MkdirAll(to, 0o755)
		case d.Type().IsRegular():
			info, ierr := d.Info()
			if ierr != nil {
				return ierr
			}
			files++
			bytes += info.Size()
			if files > maxFiles || bytes > maxBytes {
				return fmt.Errorf("%w: it has more than %d files or %s; a lecture's server is one small file", ErrSubmission, maxFiles, size(maxBytes))
			}
			err = copyFile(p, to, info.Mode().Perm()|0o600)
		default:
			return nil
		}
		if err == nil && u.root {
			err = os.Lchown(to, u.uid, u.gid)
		}
		return err
	})
}

func copyFile(from, to string, mode fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
