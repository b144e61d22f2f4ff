package roster

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadClassroom(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		layout string
		root   string
		want   []row
	}{
		{"the assistant's download folder", map[string]string{
			"sockets-lab-submissions/sockets-lab-alice/.git/HEAD":            "ref: refs/heads/main",
			"sockets-lab-submissions/sockets-lab-alice/server.py":            "a",
			"sockets-lab-submissions/sockets-lab-bob-smith/.git/HEAD":        "ref: refs/heads/main",
			"sockets-lab-submissions/sockets-lab-bob-smith/hw/server.py":     "b",
			"sockets-lab-submissions/sockets-lab-Carol99/.git/HEAD":          "ref: refs/heads/main",
			"sockets-lab-submissions/sockets-lab-Carol99/Server.py":          "c",
			"sockets-lab-submissions/sockets-lab-Carol99/.github/workflow.y": "ci",
		}, GitHubClassroom, "sockets-lab-submissions", []row{
			{"alice", "alice", "alice", "server.py", false, []string{"server.py"}},
			{"bob-smith", "bob-smith", "bob-smith", "hw/server.py", false, []string{"hw/server.py"}},
			{"Carol99", "Carol99", "carol99", "Server.py", false, []string{"Server.py"}},
		}},
		{"the prefix they share", map[string]string{
			"hw1-socket-alice/.git/HEAD": "x", "hw1-socket-alice/server.py": "a",
			"hw1-socket-alex/.git/HEAD": "x", "hw1-socket-alex/server.py": "b",
			"hw1-socket-bob/.git/HEAD": "x", "hw1-socket-bob/server.py": "c",
		}, GitHubClassroom, "", []row{
			{"alex", "alex", "alex", "server.py", false, []string{"server.py"}},
			{"alice", "alice", "alice", "server.py", false, []string{"server.py"}},
			{"bob", "bob", "bob", "server.py", false, []string{"server.py"}},
		}},
		{"clones without their .git", map[string]string{
			"lab1-alice/server.py": "a", "lab1-bob/server.py": "b",
		}, GitHubClassroom, "", []row{
			{"alice", "alice", "alice", "server.py", false, []string{"server.py"}},
			{"bob", "bob", "bob", "server.py", false, []string{"server.py"}},
		}},
		{"plain folders that share a prefix", map[string]string{
			"team-1/server.py": "a", "team-2/server.py": "b",
		}, Folders, "", []row{
			{"team-1", "", "team-1", "server.py", false, []string{"server.py"}},
			{"team-2", "", "team-2", "server.py", false, []string{"server.py"}},
		}},
		{"one repository", map[string]string{
			"sockets-lab-alice/.git/HEAD": "x", "sockets-lab-alice/server.py": "a",
		}, GitHubClassroom, "", []row{
			{"sockets-lab-alice", "sockets-lab-alice", "sockets-lab-alice", "server.py", false, []string{"server.py"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Read(writeTree(t, tc.files), Want{})
			require.NoError(t, err)
			require.Equal(t, tc.layout, r.Layout)
			require.Equal(t, tc.root, r.Root)
			require.Equal(t, tc.want, rows(r))
		})
	}
}
