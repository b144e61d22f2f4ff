package swarm

import "sync"

// Places decides where each lab's two laptops run: laptop-a and laptop-b on
// two different nodes, the least busy ones, so a class spreads over the
// Swarm and every lab crosses machines as the lecture's two laptops do.
//
// With one node left the lab runs both laptops on it: the grade does not
// depend on the call crossing machines (the overlay, the addresses and the
// checks are the same), and a class is better graded on one machine than
// not at all. With none left, Pick says so and the lab is the lab's fault.
type Places struct {
	mu    sync.Mutex
	order []string       // the nodes, in the Swarm's order
	load  map[string]int // laptops running on each
	used  map[string]int // when each was last picked: ties go to the longest idle
	lost  map[string]bool
	tick  int
}

// NewPlaces places labs on the named nodes.
func NewPlaces(names []string) *Places {
	return &Places{order: append([]string(nil), names...), load: map[string]int{}, used: map[string]int{}, lost: map[string]bool{}}
}

// Pick takes two nodes for a lab, laptop-a's and laptop-b's, and counts
// them busy until Release. It keeps away from the nodes of avoid while
// others are left (a lab run again goes elsewhere). Both are the same node
// when only one is left; ok is false when none is.
func (p *Places) Pick(avoid map[string]bool) (a, b string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	best := func(not string) string {
		pick := ""
		for _, n := range p.order {
			if p.lost[n] || n == not {
				continue
			}
			if pick == "" || p.less(n, pick, avoid) {
				pick = n
			}
		}
		return pick
	}
	if a = best(""); a == "" {
		return "", "", false
	}
	if b = best(a); b == "" {
		b = a
	}
	p.tick++
	p.load[a]++
	p.load[b]++
	p.used[a], p.used[b] = p.tick, p.tick
	return a, b, true
}

// less says whether node n is a better pick than m.
func (p *Places) less(n, m string, avoid map[string]bool) bool {
	if avoid[n] != avoid[m] {
		return !avoid[n]
	}
	if p.load[n] != p.load[m] {
		return p.load[n] < p.load[m]
	}
	return p.used[n] < p.used[m]
}

// Release counts a lab's two nodes free again.
func (p *Places) Release(a, b string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.load[a]--
	p.load[b]--
}

// Lose takes node n out of the picks for good.
func (p *Places) Lose(n string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lost[n] = true
}

// Lost says whether node n was lost.
func (p *Places) Lost(n string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lost[n]
}

// Left is how many nodes are not lost.
func (p *Places) Left() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.order) - len(p.lost)
}
