package reproduce

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// ErrChromeNotFound is returned when no Chrome or Chromium executable can be
// found (or an explicit path does not exist). Its message says how to fix it.
var ErrChromeNotFound = errors.New("chrome not found: install Chromium (apt-get install -y chromium), set $CHROME_PATH, or pass --chrome PATH")

// ChromeConfig says which browser runs the plan.
type ChromeConfig struct {
	// Path is the Chrome/Chromium executable; "" finds one (FindChrome).
	Path string
	// RemoteURL, when set, connects to a running browser's DevTools endpoint
	// (ws://host:port/devtools/browser/..., or http://host:port) instead of
	// launching one.
	RemoteURL string
	// Visible opens a visible window instead of running headless.
	Visible bool
	// ExtraFlags are added to the launch flags (name → value; true for a
	// bare switch).
	ExtraFlags map[string]any
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
	// Launch is how long starting (or connecting to) the browser took.
	Launch time.Duration
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
	if cfg.RemoteURL != "" {
		allocCtx, allocCancel = remote.NewAllocator(base, cfg.RemoteURL)
	} else {
		path, err := FindChrome(cfg.Path)
		if err != nil {
			baseCancel()
			return nil, err
		}
		allocCtx, allocCancel = chromedp.NewExecAllocator(base, launchOptions(path, cfg)...)
	}
	bctx, bcancel := chromedp.NewContext(allocCtx)
	cancel := func() { bcancel(); allocCancel(); baseCancel() }

	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	select {
	case err := <-done:
		if err != nil {
			cancel()
			if cfg.RemoteURL != "" {
				return nil, fmt.Errorf("connect to chrome at %s: %w", cfg.RemoteURL, err)
			}
			return nil, fmt.Errorf("launch chrome: %w", err)
		}
	case <-ctx.Done():
		cancel()
		return nil, fmt.Errorf("launch chrome: %w", ctx.Err())
	}
	return &Browser{ctx: bctx, cancel: cancel, remote: cfg.RemoteURL != "", Launch: time.Since(start)}, nil
}

// launchOptions are the flags for a browser that must stay inside the
// sandbox of a run: no background traffic to Google, no QUIC (which Fetch
// interception would not see), a fresh profile (chromedp makes a temporary
// user-data-dir), and no sandbox when running as root (Chrome refuses to
// start otherwise).
func launchOptions(path string, cfg ChromeConfig) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.ExecPath(path),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
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

// newTab opens a tab in a fresh browser context; cancel closes both.
func (b *Browser) newTab() (context.Context, context.CancelFunc) {
	return chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
}

// Close stops the browser (or disconnects from a remote one).
func (b *Browser) Close() error {
	if b == nil || b.cancel == nil {
		return nil
	}
	var err error
	if !b.remote { // a remote browser is not ours to stop: only disconnect
		err = chromedp.Cancel(b.ctx)
	}
	b.cancel()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("close chrome: %w", err)
	}
	return nil
}
