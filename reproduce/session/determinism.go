package session

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/repro-dev/repro/reproduce/plan"
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
// So the clock is shifted in JavaScript instead, as one timeline:
// performance.timeOrigin is moved to the recording's start (plus the real
// time the session had run when the document began), Date and Date.now
// read performance.timeOrigin + performance.now(), and timers, animation
// frames and event timestamps keep running in real time on that same
// timeline. So Date.now() === performance.timeOrigin + performance.now()
// everywhere (the Sentry SDK computes its timestamps that way), and the
// clock is monotonic across navigations.
//
// Random numbers: Math.random, crypto.getRandomValues and
// crypto.randomUUID draw from PRNGs seeded from plan.Plan.Seed, restarted on
// every document and worker (the same page sees the same sequence).
//
// Where: the script runs before any script of every document of the tab,
// its iframes included (site isolation is off in a browser repro launches,
// so cross-site iframes are in the tab's process too), and it is prepended
// to every dedicated, shared and service worker script the app serves
// (the network guard rewrites those responses). Blob and data workers are
// not covered.
//
// Animations: a style sheet turns off CSS animations, transitions and the
// caret blink on every document, and prefers-reduced-motion is emulated.
//
// WebSockets: fetch interception never sees them, so the script fails a
// WebSocket that would leave the app under test (layer 1; the proxy refuses
// its tunnel too, layer 2) and reports it to the session through a binding.
//
// The same script counts DOM mutations (window.__repro), which the runner
// uses to wait for a quiet DOM and to detect dead clicks.

// pageConfig is what the init script is told.
type pageConfig struct {
	// Offset is added to the real clock: the recording's start minus the
	// session's start (ms); 0 keeps the real clock.
	Offset int64 `json:"offset"`
	// Seed seeds the page's PRNGs.
	Seed uint32 `json:"seed"`
	// App is the app under test's origin; WebSockets may reach it (its
	// API paths excepted) and nothing else.
	App      string   `json:"app"`
	APIPaths []string `json:"apiPaths"`
	// Binding is the name of the function that reports a blocked socket.
	Binding string `json:"binding"`
}

// blockedBinding is the page function the init script calls for each
// WebSocket it failed.
const blockedBinding = "__reproBlocked"

func newPageConfig(p plan.Plan, sessionStart time.Time, app string) pageConfig {
	offset := p.StartTime.Sub(sessionStart).Milliseconds()
	if p.StartTime.IsZero() {
		offset = 0
	}
	return pageConfig{Offset: offset, Seed: uint32(p.Seed ^ (p.Seed >> 32)), App: app, APIPaths: p.APIPaths, Binding: blockedBinding}
}

// initScript is the JavaScript that runs before any script of every
// document.
func initScript(c pageConfig) string {
	return strings.Replace(coreJS, "__CONFIG__", configJSON(c), 1) + documentJS
}

// workerPrelude is prepended to worker scripts: the same clock, PRNGs and
// socket guard, without the DOM parts.
func workerPrelude(c pageConfig) string {
	return strings.Replace(coreJS, "__CONFIG__", configJSON(c), 1)
}

func configJSON(c pageConfig) string {
	if c.APIPaths == nil {
		c.APIPaths = []string{}
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "{}"
	}
	return string(b)
}

