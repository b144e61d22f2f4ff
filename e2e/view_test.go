package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/moby/moby/api/types/container"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/compose"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/socketlab/socketlab/internal/bench"
)

// viewFlags is the call center the view test watches: one employee who
// thinks 30 ms per call and a listen queue of 8, which a crowd of 24
// callers fills.
const viewFlags = "-workers 1 -think 30ms -backlog 8"

// TestViewDrawsEachCallAndTheCallCenterInABrowser is `just view`
// (compose.yaml with deploy/compose/view.yaml) in headless Chromium: laptop-b's
// call is drawn segment by segment in order with its real bytes and the
// watcher's explanations, a call from this machine is "your computer"'s,
// its downloads and its replay work, and while a crowd calls, the page
// shows the employee busy and callers waiting in the listen queue, then the
// server asleep again. It saves the README's two screenshots.
//
// Like the other compose tests it runs on a lab of its own (newLab) and is
// not parallel.
func TestViewDrawsEachCallAndTheCallCenterInABrowser(t *testing.T) {
	requireImages(t)
	chromium := requireChromium(t)
	lab := newLab(t, "view")

	stack := newStack(t, lab.project, compose.WithStackFiles(lab.files("compose.yaml", "deploy/compose/view.yaml")...))
	err := stack.
		WithEnv(lab.with(map[string]string{"SERVER_FLAGS": viewFlags})).
		WaitForService("view", wait.ForLog("in a browser").WithStartupTimeout(startTimeout)).
		WaitForService("laptop-b", wait.ForExit().WithExitTimeout(exitTimeout)).
		Up(t.Context(), compose.RemoveOrphans(true))
	require.NoError(t, err, "docker compose -f compose.yaml -f deploy/compose/view.yaml up")
	page := "http://" + lab.hostAddr(lab.viewPort)

	t.Run("it prints only addresses a student can open", func(t *testing.T) {
		var all strings.Builder
		for _, svc := range []string{"laptop-a", "view", "laptop-b"} {
			ctr, err := stack.ServiceContainer(t.Context(), svc)
			require.NoError(t, err, svc)
			logs, err := readLogs(ctr)
			require.NoError(t, err, svc)
			all.WriteString(logs)
		}
		urls := regexp.MustCompile(`https?://[^\s"']+`).FindAllString(all.String(), -1)
		require.Equal(t, []string{"http://localhost:" + lab.viewPort}, urls, "the one address in the logs is the page's, published on this computer:\n%s", all.String())
		if lab.dialAt == "127.0.0.1" {
			resp, err := http.Get(urls[0])
			require.NoError(t, err, "open %s", urls[0])
			require.NoError(t, resp.Body.Close())
			require.Equal(t, http.StatusOK, resp.StatusCode, urls[0])
		}
	})

	ctx := newBrowser(t, chromium)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(page+"/")))
	waitFor(t, ctx, `document.getElementById("conn").textContent === "live"`)

	t.Run("laptop-b's call, segment by segment", func(t *testing.T) {
		do(t, ctx, `[...document.querySelectorAll("#calls li")].find(li => li.textContent.includes("laptop-b")).click()`)
		waitFor(t, ctx, `(() => { const c = window.socketlab.calls.get(window.socketlab.selected); return c && c.caller.name === "laptop-b" && c.over; })()`)
		segs, labels := ladder(t, ctx)
		requireLectureCall(t, segs, "hi back atcha\n", true)
		require.Equal(t, []string{"SYN", "SYN-ACK", "ACK", `PSH,ACK len=6 "hello\n"`}, labels[:4], "the handshake and the greeting")
		require.Contains(t, labels, `PSH,ACK len=14 "hi back atcha\n"`)
		title := js[string](t, ctx, `document.getElementById("parties").textContent`)
		require.Regexp(t, `^laptop-b \(`+lab.b+`:\d+\) → laptop-a \(`+lab.a+`:8000\), \d+ segments, over after \d+\.\d ms$`, title)
	})

	var hostCall int
	t.Run("a call from this machine is your computer's", func(t *testing.T) {
		callFromTheEnginesMachine(t, lab, "hi from the browser test")
		do(t, ctx, `document.getElementById("follow").click()`) // follow the newest call again
		waitFor(t, ctx, `(() => { const c = window.socketlab.calls.get(window.socketlab.selected); return c && c.caller.name === "your computer" && c.over; })()`)
		hostCall = js[int](t, ctx, `window.socketlab.selected`)
		segs, labels := ladder(t, ctx)
		require.Equal(t, "your computer", segs[0].from)
		require.Equal(t, "laptop-a", segs[0].to)
		require.Contains(t, segs[0].gloss, "the phone rings: your computer calls laptop-a at port 8000")
		require.Contains(t, labels, `PSH,ACK len=25 "hi from the browser test\n"`)
		rows := js[int](t, ctx, `document.querySelectorAll("#segs tbody tr").length`)
		require.Equal(t, len(segs), rows, "one table row per arrow")
		waitFor(t, ctx, `document.getElementById("server-state").textContent.includes("sleeps")`) // between calls
		screenshot(t, ctx, "view-call.png")
	})

	t.Run("replay and downloads", func(t *testing.T) {
		n := js[int](t, ctx, `document.querySelectorAll("#ladder g.seg").length`)
		do(t, ctx, `document.getElementById("first").click()`)
		require.Equal(t, 1, js[int](t, ctx, `document.querySelectorAll("#ladder g.seg").length`), "the replay starts at the SYN")
		do(t, ctx, `document.getElementById("next").click()`)
		require.Equal(t, 2, js[int](t, ctx, `document.querySelectorAll("#ladder g.seg").length`))
		do(t, ctx, `document.getElementById("last").click()`)
		require.Equal(t, n, js[int](t, ctx, `document.querySelectorAll("#ladder g.seg").length`))
		do(t, ctx, `document.querySelector("#ladder g.seg:nth-of-type(4)").dispatchEvent(new MouseEvent("click"))`)
		require.Contains(t, js[string](t, ctx, `document.getElementById("seg-detail").textContent`), "seq=")

		for _, tc := range []struct{ ext, has string }{
			{"mmd", "participant C as your computer<br/>"},
			{"svg", `<svg xmlns="http://www.w3.org/2000/svg"`},
			{"pcap", "\xd4\xc3\xb2\xa1"},
		} {
			href := js[string](t, ctx, `document.getElementById("dl-`+tc.ext+`").href`)
			require.Equal(t, fmt.Sprintf("%s/calls/%d.%s?download", page, hostCall, tc.ext), href)
			resp, err := http.Get(href)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, href)
			require.Contains(t, string(body), tc.has, href)
		}
	})

	t.Run("a crowd fills the listen queue", func(t *testing.T) {
		crowd := make(chan bench.Report, 1)
		go func() {
			r, _ := bench.Run(context.Background(), bench.Config{
				Addr: lab.hostAddr(lab.hostPort), Concurrency: 24, Calls: 100, Timeout: 5 * time.Second,
			})
			crowd <- r
		}()
		var most center
		shot := false
		var slowest time.Duration
		for done := false; !done; {
			select {
			case r := <-crowd:
				t.Logf("the crowd: %d calls, %d ok, %.0f calls/s", r.Calls, r.OK, r.CallsPerSec)
				done = true
			case <-time.After(50 * time.Millisecond): // bounded: the crowd's calls time out in 5s
			}
			start := time.Now()
			c := readCenter(t, ctx)
			slowest = max(slowest, time.Since(start))
			most.Waiting, most.Busy = max(most.Waiting, c.Waiting), max(most.Busy, c.Busy)
			require.LessOrEqual(t, c.Shown, 40, "the page keeps the last 40 calls")
			require.Equal(t, 1, c.Employees, "one employee")
			if c.Waiting >= 4 && !shot {
				screenshot(t, ctx, "view-crowd.png")
				shot = true
			}
		}
		t.Logf("the page showed at most %d callers waiting and %d employee busy; the slowest look at the page took %v", most.Waiting, most.Busy, slowest)
		require.GreaterOrEqual(t, most.Waiting, 2, "callers waiting in the listen queue")
		require.Equal(t, 1, most.Busy, "the employee on a call")
		require.True(t, shot, "a screenshot with callers waiting")

		waitFor(t, ctx, `document.querySelectorAll("#queue .slot.waiting").length === 0 && document.getElementById("server-state").textContent.includes("sleeps")`)
		c := readCenter(t, ctx)
		require.Contains(t, c.QueueText, "backlog 8")
		require.Contains(t, js[string](t, ctx, `document.getElementById("hidden").textContent`), "older calls are counted")
	})

	lags := js[[]float64](t, ctx, `window.socketlab.lags`)
	slices.Sort(lags)
	if len(lags) > 0 {
		t.Logf("the page had %d calls after their last segment in: median %.0f ms, max %.0f ms", len(lags), lags[len(lags)/2], lags[len(lags)-1])
	}
}

