package class

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/socketlab/socketlab/internal/swarm"
)

// One lab across two nodes: compose makes laptop-a (and relay-a) on node a
// and laptop-b (and relay-b) on node b, under one project name; the
// student's folder goes into a's volume; the relay passes laptop-a's
// report folder to laptop-b and back; laptop-b's grade comes out of b.

// relayScript runs in relay-a and relay-b (the laptop image's Python): it
// sends each file of its side's list (argv[1]) when it changes, as a line
// "name<TAB>base64", and writes each line it reads whole into the folder
// (a temporary file renamed over the name), so that a reader never sees
// half of one, as on one host.
const relayScript = `
import base64, os, sys, threading, time
d = '/report'
send = sys.argv[1].split(',')
def take():
    for line in sys.stdin:
        name, _, data = line.rstrip('\n').partition('\t')
        if not name or '/' in name or name.startswith('.'):
            continue
        tmp = os.path.join(d, '.relay-' + name)
        with open(tmp, 'wb') as f:
            f.write(base64.b64decode(data))
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(d, name))
    os._exit(0)
threading.Thread(target=take, daemon=True).start()
seen = {}
while True:
    for n in send:
        p = os.path.join(d, n)
        try:
            st = os.stat(p)
            sig = (st.st_ino, st.st_mtime_ns, st.st_size)
            if seen.get(n) == sig:
                continue
            with open(p, 'rb') as f:
                b = f.read()
        except OSError:
            continue
        seen[n] = sig
        sys.stdout.write(n + '\t' + base64.b64encode(b).decode() + '\n')
        sys.stdout.flush()
    time.sleep(0.05)
`

