package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go/modules/compose"
	"github.com/testcontainers/testcontainers-go/wait"
)

// TestViewMeasureACrowd is not a test but the measurement behind the
// README's figures for the web view under `just view-crowd 0 0ms 50 5000`:
// how late the page draws each call after its last segment, how quickly the
// page answers while the crowd runs, and how much CPU the view's container
// uses. It runs only with SOCKETLAB_VIEW_MEASURE=1 and asserts nothing but
// that the lab ran:
//
//	SOCKETLAB_VIEW_MEASURE=1 go test -count=1 -run TestViewMeasureACrowd -v ./e2e
func TestViewMeasureACrowd(t *testing.T) {
	if os.Getenv("SOCKETLAB_VIEW_MEASURE") != "1" {
		t.Skip("a measurement, not a test: SOCKETLAB_VIEW_MEASURE=1 runs it")
	}
	requireImages(t)
	chromium := requireChromium(t)
	lab := newLab(t, "view-measure")
	cli := requireDocker(t)
	const flags = "-workers 0 -think 0ms -backlog 128"
	project := lab.project
	files := lab.files("compose.yaml", "deploy/compose/view.yaml")
	env := lab.with(map[string]string{"SERVER_FLAGS": flags, "CALLERS": "50", "CALLS": "5000"})

	stack := newStack(t, project, compose.WithStackFiles(files...))
	err := stack.WithEnv(env).
		WaitForService("view", wait.ForLog("in a browser").WithStartupTimeout(startTimeout)).
		WaitForService("laptop-b", wait.ForExit().WithExitTimeout(exitTimeout)).
		Up(t.Context(), compose.RemoveOrphans(true))
	require.NoError(t, err)
	view, err := stack.ServiceContainer(t.Context(), "view")
	require.NoError(t, err)
	server, err := stack.ServiceContainer(t.Context(), "laptop-a")
	require.NoError(t, err)

	ctx := newBrowser(t, chromium)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("http://"+lab.hostAddr(lab.viewPort)+"/")))
	waitFor(t, ctx, `document.getElementById("conn").textContent === "live"`)
	do(t, ctx, `window.socketlab.lags.length = 0`)
	// A 50 ms timer on the page's main thread: how late it fires is how
	// long the page was too busy to answer a click.
	do(t, ctx, `window.drift = []; (() => { let last = performance.now();
		setInterval(() => { const now = performance.now(); window.drift.push(now - last - 50); last = now; }, 50); })()`)
	updates0 := js[int](t, ctx, `window.socketlab.updates`)

	// The crowd as `just view-crowd 0 0ms 50 5000` runs it, with the flags
	// laptop-a already has; --no-deps leaves laptop-a and the view as they
	// are (Testcontainers' compose labels its containers differently from
	// the CLI, which would take them for out of date).
	args := []string{"compose", "-p", project}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	cmd := exec.CommandContext(t.Context(), "docker", append(args, "run", "--rm", "--no-deps", "crowd")...)
	cmd.Dir = lab.root
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	viewCPU0, serverCPU0 := cpuNanos(t, cli, view.GetContainerID()), cpuNanos(t, cli, server.GetContainerID())
	start := time.Now()
	done := make(chan []byte, 1)
	go func() { out, _ := cmd.CombinedOutput(); done <- out }()
	var looks []time.Duration
	var out []byte
	for out == nil {
		select {
		case out = <-done:
		case <-time.After(100 * time.Millisecond): // bounded: the crowd is 5,000 calls
			t0 := time.Now()
			js[int](t, ctx, `window.socketlab.calls.size`)
			looks = append(looks, time.Since(t0))
		}
	}
	wall := time.Since(start)
	viewCPU, serverCPU := cpuNanos(t, cli, view.GetContainerID())-viewCPU0, cpuNanos(t, cli, server.GetContainerID())-serverCPU0
	time.Sleep(500 * time.Millisecond) // the last update
	updates := js[int](t, ctx, `window.socketlab.updates`) - updates0
	lags := js[[]float64](t, ctx, `window.socketlab.lags`)
	totals := js[map[string]float64](t, ctx, `window.socketlab.totals`)
	t.Logf("the crowd:\n%s", out)
	t.Logf("crowd and its tail: %v wall; the page saw %.0f calls, %.0f segments; %d updates (%.1f/s)",
		wall.Round(time.Millisecond), totals["calls"], totals["segments"], updates, float64(updates)/wall.Seconds())
	t.Logf("view's CPU: %.2f s in %.2f s = %.2f cores; laptop-a's: %.2f cores",
		time.Duration(viewCPU).Seconds(), wall.Seconds(), float64(viewCPU)/float64(wall), float64(serverCPU)/float64(wall))
	// The wall time includes the crowd container's start; bench says how
	// long the calls themselves took: the CPU per second of calls.
	if m := regexp.MustCompile(`50 at a time, in ([0-9.]+m?s):`).FindSubmatch(out); m != nil {
		if d, err := time.ParseDuration(string(m[1])); err == nil {
			t.Logf("view's CPU over the %v the calls took: %.2f cores (a core is 1.00)", d, float64(viewCPU)/float64(d))
		}
	}
	slices.Sort(lags)
	slices.Sort(looks)
	if len(lags) > 0 {
		t.Logf("page delay after a call's last segment (%d calls that ended on the page): p50 %.0f ms, p99 %.0f ms, max %.0f ms",
			len(lags), lags[len(lags)/2], lags[len(lags)*99/100], lags[len(lags)-1])
	}
	drift := js[[]float64](t, ctx, `window.drift`)
	slices.Sort(drift)
	if len(drift) > 0 {
		t.Logf("the page's main thread, a 50 ms timer (%d ticks): late by p50 %.0f ms, p99 %.0f ms, max %.0f ms",
			len(drift), drift[len(drift)/2], drift[len(drift)*99/100], drift[len(drift)-1])
	}
	if len(looks) > 0 {
		t.Logf("the page's answer to a script while the crowd ran (%d looks): p50 %v, max %v",
			len(looks), looks[len(looks)/2].Round(time.Microsecond), looks[len(looks)-1].Round(time.Microsecond))
	}
}

// cpuNanos is the CPU time a container has used, from the engine's stats.
func cpuNanos(t *testing.T, cli client.APIClient, id string) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	res, err := cli.ContainerStats(ctx, id, client.ContainerStatsOptions{})
	require.NoError(t, err)
	defer res.Body.Close()
	var st container.StatsResponse
	require.NoError(t, json.NewDecoder(res.Body).Decode(&st), fmt.Sprintf("stats of %s", id))
	return st.CPUStats.CPUUsage.TotalUsage
}
