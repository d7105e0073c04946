package session

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/repro-dev/repro/reproduce/replay"
)

// sentryIngestPath matches Sentry's ingest endpoints (envelope and the old
// store endpoint), e.g. /api/4507/envelope/.
var sentryIngestPath = regexp.MustCompile(`^/api/\d+/(envelope|store)/?$`)

// router decides what the fail-closed network does with a request. It is a
// pure function of the URL so the rules can be tested without a browser.
type router struct {
	appBase        *url.URL // where the app under test is served
	recordedOrigin string   // mapped onto appBase when non-empty
	apiOrigins     []string
	apiPaths       []string
}

// route returns the request's disposition and, for app requests on the
// recorded origin, the URL rewritten onto the app under test.
//
// The rules, in order: Sentry ingest (by path or host) is captured; on the
// app's own origin (or the recorded origin mapped onto it) paths under
// APIPaths go to the mock and everything else to the app; any path on an
// API origin goes to the mock; everything else is blocked.
func (r router) route(u *url.URL) (Disposition, string) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return DispositionBlocked, ""
	}
	host := strings.ToLower(u.Hostname())
	if sentryIngestPath.MatchString(u.Path) || strings.Contains(host, "ingest") || strings.Contains(host, "sentry") {
		return DispositionIngest, ""
	}
	o := origin(u)
	onApp := o == origin(r.appBase)
	onRecorded := r.recordedOrigin != "" && sameOrigin(u, r.recordedOrigin)
	if onApp || onRecorded {
		for _, p := range r.apiPaths {
			if p != "" && strings.HasPrefix(u.Path, p) {
				return DispositionMock, ""
			}
		}
		if onRecorded && !onApp {
			m := *u
			m.Scheme, m.Host = r.appBase.Scheme, r.appBase.Host
			return DispositionApp, m.String()
		}
		return DispositionApp, ""
	}
	for _, a := range r.apiOrigins {
		if sameOrigin(u, a) {
			return DispositionMock, ""
		}
	}
	return DispositionBlocked, ""
}

// netguard is one session's side of the fail-closed network: it decides
// each request of the session's browser context (the guard hands them
// over, see guard.go) and journals what it did.
type netguard struct {
	router
	api   http.Handler
	step  func() int             // the step in force
	tab   func() context.Context // the session's tab, for the calls that need it
	tabID cdp.FrameID            // the tab's main frame (== its target id)
	log   *slog.Logger
	// prelude is prepended to worker scripts ("" leaves them alone).
	prelude string
	// open lets every request go to the network (a broken layer 1, for
	// the tests that show layer 2 alone holds).
	open bool
	// life ends when the session closes: a mock answer still being
	// prepared (a recorded latency) is abandoned and the request failed.
	life    context.Context
	endLife context.CancelFunc

	mu       sync.Mutex
	records  []NetworkRecord
	ingest   []IngestEvent
	byNetID  map[network.RequestID]int // app record index by network id (for its status)
	frames   map[cdp.FrameID]bool      // the tab's frames
	inflight int
	total    int           // requests seen, for "did anything happen" checks
	idle     chan struct{} // closed and replaced whenever inflight drops to 0
}

func newNetguard(r router, api http.Handler, step func() int, log *slog.Logger) *netguard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	life, end := context.WithCancel(context.Background())
	return &netguard{router: r, api: api, step: step, log: log, byNetID: map[network.RequestID]int{}, frames: map[cdp.FrameID]bool{},
		idle: make(chan struct{}), life: life, endLife: end}
}

// watch follows the tab's frames and the statuses of the app's responses.
// It runs for the tab's life.
func (g *netguard) watch(tab context.Context, tabID cdp.FrameID) {
	g.mu.Lock()
	g.tab = func() context.Context { return tab }
	g.tabID = tabID
	g.frames[tabID] = true
	g.mu.Unlock()
	frames := chromedp.Events(tab, page.FrameAttached)
	responses := chromedp.Events(tab, network.ResponseReceived)
	go func() {
		for e, err := range frames {
			if err != nil {
				return
			}
			g.mu.Lock()
			g.frames[e.FrameID] = true
			g.mu.Unlock()
		}
	}()
	go func() {
		for e, err := range responses {
			if err != nil {
				return
			}
			g.mu.Lock()
			if i, ok := g.byNetID[e.RequestID]; ok && e.Response != nil {
				g.records[i].Status = int(e.Response.Status)
			}
			g.mu.Unlock()
		}
	}()
}

