package class

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/swarm"
)

// A lab whose node is lost runs again on others, and its grade is the
// program's; the reruns for lost nodes are not counted as the lab's tries.
func TestRetriedRunsALabAgainWhenItsNodeIsLost(t *testing.T) {
	places := swarm.NewPlaces([]string{"node-1", "node-2", "node-3", "node-4"})
	var ran [][2]string
	r := retried(places, func(a, b string) (labRun, string, bool) {
		ran = append(ran, [2]string{a, b})
		if len(ran) <= 3 {
			lost := a
			places.Lose(lost)
			return labRun{stage: "running its lab", err: errors.New("EOF")}, lost + " is lost", true
		}
		return labRun{report: []byte("grade")}, "", false
	}, func(a, b, why string) {}, func() bool { return false })
	require.Len(t, ran, 4, "three runs stopped by lost nodes, then the one that counts")
	require.Empty(t, r.stage)
	require.Equal(t, "grade", string(r.report))
	for _, ab := range ran[:3] {
		require.NotEqual(t, ab[0], ab[1], "two nodes while two are left")
	}
	require.Equal(t, ran[3][0], ran[3][1], "the one node left runs both laptops")
}

// The lab's own failures run it again up to three times, on other nodes
// while there are, and then it is the lab's fault: never a FAIL.
func TestRetriedGivesUpAsTheLabsFaultAfterThreeTries(t *testing.T) {
	places := swarm.NewPlaces([]string{"node-1", "node-2", "node-3"})
	var ran [][2]string
	r := retried(places, func(a, b string) (labRun, string, bool) {
		ran = append(ran, [2]string{a, b})
		// laptop-b graded a FAIL, but the overlay did not carry a call.
		return labRun{report: []byte("a FAIL")}, "the overlay did not carry a call", false
	}, func(a, b, why string) {}, func() bool { return false })
	require.Len(t, ran, swarmTries)
	require.NotEqual(t, ran[0], ran[1], "run again elsewhere")
	require.Equal(t, "running its lab", r.stage)
	verdict, note := labFailure(context.Background(), r.stage, r.err)
	require.Equal(t, LabError, verdict)
	require.Contains(t, note, "not the student's fault")
	require.Contains(t, note, "the overlay did not carry a call")
}

// With no node left, the rest of the class is the lab's fault.
func TestRetriedWithNoNodeLeftIsTheLabsFault(t *testing.T) {
	places := swarm.NewPlaces([]string{"node-1", "node-2"})
	r := retried(places, func(a, b string) (labRun, string, bool) {
		places.Lose(a)
		places.Lose(b)
		return labRun{}, "both lost", true
	}, func(a, b, why string) {}, func() bool { return false })
	verdict, note := labFailure(context.Background(), r.stage, r.err)
	require.Equal(t, LabError, verdict)
	require.True(t, strings.Contains(note, "not the student's fault") && strings.Contains(note, "no machine of the Swarm is left"), note)

	// A class interrupted stops at once, whatever the lab said.
	places = swarm.NewPlaces([]string{"node-1", "node-2"})
	n := 0
	retried(places, func(a, b string) (labRun, string, bool) { n++; return labRun{}, "lost", true }, func(a, b, why string) {}, func() bool { return true })
	require.Equal(t, 1, n)
}
