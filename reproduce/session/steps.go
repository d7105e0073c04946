package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/repro-dev/repro/reproduce/plan"
)

// This file is the one place where a plan.Step becomes browser actions. The
// runner (Execute) and generated regression tests both go through
// Session.Do, so a test replays exactly what the runner did.

// Do runs one step and waits for the page to settle (requests answered, DOM
// quiet), then takes a screenshot and records the result. A step that
// cannot be done returns a *StepError (see IsStepFailure) and marks the
// session stopped; any other error is infrastructure (browser gone, ctx
// cancelled).
func (s *Session) Do(ctx context.Context, st plan.Step) error {
	if s.cfg.Timing == TimingRecorded && st.Gap > 0 {
		sleep(ctx, st.Gap)
	}
	s.current.Store(int64(st.Index))
	if s.cfg.OnStep != nil {
		s.cfg.OnStep(st)
	}
	res := StepResult{Index: st.Index, Kind: st.Kind, Description: st.String(), StartedAt: time.Now()}
	s.targetBox = nil
	before := s.activity(ctx)

	reason, err := "", st.Validate()
	if err != nil {
		reason, err = err.Error(), nil
	} else {
		reason, err = s.perform(ctx, st, &res)
	}
	performed := time.Now()
	res.Box = s.targetBox
	if err != nil {
		return fmt.Errorf("step %d (%s): %w", st.Index, st.Kind, err)
	}
	var early *earlyShot
	if reason == "" {
		if st.Kind == plan.StepClick && st.JudgeDeadClick {
			s.mu.Lock()
			s.obs.Judged = append(s.obs.Judged, st.Index)
			s.mu.Unlock()
			s.judgeDeadClick(ctx, st, before, res.Selector)
		}
		// Settle: the step's requests answered, then the DOM quiet. A
		// request that starts while the DOM goes quiet (a route that
		// mounts, then fetches) is waited for too, and the quiet counted
		// again from its answer.
		s.net.waitIdle(ctx, s.cfg.Settle.NetworkIdle)
		fresh := s.net.requestsSeen() > before.requests
		if !fresh && s.shotPlanned(st) {
			// The step made no request, so no answer is left for the page
			// to handle: its DOM has most likely changed for the last time.
			// The screenshot begins now, beside the quiet wait, and is
			// kept only if nothing changed by the step's end.
			early = s.beginEarlyShot(ctx)
		}
		for range 4 {
			seen := s.net.requestsSeen()
			s.waitQuiet(ctx, fresh)
			if s.net.requestsSeen() == seen && s.net.pending() == 0 {
				break
			}
			s.net.waitIdle(ctx, s.cfg.Settle.NetworkIdle)
			fresh = true
		}
		// Requests still unanswered mean the step never settled: its DOM
		// count proves nothing (a stall is not a dead click).
		res.Unanswered = s.net.pending()
	}
	after := s.activity(ctx)
	res.Mutations, res.Requests, _ = changedSince(before, after)
	if s.wantShot(ctx, st, reason != "") {
		res.Screenshot = s.startScreenshot(ctx, st, after, early)
	}
	res.Duration = time.Since(res.StartedAt)
	s.log.Debug("step done", "step", st.Index, "kind", st.Kind, "took", res.Duration.Round(time.Millisecond),
		"action", performed.Sub(res.StartedAt).Round(time.Millisecond), "settle", time.Since(performed).Round(time.Millisecond))
	res.Status = StepOK
	if reason != "" {
		res.Status, res.Reason = StepFailed, reason
	}
	s.mu.Lock()
	s.obs.Steps = append(s.obs.Steps, res)
	if reason != "" && s.obs.StopReason == "" {
		s.obs.StoppedAt, s.obs.StopReason = st.Index, reason
	}
	s.mu.Unlock()
	if reason != "" {
		return &StepError{Index: st.Index, Reason: reason}
	}
	return nil
}

