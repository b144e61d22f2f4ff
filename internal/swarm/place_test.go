package swarm

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Every lab gets two different nodes while two are left, and a class
// spreads its labs over all of them.
func TestPickSpreadsLabsOverDifferentNodes(t *testing.T) {
	p := NewPlaces([]string{"node-1", "node-2", "node-3"})
	count := map[string]int{}
	for range 6 {
		a, b, ok := p.Pick(nil)
		require.True(t, ok)
		require.NotEqual(t, a, b, "laptop-a and laptop-b on one node")
		count[a]++
		count[b]++
	}
	require.Equal(t, map[string]int{"node-1": 4, "node-2": 4, "node-3": 4}, count, "six labs at once: four laptops on each node")
}

// A lab run again keeps away from the nodes it failed on, while others are
// left; a lost node is never picked; one node left runs both laptops;
// none left is no pick.
func TestPickAvoidsLostNodesAndSaysWhenNoneIsLeft(t *testing.T) {
	p := NewPlaces([]string{"node-1", "node-2", "node-3"})
	a, b, ok := p.Pick(map[string]bool{"node-1": true})
	require.True(t, ok)
	require.ElementsMatch(t, []string{"node-2", "node-3"}, []string{a, b})
	p.Release(a, b)

	p.Lose("node-2")
	require.Equal(t, 2, p.Left())
	for range 4 {
		a, b, ok := p.Pick(nil)
		require.True(t, ok)
		require.ElementsMatch(t, []string{"node-1", "node-3"}, []string{a, b})
		p.Release(a, b)
	}
	p.Lose("node-3")
	a, b, ok = p.Pick(map[string]bool{"node-1": true})
	require.True(t, ok)
	require.Equal(t, []string{"node-1", "node-1"}, []string{a, b}, "the one node left runs both laptops")
	p.Release(a, b)

	p.Lose("node-1")
	p.Lose("node-1")
	require.Equal(t, 0, p.Left())
	_, _, ok = p.Pick(nil)
	require.False(t, ok, "no node left")
}

// A node released is picked before one still busy.
func TestPickPrefersTheLeastBusyNode(t *testing.T) {
	p := NewPlaces([]string{"node-1", "node-2", "node-3"})
	a1, b1, _ := p.Pick(nil)
	a2, b2, _ := p.Pick(nil)
	p.Release(a1, b1)
	// Loads now: the second lab's two nodes are busy, one node is free.
	a3, _, _ := p.Pick(nil)
	busy := map[string]bool{a2: true, b2: true}
	require.False(t, busy[a3], "laptop-a went to a busy node (%s) with %v busy", a3, busy)
}