// callFromTheEnginesMachine makes a lecture call with line to the lab's
// published port from the machine the engine runs on, whose calls the page
// names "your computer" (they come through the port from the lab network's
// gateway), and checks the echo. On this machine's engine that machine is
// this process's. On a remote engine this process is another computer,
// whose calls come from its own address, as anyone's would: there the
// call is made by a client container on the engine's default network,
// calling the machine it runs on (host-gateway) as that machine's own
// programs do.
func callFromTheEnginesMachine(t *testing.T, lab labConfig, line string) {
	t.Helper()
	if !where.remote {
		conn := dialHost(t, lab.hostAddr(lab.hostPort))
		echo, end := talk(t, conn, []byte(line+"\n"))
		require.NoError(t, end)
		require.NoError(t, conn.Close()) // hang up too: the call is over
		require.Equal(t, line+"\n", string(echo))
		return
	}
	hostGateway := testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		hc.ExtraHosts = append(hc.ExtraHosts, "host.docker.internal:host-gateway")
	})
	r, err := newClientRunWith(t, nil, []testcontainers.ContainerCustomizer{hostGateway},
		"-send", line, "-expect-echo", "host.docker.internal", lab.hostPort)
	require.NoError(t, err)
	require.Equal(t, 0, r.exit, "a call from the engine's machine:\n%s", r.logs)
}