// ownsFrame reports whether the frame is the tab's or one of its iframes.
func (g *netguard) ownsFrame(ctx context.Context, id cdp.FrameID) bool {
	g.mu.Lock()
	ok, tabf := g.frames[id], g.tab
	g.mu.Unlock()
	if ok || tabf == nil || tabf().Err() != nil {
		return ok
	}
	// A frame the events have not announced yet: ask the page.
	tctx, cancel := context.WithTimeout(tabf(), time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	tree, err := chromedp.Call(tctx, page.GetFrameTree, cdp.Empty{})
	if err != nil || tree.FrameTree == nil {
		return false
	}
	var walk func(t *page.FrameTree)
	g.mu.Lock()
	defer g.mu.Unlock()
	walk = func(t *page.FrameTree) {
		if t.Frame != nil {
			g.frames[t.Frame.ID] = true
		}
		for _, c := range t.ChildFrames {
			walk(c)
		}
	}
	walk(tree.FrameTree)
	return g.frames[id]
}

// intercept decides one paused request of the session (see interceptor).
func (g *netguard) intercept(ctx context.Context, p paused) answer {
	if p.response() {
		return g.rewriteWorker(ctx, p)
	}
	e := p.EventRequestPaused
	g.begin(true)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(g.life, cancel)
	defer stop()
	req := e.Request
	rec := NetworkRecord{Time: time.Now(), Step: g.step(), Method: req.Method, URL: req.URL + req.URLFragment}
	u, err := url.Parse(req.URL)
	d, rewrite := DispositionBlocked, ""
	if err == nil {
		d, rewrite = g.route(u)
	}
	rec.Disposition = d

	var a answer
	switch {
	case g.open:
		a = answer{kind: answerContinue}
	case d == DispositionApp:
		// A worker's script comes back through the guard once more, to
		// get the determinism prelude (see rewriteWorker).
		a = answer{kind: answerContinue, url: rewrite, response: p.workerScript && g.prelude != ""}
	case d == DispositionMock:
		status, headers, body := g.serveMock(ctx, e, u)
		rec.Status = status
		a = answer{kind: answerFulfill, status: status, headers: headers, body: body}
		if ctx.Err() != nil {
			// The session closed while the mock was still answering.
			rec.Status, rec.Error = 0, "the session ended before the mock answered"
			a = failAnswer()
		}
	case d == DispositionIngest:
		body := g.postData(ctx, e)
		h := http.Header{}
		corsHeaders(h, req)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Content-Type", "application/json")
		rec.Status = http.StatusOK
		if req.Method != http.MethodOptions {
			g.capture(rec, u, body)
		}
		a = answer{kind: answerFulfill, status: http.StatusOK, headers: h, body: []byte("{}")}
	default:
		a = failAnswer()
	}
	a.done = func(err error) {
		if err != nil && !requestGone(err) {
			rec.Error = err.Error()
			g.log.Debug("network", "url", rec.URL, "err", err)
		}
		idx := g.record(rec)
		if d == DispositionApp && e.NetworkID != "" {
			g.mu.Lock()
			g.byNetID[e.NetworkID] = idx
			g.mu.Unlock()
		}
		g.end()
	}
	return a
}

// rewriteWorker prepends the determinism prelude to a worker's script, at
// the response stage: the worker then sees the page's clock, PRNGs and
// socket guard.
func (g *netguard) rewriteWorker(ctx context.Context, p paused) answer {
	g.begin(false)
	a := g.workerAnswer(ctx, p)
	a.done = func(error) { g.end() }
	return a
}

func (g *netguard) workerAnswer(ctx context.Context, p paused) answer {
	pass := answer{kind: answerContinue}
	if p.ResponseStatusCode != http.StatusOK {
		return pass
	}
	res, err := chromedp.CallBrowser(ctx, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: p.RequestID})
	if err != nil {
		g.log.Debug("network: read worker script", "url", p.Request.URL, "err", err)
		return pass
	}
	h := http.Header{}
	for _, he := range p.ResponseHeaders {
		switch strings.ToLower(he.Name) {
		case "content-length", "content-encoding", "transfer-encoding":
			continue
		}
		h.Add(he.Name, he.Value)
	}
	body := append([]byte(g.prelude+"\n"), res.Body...)
	return answer{kind: answerFulfill, status: int(p.ResponseStatusCode), headers: h, body: body}
}

// begin counts a request being answered (and, when seen, as one the page
// made); end counts it answered.
func (g *netguard) begin(seen bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight++
	if seen {
		g.total++
	}
}

func (g *netguard) end() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight--
	if g.inflight == 0 {
		close(g.idle)
		g.idle = make(chan struct{})
	}
}

func (g *netguard) record(r NetworkRecord) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.records = append(g.records, r)
	return len(g.records) - 1
}

