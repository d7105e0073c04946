package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// The fail-closed network has two independent layers, so that a bug in
// either alone leaks nothing:
//
//  1. guard (this file): Fetch interception on the BROWSER target. Enabled
//     once when the browser starts, it pauses every request of every target
//     — pages, iframes, dedicated, shared and service workers, popups — for
//     the browser's whole life, including the beacons and keepalive
//     fetches a page sends while it unloads, after its own DevTools session
//     is gone. Each paused request is handed to the session that owns its
//     browser context and answered there (app, mock, captured ingest or
//     blocked); a request that no live session owns is failed.
//  2. netProxy (proxy.go): a deny-by-default HTTP proxy that Chrome must use
//     for every host, loopback included. It forwards only the app under
//     test's own assets and refuses everything else, without any help from
//     CDP. A request that interception released by mistake stops there.
//
// WebSockets are invisible to Fetch interception: the page's init script
// fails the ones that leave the app (layer 1) and the proxy refuses their
// tunnels (layer 2). DNS lookups are switched off (host-resolver-rules), so
// not even a name leaves the machine.

// answerKind is what the guard does with a paused request.
type answerKind int

const (
	answerFail     answerKind = iota // fail it (blocked)
	answerContinue                   // let it go to the network (through the proxy)
	answerFulfill                    // answer it from here
)

// answer is one paused request's disposition, as a session decided it.
type answer struct {
	kind answerKind
	url  string // continue: the rewritten URL ("" keeps it)
	// response: continue, and pause again when the response arrives
	// (worker scripts get the determinism prelude).
	response bool
	status   int
	headers  http.Header
	body     []byte
	reason   network.ErrorReason
	// done is told how answering went (nil error: the browser took it).
	done func(error)
}

func failAnswer() answer { return answer{kind: answerFail, reason: network.ErrorReasonBlockedByClient} }

// interceptor is what a live session gives the guard: it decides the
// requests of its browser context.
type interceptor interface {
	// intercept decides a paused request of the session. It may block (the
	// mock can hold a response for its recorded latency).
	intercept(ctx context.Context, p paused) answer
	// ownsFrame reports whether the frame is one of the session's (a
	// same-process iframe is not a target of its own).
	ownsFrame(ctx context.Context, id cdp.FrameID) bool
}

// paused is one paused request as the guard hands it to a session.
type paused struct {
	*fetch.EventRequestPaused
	// workerScript is set for the top-level script of a dedicated, shared
	// or service worker.
	workerScript bool
}

// response reports whether the request is paused at the response stage.
func (p paused) response() bool {
	return p.ResponseStatusCode != 0 || p.ResponseErrorReason != ""
}

// targetInfo is what the guard keeps of a target.
type targetInfo struct {
	context cdp.BrowserContextID
	typ     string
	url     string
}

// guard is layer 1: browser-wide request interception. See the comment above.
type guard struct {
	ctx    context.Context // the browser's chromedp context
	remote bool            // a browser we connected to: other clients' contexts are not ours to police
	log    *slog.Logger

	mu       sync.Mutex
	targets  map[target.ID]targetInfo // every target seen; kept after it is gone, so a late request is not misattributed
	sessions map[cdp.BrowserContextID]interceptor
	owned    map[cdp.BrowserContextID]bool // every context a session of ours ever had

	// proxies are the credentials of the sessions' proxies that ask for
	// them (those off loopback), by the proxy's host:port.
	proxies map[string]proxyCreds

	inflight atomic.Int64 // paused requests being handled
	orphans  atomic.Int64 // requests no live session owned (failed)
	stop     func()
}

