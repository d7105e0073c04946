package session

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/repro-dev/repro/reproduce/atomicfile"
	"github.com/repro-dev/repro/reproduce/plan"
)

// Timing says whether a run keeps the user's think time between steps.
type Timing int

const (
	// TimingFast never sleeps for the user's think time: each step waits
	// only on conditions (target ready, requests answered, DOM quiet).
	TimingFast Timing = iota
	// TimingRecorded sleeps for each step's recorded Gap before it, for bugs
	// that depend on the user's pace (debounces, timeouts).
	TimingRecorded
)

// SettlePolicy bounds the condition-based waits of a run. Zero fields take
// the defaults in parentheses.
type SettlePolicy struct {
	// Quiet is how long the page must go without a DOM mutation, and with
	// none of its requests awaiting the app's handling, to count as
	// settled (20ms: about a frame, measured by the page's own timers, so a
	// render that keeps the page busy holds it; frameworks commit the
	// effect of an event or an answer within a task); settling gives up
	// after QuietMax (2s).
	Quiet    time.Duration
	QuietMax time.Duration
	// NetworkIdle bounds the wait for answered requests after each step and
	// at the end of the run (10s; the mock may replay a slow response).
	NetworkIdle time.Duration
	// DeadClickWindow is how long a click the recorded failure names has to
	// cause a DOM mutation (or a scroll) before it is judged dead: the
	// SDK's slowClickTimeout (7s). A click that does something ends the
	// wait at once, so only dead clicks pay the full window, and a wait
	// whose outcome no longer matters (a recorded error was already seen)
	// ends early.
	DeadClickWindow time.Duration
	// Final bounds the wait after the last step for the page to settle
	// (requests answered, DOM quiet), so late exceptions and late error
	// reports are observed (2s). It is a bound, not a pause.
	Final time.Duration
}

func (p SettlePolicy) withDefaults() SettlePolicy {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&p.Quiet, 20*time.Millisecond)
	def(&p.QuietMax, 2*time.Second)
	def(&p.NetworkIdle, 10*time.Second)
	def(&p.DeadClickWindow, 7*time.Second)
	def(&p.Final, 2*time.Second)
	return p
}

// RunConfig is how a plan is run: which browser, which app, which backend.
type RunConfig struct {
	// Chrome says which browser to launch or connect to. Ignored when
	// Browser is set.
	Chrome ChromeConfig
	// Browser is a running browser to share between runs (--runs N). Nil
	// launches one for the session and stops it on Close.
	Browser *Browser
	// App is the app under test.
	App AppUnderTest
	// API answers the plan's API requests (a *mockserver.Mock). Nil answers
	// every API request 502.
	API http.Handler
	// Timing is TimingFast (default) or TimingRecorded.
	Timing Timing
	// StepTimeout bounds one step's wait for its target (default 5s;
	// navigations get three times as long).
	StepTimeout time.Duration
	// ArtifactsDir receives the steps' screenshots (JPEG); "" takes none.
	ArtifactsDir string
	// Screenshots says which steps get one (ScreenshotsEvidence, the
	// default, or ScreenshotsAll).
	Screenshots ScreenshotPolicy
	// EvidenceSteps are the steps the recorded failure names (the
	// signature's signals): under ScreenshotsEvidence they always get a
	// screenshot, so the report shows the rerun where the user saw the
	// failure whether or not the rerun shows it too.
	EvidenceSteps []int
	Settle        SettlePolicy
	// Logger gets diagnostics (nil: quiet).
	Logger *slog.Logger

	// OnStep, when set, is told as each step starts (a progress line).
	OnStep func(plan.Step)

	// Decided, when set, reports whether the outcome the caller cares about
	// is already settled by what has been observed; a wait whose result
	// could no longer change it (the dead-click watch, once a recorded
	// error has recurred) then ends early. It is called from the session's
	// goroutines: it must only read the observation. Signature.Decided is
	// the verdict's.
	Decided func(*Observation) bool

	// layers breaks one layer of the fail-closed network on purpose, so
	// tests can show that the other alone leaks nothing.
	layers guardLayers
}

