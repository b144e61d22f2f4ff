package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCallCenterServesACrowdInTurnWithOneEmployee is the lecture's call
// center: a crowd of 5 callers at once (client bench, from a laptop of its
// own) against servers whose employee takes 300ms per answer. One employee
// (-workers 1) serves them one after another; without -workers all are
// served at once; one employee with -busy serves one and tells the rest
// "busy" instead of keeping them on hold.
//
// The bounds that matter are lower bounds, which a slow machine cannot
// break: 5 answers in turn take 5 x 300ms. The upper bounds compare the
// crowds, which run side by side and so are slowed alike by a loaded
// machine, or leave it a second of slack.
func TestCallCenterServesACrowdInTurnWithOneEmployee(t *testing.T) {
	t.Parallel()
	nw := newNetwork(t)
	const think = 300 * time.Millisecond
	servers := together(t,
		func() (*laptop, error) {
			return newServer(t, nets{nw}, "-iface", "eth0", "-think", "300ms", "-workers", "1")
		},
		func() (*laptop, error) { return newServer(t, nets{nw}, "-iface", "eth0", "-think", "300ms") },
		func() (*laptop, error) {
			return newServer(t, nets{nw}, "-iface", "eth0", "-think", "300ms", "-workers", "1", "-busy")
		},
	)
	one, many, busy := servers[0], servers[1], servers[2]
	crowd := func(s *laptop) func() (benchReport, error) {
		return func() (benchReport, error) { return runBench(t, nets{nw}, "-c", "5", "-n", "5", s.ip(nw)) }
	}
	reps := together(t, crowd(one), crowd(many), crowd(busy))
	inTurn, atOnce, busySignal := reps[0], reps[1], reps[2]

	t.Run("one employee", func(t *testing.T) {
		r := inTurn
		require.Equal(t, 5, r.Calls)
		require.Equal(t, 5, r.OK, "every caller is served in the end, none is refused: %v", r.Failures)
		require.GreaterOrEqual(t, r.Elapsed, 5*think, "5 answers of 300ms, one at a time")
		// The callers dialed together and were answered in turn, the k-th
		// after k x 300ms: the median (3rd) caller waited 900ms, the last 1.5s.
		require.GreaterOrEqual(t, r.Latency.P50, 3*think-100*time.Millisecond)
		require.GreaterOrEqual(t, r.Latency.Max, 5*think-100*time.Millisecond)
		require.GreaterOrEqual(t, r.Latency.Max-r.Latency.P50, 2*think-100*time.Millisecond, "the last caller waits two answers longer than the median one")
		logs := one.waitLogs(t, "echoed it", 5, 5*time.Second)
		require.Equal(t, 5, countLines(logs, "echoed it"), logs)
	})
	t.Run("an employee per caller", func(t *testing.T) {
		r := atOnce
		require.Equal(t, 5, r.OK, "failures: %v", r.Failures)
		require.GreaterOrEqual(t, r.Elapsed, think)
		// In turn, the last caller waits for four answers more than at
		// once: at once saves at least two of them.
		require.Less(t, r.Elapsed+2*think, inTurn.Elapsed, "5 answers of 300ms at once are faster than in turn")
		require.Less(t, r.Latency.Max+2*think, inTurn.Latency.Max, "the last caller at once waits less than in turn")
		logs := many.waitLogs(t, "echoed it", 5, 5*time.Second)
		require.Equal(t, 5, countLines(logs, "echoed it"), logs)
	})
	t.Run("one employee, busy signal", func(t *testing.T) {
		r := busySignal
		n := r.Failures["busy"]
		require.Equal(t, 5, r.Calls)
		require.GreaterOrEqual(t, r.OK, 1, "the first caller is served: %v", r.Failures)
		require.GreaterOrEqual(t, n, 1, "callers who find the employee busy are told so: %v", r.Failures)
		require.Equal(t, 5, r.OK+n, "every caller is either served or told busy: %v", r.Failures)
		require.Less(t, r.Elapsed, 5*think, "nobody waits on hold")
		logs := busy.waitLogs(t, "every employee was busy; said busy and hung up", n, 5*time.Second)
		require.Equal(t, n, countLines(logs, "every employee was busy; said busy and hung up"), logs)
		require.Equal(t, r.OK, countLines(logs, "echoed it"), logs)
	})
}
