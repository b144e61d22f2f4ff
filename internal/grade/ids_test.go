package grade

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/labtest"
)

// A weights file is checked against CheckIDs: they must be the ids a real
// grade reports, in its order.
func TestCheckIDsAreTheReportsIDs(t *testing.T) {
	srv := labtest.Start(t, labtest.Lecture)
	rep, err := Run(t.Context(), Config{Addr: srv.Addr, NotOn: []string{labtest.ClosedAddr(t)}, Timeout: testTimeout})
	require.NoError(t, err)
	var got []string
	for _, c := range rep.Checks {
		got = append(got, c.ID)
	}
	require.Equal(t, got, CheckIDs())
}

// TestNotOnIsOneCheck: a host with several other addresses is one check
// naming them all, so a grade is out of the same points on every machine;
// it fails when the server answers on any of them.
func TestNotOnIsOneCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, listen string
		want         Status
		reason       string
	}{
		{"bound to one address", "", Pass, "refused there"},
		{"bound to every address", "0.0.0.0:0", Fail, "0.0.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := labtest.Config{Listen: tc.listen}.Start(t, labtest.Lecture)
			notOn := []string{"127.0.0.2:" + srv.Port(), "127.0.0.3:" + srv.Port(), "127.0.0.4:" + srv.Port()}
			rep, err := Run(t.Context(), Config{Addr: srv.Addr, NotOn: notOn, Timeout: testTimeout})
			require.NoError(t, err)
			var ids []string
			for _, c := range rep.Checks {
				if strings.HasPrefix(c.ID, "not-on") {
					ids = append(ids, c.ID)
				}
			}
			require.Equal(t, []string{"not-on"}, ids)
			c := rep.check("not-on")
			require.Equal(t, "not reachable on 127.0.0.2:"+srv.Port()+", 127.0.0.3:"+srv.Port()+" and 127.0.0.4:"+srv.Port(), c.Title)
			require.Equal(t, tc.want, c.Status, c.Reason)
			require.Contains(t, c.Reason, tc.reason)
		})
	}
}

// TestOneCountOfCalls: the calls "still there" counts are the calls the
// summary counts, the first included when another caller made it (the
// lab's transcript): a student reads both lines one above the other.
func TestOneCountOfCalls(t *testing.T) {
	t.Parallel()
	srv := labtest.Start(t, labtest.Lecture)
	greeting, echo := labtest.Call(t, srv.Addr, []byte("hi back atcha\n"))
	first := &Call{Early: greeting, Spoke: true, Late: echo, End: "closed"}
	for name, cfg := range map[string]Config{
		"its own first call":    {Addr: srv.Addr, Timeout: testTimeout},
		"the transcript's call": {Addr: srv.Addr, Timeout: testTimeout, First: first},
	} {
		t.Run(name, func(t *testing.T) {
			rep, err := Run(t.Context(), cfg)
			require.NoError(t, err)
			c := rep.check("still-there")
			require.Equal(t, Pass, c.Status, c.Reason)
			require.Contains(t, c.Reason, fmt.Sprintf("the last of %d calls", rep.Calls))
			require.Contains(t, rep.Summary(), fmt.Sprintf("(%d calls in", rep.Calls))
		})
	}
}
