package student

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"
)

// MaxLogLine is the longest line of a student's own output the lab's log
// shows whole: a print() of the 1000-byte caller, or of a megabyte one,
// would otherwise fill the screen and bury the verdict.
const MaxLogLine = 200

// CutLines passes what is written on to w, line by line as it comes, but
// cuts each line after max bytes, where it prints "…", and says at the
// line's end how many bytes were left out. Nothing is held back: a line
// without its newline yet is passed on as far as it goes. The report
// keeps the program's output uncut (its tail), for the explanations.
func CutLines(w io.Writer, max int) io.Writer {
	return &lineCutter{w: w, max: max}
}

type lineCutter struct {
	mu      sync.Mutex
	w       io.Writer
	max     int
	col     int  // bytes of the current line passed on
	cutting bool // the current line has been cut
	dropped int  // bytes of the current line left out
}

func (c *lineCutter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(p)
	out := make([]byte, 0, min(len(p), c.max+64))
	for len(p) > 0 {
		seg, nl := p, false
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			seg, nl, p = p[:i], true, p[i+1:]
		} else {
			p = nil
		}
		if !c.cutting {
			if c.col+len(seg) <= c.max {
				out = append(out, seg...)
				c.col += len(seg)
				seg = nil
			} else {
				// Cut before a character, never inside one.
				take := c.max - c.col
				for take > 0 && !utf8.RuneStart(seg[take]) {
					take--
				}
				out = append(append(out, seg[:take]...), "…"...)
				c.cutting, seg = true, seg[take:]
			}
		}
		c.dropped += len(seg)
		if nl {
			if c.cutting {
				out = fmt.Appendf(out, " (%d more bytes of this line not shown)", c.dropped)
			}
			out = append(out, '\n')
			c.col, c.cutting, c.dropped = 0, false, 0
		}
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}
