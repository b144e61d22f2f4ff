package student

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// reservedThreads is how many OS threads the supervisor starts before the
// program: enough for the runtime's work while the program is running,
// and well under the laptop's process limit (64).
const reservedThreads = 12

// reserveThreads starts n OS threads and leaves them idle, before the
// program runs. A fork bomb takes every process slot of the laptop (its
// pids limit counts threads), and Go's runtime, which cannot start a thread
// then, would end the supervisor with a fatal error, and with it the
// report that explains the bomb. Idle threads are reused, not created.
func reserveThreads(n int) {
	var started, done sync.WaitGroup
	release := make(chan struct{})
	for range n {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			// A locked goroutine that blocks holds its thread, so the
			// next one needs another; unlocked, the thread goes idle.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			started.Done()
			<-release
		}()
	}
	started.Wait()
	close(release)
	done.Wait()
}

// cgroupRoot is where a container sees its own cgroup.
const cgroupRoot = "/sys/fs/cgroup"

// forkFailures is how many times a process of this laptop could not be
// created because the laptop's process limit was reached: the "max" line
// of pids.events, in cgroup v2 (root/pids.events) or v1
// (root/pids/pids.events). 0 where neither can be read.
func forkFailures(root string) int {
	for _, p := range []string{filepath.Join(root, "pids.events"), filepath.Join(root, "pids", "pids.events")} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == "max" {
				n, _ := strconv.Atoi(strings.TrimSpace(v))
				return n
			}
		}
	}
	return 0
}