// serveMock answers an API request from the mock handler, in process.
// Cross-origin requests get permissive CORS headers when the handler set
// none (the recorded API answered them; the browser must not refuse the
// replayed answer), and preflights are answered here.
func (g *netguard) serveMock(ctx context.Context, e *fetch.EventRequestPaused, u *url.URL) (int, http.Header, []byte) {
	req := e.Request
	h := http.Header{}
	if req.Method == http.MethodOptions && headerValue(req.Headers, "Access-Control-Request-Method") != "" {
		corsHeaders(h, req)
		return http.StatusNoContent, h, nil
	}
	if g.api == nil {
		return http.StatusBadGateway, h, []byte("repro: no mock backend for API requests")
	}
	body := g.postData(ctx, e)
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return http.StatusBadGateway, h, []byte("repro: " + err.Error())
	}
	for k, v := range req.Headers {
		hr.Header.Set(k, fmt.Sprint(v))
	}
	hr.RequestURI = u.RequestURI()
	hr.Host = u.Host
	w := httptest.NewRecorder()
	g.api.ServeHTTP(w, hr)
	res := w.Result()
	if res.Header.Get("Access-Control-Allow-Origin") == "" {
		corsHeaders(res.Header, req)
	}
	return res.StatusCode, res.Header, w.Body.Bytes()
}

// corsHeaders allows the request's origin, credentials and whatever the
// preflight asks for.
func corsHeaders(h http.Header, req *network.Request) {
	o := headerValue(req.Headers, "Origin")
	if o == "" {
		o = "*"
	} else {
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
	h.Set("Access-Control-Allow-Origin", o)
	if m := headerValue(req.Headers, "Access-Control-Request-Method"); m != "" {
		h.Set("Access-Control-Allow-Methods", m)
	}
	if hs := headerValue(req.Headers, "Access-Control-Request-Headers"); hs != "" {
		h.Set("Access-Control-Allow-Headers", hs)
	}
	h.Set("Access-Control-Expose-Headers", "*")
}

func headerValue(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// postData is the request body: from the paused event, or asked for when
// Chrome left it out (large bodies).
func (g *netguard) postData(ctx context.Context, e *fetch.EventRequestPaused) []byte {
	req := e.Request
	if !req.HasPostData {
		return nil
	}
	var buf bytes.Buffer
	for _, p := range req.PostDataEntries {
		if p != nil {
			buf.Write(p.Bytes)
		}
	}
	if buf.Len() > 0 || e.NetworkID == "" {
		return buf.Bytes()
	}
	g.mu.Lock()
	tabf := g.tab
	g.mu.Unlock()
	if tabf == nil {
		return nil
	}
	tctx, cancel := context.WithTimeout(tabf(), 5*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	res, err := chromedp.Call(tctx, network.GetRequestPostData, network.GetRequestPostDataParams{RequestID: e.NetworkID})
	if err != nil {
		g.log.Debug("network", "read body", req.Method+" "+req.URL, "err", err)
		return nil
	}
	return res.PostData
}

// waitIdle waits until no request of the session is being answered, or d
// passes. It reports whether the network went idle.
func (g *netguard) waitIdle(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		g.mu.Lock()
		n, idle := g.inflight, g.idle
		g.mu.Unlock()
		if n == 0 {
			return true
		}
		select {
		case <-idle:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// pending is how many requests are being answered right now.
func (g *netguard) pending() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inflight
}

// requestsSeen is how many requests the tab has made so far.
func (g *netguard) requestsSeen() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// snapshot copies the journal and the captured ingest events.
func (g *netguard) snapshot() ([]NetworkRecord, []IngestEvent) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]NetworkRecord(nil), g.records...), append([]IngestEvent(nil), g.ingest...)
}

// capture decodes what the app's Sentry SDK sent (an envelope, or an event
// for the old store endpoint) and keeps its error events as evidence.
// Anything that does not decode is kept as a record only: the app's SDK
// talking is evidence, its payload shape is not ours to police.
func (g *netguard) capture(rec NetworkRecord, u *url.URL, body []byte) {
	var events []replay.ErrorEvent
	if strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/store") {
		if ev, err := replay.ParseErrorEvent(body); err == nil {
			events = append(events, ev)
		}
	} else if env, err := replay.DecodeEnvelope(body); err == nil {
		for _, it := range env.Items {
			if it.Type != "event" {
				continue
			}
			if ev, err := it.ErrorEvent(); err == nil {
				events = append(events, *ev)
			}
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, ev := range events {
		ie := IngestEvent{Time: rec.Time, Step: rec.Step, EventID: ev.EventID, Level: ev.Level, Message: ev.Message}
		if n := len(ev.Exceptions); n > 0 {
			// Sentry lists chained exceptions oldest first; the last is the one thrown.
			ie.Type, ie.Value = ev.Exceptions[n-1].Type, ev.Exceptions[n-1].Value
		}
		g.ingest = append(g.ingest, ie)
	}
}
