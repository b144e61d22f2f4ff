package swarm

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// How a node is found lost: its engine does not answer a ping within
// pingTimeout, twice in a row, or the manager says it is down. The docker
// command's own wait for a dead engine is half a minute: far too long for
// a lab waiting on it.
const (
	pingTimeout = 2 * time.Second
	// sshPingTimeout is for an ssh:// engine, asked through the docker
	// command: ssh's own handshake comes first.
	sshPingTimeout = 8 * time.Second
)

// Ping says whether n's engine answers now.
func (c *Cluster) Ping(ctx context.Context, n Node) bool {
	if u, err := url.Parse(n.Host); err == nil && u.Scheme == "tcp" {
		ctx, cancel := context.WithTimeout(ctx, pingTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+u.Host+"/_ping", nil)
		if err != nil {
			return false
		}
		tr := &http.Transport{DialContext: (&net.Dialer{Timeout: pingTimeout}).DialContext, DisableKeepAlives: true}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	ctx, cancel := context.WithTimeout(ctx, sshPingTimeout)
	defer cancel()
	_, err := c.Output(ctx, n.Host, nil, "version", "-f", "{{.Server.Version}}")
	return err == nil
}

// Down is the names of the nodes the manager does not call Ready; nil
// when it cannot be asked (a manager lost loses the Swarm anyway, and the
// pings say so).
func (c *Cluster) Down(ctx context.Context) map[string]bool {
	ctx, cancel := context.WithTimeout(ctx, 2*pingTimeout)
	defer cancel()
	ns, err := c.nodeList(ctx)
	if err != nil {
		return nil
	}
	down := map[string]bool{}
	for _, n := range ns {
		if !n.ready {
			down[n.Name] = true
		}
	}
	return down
}

// Watch checks every node each interval until ctx ends, and calls lost
// (once per node) for each node found lost: two pings missed in a row, or
// Down by the manager. A lost node stays lost for the Watch's life: its
// addresses may stay taken in the overlays for minutes, so a class goes on
// without it.
func (c *Cluster) Watch(ctx context.Context, interval time.Duration, lost func(Node, string)) {
	missed := map[string]int{}
	gone := map[string]bool{}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		down := c.Down(ctx)
		for _, n := range c.Nodes {
			if gone[n.Name] {
				continue
			}
			why := ""
			switch {
			case down[n.Name]:
				why = "the Swarm's manager says " + n.Name + " is down"
			case !c.Ping(ctx, n):
				if missed[n.Name]++; missed[n.Name] >= 2 {
					why = n.Name + "'s engine stopped answering"
				}
			default:
				missed[n.Name] = 0
			}
			if why != "" && ctx.Err() == nil {
				gone[n.Name] = true
				lost(n, why)
			}
		}
	}
}

// Lost says whether err is what a docker command says when its engine has
// gone: the connection refused, reset or cut, no route, a timeout.
func Lost(err error) bool {
	if err == nil {
		return false
	}
	s := strings.ToLower(err.Error())
	for _, w := range []string{"cannot connect to the docker daemon", "connection refused", "connection reset",
		"no route to host", "i/o timeout", "unexpected eof", ": eof", "broken pipe", "error during connect"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