// runLab runs one lab on nodes a and b (the same node when one is left)
// with pair's overlays. Its containers and volumes are gone again when it
// returns, on every node still answering.
func (s *swarmLabs) runLab(ctx context.Context, l labSpec, slot int, p *pair, a, b swarm.Node) (r labRun) {
	cfg := s.d.cfg
	r.timeout = cfg.Timeout
	project := s.d.project(slot)
	lab, side := fmt.Sprintf("%s.%d.", cfg.Net, p.k), fmt.Sprintf("%s.%d.", cfg.Net, 128+p.k)
	env := append(s.d.labEnv(l.dir, l.file, slot),
		"LAB_SUBNET="+lab+"0/24", "LAPTOP_A_IP="+lab+"10", "LAPTOP_B_IP="+lab+"20",
		"SIDE_SUBNET="+side+"0/24", "LAPTOP_A_SIDE_IP="+side+"10", "LAPTOP_B_SIDE_IP="+side+"20",
		"SWARM_LAB_NET="+p.lab, "SWARM_SIDE_NET="+p.side, "SWARM_RUN="+s.run)
	if cfg.Swarm.LaptopCPUs != "" {
		env = append(env, "CLASS_LAPTOP_CPUS="+cfg.Swarm.LaptopCPUs)
	}
	one := a.Name == b.Name
	sides := []struct {
		n        swarm.Node
		services []string
	}{{a, []string{"laptop-a", "relay-a"}}, {b, []string{"laptop-b", "relay-b"}}}
	if one {
		// One node: laptop-b shares laptop-a's volumes, as on one host.
		sides = sides[:1]
		sides[0].services = []string{"laptop-a", "relay-a", "laptop-b"}
	}
	// Teardown goes on when the lab was stopped, but not to a lost node,
	// and not for long: a dead engine makes docker wait half a minute.
	down := func() {
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for _, sd := range sides {
			if s.places.Lost(sd.n.Name) {
				continue
			}
			wg.Go(func() {
				s.c.Exec(tctx, sd.n.Host, env, nil, nil, nil, append(s.compose(project), "down", "-v", "--remove-orphans", "-t", "0")...)
			})
		}
		wg.Wait()
	}
	defer down()

	ids := map[string]string{}
	var mu sync.Mutex
	err := each(len(sides), func(i int) error {
		sd := sides[i]
		args := append(append(s.compose(project), "up", "--no-start", "--no-build", "--no-deps"), sd.services...)
		if err := s.c.Exec(ctx, sd.n.Host, env, nil, nil, nil, args...); err != nil {
			return err
		}
		out, err := s.c.Output(ctx, sd.n.Host, nil, "ps", "-a", "--no-trunc", "--filter", "label=com.docker.compose.project="+project,
			"--format", `{{.ID}} {{.Label "com.docker.compose.service"}}`)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for line := range strings.Lines(string(out)) {
			if id, svc, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
				ids[svc] = id
			}
		}
		return nil
	})
	if err == nil && (ids["laptop-a"] == "" || ids["laptop-b"] == "" || ids["relay-a"] == "" || !one && ids["relay-b"] == "") {
		err = fmt.Errorf("the lab %s lacks a laptop or a relay", project)
	}
	if err != nil {
		r.stage, r.err = "making its lab", err
		return r
	}
	// Into relay-a's mount of the volume that laptop-a mounts read-only.
	if _, err := s.c.Output(ctx, a.Host, bytes.NewReader(l.files), "cp", "-", ids["relay-a"]+":/student-files"); err != nil {
		r.stage, r.err = "copying its files into the lab", err
		return r
	}
	if !one {
		if err := each(2, func(i int) error {
			_, err := s.c.Output(ctx, sides[i].n.Host, nil, "start", ids[[]string{"relay-a", "relay-b"}[i]])
			return err
		}); err != nil {
			r.stage, r.err = "starting its lab", err
			return r
		}
		stop, err := s.relay(ctx, a, b, ids["relay-a"], ids["relay-b"])
		if err != nil {
			r.stage, r.err = "starting its lab", err
			return r
		}
		defer stop()
	}
	// Both at once, as on one host.
	if err := each(2, func(i int) error {
		_, err := s.c.Output(ctx, []swarm.Node{a, b}[i].Host, nil, "start", ids[[]string{"laptop-a", "laptop-b"}[i]])
		return err
	}); err != nil {
		r.stage, r.err = "starting its lab", err
		return r
	}
	after, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if ctx.Err() != nil {
		after = ctx // a node lost: no more asking it
	}
	wctx, wcancel := context.WithTimeout(ctx, cfg.Timeout-min(time.Since(l.start), cfg.Timeout/2))
	_, r.werr = s.c.Output(wctx, b.Host, nil, "wait", ids["laptop-b"])
	r.timedOut = wctx.Err() == context.DeadlineExceeded && ctx.Err() == nil
	wcancel()
	if ctx.Err() != nil {
		// Stopped: a node lost, or the class interrupted. What the lab said
		// does not count; the caller knows which.
		r.stage, r.err = "running its lab", context.Cause(ctx)
		return r
	}
	if r.timedOut {
		each(2, func(i int) error {
			s.c.Output(after, []swarm.Node{a, b}[i].Host, nil, "kill", ids[[]string{"laptop-a", "laptop-b"}[i]])
			return nil
		})
	}
	if words, err := s.c.Output(after, b.Host, nil, "logs", ids["laptop-b"]); err == nil {
		r.said, r.haveSaid = plain(words), true
	}
	if out, err := s.logs(after, a, ids["laptop-a"]); err == nil {
		r.log, r.haveLog = plain(capped(out, logCap)), true
	}
	if r.timedOut {
		return r
	}
	r.report, r.reportErr = s.c.Output(after, b.Host, nil, "cp", ids["laptop-b"]+":/reports/grade.json", "-")
	return r
}

// logs is both streams of a container's log, in one, as docker compose
// prints them to the one-host class.
func (s *swarmLabs) logs(ctx context.Context, n swarm.Node, id string) ([]byte, error) {
	var out bytes.Buffer
	err := s.c.Exec(ctx, n.Host, nil, nil, &out, &out, "logs", id)
	return out.Bytes(), err
}

// relay starts the copier in relay-a (on a) and relay-b (on b), each's
// output the other's input: laptop-a's report and answers go to b,
// laptop-b's requests to a. stop ends both.
func (s *swarmLabs) relay(ctx context.Context, a, b swarm.Node, ra, rb string) (stop func(), err error) {
	ab, abw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	ba, baw, err := os.Pipe()
	if err != nil {
		ab.Close()
		abw.Close()
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	run := func(n swarm.Node, id, files string, in, out *os.File) {
		wg.Go(func() {
			s.c.Exec(rctx, n.Host, nil, in, out, nil, "exec", "-i", id, "python3", "-u", "-c", relayScript, files)
		})
	}
	run(a, ra, "laptop-a.json,grade-there.json", ba, abw)
	run(b, rb, "grade-there-request.json", ab, baw)
	return func() {
		cancel()
		for _, f := range []*os.File{ab, abw, ba, baw} {
			f.Close()
		}
		wg.Wait()
	}, nil
}

// each runs f(0), ..., f(n-1) at once, and joins their errors.
func each(n int, f func(int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
