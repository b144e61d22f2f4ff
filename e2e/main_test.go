package e2e

import (
	"flag"
	"os"
	"testing"
)

// defaultParallel is how many tests run at once when -parallel is not given.
// They spend their time waiting on Docker, not on the CPU, so the default
// (GOMAXPROCS, 2 on a small CI machine) would leave the engine idle.
const defaultParallel = "4"

func TestMain(m *testing.M) {
	// Ryuk, Testcontainers' reaper, is an image pulled from a registry, and
	// the lab must run where there is none: the tests remove what they make
	// themselves (testcontainers.CleanupContainer, CleanupNetwork).
	if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	// The tests publish ports on 127.0.0.1 alone, as the lab does, so the
	// test process calls them on the engine's own loopback. Testcontainers
	// would guess the bridge's gateway when it finds itself in a container
	// (/.dockerenv), as on a CI machine that runs its Docker engine inside
	// the same container; with a local engine, the loopback is the right host.
	findEngine()
	if _, ok := os.LookupEnv("TESTCONTAINERS_HOST_OVERRIDE"); !ok && !where.remote {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", defaultParallel)
	}
	os.Exit(m.Run())
}
