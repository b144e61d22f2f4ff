// Package swarm drives the engines of a Docker Swarm for socketlab's labs
// across machines: which nodes there are and how to reach each one's own
// engine, whether a node still answers, the lab's images on every node
// (copied, never pulled: no registry), and the attachable overlays a lab's
// two laptops meet on.
//
// A Swarm service cannot have a fixed address, and the lecture's lab is about
// one, so the laptops are plain containers started on each node's own engine
// (`docker -H`), on overlays the manager makes. Everything goes through the
// docker command line, as the class's engine on one host does: an ssh:// node
// works as a tcp:// one.
//
// A node's engine address and the Swarm's join token are the instructor's
// secrets: nothing here reads the token, and every error this package returns
// names a node by its hostname, never by its address (Redact).
package swarm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Node is one machine of the Swarm.
type Node struct {
	ID   string // the Swarm's id of the node
	Name string // its hostname: the only name a report gives it
	// Host is its engine's DOCKER_HOST and Addr its Swarm address: never
	// printed (Redact).
	Host string
	Addr string
}

// Cluster is a Swarm's manager and the nodes that run labs.
type Cluster struct {
	// Docker is the docker command; Manager the manager's DOCKER_HOST, ""
	// for this process's own (DOCKER_HOST or the docker context).
	Docker, Manager string
	Nodes           []Node
	// Trace, when not nil, gets each docker command and how long it took,
	// with no address in it.
	Trace io.Writer
}

// DefaultPort is where a node's engine listens unless the nodes are given:
// deploy/swarm/nodes.sh's engines, tcp without TLS on the nodes' own bridge.
const DefaultPort = "2375"

// Open reads the Swarm from its manager: its Ready and Active nodes, each
// with the engine to reach it by. hosts are those engines as DOCKER_HOSTs
// (a classroom's ssh://ta@pc2); none means each node's Swarm address at
// DefaultPort. A host that is not a node of this Swarm is an error.
func Open(ctx context.Context, docker, manager string, hosts []string) (*Cluster, error) {
	c := &Cluster{Docker: docker, Manager: manager}
	out, err := c.Output(ctx, manager, nil, "info", "-f", "{{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}")
	if err != nil {
		return nil, fmt.Errorf("asking the Swarm's manager: %w", err)
	}
	if f := strings.Fields(string(out)); len(f) < 1 || f[0] != "true" {
		return nil, errors.New("this engine is not a Swarm manager: point DOCKER_HOST (or the docker context) at one")
	}
	nodes, err := c.nodeList(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]Node{}
	for _, n := range nodes {
		if n.ready {
			byID[n.ID] = n.Node
		}
	}
	if len(hosts) == 0 {
		for _, n := range nodes {
			if n.ready {
				n.Host = "tcp://" + hostPort(n.Addr, DefaultPort)
				c.Nodes = append(c.Nodes, n.Node)
			}
		}
	} else {
		for _, h := range hosts {
			// Known before the engine is asked, so an error names no address.
			c.Nodes = append(c.Nodes, Node{Host: h, Name: "a node"})
			out, err := c.Output(ctx, h, nil, "info", "-f", "{{.Swarm.NodeID}}")
			if err != nil {
				return nil, fmt.Errorf("asking node %d of the list: %w", len(c.Nodes), err)
			}
			n, ok := byID[strings.TrimSpace(string(out))]
			if !ok {
				return nil, fmt.Errorf("node %d of the list is not a Ready node of this Swarm (docker node ls)", len(c.Nodes))
			}
			n.Host = h
			c.Nodes[len(c.Nodes)-1] = n
		}
	}
	if len(c.Nodes) == 0 {
		return nil, errors.New("the Swarm has no Ready node")
	}
	// Two PCs of one image may share a hostname: a name is a node's own.
	seen := map[string]int{}
	for i, n := range c.Nodes {
		if seen[n.Name]++; seen[n.Name] > 1 {
			c.Nodes[i].Name = fmt.Sprintf("%s-%d", n.Name, seen[n.Name])
		}
	}
	return c, nil
}

// nodeState is a node as the manager sees it.
type nodeState struct {
	Node
	ready bool // Ready and Active
}

// nodeList is the manager's list of nodes.
func (c *Cluster) nodeList(ctx context.Context) ([]nodeState, error) {
	out, err := c.Output(ctx, c.Manager, nil, "node", "ls", "-q")
	if err != nil {
		return nil, fmt.Errorf("listing the Swarm's nodes: %w", err)
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		return nil, nil
	}
	out, err = c.Output(ctx, c.Manager, nil, append([]string{"node", "inspect", "-f",
		"{{.ID}} {{.Status.State}} {{.Spec.Availability}} {{.Status.Addr}} {{.Description.Hostname}}"}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("reading the Swarm's nodes: %w", err)
	}
	var ns []nodeState
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		ns = append(ns, nodeState{Node{ID: f[0], Addr: f[3], Name: f[4]}, f[1] == "ready" && f[2] == "active"})
	}
	return ns, nil
}

