package grade

import (
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