// ScreenshotPolicy chooses the steps that get a screenshot.
type ScreenshotPolicy string

// Screenshot policies.
const (
	// ScreenshotsEvidence takes a screenshot where it is evidence: at the
	// first and the last step, at the steps the recorded failure names
	// (RunConfig.EvidenceSteps), and at any step that could not be done or
	// where the rerun saw a failure of its own by the step's end (an
	// uncaught exception, a console.error, an error event of the app's
	// SDK, an API request that failed or was answered 4xx/5xx). As Playwright's
	// screenshot "only-on-failure": a capture costs 30-50 ms of a 2-core
	// machine's CPU, the whole of what a studio-sized rerun takes beyond
	// a hand-written test's time.
	ScreenshotsEvidence ScreenshotPolicy = "evidence"
	// ScreenshotsAll takes one after every step.
	ScreenshotsAll ScreenshotPolicy = "all"
)

// ParseScreenshotPolicy reads a --screenshots value.
func ParseScreenshotPolicy(s string) (ScreenshotPolicy, error) {
	switch p := ScreenshotPolicy(s); p {
	case ScreenshotsEvidence, ScreenshotsAll:
		return p, nil
	case "":
		return ScreenshotsEvidence, nil
	}
	return "", fmt.Errorf("screenshots %q: want evidence or all", s)
}

// guardLayers opens a layer of the fail-closed network (tests only).
type guardLayers struct {
	interceptionOpen bool // layer 1 lets every request go to the network
	proxyOpen        bool // layer 2 forwards every request
}

// Execute runs plan against the app in a fresh headless browser context
// with a fail-closed network and returns what was observed. A step that
// cannot be done stops the run and is reported in the Observation
// (StoppedAt, StopReason); the error is for infrastructure only (no Chrome,
// no app, a lost browser).
func Execute(ctx context.Context, p plan.Plan, cfg RunConfig) (*Observation, error) {
	s, err := NewSession(ctx, p, cfg)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if len(p.Steps) == 0 || p.Steps[0].Kind != plan.StepNavigate {
		if err := s.Open(ctx); err != nil && !IsStepFailure(err) {
			return s.Finish(ctx), err
		}
	}
	for _, st := range p.Steps {
		if s.Stopped() || s.lost.err() != nil {
			break
		}
		if err := s.Do(ctx, st); err != nil && !IsStepFailure(err) {
			return s.Finish(ctx), err
		}
	}
	obs := s.Finish(ctx)
	// What the page sends as it goes away (beacons and keepalive fetches
	// of its unload, the app's SDK flushing) is answered while Close
	// unloads it and closes the tab; the journal is read again after
	// that, so those requests are in the evidence. Whatever the browser
	// sends later still is refused (its context has no session), only not
	// journaled.
	s.Close()
	if s.net != nil {
		obs.Network, obs.IngestEvents = s.net.snapshot()
	}
	return obs, s.lost.err()
}

// A Session is one run of a plan in one browser tab: the environment is
// emulated, the network is fail-closed, and every step and its evidence is
// recorded. Generated regression tests drive it one step per statement:
//
//	s, err := reproduce.NewSession(ctx, plan, reproduce.RunConfig{App: app, API: mock})
//	defer s.Close()
//	require.NoError(t, s.Do(ctx, plan.Steps[0]))
//	...
//	obs := s.Finish(ctx)
//
// A Session is not safe for concurrent steps.
type Session struct {
	plan   plan.Plan
	cfg    RunConfig
	log    *slog.Logger
	router router

	browser    *Browser
	ownBrowser bool
	app        *runningApp
	tab        context.Context
	closeTab   context.CancelFunc
	net        *netguard
	proxy      *netProxy            // layer 2 for the session's browser context
	contextID  cdp.BrowserContextID // the session's browser context, once open
	started    time.Time
	current    atomic.Int64 // index of the step in force (-1: none yet)
	shot       *pendingShot // the last step's screenshot, while it is taken
	targetBox  []float64    // the box of the element the step in force found
	closeOnce  sync.Once
	closing    atomic.Bool   // Close has begun: the tab goes away on purpose
	lost       tabLost       // the tab crashed or was closed under the run
	errSeen    chan struct{} // an exception or console error arrived
	drains     sync.Map      // drainConsole's token → its channel
	drainSeq   atomic.Int64

	mu  sync.Mutex
	obs Observation
}