// coreJS runs in documents and workers alike.
const coreJS = `(() => {
  const G = globalThis;
  if (G.__repro) return;
  const C = __CONFIG__;
  const perf = G.performance;
  const pnow = perf.now.bind(perf);
  const origin = perf.timeOrigin + C.offset;
  try { Object.defineProperty(perf, 'timeOrigin', {get: () => origin, configurable: true, enumerable: true}); } catch (e) {}
  const clock = () => Math.floor(origin + pnow());
  const RealDate = G.Date;
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
  G.Date = FakeDate;

  const prng = (seed) => {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6D2B79F5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    };
  };
  const nextMath = prng(C.seed);
  Math.random = function random() { return nextMath() / 4294967296; };
  const cr = G.crypto;
  if (cr && cr.getRandomValues) {
    const nextByte = prng(C.seed ^ 0x9E3779B9);
    const realGRV = cr.getRandomValues.bind(cr);
    const fill = (arr) => {
      realGRV(arr); // the real checks: type, quota
      const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
      for (let i = 0; i < bytes.length; i++) bytes[i] = nextByte() & 0xff;
      return arr;
    };
    Object.defineProperty(cr, 'getRandomValues', {value: function getRandomValues(arr) { return fill(arr); }, configurable: true, writable: true});
    if (cr.randomUUID) {
      Object.defineProperty(cr, 'randomUUID', {value: function randomUUID() {
        const b = fill(new Uint8Array(16));
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
        return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
      }, configurable: true, writable: true});
    }
  }

  const RealWS = G.WebSocket;
  if (RealWS) {
    const allowed = (raw) => {
      try {
        const u = new URL(raw, G.location && G.location.href);
        const app = new URL(C.app);
        const as = u.protocol === 'ws:' ? 'http:' : u.protocol === 'wss:' ? 'https:' : u.protocol;
        if (as !== app.protocol || u.host !== app.host) return false;
        return !C.apiPaths.some(p => p && u.pathname.startsWith(p));
      } catch (e) { return false; }
    };
    class BlockedSocket extends EventTarget {
      constructor(url, protocols) {
        super();
        const own = {url: String(url), protocol: '', extensions: '', bufferedAmount: 0, binaryType: 'blob', readyState: 0,
          onopen: null, onmessage: null, onerror: null, onclose: null};
        for (const k in own) Object.defineProperty(this, k, {value: own[k], writable: true, enumerable: true});
        setTimeout(() => {
          this.readyState = 3;
          const err = new Event('error');
          if (typeof this.onerror === 'function') this.onerror(err);
          this.dispatchEvent(err);
          const close = new CloseEvent('close', {code: 1006, reason: '', wasClean: false});
          if (typeof this.onclose === 'function') this.onclose(close);
          this.dispatchEvent(close);
        }, 0);
      }
      send() { if (this.readyState === 0) throw new DOMException("Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.", 'InvalidStateError'); }
      close() {}
    }
    Object.setPrototypeOf(BlockedSocket.prototype, RealWS.prototype);
    G.WebSocket = new Proxy(RealWS, {construct(target, args, newTarget) {
      if (allowed(args[0])) return Reflect.construct(target, args, newTarget);
      try { if (typeof G[C.binding] === 'function') G[C.binding](JSON.stringify({kind: 'websocket', url: String(args[0])})); } catch (e) {}
      return new BlockedSocket(args[0], args[1]);
    }});
  }
  // mark is the console's own debug, taken before any app script (an SDK)
  // wraps it: Session.drainConsole logs a token with it, which only the
  // runner reads.
  G.__repro = {mutations: 0, lastMutation: pnow(), doc: Math.floor(origin * 1000) + ':' + pnow(),
    mark: typeof console === 'object' && typeof console.debug === 'function' ? console.debug.bind(console) : () => {}};
})();
`

