package main

import (
	"strings"

	"github.com/socketlab/socketlab/internal/class"
)

// classSwarmFlags adds client class's Swarm flags to fs, and returns what
// they ask for after parsing: nil for a class on one engine.
func classSwarmFlags(fs *flagSet) func() *class.Swarm {
	manager := fs.String("swarm", "", "grade across a Docker Swarm: `MANAGER` is its manager's DOCKER_HOST, or 1 for this\nengine's (DOCKER_HOST or the docker context); the images are built on this\nengine and copied onto each node (deploy/grading/README.md: A class across a Swarm)")
	nodes := fs.String("swarm-nodes", "", "with -swarm, the nodes' engines as DOCKER_HOSTs, `\"HOST ...\"` (ssh://ta@pc2 ...);\ndefault: each node's Swarm address, port 2375")
	cpus := fs.String("swarm-laptop-cpus", "", "with -swarm, laptop-a's CPU limit `N` (default 1.0): less on nodes held to less\nthan one CPU with cgroup v1")
	return func() *class.Swarm {
		m := strings.TrimSpace(*manager)
		if m == "" {
			return nil
		}
		switch strings.ToLower(m) {
		case "1", "yes", "true", "here":
			m = ""
		}
		return &class.Swarm{Manager: m, Nodes: strings.Fields(*nodes), LaptopCPUs: *cpus}
	}
}