// center is what the page shows of the call center.
type center struct {
	Waiting, Slots, Busy, Employees, Shown int
	QueueText, State                       string
}

func readCenter(t *testing.T, ctx context.Context) center {
	t.Helper()
	return js[center](t, ctx, `({
		Waiting: document.querySelectorAll("#queue .slot.waiting").length,
		Slots: document.querySelectorAll("#queue .slot").length,
		Busy: document.querySelectorAll("#employees .slot.busy").length,
		Employees: document.querySelectorAll("#employees .slot").length,
		Shown: document.querySelectorAll("#calls li").length,
		QueueText: document.getElementById("queue-text").textContent,
		State: document.getElementById("server-state").textContent,
	})`)
}

// ladder reads the arrows of the selected call's ladder, top down: each as
// a segment, and the label written on it.
func ladder(t *testing.T, ctx context.Context) ([]segment, []string) {
	t.Helper()
	type arrow struct{ From, To, Flags, Text, Label, Gloss string }
	arrows := js[[]arrow](t, ctx, `(() => {
		const names = [...document.querySelectorAll("#ladder text.party")].map(e => e.textContent);
		return [...document.querySelectorAll("#ladder g.seg")].map(g => ({
			From: g.dataset.from === "caller" ? names[0] : names[1],
			To: g.dataset.from === "caller" ? names[1] : names[0],
			Flags: g.dataset.flags, Text: g.dataset.text || "",
			Label: g.querySelector(".label").textContent,
			Gloss: (g.querySelector(".gloss") || {}).textContent || "",
		}));
	})()`)
	segs := make([]segment, len(arrows))
	labels := make([]string, len(arrows))
	for i, a := range arrows {
		segs[i] = segment{from: a.From, to: a.To, flags: a.Flags, payload: a.Text, gloss: a.Gloss}
		labels[i] = a.Label
	}
	return segs, labels
}

// js evaluates expr in the page and decodes its value.
func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, "in the page: %s", expr)
	return v
}

// waitFor waits until expr is true in the page, for at most 20 seconds.
func waitFor(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	require.NoError(t, err, "waiting in the page for: %s", expr)
}

// do runs expr in the page for what it does.
func do(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	js[chromedp.Void](t, ctx, expr)
}