// NewSession starts the app (a Dir app is served on loopback), launches or
// reuses the browser, opens a tab in a fresh browser context, installs the
// fail-closed network and the environment of plan. It does not navigate:
// the plan's first step (or Open) does.
func NewSession(ctx context.Context, p plan.Plan, cfg RunConfig) (*Session, error) {
	if cfg.StepTimeout <= 0 {
		cfg.StepTimeout = 5 * time.Second
	}
	cfg.Settle = cfg.Settle.withDefaults()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if p.RecordedOrigin == "" && p.StartURL != "" {
		if u, err := url.Parse(p.StartURL); err == nil && u.IsAbs() {
			p.RecordedOrigin = origin(u)
		}
	}
	if cfg.ArtifactsDir != "" {
		if err := os.MkdirAll(cfg.ArtifactsDir, 0o755); err != nil {
			return nil, fmt.Errorf("artifacts dir: %w", err)
		}
	}
	app, err := cfg.App.start()
	if err != nil {
		return nil, err
	}
	s := &Session{plan: p, cfg: cfg, log: log, app: app, started: time.Now(), errSeen: make(chan struct{}, 1)}
	s.current.Store(-1)
	s.obs = Observation{
		ReplayID: p.ReplayID, AppURL: app.base.String(), StartedAt: s.started,
		StoppedAt: -1, ArtifactsDir: cfg.ArtifactsDir,
	}
	if cfg.ArtifactsDir != "" {
		s.obs.Screenshots = cmp.Or(cfg.Screenshots, ScreenshotsEvidence)
	}
	s.router = router{appBase: app.base, recordedOrigin: p.RecordedOrigin, apiOrigins: p.APIOrigins, apiPaths: p.APIPaths}
	s.net = newNetguard(s.router, cfg.API, func() int { return int(s.current.Load()) }, log)
	// Layer 2: the session's proxy admits the app's own assets only.
	s.net.open = cfg.layers.interceptionOpen
	// A remote browser may be on another host: the proxy listens where it
	// can be reached.
	proxyHost := cfg.Chrome.proxyHost()
	if cfg.Browser != nil {
		proxyHost = cfg.Browser.proxyHost
	}
	s.proxy, err = newNetProxyOn(proxyHost, func(u *url.URL) bool {
		d, rewrite := s.router.route(u)
		return cfg.layers.proxyOpen || (d == DispositionApp && rewrite == "")
	}, log)
	if err != nil {
		app.close()
		return nil, err
	}
	s.browser = cfg.Browser
	if s.browser == nil {
		chrome := cfg.Chrome
		if chrome.Logger == nil {
			chrome.Logger = log
		}
		b, err := NewBrowser(ctx, chrome)
		if err != nil {
			s.proxy.Close()
			app.close()
			return nil, err
		}
		s.browser, s.ownBrowser = b, true
	}
	if s.proxy.auth != "" {
		s.browser.guard.registerProxy(s.proxy.Addr(), s.proxy.user, s.proxy.pass)
	}
	if tab, release, ok := s.takeFirstTab(); ok {
		s.tab, s.closeTab = tab, release
	} else {
		s.tab, s.closeTab = s.browser.newTab(s.proxy.URL())
	}
	if err := s.setup(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// takeFirstTab runs the session in the tab a local browser opened at
// launch, the browser's proxy admitting what the session's would: the
// first session on a browser (repro run, a generated test, the first of
// several runs) then pays no second renderer start. That tab is handed out
// once; every other session, and every session on a remote browser, gets
// a fresh browser context.
func (s *Session) takeFirstTab() (context.Context, context.CancelFunc, bool) {
	if s.cfg.layers != (guardLayers{}) {
		return nil, nil, false
	}
	tab, release, ok := s.browser.takeFirstTab(s.proxy.allowed)
	return tab, release, ok
}

// setup opens the tab and installs evidence collection, the network and the
// environment, in that order: nothing the page does may go unseen.
func (s *Session) setup(ctx context.Context) error {
	stop := context.AfterFunc(ctx, s.closeTab)
	defer stop()
	if err := chromedp.Do(s.tab); err != nil {
		return fmt.Errorf("open tab: %w", err)
	}
	c := chromedp.FromContext(s.tab)
	if c == nil || c.Target == nil {
		return errors.New("open tab: no target")
	}
	s.contextID = c.BrowserContextID
	if s.contextID == "" {
		// The tab Chrome opened at launch is in the default context.
		info, err := chromedp.CallBrowser(s.tab, target.GetTargetInfo, target.GetTargetInfoParams{TargetID: c.Target.TargetID})
		if err != nil || info.TargetInfo == nil || info.TargetInfo.BrowserContextID == "" {
			return fmt.Errorf("open tab: no browser context: %v", err)
		}
		s.contextID = info.TargetInfo.BrowserContextID
	}
	// From here on the guard hands every request of the session's browser
	// context (the tab, its frames and workers, popups) to s.net.
	s.browser.guard.register(s.contextID, s.net)
	s.watchConsole()
	s.watchDialogs()
	s.watchTab()
	s.net.watch(s.tab, cdp.FrameID(c.Target.TargetID))
	if _, err := chromedp.Call(s.tab, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		return fmt.Errorf("disable cache: %w", err)
	}
	pc := newPageConfig(s.plan, s.started, origin(s.app.base))
	s.net.prelude = workerPrelude(pc)
	if err := s.watchBlockedSockets(); err != nil {
		return err
	}
	if err := applyEnvironment(s.tab, s.plan, pc); err != nil {
		return err
	}
	return nil
}

// watchBlockedSockets journals the WebSockets the init script failed
// (fetch interception never sees a socket).
func (s *Session) watchBlockedSockets() error {
	calls := chromedp.Events(s.tab, runtime.BindingCalled)
	if _, err := chromedp.Call(s.tab, runtime.AddBinding, runtime.AddBindingParams{Name: blockedBinding}); err != nil {
		return fmt.Errorf("install the socket guard: %w", err)
	}
	go func() {
		for ev, err := range calls {
			if err != nil {
				return
			}
			if ev.Name != blockedBinding {
				continue
			}
			var p struct {
				Kind string `json:"kind"`
				URL  string `json:"url"`
			}
			if json.Unmarshal([]byte(ev.Payload), &p) != nil || p.URL == "" {
				continue
			}
			s.net.record(NetworkRecord{Time: time.Now(), Step: int(s.current.Load()), Method: "GET", URL: p.URL,
				Disposition: DispositionBlocked, Error: "WebSocket refused: it would leave the app under test (the recording holds no WebSocket traffic)"})
		}
	}()
	return nil
}

// Open navigates to the plan's start URL (mapped onto the app), for plans
// whose first step is not a navigation.
func (s *Session) Open(ctx context.Context) error {
	return s.Do(ctx, plan.Step{Index: -1, Kind: plan.StepNavigate, URL: s.plan.StartURL, Description: "open " + s.plan.StartURL})
}

// AppURL maps a recorded URL onto the app under test.
func (s *Session) AppURL(recorded string) (string, error) {
	return MapURL(recorded, s.plan.RecordedOrigin, s.app.base)
}

// Stopped reports whether a step has failed (later steps are not run by
// Execute).
func (s *Session) Stopped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.obs.StoppedAt >= 0 && s.obs.StopReason != ""
}

// StepError is the error of a step that could not be done (its target never
// appeared, a navigation failed). It is evidence, not an infrastructure
// failure.
type StepError struct {
	Index  int
	Reason string
}

func (e *StepError) Error() string { return fmt.Sprintf("step %d: %s", e.Index, e.Reason) }

// IsStepFailure reports whether err is a step that could not be done (as
// opposed to a broken browser or a cancelled context).
func IsStepFailure(err error) bool {
	var se *StepError
	return errors.As(err, &se)
}

// Finish waits for in-flight requests and a settle period (so late
// exceptions and error reports are seen) and returns the observation.
// It can be called more than once; each call returns a fresh copy.
func (s *Session) Finish(ctx context.Context) *Observation {
	s.joinScreenshot()
	if s.tab != nil && s.tab.Err() == nil && ctx.Err() == nil {
		// No fixed pause: the last requests answered, then the DOM quiet
		// (counted from their answers), within Settle.Final.
		fctx, cancel := context.WithTimeout(ctx, s.cfg.Settle.Final)
		s.net.waitIdle(fctx, s.cfg.Settle.NetworkIdle)
		s.waitQuiet(fctx, true)
		s.net.waitIdle(fctx, s.cfg.Settle.NetworkIdle)
		cancel()
		s.drainConsole(ctx)
		if loc, err := s.run(ctx, 2*time.Second, chromedp.Location()); err == nil {
			s.mu.Lock()
			s.obs.FinalURL = loc
			s.mu.Unlock()
		}
	}
	return s.Observation()
}

// Observation returns a copy of what has been observed so far.
func (s *Session) Observation() *Observation {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.obs
	o.Steps = append([]StepResult(nil), s.obs.Steps...)
	o.Console = append([]ConsoleEntry(nil), s.obs.Console...)
	o.Exceptions = append([]Exception(nil), s.obs.Exceptions...)
	o.DeadClicks = append([]DeadClick(nil), s.obs.DeadClicks...)
	if s.net != nil {
		o.Network, o.IngestEvents = s.net.snapshot()
	}
	o.Completed = o.StopReason == "" && len(o.Steps) > 0 && o.Steps[len(o.Steps)-1].Index == len(s.plan.Steps)-1
	o.Duration = time.Since(s.started)
	return &o
}

// Close closes the tab and its browser context while interception still
// holds — the page's unload handlers run and whatever they send (beacons,
// keepalive fetches, the app's Sentry flush) is answered fail-closed like
// every other request — then stops the session's proxy, the app server
// and, when the session launched it, the browser (waiting for its
// processes to exit).
func (s *Session) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.closing.Store(true)
		s.joinScreenshot()
		if s.closeTab != nil {
			s.unloadPage()
			s.closeTab() // closes the tab, waits for it, disposes of the context
		}
		if s.net != nil {
			// A mock answer still held for its recorded latency is
			// abandoned.
			s.net.endLife()
			// Requests of the unload still being answered.
			s.net.waitIdle(context.Background(), 2*time.Second)
		}
		if s.browser != nil && s.browser.guard != nil && s.contextID != "" {
			// Anything the context still sends is failed from now on.
			s.browser.guard.unregister(s.contextID)
		}
		if s.ownBrowser {
			err = s.browser.Close()
		}
		if s.proxy != nil {
			if s.proxy.auth != "" && s.browser != nil && s.browser.guard != nil {
				s.browser.guard.unregisterProxy(s.proxy.Addr())
			}
			s.proxy.Close()
		}
		if s.app != nil {
			s.app.close()
		}
	})
	return err
}

