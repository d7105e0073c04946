package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// ErrChromeNotFound is returned when no Chrome or Chromium executable can be
// found (or an explicit path does not exist). Its message says how to fix it.
var ErrChromeNotFound = errors.New("chrome not found: install Chromium (apt-get install -y chromium), set $CHROME_PATH, or pass --chrome PATH")

// ChromeConfig says which browser runs the plan.
type ChromeConfig struct {
	// Path is the Chrome/Chromium executable; "" finds one (FindChrome).
	Path string
	// RemoteURL, when set, connects to a running browser instead of
	// launching one: its DevTools endpoint (ws://host:port/devtools/browser/...,
	// or http://host:port) or a pool service's WebSocket URL
	// (ws://host:port?token=...). It may hold a secret: say it with
	// RemoteName.
	RemoteURL string
	// ProxyHost is, for a remote browser, an address of this machine (a
	// host name or IP, no port) that the browser can reach: each session's
	// guard proxy listens on a port of it, and the session's browser
	// context is told to send every request there. "" is 127.0.0.1, for a
	// browser on this host. Off loopback a proxy asks for credentials,
	// which only the remote browser is given. Unused when launching.
	ProxyHost string
	// Visible opens a visible window instead of running headless.
	Visible bool
	// ExtraFlags are added to the launch flags (name → value; true for a
	// bare switch).
	ExtraFlags map[string]any
	// Logger gets the network guard's diagnostics (nil: quiet).
	Logger *slog.Logger
}

// proxyHost is where the sessions' guard proxies listen on a browser of
// this config: ProxyHost for a remote browser, "" (loopback) otherwise.
func (cfg ChromeConfig) proxyHost() string {
	if cfg.RemoteURL == "" {
		return ""
	}
	return cfg.ProxyHost
}

// chromeCandidates are tried in order by FindChrome after $CHROME_PATH.
var chromeCandidates = []string{
	"/usr/bin/chromium",
	"/usr/bin/chromium-browser",
	"chromium",
	"chromium-browser",
	"google-chrome",
	"google-chrome-stable",
	"chrome",
	"headless-shell",
	"/Applications/Chromium.app/Contents/MacOS/Chromium",
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
}

// FindChrome returns the Chrome executable to launch: explicit when given
// (it must exist), else $CHROME_PATH, else the first of the usual names
// found. It returns an error wrapping ErrChromeNotFound when there is none.
func FindChrome(explicit string) (string, error) {
	if explicit != "" {
		p, err := exec.LookPath(explicit)
		if err != nil {
			return "", fmt.Errorf("%w (looked for %q)", ErrChromeNotFound, explicit)
		}
		return p, nil
	}
	if env := os.Getenv("CHROME_PATH"); env != "" {
		p, err := exec.LookPath(env)
		if err != nil {
			return "", fmt.Errorf("%w ($CHROME_PATH=%q)", ErrChromeNotFound, env)
		}
		return p, nil
	}
	for _, c := range chromeCandidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", ErrChromeNotFound
}

// A Browser is a running (or connected) Chrome that sessions share. Each
// Session opens a fresh browser context (an incognito-like profile) in it,
// so repeated runs are cheap and do not see each other's cookies or storage.
type Browser struct {
	ctx    context.Context // the chromedp browser context (first tab)
	cancel context.CancelFunc
	remote bool
	// guard intercepts every request of every target for the browser's
	// whole life (layer 1 of the fail-closed network).
	guard *guard
	// proxy is the browser-wide proxy of a launched browser: it refuses
	// everything (each session's browser context has its own proxy that
	// admits the app under test; see Session).
	proxy *netProxy
	// Launch is how long starting (or connecting to) the browser took.
	Launch time.Duration
	// firstTab is set while the tab Chrome opened at launch is unused: the
	// session that launched the browser runs in it (a new context's first
	// tab costs a renderer start, ~0.5 s).
	firstTab atomic.Bool
	// proxyHost is where the sessions' proxies listen (ChromeConfig.ProxyHost).
	proxyHost string
	// wire is the protocol log that orders typed keys (see callInOrder).
	wire *wireLog
}

