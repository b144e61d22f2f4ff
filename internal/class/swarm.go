package class

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	"github.com/socketlab/socketlab/internal/roster"
	"github.com/socketlab/socketlab/internal/swarm"
)

// A class across a Docker Swarm: each lab's laptop-a on one node and
// laptop-b on another, as compose runs them on one host (the same files,
// deploy/compose/swarm-class.yaml on top), on overlays the class keeps for
// its whole run. A node lost during a lab makes that lab the lab's fault,
// and it runs again on the nodes left; with none left, the rest of the
// class is "error", never the student's fault.

// Swarm is where a class graded across a Swarm runs.
type Swarm struct {
	// Manager is the Swarm manager's DOCKER_HOST; "" is this process's
	// engine (DOCKER_HOST or the docker context). The images are built on
	// this process's engine either way, and copied onto every node.
	Manager string
	// Nodes are the nodes' engines, as DOCKER_HOSTs (ssh://ta@pc2); none:
	// each Ready node at its Swarm address, port 2375 (deploy/swarm/nodes.sh).
	Nodes []string
	// LaptopCPUs is laptop-a's CPU limit (default my-server.yaml's 1.0): a
	// node held to less than one CPU on cgroup v1 refuses more.
	LaptopCPUs string
}

// swarmTries is how many times a lab runs when the lab, not the program,
// fails it: a node lost, an overlay that would not attach.
const swarmTries = 3

// errNoNode is a lab with no machine left to run on.
var errNoNode = errors.New("no machine of the Swarm is left to run it on")

// openSwarm reads the Swarm of cfg, and gives the class two labs at once
// per node unless told how many.
func openSwarm(ctx context.Context, cfg *Config) (*swarm.Cluster, error) {
	c, err := swarm.Open(ctx, cfg.Docker, cfg.Swarm.Manager, cfg.Swarm.Nodes)
	if err != nil {
		return nil, fmt.Errorf("the Swarm: %w", err)
	}
	c.Trace = cfg.Trace
	if cfg.Jobs == 0 {
		cfg.Jobs = min(2*len(c.Nodes), 50)
	}
	var names []string
	for _, n := range c.Nodes {
		names = append(names, n.Name)
	}
	fmt.Fprintf(cfg.Progress, "class: across a Swarm of %d nodes: %v\n", len(c.Nodes), names)
	return c, nil
}

// pair is one lab network and its side network, an overlay each: lab
// NET.k.0/24 and side NET.(128+k).0/24.
type pair struct {
	k         int
	lab, side string
	bad       bool // a lab on it failed: its addresses may be held
}

// swarmLabs grades a class's labs across the Swarm.
type swarmLabs struct {
	d      *docker
	c      *swarm.Cluster
	places *swarm.Places
	run    string // the class's label value: its project

	mu      sync.Mutex
	pairs   [][2]*pair // per slot, two, used in turn: an address is free again a lab later
	turn    []int
	next    int             // the next pair's k
	taken   map[string]bool // networks' names and subnets the Swarm has already
	old     []*pair         // pairs no longer used, to remove at the end
	running map[int]*live   // the labs running, by slot
	stop    context.CancelFunc
}

// live is a lab running: its two nodes, and how to stop it when one goes.
type live struct {
	a, b   swarm.Node
	cancel context.CancelCauseFunc
}

// errNodeLost is a lab stopped because one of its nodes went.
type errNodeLost struct{ why string }

func (e errNodeLost) Error() string { return e.why }

func newSwarmLabs(d *docker, c *swarm.Cluster) *swarmLabs {
	var names []string
	for _, n := range c.Nodes {
		names = append(names, n.Name)
	}
	return &swarmLabs{d: d, c: c, places: swarm.NewPlaces(names), run: d.cfg.Project, running: map[int]*live{}}
}

// start takes down what a killed run of the class left, builds the lab's
// images here, copies them onto the nodes, makes each slot's overlays and
// watches the nodes.
func (s *swarmLabs) start(ctx context.Context) error {
	cfg := s.d.cfg
	s.c.Sweep(ctx, s.run, s.c.Nodes, 0)
	err := s.d.warm(ctx)
	if err != nil {
		return err
	}
	if err := s.c.LoadImages(ctx, "", []string{s.d.clientImage(), s.d.laptopImage()}, cfg.Progress); err != nil {
		return err
	}
	t := time.Now()
	if s.taken, err = s.c.Taken(ctx); err != nil {
		return fmt.Errorf("the Swarm's networks: %w", err)
	}
	s.pairs, s.turn = make([][2]*pair, cfg.Jobs), make([]int, cfg.Jobs)
	for slot := range cfg.Jobs {
		for i := range 2 {
			p, err := s.newPair(ctx)
			if err != nil {
				return err
			}
			s.pairs[slot][i] = p
		}
	}
	fmt.Fprintf(cfg.Progress, "class: %d pairs of overlays ready on %d nodes in %s\n", 2*cfg.Jobs, len(s.c.Nodes), time.Since(t).Round(100*time.Millisecond))
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	go s.c.Watch(wctx, time.Second, s.lose)
	return nil
}

