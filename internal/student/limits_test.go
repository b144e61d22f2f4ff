package student

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestForkFailures(t *testing.T) {
	v2, v1, none := t.TempDir(), t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(v2, "pids.events"), []byte("max 1234\n"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(v1, "pids"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(v1, "pids", "pids.events"), []byte("max 7\n"), 0o644))
	require.Equal(t, 1234, forkFailures(v2))
	require.Equal(t, 7, forkFailures(v1))
	require.Equal(t, 0, forkFailures(none))
}

func TestReserveThreadsReturns(t *testing.T) {
	// The threads are started and released: the call returns, and a
	// second call (the runtime reusing idle threads) returns too.
	reserveThreads(reservedThreads)
	reserveThreads(reservedThreads)
}