// perform does the step's action. It returns a reason when the step could
// not be done, or an error when the browser itself failed.
func (s *Session) perform(ctx context.Context, st plan.Step, res *StepResult) (string, error) {
	timeout := s.cfg.StepTimeout
	// The last step's screenshot is taken while this step waits for its
	// target (resolve joins it); a step that acts at once joins it now.
	if len(st.Selectors) == 0 || st.Kind == plan.StepNavigate || st.Kind == plan.StepBack || st.Kind == plan.StepForward || st.Kind == plan.StepResize {
		s.joinScreenshot()
	}
	// fail classifies an action error: the session's or the caller's
	// context ending is infrastructure; anything else is the step's fault.
	fail := func(what string, err error) (string, error) {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if lost := s.browserLost(err); lost != nil {
			return "", lost
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Sprintf("%s: timed out", what), nil
		}
		return fmt.Sprintf("%s: %v", what, err), nil
	}
	do := func(d time.Duration, what string, a ...chromedp.Action[chromedp.Void]) (string, error) {
		if _, err := run(s, ctx, d, chromedp.Steps(a...)); err != nil {
			return fail(what, err)
		}
		return "", nil
	}

	switch st.Kind {
	case plan.StepNavigate:
		u, err := s.AppURL(st.URL)
		if err != nil {
			return err.Error(), nil
		}
		// Only the app under test's own pages: a plan built elsewhere (or
		// edited) cannot send the browser to a script URL or another site.
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || origin(pu) != origin(s.app.base) {
			return fmt.Sprintf("refused to open %q: a rerun opens only the app under test's http(s) pages", u), nil
		}
		return do(3*timeout, "navigation error", chromedp.Navigate(u))

	case plan.StepBack, plan.StepForward:
		return s.history(ctx, st.Kind, fail)

	case plan.StepResize:
		v := s.plan.Viewport
		v.Width, v.Height = st.Width, st.Height
		if err := setViewport(s.tab, v); err != nil {
			return fail("resize", err)
		}
		return "", nil

	case plan.StepWait:
		if len(st.Selectors) == 0 {
			if s.cfg.Timing == TimingRecorded {
				sleep(ctx, st.Duration)
			}
			return "", nil
		}
		d := st.Duration
		if d <= 0 {
			d = timeout
		}
		sel, _, reason, err := s.resolve(ctx, st.Selectors, false, false, false, d)
		res.Selector = sel
		return reason, err
	}

	allowHidden := st.Kind == plan.StepCheck || st.Kind == plan.StepSelect
	usePoint := st.HasPoint && (st.Kind == plan.StepClick || st.Kind == plan.StepCheck)
	var sel string
	if len(st.Selectors) > 0 {
		var reason string
		var err error
		// A click waits until the element itself would get it.
		hit := st.Kind == plan.StepClick
		sel, usePoint, reason, err = s.resolve(ctx, st.Selectors, allowHidden, usePoint, hit, timeout)
		if reason != "" || err != nil {
			return reason, err
		}
	}
	res.Selector, res.UsedPoint = sel, usePoint && sel == ""
	css := chromedp.CSS(sel)

	switch st.Kind {
	case plan.StepClick:
		if res.UsedPoint {
			return do(timeout, "click", chromedp.MouseClickXY(st.X, st.Y))
		}
		return do(timeout, "click "+sel, s.click(sel))

	case plan.StepInput:
		// A real click focuses as the user did; selecting and deleting the
		// old text fires the input events frameworks listen to (setting
		// .value would bypass React's value tracker). A field the user's
		// own click (the step before) already focused is not clicked a
		// second time: the user did not, and a second click can toggle
		// what the first opened (a picker, a dropdown).
		// One call finds whether the field has the focus and, if it has,
		// selects its text for the typing to replace; a field without it
		// is clicked first and selected after.
		selectText := `(sel, onlyFocused) => {
			const el = document.querySelector(sel); if (!el) return 'gone';
			if (onlyFocused && document.activeElement !== el) return 'unfocused';
			const had = el.isContentEditable ? el.textContent !== '' : el.value !== '';
			if (el.select) el.select(); else if (el.isContentEditable) document.execCommand('selectAll');
			return had ? 'had text' : 'empty'; }`
		state, err := run(s, ctx, timeout, chromedp.Evaluate[string](callJS(selectText, sel, true)))
		if err != nil {
			return fail("focus "+sel, err)
		}
		s.log.Debug("input: focus", "already_focused", state == "had text" || state == "empty")
		if state == "unfocused" || state == "gone" { // gone: the click says how
			if r, err := do(timeout, "focus "+sel, s.click(sel)); r != "" || err != nil {
				return r, err
			}
			if state, err = run(s, ctx, timeout, chromedp.Evaluate[string](callJS(selectText, sel, false))); err != nil {
				return fail("clear "+sel, err)
			}
		}
		had := state == "had text"
		var acts []chromedp.Action[chromedp.Void]
		if had {
			acts = append(acts, s.pressKeys(kb.Backspace))
		}
		if st.Value != "" {
			acts = append(acts, s.pressKeys(st.Value))
		}
		// Typing takes two input events per character, each handled by
		// the page: the bound grows with the text.
		return do(timeout+time.Duration(utf8.RuneCountInString(st.Value))*100*time.Millisecond, "type into "+sel, acts...)

	case plan.StepSelect:
		// With no Value (the recorded choice was masked), pick an option
		// whose value is as long as the masked one, preferring a change
		// from the current choice, as the user made one.
		r, err := run(s, ctx, timeout, chromedp.Evaluate[string](callJS(`(sel, v, n) => {
			const el = document.querySelector(sel); if (!el) return 'element gone';
			if (!el.options) return 'not a <select>';
			const opts = [...el.options];
			let opt;
			if (v === '') {
				const sized = opts.filter(o => o.value.length === n);
				opt = sized.find(o => !o.selected) || sized[0];
				if (!opt) return 'no option value has the recorded length ' + n;
			} else {
				opt = opts.find(o => o.value === v) || opts.find(o => o.text.trim() === v);
			}
			if (!opt) return 'no option ' + JSON.stringify(v);
			el.focus(); el.value = opt.value; opt.selected = true;
			el.dispatchEvent(new Event('input', {bubbles: true}));
			el.dispatchEvent(new Event('change', {bubbles: true}));
			return ''; }`, sel, st.Value, st.Length)))
		if err != nil {
			return fail("select "+sel, err)
		}
		if r != "" {
			return fmt.Sprintf("select %s: %s", sel, r), nil
		}
		return "", nil

	case plan.StepCheck:
		if res.UsedPoint {
			return do(timeout, "check", chromedp.MouseClickXY(st.X, st.Y))
		}
		state, err := run(s, ctx, timeout, chromedp.Evaluate[string](callJS(`(sel) => {
			const el = document.querySelector(sel); if (!el) return 'gone';
			const r = el.getBoundingClientRect();
			return (el.checked ? 'on' : 'off') + (r.width > 0 && r.height > 0 ? '' : '-hidden'); }`, sel)))
		if err != nil {
			return fail("check "+sel, err)
		}
		on, hidden := strings.HasPrefix(state, "on"), strings.HasSuffix(state, "-hidden")
		if state == "gone" {
			return fmt.Sprintf("check %s: element gone", sel), nil
		}
		if on == *st.Checked {
			return "", nil
		}
		if hidden { // a styled checkbox: the input itself is hidden under its label
			return do(timeout, "check "+sel, chromedp.Evaluate[chromedp.Void](callJS(`(sel) => document.querySelector(sel).click()`, sel)))
		}
		return do(timeout, "check "+sel, s.click(sel))

	case plan.StepKey:
		key, ok := keyString(st.Key)
		if !ok {
			return fmt.Sprintf("key: unknown key %q", st.Key), nil
		}
		var acts []chromedp.Action[chromedp.Void]
		if sel != "" {
			acts = append(acts, chromedp.Focus(css))
		}
		acts = append(acts, s.pressKeys(key, modifiers(st.Modifiers)...))
		return do(timeout, "key "+st.Key, acts...)

	case plan.StepScroll:
		return s.scroll(ctx, st, sel, fail)
	}
	return fmt.Sprintf("unknown step kind %q", st.Kind), nil
}

