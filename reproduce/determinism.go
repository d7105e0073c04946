package reproduce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Determinism: the page must see the recorded environment (clock, screen,
// locale, timezone) and behave the same on every run (random numbers, no
// animations racing the steps).
//
// The clock. CDP offers Emulation.setVirtualTimePolicy, which pauses
// virtual time and advances it only under a budget the client feeds; timers,
// animation frames and network callbacks wait on that budget, which fights
// condition-based waiting on real responses (the mock may hold a response
// for the recorded latency) and makes a stuck budget look like an app hang.
// So the clock is shifted in JavaScript instead: Date and Date.now read
// StartTime + (real time elapsed since the session started), from
// performance.timeOrigin + performance.now(), so the clock is monotonic and
// consistent across navigations while timers keep running in real time.
// performance.now() itself is not shifted (it is relative anyway).
//
// Random numbers: Math.random is a mulberry32 PRNG seeded from Plan.Seed,
// restarted on every document (the same page sees the same sequence).
// crypto.getRandomValues is left alone (ids from it differ between runs;
// apps rarely branch on them).
//
// Animations: a style sheet turns off CSS animations, transitions and the
// caret blink on every document, and prefers-reduced-motion is emulated.
//
// The same script counts DOM mutations (window.__repro), which the runner
// uses to wait for a quiet DOM and to detect dead clicks.

// initScript is the JavaScript that runs before any script of every document.
func initScript(start time.Time, sessionStart time.Time, seed int64) string {
	offset := start.Sub(sessionStart).Milliseconds()
	if start.IsZero() {
		offset = 0
	}
	return strings.NewReplacer(
		"__OFFSET__", fmt.Sprint(offset),
		"__SEED__", fmt.Sprint(uint32(seed^(seed>>32))),
	).Replace(initJS)
}

const initJS = `(() => {
  if (window.__repro) return;
  const OFFSET = __OFFSET__;
  const perf = performance;
  const pnow = perf.now.bind(perf);
  const clock = () => Math.floor(perf.timeOrigin + pnow() + OFFSET);
  const RealDate = Date;
  function FakeDate(...args) {
    if (!new.target) return new RealDate(clock()).toString();
    return Reflect.construct(RealDate, args.length ? args : [clock()], new.target);
  }
  FakeDate.prototype = RealDate.prototype;
  FakeDate.now = clock;
  FakeDate.parse = RealDate.parse;
  FakeDate.UTC = RealDate.UTC;
  Object.defineProperty(FakeDate, 'name', {value: 'Date'});
  FakeDate.toString = () => 'function Date() { [native code] }';
  window.Date = FakeDate;

  let s = __SEED__ >>> 0;
  Math.random = function random() {
    s = (s + 0x6D2B79F5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const r = window.__repro = {mutations: 0, lastMutation: pnow(), doc: Math.floor(perf.timeOrigin * 1000) + ':' + pnow()};
  const style = document.createElement('style');
  style.textContent = '*,*::before,*::after{animation:none!important;transition:none!important;caret-color:transparent!important;scroll-behavior:auto!important}';
  const addStyle = () => {
    if (style.isConnected) return;
    const parent = document.head || document.documentElement;
    if (parent) parent.appendChild(style);
  };
  new MutationObserver(records => {
    let n = 0;
    for (const rec of records) {
      if (rec.addedNodes.length === 1 && rec.addedNodes[0] === style) continue;
      n++;
    }
    if (n) { r.mutations += n; r.lastMutation = pnow(); }
    addStyle();
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  addStyle();
  document.addEventListener('DOMContentLoaded', addStyle);
})();`

// applyEnvironment emulates the plan's screen, locale, timezone and user
// agent on the tab, and registers the init script for every new document.
func applyEnvironment(ctx context.Context, p Plan, sessionStart time.Time) error {
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: initScript(p.StartTime, sessionStart, p.Seed),
	}); err != nil {
		return fmt.Errorf("install init script: %w", err)
	}
	if err := setViewport(ctx, p.Viewport); err != nil {
		return err
	}
	if p.Timezone != "" {
		if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: p.Timezone}); err != nil {
			return fmt.Errorf("emulate timezone %q: %w", p.Timezone, err)
		}
	}
	if p.Locale != "" {
		// ICU wants en_US; browsers report en-US.
		if _, err := chromedp.Call(ctx, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: strings.ReplaceAll(p.Locale, "-", "_")}); err != nil {
			return fmt.Errorf("emulate locale %q: %w", p.Locale, err)
		}
	}
	if p.UserAgent != "" || p.Locale != "" {
		ua := p.UserAgent
		if ua == "" {
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent`))
			if err != nil {
				return fmt.Errorf("read user agent: %w", err)
			}
			ua = v
		}
		if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: ua, AcceptLanguage: p.Locale,
		}); err != nil {
			return fmt.Errorf("emulate user agent: %w", err)
		}
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
	}); err != nil {
		return fmt.Errorf("emulate reduced motion: %w", err)
	}
	return nil
}

// setViewport emulates a window of v (defaults: 1280x720 at scale 1).
func setViewport(ctx context.Context, v Viewport) error {
	if v.Width <= 0 || v.Height <= 0 {
		v.Width, v.Height = 1280, 720
	}
	if v.DeviceScaleFactor <= 0 {
		v.DeviceScaleFactor = 1
	}
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: int64(v.Width), Height: int64(v.Height), DeviceScaleFactor: v.DeviceScaleFactor, Mobile: v.Mobile,
		ScreenWidth: int64(v.Width), ScreenHeight: int64(v.Height),
	}); err != nil {
		return fmt.Errorf("emulate viewport %dx%d: %w", v.Width, v.Height, err)
	}
	return nil
}