// startGuard turns on browser-wide interception. It must run before any
// page of a session navigates.
func startGuard(bctx context.Context, remote, proxyAuth bool, log *slog.Logger) (*guard, error) {
	c := chromedp.FromContext(bctx)
	if c == nil || c.Browser == nil {
		return nil, errors.New("network guard: no browser")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &guard{ctx: bctx, remote: remote, log: log, targets: map[target.ID]targetInfo{},
		sessions: map[cdp.BrowserContextID]interceptor{}, owned: map[cdp.BrowserContextID]bool{},
		proxies: map[string]proxyCreds{}}

	// Target events update the map on the goroutine that reads the
	// browser's messages, before any later message is published: a request
	// paused after its service worker or popup appeared finds it.
	lctx, cancelListen := context.WithCancel(bctx)
	if err := chromedp.ListenBrowser(lctx, func(ev any) {
		switch ev := ev.(type) {
		case *target.EventTargetCreated:
			g.noteTarget(ev.TargetInfo)
		case *target.EventTargetInfoChanged:
			g.noteTarget(ev.TargetInfo)
		}
	}); err != nil {
		cancelListen()
		return nil, fmt.Errorf("network guard: listen to targets: %w", err)
	}
	// Raw events: a paused request whose payload does not decode must still
	// be answered, so it is decoded here, leniently, not by an iterator that
	// would end on the first decoding error and leave every later request
	// paused.
	paused, unsubscribe := c.Browser.Subscribe(cdproto.EventFetchRequestPaused)
	// With proxyAuth, a remote browser's sessions use proxies off loopback,
	// which ask for credentials: the challenges come here (answerAuth). The
	// browser then sends every challenge of the requests it pauses, so each
	// is answered.
	auths, unsubscribeAuth := c.Browser.Subscribe(cdproto.EventFetchAuthRequired)
	g.stop = func() { unsubscribe(); unsubscribeAuth(); cancelListen() }

	if _, err := chromedp.CallBrowser(bctx, target.SetDiscoverTargets, target.SetDiscoverTargetsParams{Discover: true}); err != nil {
		g.stop()
		return nil, fmt.Errorf("network guard: discover targets: %w", err)
	}
	if res, err := chromedp.CallBrowser(bctx, target.GetTargets, target.GetTargetsParams{}); err == nil {
		for _, ti := range res.TargetInfos {
			g.noteTarget(ti)
		}
	}
	if _, err := chromedp.CallBrowser(bctx, fetch.Enable, fetch.EnableParams{
		Patterns:           []*fetch.RequestPattern{{URLPattern: "*", RequestStage: fetch.RequestStageRequest}},
		HandleAuthRequests: &proxyAuth,
	}); err != nil {
		g.stop()
		return nil, fmt.Errorf("network guard: enable request interception: %w", err)
	}
	go func() {
		for raw := range auths {
			go g.answerAuth(raw)
		}
	}()
	go func() {
		for raw := range paused {
			g.inflight.Add(1)
			go func() {
				defer g.inflight.Add(-1)
				g.handle(raw)
			}()
		}
	}()
	return g, nil
}

func (g *guard) noteTarget(ti *target.Info) {
	if ti == nil || ti.TargetID == "" {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	t := g.targets[ti.TargetID]
	if ti.BrowserContextID != "" {
		t.context = ti.BrowserContextID
	}
	t.typ, t.url = ti.Type, ti.URL
	g.targets[ti.TargetID] = t
}

// isWorkerScript reports whether a paused request fetches a worker's
// top-level script: a dedicated or shared worker's script request carries
// the worker's target id as its network id; a service worker's is made by
// the service worker target itself, for its own URL.
func (g *guard) isWorkerScript(e *fetch.EventRequestPaused) bool {
	if e.ResourceType != network.ResourceTypeOther {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if t, ok := g.targets[target.ID(e.NetworkID)]; ok && e.NetworkID != "" && (t.typ == "worker" || t.typ == "shared_worker") {
		return true
	}
	t, ok := g.targets[target.ID(e.FrameID)]
	return ok && t.typ == "service_worker" && t.url == e.Request.URL
}

// register hands the requests of a browser context to a session.
func (g *guard) register(id cdp.BrowserContextID, s interceptor) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sessions[id] = s
	g.owned[id] = true
}

// unregister stops handing a context's requests to its session; any later
// request of that context is failed.
func (g *guard) unregister(id cdp.BrowserContextID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.sessions, id)
}

// proxyCreds are a session proxy's credentials.
type proxyCreds struct{ user, pass string }

// registerProxy gives the credentials of a session's proxy at addr
// (host:port) to the browser when the proxy asks for them.
func (g *guard) registerProxy(addr, user, pass string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.proxies[addr] = proxyCreds{user, pass}
}

func (g *guard) unregisterProxy(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.proxies, addr)
}