// history goes back or forward with the page's own history API (which also
// works for pushState entries, where a load event never comes), then waits
// for the URL or document to change and the document to be loaded.
func (s *Session) history(ctx context.Context, kind plan.StepKind, fail func(string, error) (string, error)) (string, error) {
	before, err := s.pageState(ctx)
	if err != nil {
		return fail(string(kind), err)
	}
	js := `history.back()`
	if kind == plan.StepForward {
		js = `history.forward()`
	}
	if _, err := run(s, ctx, s.cfg.StepTimeout, chromedp.Evaluate[chromedp.Void](js)); err != nil {
		return fail(string(kind), err)
	}
	deadline := time.Now().Add(3 * s.cfg.StepTimeout)
	moved := false
	for time.Now().Before(deadline) && ctx.Err() == nil {
		st, err := s.pageState(ctx)
		if err == nil {
			moved = moved || st.Href != before.Href || st.Doc != before.Doc
			if moved && st.Ready == "complete" {
				return "", nil
			}
		}
		if !moved && time.Since(deadline.Add(-3*s.cfg.StepTimeout)) > 2*time.Second {
			return fmt.Sprintf("%s: no history entry to go to", kind), nil
		}
		sleep(ctx, 50*time.Millisecond)
	}
	return fail(string(kind), context.DeadlineExceeded)
}