// documentJS adds the DOM parts: no animations, the mutation counter, and
// the waits the runner awaits in the page (one promise per wait, not a poll
// over the DevTools connection): a quiet DOM, a target ready to act on, a
// click's first effect. They use the timers and observers as the page had
// them before any app script ran, so an app's wrappers (zone.js) neither
// see nor delay them.
const documentJS = `(() => {
  const r = window.__repro;
  if (!r || r.observing) return;
  r.observing = true;
  const pnow = performance.now.bind(performance);
  const later = window.setTimeout.bind(window);
  const cancel = window.clearTimeout.bind(window);
  const MO = window.MutationObserver;
  const style = document.createElement('style');
  style.textContent = '*,*::before,*::after{animation:none!important;transition:none!important;caret-color:transparent!important;scroll-behavior:auto!important}';
  const addStyle = () => {
    if (style.isConnected) return;
    const parent = document.head || document.documentElement;
    if (parent) parent.appendChild(style);
  };
  const waiters = new Set();
  const wake = () => { for (const w of [...waiters]) w(); };

  // Timer chains: every timer callback knows when its chain began (a
  // timer set inside a timer's callback continues that chain), and when it
  // ran. A judged click counts no mutation that came within 100 ms after a
  // callback of a chain that began before the click — the framework's
  // re-render it caused lands in a microtask or the next task: the rerun
  // skips the user's think time, so a toast that closed long before the
  // user's click would otherwise close during the dead-click window and
  // pass for its effect.
  let chain = 0;
  const batches = [], fires = [];
  const keep = (list, x) => { list.push(x); if (list.length > 5000) list.shift(); };
  const wrapTimer = (real) => function (fn, ms, ...args) {
    if (typeof fn !== 'function') return real.call(window, fn, ms, ...args);
    const origin = chain || pnow();
    return real.call(window, function () {
      keep(fires, {at: pnow(), origin});
      const prev = chain;
      chain = origin;
      try { return fn.apply(this, arguments); } finally { chain = prev; }
    }, ms, ...args);
  };
  window.setTimeout = wrapTimer(window.setTimeout);
  window.setInterval = wrapTimer(window.setInterval);
  // sinceOwn: the mutations after count m0 not caused by a timer chain
  // older than t0. A batch that came within 100 ms after something the
  // click began (the app's answer to a request made since t0, a callback
  // of a timer chain begun since t0) is the click's effect even when an
  // old chain's timer also fired then (an SDK's flush timer, a clock, a
  // toast closing): a busy page or a loaded machine brings them together.
  r.sinceOwn = (m0, t0) => {
    const near = (x, b) => x.at <= b.at && b.at <= x.at + 100;
    let n = 0;
    for (const b of batches) {
      if (b.after <= m0) continue;
      const fresh = answers.some(a => a.start >= t0 && near(a, b)) || fires.some(f => f.origin >= t0 && near(f, b));
      if (!fresh && fires.some(f => f.origin < t0 && near(f, b))) continue;
      n += b.n;
    }
    return n;
  };
  // The page's own requests in flight, counted from the call until the
  // app has its answer: fetch until its promise settles, then every body
  // read (json, text, …) until it settles; XMLHttpRequest until loadend,
  // which fires after the app's load handlers. The browser's network
  // events say when a response arrived, not when the page handled it.
  r.netBusy = 0; r.lastNet = 0;
  const answers = [];
  const netStart = () => { r.netBusy++; return pnow(); };
  const netEnd = (start) => { r.netBusy--; r.lastNet = pnow(); keep(answers, {start, at: r.lastNet}); wake(); };
  const track = (p) => { const start = netStart(); const end = () => netEnd(start); p.then(end, end); return p; };
  const native = (f, name) => { Object.defineProperty(f, 'toString', {value: () => 'function ' + name + '() { [native code] }', configurable: true, writable: true}); return f; };
  if (typeof window.fetch === 'function') {
    const realFetch = window.fetch;
    window.fetch = native(function fetch(...args) { return track(realFetch.apply(this, args)); }, 'fetch');
  }
  if (window.Response) {
    for (const m of ['json', 'text', 'arrayBuffer', 'blob', 'formData', 'bytes']) {
      const real = Response.prototype[m];
      if (typeof real !== 'function') continue;
      Response.prototype[m] = native({[m](...args) { return track(real.apply(this, args)); }}[m], m);
    }
  }
  if (window.XMLHttpRequest) {
    const realSend = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = native(function send(...args) {
      const start = netStart();
      let ended = false;
      const end = () => { if (!ended) { ended = true; netEnd(start); } };
      this.addEventListener('loadend', end);
      try { return realSend.apply(this, args); } catch (e) { end(); throw e; }
    }, 'send');
  }
  r.scrolls = 0;
  const describe = (rec) => {
    const t = rec.target, name = t && t.nodeType === 1 ? t.tagName.toLowerCase() : t ? t.nodeName : '?';
    return rec.type + (rec.attributeName ? ' ' + rec.attributeName : '') + ' on ' + name;
  };
  // Only the mutations the SDK's recorder would record count (the SDK
  // judges dead clicks by those): not an attribute or text set to the
  // value it had, not comments (Sentry records with slimDOM, which drops
  // them; frameworks keep their anchors in comments), not a node added and
  // removed again before the batch is delivered.
  const real = (nodes) => {
    for (const x of nodes) if (x !== style && x.nodeType !== 8 && (x.isConnected || x.parentNode === null)) return true;
    return false;
  };
  const counts = (rec) => {
    switch (rec.type) {
      case 'attributes': return rec.target.getAttribute(rec.attributeName) !== rec.oldValue;
      case 'characterData': return rec.target.data !== rec.oldValue;
      default: return real([...rec.addedNodes].filter(x => x.isConnected)) || real(rec.removedNodes);
    }
  };
  const handle = (records) => {
    let n = 0;
    for (const rec of records) {
      if (!counts(rec)) continue;
      if (!n) r.lastRecord = describe(rec);
      n++;
    }
    if (n) {
      r.mutations += n; r.lastMutation = pnow();
      keep(batches, {after: r.mutations, n, at: r.lastMutation});
      wake();
    }
    addStyle();
  };
  new MO(handle).observe(document, {subtree: true, childList: true, attributes: true, characterData: true, attributeOldValue: true, characterDataOldValue: true});
  addEventListener('scroll', () => { r.scrolls++; r.lastScroll = pnow(); wake(); }, {capture: true, passive: true});
  addStyle();
  document.addEventListener('DOMContentLoaded', addStyle);
  document.addEventListener('readystatechange', wake);

  // wait resolves with test()'s first truthy result, re-testing on every
  // mutation, scroll and ready-state change and every 'every' ms (a number,
  // or a function saying how long until the test can next pass), or with
  // test()'s last result once ms have passed. With frame set, it also
  // re-tests at each animation frame.
  const raf = window.requestAnimationFrame ? window.requestAnimationFrame.bind(window) : null;
  const caf = window.cancelAnimationFrame ? window.cancelAnimationFrame.bind(window) : () => {};
  const wait = (test, ms, every, frame) => new Promise(resolve => {
    const start = pnow();
    let timer = 0, tick = 0, fr = 0;
    const done = (v) => { waiters.delete(check); cancel(timer); cancel(tick); caf(fr); resolve(v); };
    const check = () => {
      const v = test();
      if (v) return done(v);
      if (pnow() - start >= ms) return done(v);
    };
    const delay = () => typeof every === 'function' ? Math.max(1, every()) : every;
    const poll = () => { check(); if (waiters.has(check)) tick = later(poll, delay()); };
    const onFrame = () => { check(); if (waiters.has(check)) fr = raf(onFrame); };
    waiters.add(check);
    timer = later(() => done(test()), ms);
    check();
    if (!waiters.has(check)) return;
    tick = later(poll, delay());
    if (frame && raf) fr = raf(onFrame);
  });

  // quiet: the document is loaded, none of its requests is waiting for
  // the app to take its answer, and neither the DOM nor a request has
  // changed for ms (counted from the call too when fresh: a response the
  // browser just delivered may not have reached the page yet); at most
  // max ms. The page's timers measure it, so a busy page (a long render)
  // delays the check rather than passing it.
  r.quiet = (ms, max, fresh) => {
    const start = pnow();
    const last = () => Math.max(r.lastMutation, r.lastNet, fresh ? start : 0);
    return wait(() => document.readyState === 'complete' && r.netBusy <= 0 && pnow() - last() >= ms,
      max, () => last() + ms - pnow());
  };

  // state of one selector: ok, hidden, disabled, missing, invalid.
  const state = (sel) => {
    let el;
    try { el = document.querySelector(sel); } catch (e) { return 'invalid'; }
    if (!el) return 'missing';
    const b = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if ((b.width === 0 && b.height === 0) || cs.visibility === 'hidden' || cs.display === 'none') return 'hidden';
    if (el.disabled) return 'disabled';
    return 'ok';
  };
  // coveredBy names the element a click at el's centre (the centre of its
  // first box, where the runner clicks) would reach instead of el: another
  // element on top of it (a toast, a banner, an overlay). '' when the
  // point reaches el, a child of it or an ancestor (an element that lets
  // clicks through), or lies outside the viewport (the click scrolls it
  // into view first).
  const coveredBy = (el) => {
    const b = el.getClientRects()[0];
    if (!b) return '';
    const x = b.left + b.width / 2, y = b.top + b.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return '';
    const top = document.elementFromPoint(x, y);
    if (!top || reaches(el, top)) return '';
    return nameOf(top);
  };
  // reaches: a click that lands on n reaches el: n is el, a child of it,
  // or an ancestor (one that lets el's clicks through to it).
  const reaches = (el, n) => n === el || el.contains(n) || n.contains(el);
  const nameOf = (e) => e && e.tagName ? (e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList && e.classList[0] ? '.' + e.classList[0] : '')).slice(0, 80) : String(e);

  // The press-time hit check (as Playwright's hit target interception): a
  // click measures its target in one exchange and presses at that point
  // in the next, and a page that moves in between (a layout shift, a
  // toast that goes) takes the press somewhere else. aim(el, x, y) arms
  // the check for the press at x, y: the first event of the click says
  // what it reached; when that is not el, a child of el, or what the
  // point reached when it was aimed (an ancestor that takes el's clicks),
  // it and the rest of the click are stopped before any of the page's
  // listeners sees them. shot() disarms it and says how the press ended
  // ('hit', 'missed' and what it reached, or '' when no event of it came
  // to this document). aim returns a miss at once when the point already
  // reaches something else.
  const on = window.addEventListener.bind(window), off = window.removeEventListener.bind(window);
  const clickEvents = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'dblclick', 'auxclick', 'contextmenu'];
  let armed = null;
  r.aim = (el, x, y) => {
    r.shot();
    const at = document.elementFromPoint(x, y);
    const takes = (n) => !!n && (n === el || el.contains(n) || n === at);
    if (at && !reaches(el, at)) return {verdict: 'missed', reached: nameOf(at)};
    const st = {verdict: '', reached: ''};
    st.handle = (e) => {
      if (!e.isTrusted) return;
      if (!st.verdict) {
        const path = e.composedPath ? e.composedPath() : [e.target];
        const t = path[0];
        const n = t && t.nodeType === 1 ? t : t && t.parentElement;
        st.verdict = path.includes(el) || takes(n) ? 'hit' : 'missed';
        if (st.verdict === 'missed') st.reached = nameOf(n);
      }
      if (st.verdict === 'missed') { e.preventDefault(); e.stopImmediatePropagation(); }
    };
    for (const t of clickEvents) on(t, st.handle, true);
    armed = st;
    return {verdict: 'armed', reached: ''};
  };
  r.shot = () => {
    const st = armed;
    armed = null;
    if (!st) return {verdict: '', reached: ''};
    for (const t of clickEvents) off(t, st.handle, true);
    return {verdict: st.verdict, reached: st.reached};
  };
  // find: the first candidate that is attached, visible (unless hidden is
  // allowed), enabled and stable (the same box on two tests in a row, the
  // second at the next animation frame at the latest); with hit, also the
  // element a click at its centre reaches (as Playwright's "receives
  // events"): a candidate under another element is waited for, not
  // passed over for the next candidate (it is the same element, most
  // likely) nor clicked through.
  r.find = (sels, allowHidden, ms, hit) => {
    let last = null, states = [], cover = '';
    return wait(() => {
      states = sels.map(state);
      const i = states.findIndex(st => st === 'ok' || (allowHidden && st === 'hidden'));
      if (i < 0) { last = null; return false; }
      const el = document.querySelector(sels[i]);
      if (hit && states[i] === 'ok') {
        cover = coveredBy(el);
        if (cover) { states[i] = 'covered'; last = null; return false; }
      }
      const b = el.getBoundingClientRect();
      const box = [i, b.x, b.y, b.width, b.height].join(',');
      const stable = box === last;
      last = box;
      return stable ? {index: i, states, box: [b.x, b.y, b.width, b.height]} : false;
    }, ms, 16, true).then(v => v || {index: -1, states, path: location.pathname, cover});
  };

  // alive: the first effect after a click that the SDK counts — a DOM
  // mutation, or a scroll within scrollMs — since the counts m0, s0 taken
  // before it; 'none' after ms.
  r.alive = (m0, s0, t0, ms, scrollMs) => wait(() => {
    if (r.sinceOwn(m0, t0) > 0) return 'mutation: ' + r.lastRecord;
    if (r.scrolls > s0 && r.lastScroll - t0 <= scrollMs) return 'scroll';
    return false;
  }, ms, 100).then(v => v || 'none');
})();
`

// applyEnvironment emulates the plan's screen, locale, timezone and user
// agent on the tab, and registers the init script for every new document.
func applyEnvironment(ctx context.Context, p plan.Plan, c pageConfig) error {
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: initScript(c),
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
func setViewport(ctx context.Context, v plan.Viewport) error {
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