// NewBrowser launches Chrome as cfg says (or connects to cfg.RemoteURL).
// ctx bounds the launch only; the browser lives until Close.
func NewBrowser(ctx context.Context, cfg ChromeConfig) (*Browser, error) {
	start := time.Now()
	// The browser outlives the launch call: chromedp binds it to the context
	// of its first Run, so that context must not carry ctx's deadline.
	base, baseCancel := context.WithCancel(context.WithoutCancel(ctx))
	var allocCtx context.Context
	var allocCancel context.CancelFunc
	var denyAll *netProxy
	if cfg.RemoteURL != "" {
		allocCtx, allocCancel = remoteAllocator(base, cfg.RemoteURL)
	} else {
		path, err := FindChrome(cfg.Path)
		if err != nil {
			baseCancel()
			return nil, err
		}
		// Whatever no session's own proxy covers (the first tab, Chrome's
		// own background requests) meets a proxy that refuses everything.
		denyAll, err = newNetProxy(func(*url.URL) bool { return false }, cfg.Logger)
		if err != nil {
			baseCancel()
			return nil, err
		}
		allocCtx, allocCancel = chromedp.NewExecAllocator(base, launchOptions(path, denyAll.URL(), cfg)...)
	}
	wire := &wireLog{}
	bctx, bcancel := chromedp.NewContext(allocCtx, chromedp.WithBrowserOption(chromedp.WithBrowserDebugf(wire.debugf)))
	cancel := func() {
		bcancel()
		allocCancel()
		baseCancel()
		if denyAll != nil {
			denyAll.Close()
		}
	}

	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	select {
	case err := <-done:
		if err != nil {
			cancel()
			if cfg.RemoteURL != "" {
				return nil, fmt.Errorf("connect to chrome at %s: %w", RemoteName(cfg.RemoteURL), scrubRemote(err, cfg.RemoteURL))
			}
			return nil, fmt.Errorf("launch chrome: %w", err)
		}
	case <-ctx.Done():
		cancel()
		// The launch ends before this returns: a browser process that
		// started meanwhile is killed and reaped, and its children with it
		// (chromedp's allocator waits only for browsers it handed out).
		// `repro run` cancels its early launch when the replay cannot be
		// read and exits next: Debian's /usr/bin/chromium, a shell script
		// still starting, was seen alive after it (CI, the built binary's
		// TestARunThatCannotStartLeavesNoBrowser), dying only by the
		// parent-death signal.
		<-done
		return nil, fmt.Errorf("launch chrome: %w", ctx.Err())
	}
	// Only when the sessions' proxies ask for credentials are the
	// browser's authentication challenges the guard's to answer (otherwise
	// they stay the browser's, as for any client).
	g, err := startGuard(bctx, cfg.RemoteURL != "", asksCredentials(cfg.proxyHost()), cfg.Logger)
	if err != nil {
		cancel()
		return nil, err
	}
	b := &Browser{ctx: bctx, cancel: cancel, remote: cfg.RemoteURL != "", guard: g, proxy: denyAll, wire: wire, proxyHost: cfg.proxyHost(), Launch: time.Since(start)}
	b.firstTab.Store(cfg.RemoteURL == "")
	return b, nil
}