// scroll brings the element (or the window) to the recorded offsets with a
// real mouse wheel at its center, so the app's own wheel and scroll
// listeners fire, then corrects the final offset exactly.
//
// A wheel stops at the end of the content. When the recorded offset lies
// past it and the app then adds content (an infinite list loading its next
// page as its end comes into view), the user went on scrolling: so does
// the rerun, with another wheel for the rest, up to maxWheels in all.
func (s *Session) scroll(ctx context.Context, st plan.Step, sel string, fail func(string, error) (string, error)) (string, error) {
	type geom struct {
		X, Y, SX, SY float64
	}
	target := "null"
	if !st.ScrollWindow {
		b, _ := json.Marshal(sel)
		target = string(b)
	}
	read := fmt.Sprintf(`((sel) => {
		if (sel === null) return {X: innerWidth / 2, Y: innerHeight / 2, SX: scrollX, SY: scrollY};
		const el = document.querySelector(sel); if (!el) return null;
		el.scrollIntoView({block: 'nearest', inline: 'nearest'});
		const r = el.getBoundingClientRect();
		const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
		const y = Math.min(Math.max(r.top + r.height / 2, 0), innerHeight - 1);
		return {X: x, Y: y, SX: el.scrollLeft, SY: el.scrollTop}; })(%s)`, target)
	// Wait in the page for the wheel's scroll (its scroll events; the wheel
	// may be animated) to get there, for at most a second, or to stop at
	// the end of the content short of it. There, wait for the page to
	// settle (an infinite list fetches and renders its next page) and say
	// whether the content grew.
	wait := callJS(`async (sel, x, y, ms, settleMs) => {
		const el = sel === null ? null : document.querySelector(sel);
		const cur = () => el ? [el.scrollLeft, el.scrollTop] : [scrollX, scrollY];
		const end = () => el ? [el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight]
			: [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight];
		const at = () => { const c = cur(); return Math.abs(c[0] - x) <= 1 && Math.abs(c[1] - y) <= 1; };
		const stuck = () => { const c = cur(), e = end(); return (x > c[0] + 1 && c[0] >= e[0] - 1) || (y > c[1] + 1 && c[1] >= e[1] - 1); };
		const scroller = el || document;
		const until = performance.now() + ms;
		while (!at() && !stuck() && performance.now() < until) {
			await new Promise(r => {
				const done = () => { scroller.removeEventListener('scroll', done); r(); };
				scroller.addEventListener('scroll', done);
				setTimeout(done, Math.max(0, until - performance.now()));
			});
		}
		if (at()) return 'there';
		if (!stuck()) return 'short';
		const e0 = end();
		if (window.__repro) await window.__repro.quiet(20, settleMs, true);
		const e1 = end();
		return e1[0] > e0[0] || e1[1] > e0[1] ? 'grew' : 'end';
	}`, json.RawMessage(target), st.ScrollX, st.ScrollY, 1000, 2000)
	const maxWheels = 5
	wheels, how := 0, ""
	for wheels < maxWheels {
		g, err := run(s, ctx, s.cfg.StepTimeout, chromedp.Evaluate[*geom](read))
		if err != nil {
			return fail("scroll", err)
		}
		if g == nil {
			return fmt.Sprintf("scroll %s: element gone", sel), nil
		}
		dx, dy := float64(st.ScrollX)-g.SX, float64(st.ScrollY)-g.SY
		if dx == 0 && dy == 0 {
			how = "there"
			break
		}
		// The pointer is over the element, as the user's was to wheel it.
		// cdproto omits zero deltas, which Chrome rejects for mouseWheel, so
		// the wheel is sent with explicit fields.
		wheel := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := callInOrder(ctx, s.browser.wire, t, []command{
				{"Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": g.X, "y": g.Y}},
				{"Input.dispatchMouseEvent", map[string]any{"type": "mouseWheel", "x": g.X, "y": g.Y, "deltaX": dx, "deltaY": dy}},
			})
			return err
		})
		if r, err := s.doActions(ctx, "scroll", fail, wheel); r != "" || err != nil {
			return r, err
		}
		wheels++
		how, err = run(s, ctx, s.cfg.StepTimeout+4*time.Second, chromedp.Evaluate[string](wait, chromedp.EvalAwaitPromise))
		if err != nil {
			if ctx.Err() != nil || s.browserLost(err) != nil {
				return fail("scroll", err)
			}
			// The document went away under the wait (the scroll led to
			// a navigation): the wheel was sent, as the user's was.
			s.log.Debug("scroll: offset", "wheels", wheels, "err", err)
			return "", nil
		}
		if how != "grew" {
			break
		}
	}
	if how == "there" {
		s.log.Debug("scroll: offset", "how", "the wheel got there", "wheels", wheels)
		return "", nil
	}
	// The wheel did not get there (content shorter, a listener prevented
	// it): set the offset. scrollTo fires the scroll event. A wheel scroll
	// that only starts after that (a loaded machine) must not carry the
	// offset past it, so the offset is held for a few frames.
	set := callJS(`async (sel, x, y) => {
		const el = sel === null ? null : document.querySelector(sel);
		const at = () => {
			const cur = el ? [el.scrollLeft, el.scrollTop] : [scrollX, scrollY];
			return Math.abs(cur[0] - x) <= 1 && Math.abs(cur[1] - y) <= 1;
		};
		const set = () => (el || window).scrollTo({left: x, top: y, behavior: 'instant'});
		set();
		const hold = performance.now() + 300;
		while (performance.now() < hold) {
			await new Promise(r => requestAnimationFrame(() => r()));
			if (!at()) set();
		}
		return at() ? 'set with scrollTo' : 'set with scrollTo as far as the content goes';
	}`, json.RawMessage(target), st.ScrollX, st.ScrollY)
	res, err := run(s, ctx, s.cfg.StepTimeout+2*time.Second, chromedp.Evaluate[string](set, chromedp.EvalAwaitPromise))
	if err != nil && (ctx.Err() != nil || s.browserLost(err) != nil) {
		return fail("scroll", err)
	}
	s.log.Debug("scroll: offset", "how", res, "wheels", wheels, "wheel", how, "err", err)
	return "", nil
}

