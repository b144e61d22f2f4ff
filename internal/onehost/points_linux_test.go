package onehost

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/callcenter"
	"github.com/socketlab/socketlab/internal/grade"
	"github.com/socketlab/socketlab/internal/labtest"
	"github.com/socketlab/socketlab/internal/netif"
	"github.com/socketlab/socketlab/internal/results"
	"github.com/socketlab/socketlab/internal/student"
)

// TestPointsDoNotDependOnTheMachine: a correct server earns the weights'
// total, no more and no less, on a machine with one address and on one
// with three, where "not reachable on another address" is checked on each
// of them. Gradescope is told that total once for the whole class; a
// grade out of more points on a busier machine would not add up.
func TestPointsDoNotDependOnTheMachine(t *testing.T) {
	lo := iface("lo", true, true, "127.0.0.1/8")
	eth0 := iface("eth0", true, false, "172.17.0.5/16")
	machines := map[string][]netif.Iface{
		"one address":     {lo, eth0},
		"three addresses": {lo, eth0, iface("docker0", true, false, "10.9.0.1/24"), iface("br-1", true, false, "10.8.0.1/24")},
	}
	srv := labtest.Serve(t, &callcenter.Server{}, callcenter.ErrServerClosed)
	for name, ifs := range machines {
		t.Run(name, func(t *testing.T) {
			tgt, err := pickTarget(ifs, "", 8000)
			require.NoError(t, err)
			// The machine is a fake; its addresses are played by loopback
			// ones, where the server (bound to 127.0.0.1) refuses as a
			// correct server refuses on the machine's other addresses.
			var notOn []string
			for i := range tgt.notOn {
				notOn = append(notOn, fmt.Sprintf("127.0.0.%d:%s", i+2, srv.Port()))
			}
			for _, policy := range grade.Policies {
				w := results.Default()
				w.Policy = policy
				g, err := grade.Run(context.Background(), grade.Config{Addr: srv.Addr, NotOn: notOn, Policy: policy, Timeout: time.Second})
				require.NoError(t, err)
				require.True(t, g.Passed, "a correct server passes: %+v", g.Checks)
				v := student.Verdict{Passed: true, Grade: &g}
				r := Result{Graded: true, Verdict: v, Grade: student.Graded(v, g, "", 0)}
				earned, total := r.Submission().Points(w)
				require.Equal(t, w.Total(), total, "%s: the most a grade is out of is the weights' total", policy)
				require.Equal(t, total, earned, "%s: a correct server earns all of it", policy)
			}
		})
	}
}
