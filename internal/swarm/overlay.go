package swarm

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Overlays: what the Swarm does that a bridge does not, measured here
// (docs/notes of issue 27). The manager gives each node on an overlay an
// address of its own from the pool, so the pool is the subnet's upper half
// (--ip-range) and the lecture's .10 and .20 stay free for the laptops. A
// network is allocated a moment after it is made, and one that overlaps
// another is made but never allocated: both are checked. A network is
// removed only once the Swarm has seen its last container leave.

// Label marks everything a run makes on the Swarm, with the run's name as
// its value, so that what a run killed left behind is found again.
const Label = "org.socketlab.swarm.run"

// CreateOverlay makes an attachable, internal overlay (no route beyond it)
// named name on subnet, and waits until the manager has allocated it.
func (c *Cluster) CreateOverlay(ctx context.Context, name string, subnet netip.Prefix, run string) error {
	if !subnet.Addr().Is4() || subnet.Bits() != 24 {
		return fmt.Errorf("an overlay's subnet must be an IPv4 /24, not %s", subnet)
	}
	a := subnet.Masked().Addr().As4()
	a[3] = 128
	upper := netip.PrefixFrom(netip.AddrFrom4(a), 25)
	if _, err := c.Output(ctx, c.Manager, nil, "network", "create", "-d", "overlay", "--attachable", "--internal",
		"--subnet", subnet.String(), "--ip-range", upper.String(), "--label", Label+"="+run, name); err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := c.Output(ctx, c.Manager, nil, "network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", name)
		if err == nil && strings.TrimSpace(string(out)) == subnet.String() {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.RemoveNetwork(context.WithoutCancel(ctx), name, time.Second)
			return fmt.Errorf("the Swarm did not allocate the overlay %s on %s (does it overlap another network?)", name, subnet)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// RemoveNetwork removes the network name from the manager, trying again
// for up to within while the Swarm still counts a container on it.
func (c *Cluster) RemoveNetwork(ctx context.Context, name string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		_, err := c.Output(ctx, c.Manager, nil, "network", "rm", name)
		if err == nil || strings.Contains(strings.ToLower(err.Error()), "not found") {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// CanaryPort is where an anchor answers calls: a call to it across the
// overlay says the overlay carries a lab's calls between two nodes.
const CanaryPort = "9000"

// anchorScript is an anchor's program (the laptop image's Python): it takes
// each call on CanaryPort and hangs up.
const anchorScript = `import socket
s = socket.socket()
s.bind(("", ` + CanaryPort + `))
s.listen(64)
while True:
    s.accept()[0].close()
`

// Anchor starts, on node n, a container that stays attached to the
// networks nets (on the first at address ip) and answers calls on
// CanaryPort, with image (one the node has, with Python). A node that holds
// an attachment to an overlay lists it (docker compose on a worker needs
// that to find the network), and a container attached later gets its
// address at once: without one, a fresh overlay's first attachment on a
// node sometimes waits 20 s for the node's own address and fails.
func (c *Cluster) Anchor(ctx context.Context, n Node, name, image, run string, ip netip.Addr, nets ...string) error {
	if len(nets) == 0 {
		return errors.New("an anchor needs a network")
	}
	// One network at run, the others connected after: a worker attaches
	// an overlay it has not seen yet only as a container's first network.
	_, err := c.Output(ctx, n.Host, nil, "run", "-d", "--name", name, "--label", Label+"="+run, "--pull", "never",
		"--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", "--memory", "64m", "--pids-limit", "8",
		"--user", "65532:65532", "--network", nets[0], "--ip", ip.String(), "--entrypoint", "python3", image, "-c", anchorScript)
	for _, net := range nets[1:] {
		if err != nil {
			break
		}
		_, err = c.Output(ctx, n.Host, nil, "network", "connect", net, name)
	}
	return err
}

// Canary says whether the anchor name on node from can call the anchor at
// to across their overlay: twice, a call of 3 s each, for a busy node.
func (c *Cluster) Canary(ctx context.Context, from Node, name string, to netip.Addr) bool {
	for range 2 {
		tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_, err := c.Output(tctx, from.Host, nil, "exec", name, "python3", "-c",
			"import socket, sys; socket.create_connection((sys.argv[1], "+CanaryPort+"), 3).close()", to.String())
		cancel()
		if err == nil {
			return true
		}
	}
	return false
}

// Sweep removes, from every node given, the containers (and their
// volumes) of run, and then from the manager its networks, trying again
// for up to within; what cannot be removed (a network a lost node still
// holds) is said in the error.
func (c *Cluster) Sweep(ctx context.Context, run string, nodes []Node, within time.Duration) error {
	var errs []error
	for _, n := range nodes {
		out, err := c.Output(ctx, n.Host, nil, "ps", "-aq", "--filter", "label="+Label+"="+run)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			if _, err := c.Output(ctx, n.Host, nil, append([]string{"rm", "-f", "-v"}, ids...)...); err != nil {
				errs = append(errs, err)
			}
		}
		out, err = c.Output(ctx, n.Host, nil, "volume", "ls", "-q", "--filter", "label="+Label+"="+run)
		if ids := strings.Fields(string(out)); err == nil && len(ids) > 0 {
			c.Output(ctx, n.Host, nil, append([]string{"volume", "rm", "-f"}, ids...)...)
		}
	}
	out, err := c.Output(ctx, c.Manager, nil, "network", "ls", "-q", "--filter", "label="+Label+"="+run)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	// In rounds, for 10 s in all: the Swarm frees a network a few seconds
	// after its last container has gone, and never while a lost node holds it.
	left := strings.Fields(string(out))
	deadline := time.Now().Add(within)
	for len(left) > 0 {
		var still []string
		var last error
		for _, id := range left {
			if _, err := c.Output(ctx, c.Manager, nil, "network", "rm", id); err != nil && !strings.Contains(strings.ToLower(err.Error()), "not found") {
				still, last = append(still, id), err
			}
		}
		if left = still; len(left) > 0 && (time.Now().After(deadline) || ctx.Err() != nil) {
			errs = append(errs, fmt.Errorf("%d networks not removed: %w", len(left), last))
			break
		}
		if len(left) > 0 {
			time.Sleep(500 * time.Millisecond)
		}
	}
	return errors.Join(errs...)
}

// Taken is the names and subnets of the manager's networks: a new overlay
// must use neither (a network a lost node still holds keeps its subnet).
func (c *Cluster) Taken(ctx context.Context) (map[string]bool, error) {
	out, err := c.Output(ctx, c.Manager, nil, "network", "ls", "-q")
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		return taken, nil
	}
	out, err = c.Output(ctx, c.Manager, nil, append([]string{"network", "inspect", "-f", "{{.Name}}{{range .IPAM.Config}} {{.Subnet}}{{end}}"}, ids...)...)
	if err != nil {
		return nil, err
	}
	for _, f := range strings.Fields(string(out)) {
		taken[f] = true
	}
	return taken, nil
}