func (s *Session) doActions(ctx context.Context, what string, fail func(string, error) (string, error), a ...chromedp.Action[chromedp.Void]) (string, error) {
	if _, err := run(s, ctx, s.cfg.StepTimeout, chromedp.Steps(a...)); err != nil {
		return fail(what, err)
	}
	return "", nil
}

// callJS is the expression that calls the JavaScript function fn with args
// (JSON-encoded, so selectors and values need no escaping).
func callJS(fn string, args ...any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			b = []byte("null")
		}
		parts[i] = string(b)
	}
	return "(" + fn + ")(" + strings.Join(parts, ", ") + ")"
}

// click clicks the element sel matches as chromedp.Click does — scrolled
// into view if needed (centered), a left button pressed and released at
// the center of its first box — in a few exchanges with the page instead
// of chromedp's eight or so (find the node, its box, its visibility,
// scroll, its quads, press, release): one call finds the element, scrolls
// it, measures it and arms the press-time hit check (window.__repro.aim);
// the press and the release then go out in order without a round trip
// between them; a last call reads how the press ended. A press the page
// moved away from the element (it reached something else) was stopped
// before the page saw it, and the click is measured and pressed again
// (after 20, 100, 100, 500 ms… as Playwright retries), until the step's
// time is up: "missed: a click at its centre reached div.toast". The
// step's target wait has already found the element attached, visible,
// enabled, stable and uncovered; one that is gone or has no box by now
// gets chromedp's own click, which waits for it as before.
func (s *Session) click(sel string) chromedp.Action[chromedp.Void] {
	type aim struct {
		X, Y    float64
		Verdict string `json:"verdict"`
		Reached string `json:"reached"`
	}
	backoff := []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond}
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		missed := "" // what the last press that was stopped reached
		gaveUp := func(err error) error {
			if missed != "" && ctx.Err() != nil {
				return fmt.Errorf("missed: a click at its centre reached %s, not the element (the page moved under it, or something lies over it once scrolled into view)", missed)
			}
			return err
		}
		for try := 0; ; try++ {
			a, err := chromedp.Evaluate[*aim](callJS(`(sel) => {
				const el = document.querySelector(sel); if (!el) return null;
				if (el.scrollIntoViewIfNeeded) el.scrollIntoViewIfNeeded(true); else el.scrollIntoView({block: 'center', inline: 'center'});
				const r = el.getClientRects()[0]; if (!r || r.width === 0 || r.height === 0) return null;
				const X = r.left + r.width / 2, Y = r.top + r.height / 2;
				const h = window.__repro && window.__repro.aim ? window.__repro.aim(el, X, Y) : {verdict: '', reached: ''};
				return {X, Y, verdict: h.verdict, reached: h.reached}; }`, sel))(ctx, t)
			if err != nil {
				return gaveUp(err)
			}
			if a == nil {
				_, err := chromedp.Click(chromedp.CSS(sel))(ctx, t)
				return err
			}
			if a.Verdict != "missed" {
				press := input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMousePressed, X: a.X, Y: a.Y, Button: input.MouseButtonLeft, ClickCount: 1}
				release := press
				release.Type = input.DispatchMouseEventTypeMouseReleased
				if _, err := callInOrder(ctx, s.browser.wire, t, []command{{input.CommandDispatchMouseEvent, press}, {input.CommandDispatchMouseEvent, release}}); err != nil {
					return gaveUp(err)
				}
				if a.Verdict != "armed" {
					return nil // no hit check in this document (no init script)
				}
				// The click may have navigated: a document without the
				// check, or none at all, says the press was not stopped.
				got, err := chromedp.Evaluate[*aim](`window.__repro && window.__repro.shot ? window.__repro.shot() : null`)(ctx, t)
				if err != nil && ctx.Err() != nil {
					return gaveUp(err)
				}
				if err != nil || got == nil || got.Verdict != "missed" {
					return nil
				}
				a = got
			}
			missed = a.Reached
			s.log.Debug("click: missed, again", "selector", sel, "reached", a.Reached, "try", try+1)
			sleep(ctx, backoff[min(try+1, len(backoff)-1)])
			if ctx.Err() != nil {
				return gaveUp(ctx.Err())
			}
		}
	})
}