// unloadPage navigates the tab to about:blank before it is closed, so the
// page's pagehide and unload handlers run, and what they send is answered,
// while the tab and its context still stand. Chromium hands over the
// beacons of a page navigated away from; of a closing tab's, on a machine
// short of CPU, it drops some or all (measured with three busy loops on
// two cores: 10 of 29 closing pages lost beacons, none of 40 pages
// navigated away first).
func (s *Session) unloadPage() {
	if s.tab == nil || s.tab.Err() != nil || s.lost.err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(s.tab, 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := chromedp.Run(ctx, chromedp.Navigate("about:blank"))
	s.log.Debug("close: the page unloaded", "took", time.Since(start).Round(time.Millisecond), "err", err)
}

// run runs a on the tab, bounded by d and by ctx.
func run[T any](s *Session, ctx context.Context, d time.Duration, a chromedp.Action[T]) (T, error) {
	tctx, cancel := context.WithTimeout(s.tab, d)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	return chromedp.Run(tctx, a)
}

func (s *Session) run(ctx context.Context, d time.Duration, a chromedp.Action[string]) (string, error) {
	return run(s, ctx, d, a)
}

// watchDialogs accepts alert/confirm/prompt dialogs (they would block the
// page) and logs them as console entries of level "dialog".
func (s *Session) watchDialogs() {
	dialogs := chromedp.Events(s.tab, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			s.addConsole(ConsoleEntry{Time: time.Now(), Step: int(s.current.Load()), Level: "dialog", Text: string(ev.Type) + ": " + ev.Message, URL: ev.URL})
			_, _ = chromedp.Call(s.tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
}

// pendingShot is a step's screenshot still being captured.
type pendingShot struct {
	index int
	ok    chan bool
}

// startScreenshot captures the viewport after step st, at half scale as a
// JPEG, into the artifacts directory, and returns the file name ("" when
// screenshots are off). The capture runs while the next step waits for its
// target — a wait that only reads the page — and joinScreenshot, called
// before anything acts on the page again, waits for it: the image is the
// page as the step left it, and the run does not pay for it twice. after
// is the page at the step's end; early, a capture begun before the step
// settled (beginEarlyShot), is kept instead of a new one when the page did
// not change from its start to after. Only a step that gets a screenshot
// (wantShot) calls it.
func (s *Session) startScreenshot(ctx context.Context, st plan.Step, after activity, early *earlyShot) string {
	s.joinScreenshot()
	name := fmt.Sprintf("step-%02d-%s.jpg", st.Index, st.Kind)
	if st.Index < 0 {
		name = fmt.Sprintf("open-%s.jpg", st.Kind)
	}
	shot := early.keep(after)
	if early != nil {
		s.log.Debug("screenshot: the one begun as the step settled", "step", st.Index, "kept", shot != nil)
		if shot == nil {
			// Finished first: one capture at a time, and none still
			// running once the next step acts.
			<-early.done
		}
	}
	if shot == nil {
		shot = s.capture(ctx, after.view)
	}
	p := &pendingShot{index: st.Index, ok: make(chan bool, 1)}
	s.shot = p
	go func() {
		res := <-shot
		err := res.err
		if err == nil {
			err = atomicfile.Write(filepath.Join(s.cfg.ArtifactsDir, name), res.data, 0o644)
		}
		if err != nil {
			s.log.Debug("screenshot", "step", st.Index, "err", err)
		}
		p.ok <- err == nil
	}()
	return name
}

// shotResult is a finished capture.
type shotResult struct {
	data []byte
	err  error
}

// capture starts capturing the viewport, at half scale as a JPEG; view is
// the viewport in document coordinates (pageState.View). The result comes
// on the channel.
func (s *Session) capture(ctx context.Context, view []float64) <-chan shotResult {
	// Half-scale JPEG, encoded for speed: a screenshot per step must not
	// cost what the step does (a full-size PNG of a 1280x800 page takes
	// several times longer), and it is read, not zoomed into.
	quality, fast := int64(70), true
	v := s.plan.Viewport
	if v.Width <= 0 || v.Height <= 0 {
		v.Width, v.Height = 1280, 720
	}
	clip := page.Viewport{Width: float64(v.Width), Height: float64(v.Height), Scale: 0.5}
	if len(view) == 4 {
		clip.X, clip.Y, clip.Width, clip.Height = view[0], view[1], view[2], view[3]
	}
	// A caller may cancel its step context once Do returns; the capture
	// is bounded on its own.
	ctx = context.WithoutCancel(ctx)
	done := make(chan shotResult, 1)
	go func() {
		res, err := run(s, ctx, 5*time.Second, chromedp.Action[page.CaptureScreenshotResult](func(ctx context.Context, t *chromedp.Target) (page.CaptureScreenshotResult, error) {
			return cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatJpeg, Quality: &quality, OptimizeForSpeed: &fast, Clip: &clip})
		}))
		done <- shotResult{res.Data, err}
	}()
	return done
}

// earlyShot is a step's screenshot begun once its requests were answered,
// beside the wait for the DOM to go quiet, rather than after it: a capture
// takes 30-50 ms here, mostly waiting for a frame, which the quiet period
// (20 ms at least) then hides. It is kept only when the page did not
// change from the capture's start to the step's end: the capture's frame
// is drawn after the state at was read, so an unchanged document, DOM
// (its mutation count), scroll and viewport mean the image is the page as
// the step left it, as a capture begun at the end would have it.
type earlyShot struct {
	at   activity
	done <-chan shotResult
}

// beginEarlyShot starts a step's capture before its DOM went quiet, for a
// step whose screenshot is planned (shotPlanned); nil when the page could
// not be read.
func (s *Session) beginEarlyShot(ctx context.Context) *earlyShot {
	a := s.activity(ctx)
	if a.doc == "" || len(a.view) != 4 {
		return nil
	}
	return &earlyShot{at: a, done: s.capture(ctx, a.view)}
}

// shotPlanned says whether step st gets a screenshot whatever happens in
// it (the policy, the first and last steps, the recorded failure's).
func (s *Session) shotPlanned(st plan.Step) bool {
	if s.cfg.ArtifactsDir == "" {
		return false
	}
	if s.obs.Screenshots == ScreenshotsAll || st.Index <= 0 || st.Index == len(s.plan.Steps)-1 {
		return true
	}
	return slices.Contains(s.cfg.EvidenceSteps, st.Index)
}

// wantShot says whether step st, now done, gets a screenshot: a planned
// one, or a step that failed or where the rerun saw a failure of its own.
// The console is drained first: an exception the step's click threw is
// in the protocol's stream before the step ended, but the watcher may not
// have read it yet (it did not, under the race detector).
func (s *Session) wantShot(ctx context.Context, st plan.Step, failed bool) bool {
	if s.cfg.ArtifactsDir == "" {
		return false
	}
	if failed || s.shotPlanned(st) {
		return true
	}
	s.drainConsole(ctx)
	s.mu.Lock()
	// The app's own failures, as the verdict reads them: the browser's
	// log (a missing favicon's 404) and the app's assets are not.
	seen := slices.ContainsFunc(s.obs.Exceptions, func(e Exception) bool { return e.Step == st.Index }) ||
		slices.ContainsFunc(s.obs.Console, func(c ConsoleEntry) bool { return c.Step == st.Index && c.Level == "error" && c.Source == "" })
	s.mu.Unlock()
	if seen || s.net == nil {
		return seen
	}
	network, ingest := s.net.snapshot()
	return slices.ContainsFunc(ingest, func(e IngestEvent) bool { return e.Step == st.Index }) ||
		slices.ContainsFunc(network, func(n NetworkRecord) bool {
			return n.Step == st.Index && n.Disposition == DispositionMock && (n.Status >= 400 || n.Error != "")
		})
}

// keep is the early capture when the page at the step's end (after) is
// the page it began on; nil otherwise.
func (e *earlyShot) keep(after activity) <-chan shotResult {
	if e == nil || after.doc != e.at.doc || after.mutations != e.at.mutations || after.scrolls != e.at.scrolls || !slices.Equal(after.view, e.at.view) {
		return nil
	}
	return e.done
}

// joinScreenshot waits for the screenshot in progress, if any; a failed
// capture leaves its step without one.
func (s *Session) joinScreenshot() {
	p := s.shot
	if p == nil {
		return
	}
	s.shot = nil
	if <-p.ok {
		return
	}
	s.mu.Lock()
	for i := range s.obs.Steps {
		if s.obs.Steps[i].Index == p.index {
			s.obs.Steps[i].Screenshot = ""
		}
	}
	s.mu.Unlock()
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