// newPair makes a lab and a side overlay, with an anchor on every node
// left, each tried again when the Swarm is slow to attach it.
func (s *swarmLabs) newPair(ctx context.Context) (*pair, error) {
	var p *pair
	var subnets [2]netip.Prefix
	s.mu.Lock()
	for p == nil && s.next < 128 {
		k := s.next
		s.next++
		q := &pair{k: k, lab: fmt.Sprintf("%s-lab-%d", s.run, k), side: fmt.Sprintf("%s-side-%d", s.run, k)}
		free := true
		for i, name := range []string{q.lab, q.side} {
			subnet, err := netip.ParsePrefix(fmt.Sprintf("%s.%d.0/24", s.d.cfg.Net, k+128*i))
			if err != nil {
				s.mu.Unlock()
				return nil, fmt.Errorf("the labs' subnets (-net %s): %w", s.d.cfg.Net, err)
			}
			subnets[i] = subnet
			free = free && !s.taken[name] && !s.taken[subnet.String()]
		}
		if free {
			p = q
		}
	}
	s.mu.Unlock()
	if p == nil {
		return nil, errors.New("the class ran out of overlay subnets (128 pairs)")
	}
	for i, name := range []string{p.lab, p.side} {
		if err := s.c.CreateOverlay(ctx, name, subnets[i], s.run); err != nil {
			return nil, err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(s.c.Nodes))
	for i, n := range s.c.Nodes {
		if s.places.Lost(n.Name) {
			continue
		}
		wg.Go(func() {
			name := s.anchorName(p)
			for try := range 3 {
				if try > 0 {
					s.c.Output(context.WithoutCancel(ctx), n.Host, nil, "rm", "-f", name)
				}
				if errs[i] = s.c.Anchor(ctx, n, name, s.d.laptopImage(), s.run, s.anchorIP(p, i), p.lab, p.side); errs[i] == nil || ctx.Err() != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("attaching the overlays on every node: %w", err)
	}
	return p, nil
}

// pairFor is the slot's pair for its next lab: the other of its two, or a
// new one in place of one a failed lab left.
func (s *swarmLabs) pairFor(ctx context.Context, slot int) (*pair, error) {
	s.mu.Lock()
	s.turn[slot] ^= 1
	i := s.turn[slot]
	p := s.pairs[slot][i]
	s.mu.Unlock()
	if !p.bad {
		return p, nil
	}
	n, err := s.newPair(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.old = append(s.old, p)
	s.pairs[slot][i] = n
	s.mu.Unlock()
	return n, nil
}

// lose takes a lost node out of the class, and stops the labs on it: they
// run again elsewhere. Found by the watch, or by a lab whose node stopped
// answering: the first says so.
func (s *swarmLabs) lose(n swarm.Node, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.places.Lost(n.Name) {
		return
	}
	s.places.Lose(n.Name)
	fmt.Fprintf(s.d.cfg.Progress, "class: %s is lost (%s): its labs run again on the %d nodes left\n", n.Name, why, s.places.Left())
	for _, l := range s.running {
		if l.a.Name == n.Name || l.b.Name == n.Name {
			l.cancel(errNodeLost{why})
		}
	}
}

// gradeOne grades sub in the Swarm with slot's overlays, and runs its lab
// again (up to swarmTries in all) when the lab, not the program, failed it.
func (s *swarmLabs) gradeOne(ctx context.Context, sub roster.Submission, slot int) graded {
	return gradeWith(ctx, sub, func(ctx context.Context, l labSpec) labRun {
		return retried(s.places, func(an, bn string) (labRun, string, bool) {
			a, _ := s.c.Node(an)
			b, _ := s.c.Node(bn)
			r, why, lost := s.attempt(ctx, l, slot, a, b)
			l.start = time.Now()
			return r, why, lost
		}, func(an, bn, why string) {
			fmt.Fprintf(s.d.cfg.Progress, "class: %s's lab on %s and %s: %s; grading it again\n", sub.Name, an, bn, why)
		}, func() bool { return ctx.Err() != nil })
	})
}

// retried runs a lab with run on two nodes of places, and again on others
// while run says why its outcome is not the program's: up to swarmTries
// times for the lab's own failures, and once more for each node lost (each
// takes a node out, so they are as many at most as nodes). It ends with
// the lab's fault, never the program's: a stage that failed.
// again is told of each rerun.
func retried(places *swarm.Places, run func(a, b string) (r labRun, why string, nodeLost bool), again func(a, b, why string), stopped func() bool) labRun {
	avoid := map[string]bool{}
	for try := 1; ; {
		a, b, ok := places.Pick(avoid)
		if !ok {
			return labRun{stage: "finding machines for its lab", err: errNoNode}
		}
		r, why, nodeLost := run(a, b)
		places.Release(a, b)
		if why == "" || stopped() {
			return r
		}
		if !nodeLost {
			try++
		}
		if try > swarmTries {
			if r.stage == "" {
				r.stage, r.err = "running its lab", errors.New(why)
			}
			return r
		}
		again(a, b, why)
		avoid[a], avoid[b] = true, true
	}
}

// attempt runs one lab on nodes a and b, and says why it must run again
// ("" when its outcome is the program's): a node lost (nodeLost), or the
// lab's own failure.
func (s *swarmLabs) attempt(ctx context.Context, l labSpec, slot int, a, b swarm.Node) (r labRun, why string, nodeLost bool) {
	p, err := s.pairFor(ctx, slot)
	if err != nil {
		return labRun{stage: "making its networks", err: err}, "its networks could not be made", false
	}
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.mu.Lock()
	s.running[slot] = &live{a: a, b: b, cancel: cancel}
	s.mu.Unlock()
	// A node lost a moment before the lab was placed on it.
	for _, n := range []swarm.Node{a, b} {
		if s.places.Lost(n.Name) {
			cancel(errNodeLost{n.Name + " is lost"})
		}
	}
	r = s.runLab(actx, l, slot, p, a, b)
	s.mu.Lock()
	delete(s.running, slot)
	s.mu.Unlock()
	var lost errNodeLost
	switch {
	case errors.As(context.Cause(actx), &lost):
		p.bad = true
		return r, lost.why, true
	case ctx.Err() != nil:
		return r, "", false
	}
	// A node that went during the lab may have cut the call: its verdict
	// counts only if both still answer.
	if n, ok := s.silent(ctx, []swarm.Node{a, b}); !ok {
		p.bad = true
		return r, n.Name + "'s engine stopped answering", true
	}
	switch {
	case r.stage != "":
		p.bad = true
		return r, "the lab failed " + r.stage, false
	case !r.timedOut && r.reportErr != nil:
		p.bad = true
		return r, "laptop-b gave no report", false
	}
	if g, err := untarGrade(r.report); a.Name != b.Name && (r.timedOut || err == nil && !g.Report.Passed) {
		// A program failed: before it is its fault, every node must still
		// answer (a node lost anywhere has cut calls between the others
		// for seconds here), and the overlay carry a call from b to a now.
		if n, ok := s.silent(ctx, s.c.Nodes); !ok {
			p.bad = true
			return r, n.Name + "'s engine stopped answering", true
		}
		if !s.c.Canary(ctx, b, s.anchorName(p), s.anchorIP(p, s.index(a))) {
			p.bad = true
			return r, "the overlay did not carry a call from " + b.Name + " to " + a.Name, false
		}
	}
	return r, "", false
}

// silent finds, of nodes, one not lost that does not answer now, and
// takes it out of the class; ok when all answer.
func (s *swarmLabs) silent(ctx context.Context, nodes []swarm.Node) (swarm.Node, bool) {
	for _, n := range nodes {
		if !s.places.Lost(n.Name) && !s.c.Ping(ctx, n) {
			s.lose(n, n.Name+"'s engine stopped answering")
			return n, false
		}
	}
	return swarm.Node{}, true
}

// index is n's place in the Swarm's list of nodes.
func (s *swarmLabs) index(n swarm.Node) int {
	for i, m := range s.c.Nodes {
		if m.Name == n.Name {
			return i
		}
	}
	return 0
}

// anchorName is the name of p's anchor on every node.
func (s *swarmLabs) anchorName(p *pair) string { return fmt.Sprintf("%s-anchor-%d", s.run, p.k) }

// anchorIP is the lab network's address of p's anchor on node i: .100+i,
// below the Swarm's own pool (the upper half) and apart from the laptops'.
func (s *swarmLabs) anchorIP(p *pair, i int) netip.Addr {
	return netip.MustParseAddr(fmt.Sprintf("%s.%d.%d", s.d.cfg.Net, p.k, 100+i))
}

// finish stops the watch and takes down the class's anchors and overlays;
// the nodes keep the lab's images, so that the next class starts warm.
func (s *swarmLabs) finish(ctx context.Context) {
	if s.stop != nil {
		s.stop()
	}
	var left []swarm.Node
	for _, n := range s.c.Nodes {
		if !s.places.Lost(n.Name) {
			left = append(left, n)
		}
	}
	// A lost node holds every overlay it was on: no use waiting for them.
	within := 15 * time.Second
	if len(left) < len(s.c.Nodes) {
		within = 2 * time.Second
	}
	if err := s.c.Sweep(ctx, s.run, left, within); err != nil {
		var lost []string
		for _, n := range s.c.Nodes {
			if s.places.Lost(n.Name) {
				lost = append(lost, n.Name)
			}
		}
		fmt.Fprintf(s.d.cfg.Progress, "class: some of the class's overlays stay on the Swarm until %v is back or removed (docker node rm --force): %v\n", lost, firstLine(err))
	}
	s.d.run(ctx, nil, "image", "rm", s.d.clientImage(), s.d.laptopImage())
}

// composeFiles are the compose files of a lab across the Swarm.
func (s *swarmLabs) compose(project string) []string {
	return append(s.d.compose(project), "-f", filepath.Join(s.d.cfg.Repo, "deploy", "compose", "swarm-class.yaml"))
}
