package swarm

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"time"
)

// Images go from the engine that built them to every node by `docker save |
// docker load`, never through a registry: nothing to run, secure or
// configure on the instructor's machines. A node that has an image of the
// same id is skipped, and a node that has some of its layers is sent the
// others only (a rebuilt laptop image differs from the last in a few MB of
// its 1.4 GB): docker load skips a layer it has without reading its file,
// so the files of those layers are left out of the stream.

// LoadImages makes sure every node has refs as the engine from ("" for this
// process's) has them, and says on progress what it copied where.
func (c *Cluster) LoadImages(ctx context.Context, from string, refs []string, progress io.Writer) error {
	want := map[string]string{}
	var chains [][]string // each image's layers, bottom first
	for _, r := range refs {
		out, err := c.Output(ctx, from, nil, "image", "inspect", "-f", "{{.Id}} {{range .RootFS.Layers}} {{.}}{{end}}", r)
		f := strings.Fields(string(out))
		if err != nil || len(f) == 0 {
			return fmt.Errorf("the image %s to copy onto the nodes: %w", r, err)
		}
		want[r] = f[0]
		chains = append(chains, f[1:])
	}
	type target struct {
		n     Node
		have  map[string]bool // layers (diff ids) the node has
		w     *io.PipeWriter
		tw    *tar.Writer
		sent  int64
		err   error
		done  chan struct{}
		short bool // its load failed: no more writes
	}
	var ts []*target
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	for _, n := range c.Nodes {
		wg.Go(func() {
			missing := false
			for _, r := range refs {
				out, err := c.Output(ctx, n.Host, nil, "image", "inspect", "-f", "{{.Id}}", r)
				if err != nil || strings.TrimSpace(string(out)) != want[r] {
					missing = true
				}
			}
			if !missing {
				return
			}
			have, err := c.layers(ctx, n, chains)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", n.Name, err))
				return
			}
			ts = append(ts, &target{n: n, have: have, done: make(chan struct{})})
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if len(ts) == 0 {
		return nil
	}
	start := time.Now()
	for _, t := range ts {
		r, w := io.Pipe()
		t.w, t.tw = w, tar.NewWriter(w)
		go func() {
			defer close(t.done)
			t.err = c.Exec(ctx, t.n.Host, nil, r, io.Discard, nil, "load", "-q")
			r.CloseWithError(errors.New("docker load ended"))
		}()
	}
	save, w := io.Pipe()
	saved := make(chan error, 1)
	go func() {
		err := c.Exec(ctx, from, nil, nil, w, nil, append([]string{"save"}, refs...)...)
		w.CloseWithError(err)
		saved <- err
	}()
	var sinks []sink
	for _, t := range ts {
		sinks = append(sinks, sink{t.tw, t.have, &t.sent, &t.short})
	}
	total, err := fanOut(save, sinks)
	save.CloseWithError(errors.New("stopped"))
	if serr := <-saved; err == nil {
		err = serr
	}
	for _, t := range ts {
		if !t.short {
			if cerr := t.tw.Close(); cerr != nil {
				t.short = true
			}
		}
		t.w.Close()
		<-t.done
		if t.err != nil {
			errs = append(errs, fmt.Errorf("loading the lab's images onto %s: %w", t.n.Name, t.err))
			continue
		}
		// The time is the whole copy's: one save feeds every node at once.
		took := time.Since(start).Round(100 * time.Millisecond)
		switch {
		case t.sent == 0:
			fmt.Fprintf(progress, "swarm: %s had every layer of the lab's images already (%s in all, %s for the copy to every node)\n", t.n.Name, mb(total), took)
		case t.sent >= total:
			fmt.Fprintf(progress, "swarm: copied the lab's images onto %s: all %s (%s for the copy to every node)\n", t.n.Name, mb(total), took)
		default:
			fmt.Fprintf(progress, "swarm: copied the lab's images onto %s: %s of %s, the layers it lacked (%s for the copy to every node)\n",
				t.n.Name, mb(t.sent), mb(total), took)
		}
	}
	if err != nil {
		return fmt.Errorf("saving the lab's images: %w", err)
	}
	return errors.Join(errs...)
}

// sink is one node's side of fanOut: its tar stream, the layers it has,
// how much it was sent, and whether it stopped taking.
type sink struct {
	tw    *tar.Writer
	have  map[string]bool
	sent  *int64
	short *bool
}

// fanOut copies the tar stream of docker save in to every sink, leaving out
// of each the layer files it has (blobs/sha256/<diff id>: a save by engine
// 25 or later names a layer by the digest of its uncompressed tar, which is
// its diff id). It returns the stream's size. A sink whose write fails is
// left out from then on; its load says why.
func fanOut(in io.Reader, sinks []sink) (int64, error) {
	tr := tar.NewReader(in)
	var total int64
	buf := make([]byte, 1<<20)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, fmt.Errorf("reading docker save's stream: %w", err)
		}
		total += h.Size
		layer := ""
		if dir, file := path.Split(h.Name); dir == "blobs/sha256/" {
			layer = "sha256:" + file
		}
		var to []sink
		for _, s := range sinks {
			if *s.short || layer != "" && s.have[layer] {
				continue
			}
			if err := s.tw.WriteHeader(h); err != nil {
				*s.short = true
				continue
			}
			to = append(to, s)
		}
		for {
			n, rerr := tr.Read(buf)
			for _, s := range to {
				if *s.short || n == 0 {
					continue
				}
				if _, err := s.tw.Write(buf[:n]); err != nil {
					*s.short = true
				}
				*s.sent += int64(n)
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return total, fmt.Errorf("reading docker save's stream: %w", rerr)
			}
		}
	}
}

// layers are the layers of chains that n has: docker load skips a layer
// when the node has the same layer on the same layers below it (its chain
// id), so a layer counts only in the part a chain shares, from the bottom,
// with an image of the node's, and only if no other part of a chain needs
// the same file (an empty layer appears in many places).
func (c *Cluster) layers(ctx context.Context, n Node, chains [][]string) (map[string]bool, error) {
	out, err := c.Output(ctx, n.Host, nil, "image", "ls", "-q", "--no-trunc")
	if err != nil {
		return nil, err
	}
	var theirs [][]string
	if ids := strings.Fields(string(out)); len(ids) > 0 {
		out, err = c.Output(ctx, n.Host, nil, append([]string{"image", "inspect", "-f", "{{range .RootFS.Layers}}{{.}} {{end}}"}, ids...)...)
		if err != nil {
			return nil, err
		}
		for line := range strings.Lines(string(out)) {
			theirs = append(theirs, strings.Fields(line))
		}
	}
	return shared(chains, theirs), nil
}

// shared is the layers of chains that may be left out of a load onto an
// engine whose images have the layers theirs.
func shared(chains, theirs [][]string) map[string]bool {
	have, need := map[string]bool{}, map[string]bool{}
	for _, ch := range chains {
		p := 0
		for _, t := range theirs {
			i := 0
			for i < len(ch) && i < len(t) && ch[i] == t[i] {
				i++
			}
			p = max(p, i)
		}
		for _, l := range ch[:p] {
			have[l] = true
		}
		for _, l := range ch[p:] {
			need[l] = true
		}
	}
	for l := range need {
		delete(have, l)
	}
	return have
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