// hostPort joins an address and a port, an IPv6 one in brackets.
func hostPort(addr, port string) string {
	if strings.Contains(addr, ":") {
		return "[" + addr + "]:" + port
	}
	return addr + ":" + port
}

// Node returns the node of that name.
func (c *Cluster) Node(name string) (Node, bool) {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return Node{}, false
}

// Env is the environment that sends docker (and docker compose) commands to
// host's engine.
func Env(host string) []string {
	if host == "" {
		return nil
	}
	return []string{"DOCKER_HOST=" + host, "DOCKER_CONTEXT="}
}

// Output runs docker on host's engine ("" for this process's) with stdin,
// and returns its standard output; its error says what docker said, with
// no node address in it.
func (c *Cluster) Output(ctx context.Context, host string, stdin io.Reader, args ...string) ([]byte, error) {
	var out, errs bytes.Buffer
	err := c.Exec(ctx, host, nil, stdin, &out, &errs, args...)
	return out.Bytes(), err
}

// Exec runs docker on host's engine with env beyond this process's.
func (c *Cluster) Exec(ctx context.Context, host string, env []string, stdin io.Reader, stdout, stderr io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, c.docker(), args...)
	cmd.Env = append(append(append(os.Environ(), "COMPOSE_ANSI=never"), Env(host)...), env...)
	cmd.Stdin, cmd.Stdout = stdin, stdout
	var errs bytes.Buffer
	cmd.Stderr = &errs
	if stderr != nil {
		cmd.Stderr = io.MultiWriter(&errs, stderr)
	}
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	if c.Trace != nil {
		var short []string
		for _, a := range args {
			if len(a) > 80 {
				a = a[:60] + "..."
			}
			short = append(short, strings.ReplaceAll(a, "\n", " "))
		}
		fmt.Fprintf(c.Trace, "%6.2fs docker %s (%s)\n", time.Since(start).Seconds(), c.Redact(strings.Join(short, " ")), c.nameOf(host))
	}
	if err != nil {
		return fmt.Errorf("docker %s: %w: %s", firstWords(args), err, c.Redact(lastLine(errs.String())))
	}
	return nil
}

func (c *Cluster) docker() string {
	if c.Docker == "" {
		return "docker"
	}
	return c.Docker
}

// nameOf is the name of the node whose engine is host.
func (c *Cluster) nameOf(host string) string {
	if host == c.Manager {
		return "manager"
	}
	if host == "" {
		return "this engine"
	}
	for _, n := range c.Nodes {
		if n.Host == host {
			return n.Name
		}
	}
	return "a node"
}

// tokens are Swarm join tokens and the keys a daemon's log may hold.
var tokens = regexp.MustCompile(`SWMTKN-[0-9A-Za-z-]+|SWMKEY-[0-9A-Za-z-]+`)

// engines are DOCKER_HOSTs left in a text once the nodes' own are named.
var engines = regexp.MustCompile(`\b(tcp|ssh|http|https)://[^\s"']+`)

// Redact is s with every node's engine address and Swarm address replaced
// by its name, and any join token by "(token)": what may go into a report.
func (c *Cluster) Redact(s string) string {
	s = tokens.ReplaceAllString(s, "(token)")
	var pairs []string
	add := func(secret, name string) {
		if secret != "" {
			pairs = append(pairs, secret, name)
		}
	}
	for _, n := range c.Nodes {
		add(n.Host, n.Name)
		if u, err := url.Parse(n.Host); err == nil && u.Host != "" {
			add(u.Host, n.Name)
			add(u.Hostname(), n.Name)
		}
		add(n.Addr, n.Name)
	}
	if c.Manager != "" {
		add(c.Manager, "the manager")
		if u, err := url.Parse(c.Manager); err == nil && u.Host != "" {
			add(u.Host, "the manager")
			add(u.Hostname(), "the manager")
		}
	}
	// Longest first, so that tcp://10.0.0.1:2375 goes whole before 10.0.0.1.
	for i := 0; i < len(pairs); i += 2 {
		for j := i + 2; j < len(pairs); j += 2 {
			if len(pairs[j]) > len(pairs[i]) {
				pairs[i], pairs[i+1], pairs[j], pairs[j+1] = pairs[j], pairs[j+1], pairs[i], pairs[i+1]
			}
		}
	}
	s = engines.ReplaceAllString(strings.NewReplacer(pairs...).Replace(s), "(an engine)")
	// A node's name with the port its address had: the name alone.
	for i := 1; i < len(pairs); i += 2 {
		s = regexp.MustCompile(regexp.QuoteMeta(pairs[i])+`:\d+`).ReplaceAllString(s, pairs[i])
	}
	return s
}

// firstWords is a docker command's subcommand, for an error: its first two
// words, never a value that may hold a secret.
func firstWords(args []string) string {
	var w []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") || len(w) == 2 {
			break
		}
		w = append(w, a)
	}
	return strings.Join(w, " ")
}

// lastLine is the last line of what docker said with an error in it, or
// its last line.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(strings.ToLower(lines[i]), "error") {
			return strings.TrimSpace(lines[i])
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}
