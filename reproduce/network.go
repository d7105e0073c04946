package reproduce

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
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

// netguard is the fail-closed network of one session: it answers every
// paused request of the tab and journals what it did.
type netguard struct {
	router
	api     http.Handler
	step    func() int // the step in force
	onError func(error)

	mu       sync.Mutex
	records  []NetworkRecord
	ingest   []IngestEvent
	byNetID  map[network.RequestID]int // app record index by network id (for its status)
	inflight int
	total    int // requests seen, for "did anything happen" checks
}

func newNetguard(r router, api http.Handler, step func() int) *netguard {
	return &netguard{router: r, api: api, step: step, byNetID: map[network.RequestID]int{}}
}

// start enables interception on the tab of ctx and serves paused requests
// until ctx ends. It must run before the first navigation.
func (g *netguard) start(ctx context.Context) error {
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	responses := chromedp.Events(ctx, network.ResponseReceived)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return fmt.Errorf("enable network: %w", err)
	}
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		return fmt.Errorf("disable cache: %w", err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns: []*fetch.RequestPattern{{URLPattern: "*", RequestStage: fetch.RequestStageRequest}},
	}); err != nil {
		return fmt.Errorf("enable request interception: %w", err)
	}
	go func() {
		for e, err := range paused {
			if err != nil {
				return
			}
			g.mu.Lock()
			g.inflight++
			g.total++
			g.mu.Unlock()
			go g.handle(ctx, e)
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
	return nil
}

// handle decides one paused request and answers it.
func (g *netguard) handle(ctx context.Context, e fetch.EventRequestPaused) {
	defer func() {
		g.mu.Lock()
		g.inflight--
		g.mu.Unlock()
	}()
	req := e.Request
	if req == nil {
		return
	}
	rec := NetworkRecord{Time: time.Now(), Step: g.step(), Method: req.Method, URL: req.URL + req.URLFragment}
	u, err := url.Parse(req.URL)
	d, rewrite := DispositionBlocked, ""
	if err == nil {
		d, rewrite = g.route(u)
	}
	rec.Disposition = d

	var callErr error
	switch d {
	case DispositionApp:
		_, callErr = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID, URL: rewrite})
		idx := g.record(rec)
		if e.NetworkID != "" {
			g.mu.Lock()
			g.byNetID[e.NetworkID] = idx
			g.mu.Unlock()
		}
		g.report(callErr)
		return
	case DispositionMock:
		status, headers, body := g.serveMock(ctx, e, u)
		rec.Status = status
		callErr = g.fulfill(ctx, e.RequestID, status, headers, body)
	case DispositionIngest:
		body := g.postData(ctx, e)
		h := http.Header{}
		corsHeaders(h, req)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Content-Type", "application/json")
		rec.Status = http.StatusOK
		if req.Method != http.MethodOptions {
			g.capture(rec, u, body)
		}
		callErr = g.fulfill(ctx, e.RequestID, http.StatusOK, h, []byte("{}"))
	default:
		_, callErr = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	}
	if callErr != nil {
		rec.Error = callErr.Error()
	}
	g.record(rec)
	g.report(callErr)
}

func (g *netguard) report(err error) {
	if err != nil && g.onError != nil {
		g.onError(err)
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
func (g *netguard) serveMock(ctx context.Context, e fetch.EventRequestPaused, u *url.URL) (int, http.Header, []byte) {
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
func (g *netguard) postData(ctx context.Context, e fetch.EventRequestPaused) []byte {
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
	res, err := chromedp.Call(ctx, network.GetRequestPostData, network.GetRequestPostDataParams{RequestID: e.NetworkID})
	if err != nil {
		g.report(fmt.Errorf("read body of %s %s: %w", req.Method, req.URL, err))
		return nil
	}
	return res.PostData
}

func (g *netguard) fulfill(ctx context.Context, id fetch.RequestID, status int, h http.Header, body []byte) error {
	var hs []*fetch.HeaderEntry
	for k, vs := range h {
		for _, v := range vs {
			hs = append(hs, &fetch.HeaderEntry{Name: k, Value: v})
		}
	}
	if status < 100 || status > 599 {
		status = http.StatusBadGateway
	}
	_, err := chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
		RequestID: id, ResponseCode: int64(status), ResponseHeaders: hs, Body: body,
	})
	return err
}

// waitIdle waits until no intercepted request is being answered, or d passes.
// It reports whether the network went idle.
func (g *netguard) waitIdle(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		g.mu.Lock()
		n := g.inflight
		g.mu.Unlock()
		if n == 0 {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
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
