package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/socketlab/socketlab/internal/view"
	"github.com/socketlab/socketlab/internal/wire"
)

// TestViewShowsTheModel: the web view's page, in headless Chromium, says
// which model the server runs, from the server's status (the view's own
// engine on 127.0.0.1, fed the status a server of each model reports; the
// server's side is TestStatusReportsTheCallCenter's). No container: only
// the page is under test.
func TestViewShowsTheModel(t *testing.T) {
	t.Parallel()
	chromium := requireChromium(t)
	page := view.NewPage(view.NewCalls(0, wire.Names{}), 0)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: page}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	ctx := newBrowser(t, chromium)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("http://"+l.Addr().String()+"/")))
	waitFor(t, ctx, `document.getElementById("conn").textContent === "live"`)
	tests := []struct {
		status               view.ServerStatus
		wantModel, wantStaff string
	}{
		{view.ServerStatus{Model: "threads", InProgress: 2}, "model: threads — a goroutine (a thread) for each call", "one goroutine per call (no -workers): 2 calls in progress"},
		{view.ServerStatus{Model: "processes", InProgress: 3, Processes: 41}, "model: processes — a new process for each call", "a new process per call (-model processes, no -workers): 3 calls in progress, 41 processes started"},
		{view.ServerStatus{Model: "eventloop", InProgress: 7}, "model: eventloop — one thread answers whichever phone rings (epoll)", "one thread answers every call as its phone rings (-model eventloop, epoll): 7 calls in progress"},
		{view.ServerStatus{Model: "eventloop", Workers: 2, Busy: 1}, "model: eventloop — one thread answers whichever phone rings (epoll)", "1 of 2 busy, 1 free; callers who find all busy wait on hold"},
	}
	for _, tt := range tests {
		st := tt.status
		page.SetCenter(view.Center{Server: &st})
		waitFor(t, ctx, `document.getElementById("model").textContent === `+jsString(tt.wantModel)+
			` && document.getElementById("employees-text").textContent === `+jsString(tt.wantStaff))
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
