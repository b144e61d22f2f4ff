package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/class"
)

// CLASS_SWARM=1 is this engine's Swarm; a DOCKER_HOST names the manager;
// none is a class on one engine.
func TestClassSwarmFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want *class.Swarm
	}{
		{nil, nil},
		{[]string{"-swarm", "1"}, &class.Swarm{Nodes: []string{}}},
		{[]string{"-swarm", "tcp://10.237.0.11:2375", "-swarm-nodes", "ssh://ta@pc1  ssh://ta@pc2", "-swarm-laptop-cpus", "0.5"},
			&class.Swarm{Manager: "tcp://10.237.0.11:2375", Nodes: []string{"ssh://ta@pc1", "ssh://ta@pc2"}, LaptopCPUs: "0.5"}},
	} {
		fs := newFlagSet("client class", "", "", io.Discard)
		got := classSwarmFlags(fs)
		require.NoError(t, fs.Parse(c.args))
		require.Equal(t, c.want, got(), "%v", c.args)
	}
}
