package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// requireChromium finds Debian's chromium (or the browser CHROMIUM names).
// Outside CI a missing browser skips the test, saying how to install it; in
// CI (CI=true) it fails the test: .ci/run installs it.
func requireChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and no chromium: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("skipping the browser test: no chromium here (Debian: apt-get install --no-install-recommends chromium; or set CHROMIUM)")
	return ""
}

// newBrowser starts a headless chromium for the test and returns a tab's
// context; the browser is killed when the test ends. The flags keep it off
// the network: no sync, no updates, no background requests, no QUIC.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // root in CI, no user namespaces
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 860),
	)
	actx, stop := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(stop)
	ctx, closeTab := chromedp.NewContext(actx)
	t.Cleanup(closeTab)
	require.NoError(t, chromedp.Do(ctx), "start chromium") // the first Run starts the browser
	return ctx
}

// screenshot saves what the browser shows as name (a PNG) in
// SOCKETLAB_SCREENSHOTS, the folder the README's pictures come from, or in
// the test's temporary folder.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	dir := os.Getenv("SOCKETLAB_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
