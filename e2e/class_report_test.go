package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// requireClassReport opens a class's report.html from disk in headless
// Chromium, as a TA opens it from the reports' folder, with no network, and
// checks what the TA reads: the verdicts counted as summary.csv counts
// them, one bar per first cause with summary.md's counts, a row per
// student, names shown as written (never run as markup), and a student's
// transcript one click away. It saves the page with bob's row open as
// shot, when not "" (in SOCKETLAB_SCREENSHOTS: the TA's guide's picture).
func requireClassReport(t *testing.T, out, shot string) {
	t.Helper()
	chromium := requireChromium(t)
	verdicts := summaryVerdicts(t, out)
	md, err := os.ReadFile(filepath.Join(out, "summary.md"))
	require.NoError(t, err)
	// summary.md's ranking: "| 2 | bound 0.0.0.0 ... | carol, Eve ... |".
	var mdCounts []int
	_, ranking, _ := strings.Cut(string(md), "## First causes")
	ranking, _, _ = strings.Cut(ranking, "## Students")
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(ranking, -1) {
		n, _ := strconv.Atoi(m[1])
		mdCounts = append(mdCounts, n)
	}
	require.NotEmpty(t, mdCounts, "%s", md)

	ctx := newBrowser(t, chromium)
	var dialogs atomic.Int32
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	}))
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(out, "report.html"))))
	waitFor(t, ctx, `document.readyState === "complete"`)
	require.Zero(t, js[int](t, ctx, `performance.getEntriesByType("resource").filter(e => !e.name.startsWith("file:")).length`), "nothing from the network")

	// The counts, as summary.csv has them.
	n := map[string]int{}
	for _, v := range verdicts {
		n[v]++
	}
	lead := js[string](t, ctx, `document.getElementById("counts").textContent`)
	require.Contains(t, lead, strconv.Itoa(len(verdicts))+" submissions")
	for v, c := range n {
		require.Contains(t, lead, strconv.Itoa(c)+" "+v)
	}

	// The chart: a bar per first cause, longest first, as summary.md ranks them.
	bars := js[[]int](t, ctx, `[...document.querySelectorAll("#chart rect.bar")].map(r => +r.dataset.count)`)
	require.Equal(t, mdCounts, bars)
	widths := js[[]float64](t, ctx, `[...document.querySelectorAll("#chart rect.bar")].map(r => r.getBBox().width)`)
	for i := 1; i < len(widths); i++ {
		require.LessOrEqual(t, widths[i], widths[i-1], "bars as long as their counts")
	}
	sum := 0
	for _, b := range bars {
		sum += b
	}
	require.Equal(t, len(verdicts)-n["PASS"], sum, "every submission that did not pass has one first cause")

	// A row per student; a name is text, never markup.
	require.Equal(t, len(verdicts), js[int](t, ctx, `document.querySelectorAll("details.student").length`))
	names := js[[]string](t, ctx, `[...document.querySelectorAll("details.student .name")].map(e => e.firstChild.textContent)`)
	for name := range verdicts {
		require.Contains(t, names, name)
	}
	require.Zero(t, js[int](t, ctx, `document.querySelectorAll("img").length`), "a name's <img> is shown, not made")
	require.Zero(t, dialogs.Load(), "no script of a name ran")

	// A student's transcript, one click away.
	sel := `//details[contains(@class,"student")][.//span[@class="name" and starts-with(normalize-space(.), "bob")]]`
	require.False(t, js[bool](t, ctx, `document.querySelector("details.student[data-verdict]").open`))
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(sel+`/summary`)))
	waitFor(t, ctx, `[...document.querySelectorAll("details.student")].some(d => d.open && d.querySelector(".name").textContent.startsWith("bob"))`)
	said := js[string](t, ctx, `[...document.querySelectorAll("details.student")].find(d => d.open).querySelector("pre.said").innerText`)
	require.Contains(t, said, "verdict: FAIL")
	require.Contains(t, said, "Python 2")
	require.True(t, js[bool](t, ctx, `(() => { const r = [...document.querySelectorAll("details.student")].find(d => d.open).querySelector("pre.said").getBoundingClientRect(); return r.height > 50 && r.width > 300; })()`), "the transcript is shown")
	if shot != "" {
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1200, 1500)))
		do(t, ctx, `window.scrollTo(0, 0)`)
		require.NoError(t, chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1))) // no bar under the pointer
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		saveScreenshot(t, shot, png)
	}

	// A bar lists the students of its cause.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#chart a.bar-link rect`))))
	shown := js[int](t, ctx, `[...document.querySelectorAll("details.student")].filter(d => !d.hidden).length`)
	require.Equal(t, bars[0], shown)
}

// saveScreenshot saves png as name in SOCKETLAB_SCREENSHOTS (the guides'
// pictures), or in the test's temporary folder.
func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("SOCKETLAB_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