// launchOptions are the flags for a browser that must stay inside the
// sandbox of a run: every request through the refusing proxy (loopback
// included; each session's browser context overrides it with its own), no
// DNS lookups at all, no UDP that bypasses the proxy (WebRTC), no
// background traffic to Google, no QUIC (which Fetch interception would
// not see), a fresh profile (chromedp makes a temporary user-data-dir), and
// no sandbox when running as root (Chrome refuses to start otherwise).
func launchOptions(path, proxy string, cfg ChromeConfig) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.ExecPath(path),
		chromedp.ProxyServer(proxy),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.Flag("force-webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		// Cross-site iframes stay in the tab's process, so the init script
		// (clock, random sources, socket guard) runs in them too.
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// Browser features that call Google or work in the background
		// (the proxy refuses their requests anyway; turned off, they cost no
		// CPU on the machine the run shares), and paint holding, which
		// delays a same-origin navigation's first paint.
		//
		// The omnibox popups: Chromium (156 here) preloads them at launch as two
		// WebUI pages (chrome://omnibox-popup.top-chrome/), in a renderer of
		// their own, even headless where there is no omnibox. That renderer
		// took about 1.5 CPU-seconds of a launch's 4 here, on the cores the
		// run's own page needs. Network time queries, AI-mode eligibility
		// checks and search preconnects are Google requests at launch that
		// Playwright turns off too.
		chromedp.Flag("disable-features", strings.Join([]string{
			"Translate", "OptimizationHints", "MediaRouter", "DialMediaRouteProvider", "GlobalMediaControls",
			"AutofillServerCommunication", "PasswordLeakDetection", "LensOverlay", "InterestFeedContentSuggestions",
			"CertificateTransparencyComponentUpdater", "PaintHolding", "AcceptCHFrame",
			"WebUIOmniboxPopup", "WebUIOmniboxAimPopup",
			"NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
		}, ",")),
		// chromedp's own two, and Page.captureScreenshot from a new surface
		// rather than by forcing a redraw of the page's (as Playwright
		// launches Chromium): a step's screenshot took about 50 ms here,
		// 37 ms with it.
		chromedp.Flag("enable-features", "NetworkService,NetworkServiceInProcess,CDPScreenshotNewSurface"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
	)
	if runtime.GOOS == "linux" && os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	if cfg.Visible {
		opts = append(opts, chromedp.VisibleWindow)
	}
	for name, v := range cfg.ExtraFlags {
		opts = append(opts, chromedp.Flag(name, v))
	}
	return opts
}

// newTab opens a tab in a fresh browser context whose every request goes
// through proxy (layer 2); cancel closes the tab and disposes of the
// context.
func (b *Browser) newTab(proxy string) (context.Context, context.CancelFunc) {
	return chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
		p.ProxyServer = proxy
		p.ProxyBypassList = "<-loopback>"
	}))
}

// takeFirstTab hands the tab Chrome opened at launch to one session, with
// the browser's own proxy admitting what allow admits (every request of
// that tab's default context goes through it). It returns the tab's
// context, and a func that lets go of the tab — left open, on the
// about:blank the session unloaded its page to (Session.unloadPage) — and
// refuses everything again. ok is false when the tab was already taken
// (or the browser is remote).
func (b *Browser) takeFirstTab(allow func(*url.URL) bool) (tab context.Context, release func(), ok bool) {
	if !b.firstTab.CompareAndSwap(true, false) || b.proxy == nil {
		return nil, nil, false
	}
	b.proxy.setRule(allow)
	tctx, cancel := context.WithCancel(b.ctx)
	return tctx, func() {
		cancel()
		b.proxy.setRule(func(*url.URL) bool { return false })
	}, true
}

// Close stops the browser and waits for its processes to exit (or
// disconnects from a remote one). Requests still being answered are let
// finish first, so interception holds until the very end.
func (b *Browser) Close() error {
	if b == nil || b.cancel == nil {
		return nil
	}
	var err error
	b.guard.drain(2 * time.Second)
	if b.remote {
		// Not ours to stop. Our contexts are gone (each session disposed
		// of its own); stop intercepting the other clients' requests.
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		_, _ = chromedp.CallBrowser(ctx, fetch.Disable, cdp.Empty{})
		cancel()
	} else {
		// Cancel closes Chrome and waits until its process has exited and
		// the leftover children using its profile are killed.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 20*time.Second)
		err = chromedp.Cancel(ctx)
		cancel()
	}
	b.guard.close()
	b.cancel()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("close chrome: %w", err)
	}
	return nil
}

// Err is non-nil once the browser is gone: it exited or crashed, or the
// connection to a remote one dropped (a run in it then fails for the
// browser's sake, not the replay's).
func (b *Browser) Err() error {
	if b == nil || b.ctx == nil {
		return errors.New("no browser")
	}
	if err := context.Cause(b.ctx); err != nil {
		return err
	}
	// chromedp closes LostConnection as the connection drops and cancels
	// the browser's context a moment later: a call that failed on the
	// lost connection can return in between, and a batch must then see
	// the browser gone (to retry the rerun elsewhere), not a live one.
	if c := chromedp.FromContext(b.ctx); c != nil && c.Browser != nil {
		select {
		case <-c.Browser.LostConnection:
			return errors.New("lost the connection to the browser")
		default:
		}
	}
	return nil
}