// answerAuth answers an authentication challenge: a registered session
// proxy's gets its credentials; any other (an app's own, another proxy's)
// is left to the browser's default, as when the guard does not ask for
// challenges.
func (g *guard) answerAuth(raw jsonv2.Value) {
	var e fetch.EventAuthRequired
	if err := jsonv2.Unmarshal(raw, &e, chromedp.DefaultUnmarshalOptions); err != nil || e.RequestID == "" {
		// Answer what we can read of it: the id, with the default.
		if e = (fetch.EventAuthRequired{RequestID: requestIDOf(raw)}); e.RequestID == "" {
			return
		}
	}
	resp := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseDefault}
	if c := e.AuthChallenge; c != nil && c.Source == fetch.AuthChallengeSourceProxy {
		addr := c.Origin
		if u, err := url.Parse(c.Origin); err == nil && u.Host != "" {
			addr = u.Host
		}
		g.mu.Lock()
		creds, ok := g.proxies[addr]
		g.mu.Unlock()
		if ok {
			resp = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: creds.user, Password: creds.pass}
		} else {
			g.log.Debug("network guard: a proxy challenge of no session's proxy, left to the browser", "origin", c.Origin)
		}
	}
	ctx, cancel := context.WithTimeout(g.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{RequestID: e.RequestID, AuthChallengeResponse: resp}); err != nil {
		g.log.Debug("network guard: answer an authentication challenge", "err", err)
	}
}

// requestIDOf reads the request id of a Fetch event that does not decode
// as a whole ("" when even that is missing): the guard still answers it,
// so the request is not left paused.
func requestIDOf(raw jsonv2.Value) fetch.RequestID {
	var min struct {
		RequestID fetch.RequestID `json:"requestId"`
	}
	_ = json.Unmarshal(raw, &min)
	return min.RequestID
}

// owner finds the live session a request belongs to, by its frame: a
// target (page, popup, out-of-process iframe, worker) is known with its
// browser context; a same-process iframe is asked of each session. It
// returns ok=false with foreign=true when the frame is a target of a
// context no session of ours ever owned.
func (g *guard) owner(ctx context.Context, frame cdp.FrameID) (s interceptor, foreign bool) {
	// The target can be announced a moment after its first request when
	// the two travel on different sessions; look again briefly.
	for attempt := 0; ; attempt++ {
		g.mu.Lock()
		t, known := g.targets[target.ID(frame)]
		bc := t.context
		s = g.sessions[bc]
		live := make([]interceptor, 0, len(g.sessions))
		for _, x := range g.sessions {
			live = append(live, x)
		}
		g.mu.Unlock()
		if known {
			if s != nil {
				return s, false
			}
			return nil, bc != "" && g.remote && !g.ownedContext(bc)
		}
		for _, x := range live {
			if x.ownsFrame(ctx, frame) {
				return x, false
			}
		}
		if attempt >= 5 || ctx.Err() != nil {
			// We own the whole of a browser we launched; with one live
			// session, an unknown frame is one of its own that no event
			// announced yet.
			if !g.remote && len(live) == 1 {
				return live[0], false
			}
			return nil, false
		}
		sleep(ctx, 20*time.Millisecond)
	}
}

// ownedContext reports whether a session of ours ever had the context.
// Remote browsers only: their other contexts belong to other clients.
func (g *guard) ownedContext(bc cdp.BrowserContextID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.owned[bc]
}

