package frames

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// loads follows the requests a frame's document makes (style sheets,
// images, fonts), from the tab's Network events in the order they arrive:
// a frame is shot once they are all answered, and a style sheet that did
// not load is reported. The document's readyState cannot tell: a document
// written into the tab is "complete" while its sheets still load.
type loads struct {
	mu      sync.Mutex
	reqs    map[network.RequestID]*load
	pending int
	changed time.Time
}

// load is one request of the frame's document.
type load struct {
	url     string
	sheet   bool
	status  int64
	done    bool
	failure string
}

func newLoads(tab context.Context) (*loads, error) {
	l := &loads{reqs: map[network.RequestID]*load{}, changed: time.Now()}
	if err := chromedp.Listen(tab, l.event); err != nil {
		return nil, fmt.Errorf("follow the frame's requests: %w", err)
	}
	return l, nil
}

// reset forgets the previous frame's requests.
func (l *loads) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.reqs)
	l.pending, l.changed = 0, time.Now()
}

// restartQuiet counts the quiet period from now.
func (l *loads) restartQuiet() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changed = time.Now()
}

// event runs on the tab's reading goroutine: it must be quick.
func (l *loads) event(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if e.Request == nil || strings.HasPrefix(e.Request.URL, "data:") {
			return
		}
		if r := l.reqs[e.RequestID]; r != nil {
			// A redirect: the same request goes on.
			r.url = e.Request.URL
			return
		}
		l.reqs[e.RequestID] = &load{url: e.Request.URL + e.Request.URLFragment, sheet: e.Type == network.ResourceTypeStylesheet}
		l.pending++
	case *network.EventResponseReceived:
		if r := l.reqs[e.RequestID]; r != nil && e.Response != nil {
			r.status = e.Response.Status
		}
	case *network.EventLoadingFinished:
		l.finish(e.RequestID, "")
	case *network.EventLoadingFailed:
		why := e.ErrorText
		if strings.Contains(why, "ERR_BLOCKED_BY_ORB") {
			// The app's answer was not a style sheet (an error page).
			why = "the app under test answered with something else (" + why + ")"
		}
		if e.BlockedReason != "" {
			why += " (" + string(e.BlockedReason) + ")"
		}
		if why == "" {
			why = "failed"
		}
		l.finish(e.RequestID, why)
	default:
		return
	}
	l.changed = time.Now()
}

func (l *loads) finish(id network.RequestID, failure string) {
	r := l.reqs[id]
	if r == nil || r.done {
		return
	}
	r.done, r.failure = true, failure
	if r.status != 0 && (r.status < 200 || r.status > 299) || failure == "" && r.status == 0 {
		r.failure = fmt.Sprintf("HTTP %d", r.status)
	}
	l.pending--
}

// settle waits until no request has been pending for quiet (images and
// fonts are asked for once the sheets they depend on are in), or until
// ctx ends. It reports whether the requests settled.
func (l *loads) settle(ctx context.Context, quiet time.Duration) bool {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		l.mu.Lock()
		idle := l.pending == 0 && time.Since(l.changed) >= quiet
		l.mu.Unlock()
		if idle {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}

// sheets returns the style sheets asked for and those that did not load
// (URL and why; still loading counts as not loaded).
func (l *loads) sheets() (asked int, failed []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.reqs {
		if !r.sheet {
			continue
		}
		asked++
		switch {
		case !r.done:
			failed = append(failed, r.url+": still loading")
		case r.failure != "":
			failed = append(failed, r.url+": "+r.failure)
		}
	}
	return asked, failed
}