// pressKeys types keys as a keyboard does: for each key a keyDown that
// carries the key's text, then a keyUp. Chrome derives the keypress and the
// text input from that keyDown, so a page that prevents the keydown (a tag
// field that takes Enter, a masked input) also prevents the keypress and
// the form's implicit submission — as for a person. (chromedp.KeyEvent
// sends a separate char event, which fires keypress whatever the keydown
// handler did: Enter in a tag field then submitted the form.) Characters
// the key table does not know are inserted as text. The events go out in
// order without a round trip each (callInOrder, ordered by the browser's
// protocol log), as a keyboard's do; the action ends once the page has
// handled them all.
func (s *Session) pressKeys(keys string, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		cmds := keyCommands(keys, mods...)
		ahead, err := callInOrder(ctx, s.browser.wire, t, cmds)
		s.log.Debug("keys: sent", "events", len(cmds), "sent_before_the_reply_before", ahead, "err", err)
		return err
	})
}

// keyCommands are the DevTools commands that type keys (see pressKeys).
func keyCommands(keys string, mods ...chromedp.Modifier) []command {
	var m int64
	for _, x := range mods {
		m |= int64(x)
	}
	var cmds []command
	for _, r := range keys {
		if r == '\n' {
			r = '\r'
		}
		k, ok := kb.Keys[r]
		if !ok {
			cmds = append(cmds, command{input.CommandInsertText, input.InsertTextParams{Text: string(r)}})
			continue
		}
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: k.Key, Code: k.Code,
			WindowsVirtualKeyCode: k.Windows, NativeVirtualKeyCode: k.Native, Modifiers: m}
		if k.Shift {
			down.Modifiers |= int64(chromedp.ModifierShift)
		}
		// Text only for a printable key without Ctrl/Alt/Meta (a
		// shortcut types nothing).
		if k.Print && m&^int64(chromedp.ModifierShift) == 0 {
			down.Type, down.Text, down.UnmodifiedText = input.DispatchKeyEventTypeKeyDown, k.Text, k.Unmodified
		}
		up := down
		up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		cmds = append(cmds, command{input.CommandDispatchKeyEvent, down}, command{input.CommandDispatchKeyEvent, up})
	}
	return cmds
}

