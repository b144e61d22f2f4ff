package onehost

import (
	"fmt"
	"sync"
)

// capped keeps the first n bytes written to it and counts the rest: a
// program that prints megabytes is relayed at full speed, never blocked,
// and its report stays small.
type capped struct {
	mu      sync.Mutex
	n       int
	buf     []byte
	dropped int64
}

func newCapped(n int) *capped { return &capped{n: n} }

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	keep := min(len(p), c.n-len(c.buf))
	c.buf = append(c.buf, p[:keep]...)
	c.dropped += int64(len(p) - keep)
	return len(p), nil
}

// String is what was kept, and a line that says how much was not.
func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := string(c.buf)
	if c.dropped > 0 {
		if s != "" && s[len(s)-1] != '\n' {
			s += "\n"
		}
		s += fmt.Sprintf("[... %s more not kept: the grader keeps the first %s]\n", size(c.dropped), size(int64(c.n)))
	}
	return s
}

// size is n bytes in a unit a student reads.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
