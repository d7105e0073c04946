package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// recorder records scenarios one after the other on one server.
type recorder struct {
	log      *slog.Logger
	ingest   *ingest
	site     *site
	chrome   string
	outDir   string
	batchDir string
	appsDir  string
	dsn      string
	origin   func(app string) string
	sdk      string
}

// observed is the recorder's own ground truth of a session, independent of
// what the SDK captured.
type observed struct {
	Requests    []accessEntry  `json:"requests"`
	Console     []consoleEntry `json:"console"`
	Exceptions  []exception    `json:"exceptions"`
	Navigations []string       `json:"navigations"`
}

type consoleEntry struct {
	Level string `json:"level"`
	Text  string `json:"text"`
}

type exception struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// browserWatch collects console messages, exceptions and navigations of the
// tab while the scenario runs.
type browserWatch struct {
	mu  sync.Mutex
	obs observed
}

func (w *browserWatch) add(f func(o *observed)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f(&w.obs)
}

func (r *recorder) record(parent context.Context, sc scenario) error {
	api, err := apiFor(sc.App)
	if err != nil {
		return err
	}
	origin := r.origin(sc.App)
	r.ingest.reset()

	ctx, cancel := context.WithTimeout(parent, 3*time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(r.chrome), chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("host-resolver-rules", "MAP *."+appDomain+" 127.0.0.1"),
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()

	// Start the browser, then read its version.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		return fmt.Errorf("start chromium %s: %w", r.chrome, err)
	}
	ver, err := chromedp.CallBrowser(bctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		return fmt.Errorf("chromium version: %w", err)
	}

	watch := &browserWatch{}
	r.watch(bctx, watch)

	start := time.Now()
	r.site.load(filepath.Join(r.appsDir, sc.App, sc.Variant), api, sentryConfig(sc, r.dsn), start)
	p := newPerson(bctx, origin, sc.Seed, start)
	if err := sc.Drive(p); err != nil {
		return err
	}
	if err := r.flush(bctx); err != nil {
		return err
	}
	// Let the console and navigation iterators drain.
	time.Sleep(300 * time.Millisecond)

	envs, _ := r.ingest.snapshot()
	watch.mu.Lock()
	obs := watch.obs
	watch.mu.Unlock()
	obs.Requests = r.site.accessLog()
	for i := range obs.Requests {
		obs.Requests[i].Body = "" // bodies stay in the envelopes; the manifest keeps the shape
	}
	b := bundleInput{
		sc: sc, origin: origin, envelopes: envs, observed: obs, steps: p.steps,
		chromium: ver.Product, sdkName: sdkNameField, sdkVersion: r.sdk, recordedAt: start,
	}
	dir := filepath.Join(r.outDir, sc.Name)
	if sc.Batch {
		dir = filepath.Join(r.batchDir, sc.Name)
	}
	if err := writeBundle(dir, b); err != nil {
		return err
	}
	r.log.Info("bundle written", "dir", dir, "envelopes", len(envs))
	return nil
}

// watch subscribes to the tab's console and navigations.
func (r *recorder) watch(ctx context.Context, w *browserWatch) {
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			switch {
			case m.IsException():
				typ, msg := splitException(m)
				w.add(func(o *observed) { o.Exceptions = append(o.Exceptions, exception{Type: typ, Message: msg}) })
			case m.Source == "":
				level := string(m.Type)
				w.add(func(o *observed) { o.Console = append(o.Console, consoleEntry{Level: level, Text: m.Text}) })
			default:
				r.log.Debug("browser log", "source", m.Source, "text", m.Text)
			}
		}
	}()
	within := chromedp.Events(ctx, page.NavigatedWithinDocument)
	go func() {
		for ev, err := range within {
			if err != nil {
				return
			}
			w.add(func(o *observed) { o.Navigations = append(o.Navigations, pathOf(ev.URL)) })
		}
	}()
	frames := chromedp.Events(ctx, page.FrameNavigated)
	go func() {
		for ev, err := range frames {
			if err != nil {
				return
			}
			if ev.Frame == nil || ev.Frame.ParentID != "" || strings.HasPrefix(ev.Frame.URL, "about:") {
				continue
			}
			w.add(func(o *observed) { o.Navigations = append(o.Navigations, pathOf(ev.Frame.URL)) })
		}
	}()
}

// pathOf is the URL without its origin: path, query and fragment, so hash
// routes (/#/board/12) and search pages (/search?q=x) stay apart.
func pathOf(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	out := pu.EscapedPath()
	if pu.RawQuery != "" {
		out += "?" + pu.RawQuery
	}
	if pu.Fragment != "" {
		out += "#" + pu.EscapedFragment()
	}
	return out
}

// splitException turns "Uncaught (in promise) TypeError: Cannot read ..."
// into its class and message.
func splitException(m chromedp.ConsoleMessage) (typ, msg string) {
	text := m.Text
	if m.Exception != nil && m.Exception.Exception != nil {
		if m.Exception.Exception.ClassName != "" {
			typ = m.Exception.Exception.ClassName
		}
		if d := m.Exception.Exception.Description; d != "" {
			text = strings.SplitN(d, "\n", 2)[0]
		}
	}
	text = strings.TrimPrefix(text, "Uncaught (in promise) ")
	text = strings.TrimPrefix(text, "Uncaught ")
	if t, rest, ok := strings.Cut(text, ": "); ok && !strings.Contains(t, " ") {
		if typ == "" {
			typ = t
		}
		return typ, rest
	}
	return typ, text
}

// flush asks the replay to send what it holds, then waits until the ingest
// has been quiet for a while (every wait is bounded).
func (r *recorder) flush(ctx context.Context) error {
	const js = `(async () => { const rp = window.Sentry && Sentry.getReplay && Sentry.getReplay();
		if (!rp) return false; await rp.flush(); return true; })()`
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("flush replay: %w", err)
	}
	if !ok {
		return fmt.Errorf("flush replay: no active replay in the page (is the SDK served?)")
	}
	flushed := time.Now()
	deadline := flushed.Add(20 * time.Second)
	for time.Now().Before(deadline) {
		envs, last := r.ingest.snapshot()
		if hasRecording(envs) && time.Since(last) > 2500*time.Millisecond && time.Since(flushed) > 1500*time.Millisecond {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("flush replay: the ingest received no replay recording within 20s")
}

func hasRecording(envs []envelope) bool {
	for _, e := range envs {
		for _, it := range e.Items {
			if it.Type == "replay_recording" {
				return true
			}
		}
	}
	return false
}