// namedKeys maps DOM key names (as rrweb and Sentry record them) to the
// runes chromedp's kb package sends.
var namedKeys = map[string]string{
	"Enter": kb.Enter, "Escape": kb.Escape, "Esc": kb.Escape, "Tab": kb.Tab,
	"Backspace": kb.Backspace, "Delete": kb.Delete, " ": " ", "Space": " ", "Spacebar": " ",
	"ArrowUp": kb.ArrowUp, "ArrowDown": kb.ArrowDown, "ArrowLeft": kb.ArrowLeft, "ArrowRight": kb.ArrowRight,
	"Home": kb.Home, "End": kb.End, "PageUp": kb.PageUp, "PageDown": kb.PageDown,
}

// keyString is the kb string for a key name, or the key itself when it is
// a single character.
func keyString(name string) (string, bool) {
	if k, ok := namedKeys[name]; ok {
		return k, true
	}
	if r := []rune(name); len(r) == 1 {
		return name, true
	}
	return "", false
}

func modifiers(names []string) []chromedp.Modifier {
	var ms []chromedp.Modifier
	for _, n := range names {
		switch strings.ToLower(n) {
		case "alt", "option":
			ms = append(ms, chromedp.ModifierAlt)
		case "control", "ctrl":
			ms = append(ms, chromedp.ModifierCtrl)
		case "meta", "cmd", "command":
			ms = append(ms, chromedp.ModifierMeta)
		case "shift":
			ms = append(ms, chromedp.ModifierShift)
		}
	}
	return ms
}