// handle answers one paused request, exactly once.
func (g *guard) handle(raw jsonv2.Value) {
	var e fetch.EventRequestPaused
	if err := jsonv2.Unmarshal(raw, &e, chromedp.DefaultUnmarshalOptions); err != nil || e.Request == nil || e.RequestID == "" {
		// Answer what we can read of it: the id.
		id := requestIDOf(raw)
		g.log.Warn("network guard: undecodable paused request, failing it", "request", id, "err", err)
		if id != "" {
			g.send(id, failAnswer())
		}
		return
	}
	ctx, cancel := context.WithTimeout(g.ctx, 2*time.Minute)
	defer cancel()
	s, foreign := g.owner(ctx, e.FrameID)
	var a answer
	switch {
	case s != nil:
		a = s.intercept(ctx, paused{EventRequestPaused: &e, workerScript: g.isWorkerScript(&e)})
	case foreign:
		// Another client's context in a shared remote browser: not ours.
		a = answer{kind: answerContinue}
	default:
		g.orphans.Add(1)
		g.log.Debug("network guard: blocked a request no session owns", "method", e.Request.Method, "url", e.Request.URL, "frame", e.FrameID)
		a = failAnswer()
	}
	err := g.send(e.RequestID, a)
	if a.done != nil {
		a.done(err)
	}
}

// send gives the browser a paused request's answer. If that fails for any
// reason but the request being gone, the request is failed instead: a
// request is never left paused.
func (g *guard) send(id fetch.RequestID, a answer) error {
	ctx, cancel := context.WithTimeout(g.ctx, 15*time.Second)
	defer cancel()
	var err error
	switch a.kind {
	case answerContinue:
		p := fetch.ContinueRequestParams{RequestID: id, URL: a.url}
		if a.response {
			p.InterceptResponse = &a.response
		}
		_, err = chromedp.CallBrowser(ctx, fetch.ContinueRequest, p)
	case answerFulfill:
		status := a.status
		if status < 100 || status > 599 {
			status = http.StatusBadGateway
		}
		var hs []*fetch.HeaderEntry
		for k, vs := range a.headers {
			for _, v := range vs {
				hs = append(hs, &fetch.HeaderEntry{Name: k, Value: v})
			}
		}
		_, err = chromedp.CallBrowser(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: id, ResponseCode: int64(status), ResponseHeaders: hs, Body: a.body})
	default:
		reason := a.reason
		if reason == "" {
			reason = network.ErrorReasonBlockedByClient
		}
		_, err = chromedp.CallBrowser(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: reason})
	}
	if err == nil || requestGone(err) || g.ctx.Err() != nil {
		return err
	}
	if a.kind != answerFail {
		g.log.Debug("network guard: answer failed, failing the request", "err", err)
		fctx, fcancel := context.WithTimeout(g.ctx, 5*time.Second)
		defer fcancel()
		if _, ferr := chromedp.CallBrowser(fctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonFailed}); ferr != nil && !requestGone(ferr) {
			g.log.Warn("network guard: could not fail a paused request", "err", ferr)
		}
	}
	return err
}

// requestGone reports an error that means the request no longer waits
// (its page closed, or it was aborted).
func requestGone(err error) bool {
	var pe *cdproto.Error
	if errors.As(err, &pe) {
		return strings.Contains(pe.Message, "Invalid InterceptionId") || strings.Contains(pe.Message, "Invalid state")
	}
	return false
}

// drain waits (at most d) until no paused request is being handled.
func (g *guard) drain(d time.Duration) {
	deadline := time.Now().Add(d)
	for g.inflight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// close stops listening. Requests still paused are the browser's to drop
// when the connection ends: a browser we launched is stopped right after.
func (g *guard) close() {
	if g != nil && g.stop != nil {
		g.stop()
	}
}

// urlOf is the paused request's full URL.
func urlOf(e *fetch.EventRequestPaused) (*url.URL, error) {
	return url.Parse(e.Request.URL)
}
