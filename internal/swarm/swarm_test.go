package swarm

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// What goes into a report names nodes by hostname: no engine address, no
// Swarm address, no join token, whatever docker said.
func TestRedactNamesNodesNotAddresses(t *testing.T) {
	c := &Cluster{Manager: "tcp://10.237.0.11:2375", Nodes: []Node{
		{Name: "node-1", Host: "tcp://10.237.0.11:2375", Addr: "10.237.0.11"},
		{Name: "node-3", Host: "ssh://ta@pc3.example", Addr: "10.237.0.13"},
	}}
	got := c.Redact(`Cannot connect to the Docker daemon at tcp://10.237.0.11:2375. dial tcp 10.237.0.13:2375: no route; ssh://ta@pc3.example; join SWMTKN-1-abc-def 10.237.0.11:2377; tcp://192.0.2.9:2376`)
	for _, secret := range []string{"10.237.", "pc3", "SWMTKN", "192.0.2.9", "2375"} {
		require.NotContains(t, got, secret, got)
	}
	require.Contains(t, got, "node-3")
}

// A dead engine's errors are told from a lab's own.
func TestLostKnowsADeadEngine(t *testing.T) {
	require.True(t, Lost(errors.New("docker start: exit status 1: error during connect: Post ...: EOF")))
	require.True(t, Lost(errors.New("dial tcp node-3: connect: no route to host")))
	require.False(t, Lost(errors.New("attaching to network failed, make sure your network options are correct")))
	require.False(t, Lost(nil))
}

// A layer is left out of a node's load only where the image shares it,
// from the bottom, with one of the node's, and no other place of any image
// needs the same file.
func TestSharedLayersAreThoseOfACommonBase(t *testing.T) {
	chains := [][]string{{"base", "py", "empty", "client"}, {"base", "empty"}}
	theirs := [][]string{{"base", "py", "empty", "oldclient"}, {"other", "client"}}
	require.Equal(t, map[string]bool{"base": true, "py": true}, shared(chains, theirs),
		"empty is needed above base alone in the second image; client sits on other layers there")
	require.Empty(t, shared(chains, nil))
}

// fanOut sends every node the whole stream but the layer files it has.
func TestFanOutLeavesOutTheLayersANodeHas(t *testing.T) {
	var in bytes.Buffer
	tw := tar.NewWriter(&in)
	for _, f := range []struct{ name, body string }{
		{"blobs/sha256/aaa", "layer a"}, {"blobs/sha256/bbb", "layer b"}, {"manifest.json", "[]"},
	} {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(f.body))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())

	var outs [2]bytes.Buffer
	var sent [2]int64
	var short [2]bool
	sinks := []sink{
		{tar.NewWriter(&outs[0]), map[string]bool{"sha256:aaa": true}, &sent[0], &short[0]},
		{tar.NewWriter(&outs[1]), nil, &sent[1], &short[1]},
	}
	total, err := fanOut(&in, sinks)
	require.NoError(t, err)
	require.EqualValues(t, 16, total)
	names := func(b *bytes.Buffer, w *tar.Writer) []string {
		require.NoError(t, w.Close())
		var n []string
		tr := tar.NewReader(b)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return n
			}
			require.NoError(t, err)
			n = append(n, h.Name)
		}
	}
	require.Equal(t, []string{"blobs/sha256/bbb", "manifest.json"}, names(&outs[0], sinks[0].tw))
	require.Equal(t, []string{"blobs/sha256/aaa", "blobs/sha256/bbb", "manifest.json"}, names(&outs[1], sinks[1].tw))
	require.Equal(t, [2]int64{9, 16}, sent)
}
