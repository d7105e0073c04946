package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/repro-dev/repro/reproduce/plan"
)

// The runner's waits. Each is one promise awaited in the page (the init
// script's window.__repro.quiet / find / alive, driven by a
// MutationObserver and the page's own timers), not a poll over the
// DevTools connection: a wait ends the moment its condition holds. A
// navigation destroys the promise with its document; the wait then asks
// the new document, until its deadline. Every wait is bounded, and the
// verbose log names what each waited for and how long.

// evalWait awaits a page promise, retrying in the next document when a
// navigation destroyed it, until d has passed. It returns the promise's
// value, or the error of the last attempt.
func evalWait[T any](s *Session, ctx context.Context, d time.Duration, expr func(left time.Duration) string) (T, error) {
	var zero T
	deadline := time.Now().Add(d)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return zero, context.DeadlineExceeded
		}
		v, err := run(s, ctx, left+time.Second, chromedp.Evaluate[T](expr(left), chromedp.EvalAwaitPromise))
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		if lost := s.browserLost(err); lost != nil {
			return zero, lost
		}
		// The document went away mid-wait (a navigation), or has no
		// __repro yet: ask again shortly, in the new document.
		if time.Until(deadline) <= 0 {
			return zero, err
		}
		sleep(ctx, 20*time.Millisecond)
	}
}

// waitQuiet waits until the DOM has had no mutation for Settle.Quiet and the
// document is loaded, at most Settle.QuietMax.
//
// With fresh set, the quiet period is also counted from the call: a
// response that was just delivered has not been handled by the page's
// scripts yet, so a DOM that was quiet before it proves nothing.
func (s *Session) waitQuiet(ctx context.Context, fresh bool) {
	start := time.Now()
	q := s.cfg.Settle.Quiet.Milliseconds()
	ok, err := evalWait[bool](s, ctx, s.cfg.Settle.QuietMax, func(left time.Duration) string {
		return fmt.Sprintf(`window.__repro ? window.__repro.quiet(%d, %d, %t) : false`, q, left.Milliseconds(), fresh)
	})
	s.log.Debug("wait: DOM quiet", "quiet_ms", q, "fresh", fresh, "ok", ok, "err", err, "took", time.Since(start).Round(time.Millisecond))
}

// found is what window.__repro.find returns.
type found struct {
	Index  int      `json:"index"`
	States []string `json:"states"`
	// Box is the element's box (x, y, width, height in CSS pixels of the
	// viewport) when it was found.
	Box []float64 `json:"box"`
	// Path is the page's URL path when none was found: a reason that
	// says where the page was tells a path that went elsewhere from a
	// page that changed.
	Path string `json:"path"`
	// Cover names the element on top of the chosen candidate when it was
	// covered (states "covered").
	Cover string `json:"cover"`
}

// resolve finds the first of the ranked candidates that matches an
// attached, visible, enabled and stable element, waiting for one up to d;
// with hit (a click), one that a click at its centre reaches. With a
// recorded point to fall back on it waits at most 2s (usePoint comes back
// true when nothing matched), unless the element matched and is covered:
// the point would reach the cover too, so that wait goes on up to d. The
// reason says why nothing matched.
func (s *Session) resolve(ctx context.Context, sels []string, allowHidden, hasPoint, hit bool, d time.Duration) (sel string, usePoint bool, reason string, err error) {
	start := time.Now()
	find := func(d time.Duration) (found, error) {
		return evalWait[found](s, ctx, d, func(left time.Duration) string {
			return `window.__repro ? ` + callJS(`(sels, hidden, ms, hit) => window.__repro.find(sels, hidden, ms, hit)`, sels, allowHidden, left.Milliseconds(), hit) + ` : {index: -1, states: []}`
		})
	}
	var f found
	if hasPoint && d > 2*time.Second {
		f, err = find(2 * time.Second)
		if err == nil && f.Index < 0 && slices.Contains(f.States, "covered") {
			f, err = find(d - time.Since(start))
		}
	} else {
		f, err = find(d)
	}
	if hasPoint && d > 2*time.Second && !slices.Contains(f.States, "covered") {
		d = 2 * time.Second // what the reason says it waited
	}
	s.log.Debug("wait: target", "selectors", len(sels), "index", f.Index, "took", time.Since(start).Round(time.Millisecond), "cover", f.Cover)
	s.joinScreenshot() // taken while the target was looked for; before acting on the page
	if err != nil && (ctx.Err() != nil || s.browserLost(err) != nil) {
		return "", false, "", err
	}
	if err == nil && f.Index >= 0 && f.Index < len(sels) {
		if len(f.Box) == 4 {
			s.targetBox = f.Box
		}
		return sels[f.Index], false, "", nil
	}
	where := ""
	if f.Path != "" {
		where = fmt.Sprintf(" (the page was at %s)", f.Path)
	}
	// Covered: the user's click reached the element; the rerun's would
	// reach another (nor would the recorded point).
	for i, st := range f.States {
		if st == "covered" && i < len(sels) {
			return "", false, fmt.Sprintf("element covered within %s: %s (a click at its centre reaches %s)%s", d, sels[i], f.Cover, where), nil
		}
	}
	if hasPoint {
		return "", true, "", nil
	}
	for _, want := range []string{"hidden", "disabled"} {
		for i, st := range f.States {
			if st == want && i < len(sels) {
				return "", false, fmt.Sprintf("element not %s within %s: %s%s", map[string]string{"hidden": "visible", "disabled": "enabled"}[want], d, sels[i], where), nil
			}
		}
	}
	return "", false, fmt.Sprintf("no element matched any of [%s] within %s%s", strings.Join(sels, ", "), d, where), nil
}

// sdkScrollWindow is how soon after a click a scroll counts as its effect
// (the SDK's SLOW_CLICK_SCROLL_TIMEOUT).
const sdkScrollWindow = 300 * time.Millisecond

// judgeDeadClick applies the SDK's dead-click rule to a click step the
// recorded failure names (plan.Step.JudgeDeadClick): only links (not downloads
// or new-window targets), buttons and submit/button inputs are judged; the
// click is alive at its first DOM mutation, or a scroll within 300 ms, and
// dead when neither came within the SDK's timeout (Settle.DeadClickWindow,
// 7 s as the SDK's slowClickTimeout). Mutations made by timer chains that
// began before the click (a toast closing: the rerun skips the user's think
// time, so it would close during the window) do not count, unless they came
// right after something the click began (the answer to a request it made,
// a timer it set). The wait ends at once when the click proves alive, and
// early when the run's verdict no longer depends on it (an error the
// recording names was already seen).
func (s *Session) judgeDeadClick(ctx context.Context, st plan.Step, before activity, sel string) {
	if sel == "" || !s.sdkJudges(ctx, sel) {
		s.log.Debug("wait: dead click not judged (the SDK judges only links, buttons and submit inputs)", "step", st.Index, "selector", sel)
		return
	}
	if s.decided() {
		s.log.Debug("wait: dead-click judge skipped: the verdict no longer depends on it", "step", st.Index)
		s.mu.Lock()
		s.obs.Undecided = append(s.obs.Undecided, st.Index)
		s.mu.Unlock()
		return
	}
	window := s.cfg.Settle.DeadClickWindow
	start := time.Now()
	type result struct {
		v   string
		err error
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		v, err := evalWait[string](s, wctx, window, func(left time.Duration) string {
			// A new document is a change too: the promise asked in it
			// sees a mutation count below the one taken before.
			return fmt.Sprintf(`(() => { const r = window.__repro; if (!r) return 'none';
				if (r.doc !== %q) return 'navigation';
				return r.alive(%d, %d, %f, %d, %d); })()`, before.doc, before.mutations, before.scrolls, before.now, left.Milliseconds(), sdkScrollWindow.Milliseconds())
		})
		done <- result{v, err}
	}()
	for {
		select {
		case r := <-done:
			s.log.Debug("wait: dead-click judge", "step", st.Index, "effect", r.v, "err", r.err, "took", time.Since(start).Round(time.Millisecond))
			if ctx.Err() != nil || (r.err != nil && !errors.Is(r.err, context.DeadlineExceeded)) {
				return
			}
			if r.v == "none" || (r.err != nil && errors.Is(r.err, context.DeadlineExceeded)) {
				s.mu.Lock()
				s.obs.DeadClicks = append(s.obs.DeadClicks, DeadClick{Step: st.Index, Selector: sel, Window: window})
				s.mu.Unlock()
			}
			return
		case <-s.errSeen:
			if s.decided() {
				s.log.Debug("wait: dead-click judge ended early: the verdict no longer depends on it", "step", st.Index, "took", time.Since(start).Round(time.Millisecond))
				s.mu.Lock()
				s.obs.Undecided = append(s.obs.Undecided, st.Index)
				s.mu.Unlock()
				return
			}
		}
	}
}

// sdkJudges reports whether the SDK judges clicks on the element (its
// ignoreElement in handleClick).
func (s *Session) sdkJudges(ctx context.Context, sel string) bool {
	ok, err := run(s, ctx, 2*time.Second, chromedp.Evaluate[bool](callJS(`(sel) => {
		const el = document.querySelector(sel); if (!el) return false;
		const n = el.closest('button,a') || el;
		if (n.tagName === 'BUTTON') return true;
		if (n.tagName === 'INPUT') return ['submit', 'button'].includes(n.getAttribute('type') || '');
		if (n.tagName === 'A') return !n.hasAttribute('download') && (!n.hasAttribute('target') || n.getAttribute('target') === '_self');
		return false; }`, sel)))
	return err == nil && ok
}

// browserLost is the error to end the run with when err, from a call on
// the tab while the run's own context was live, means the tab or the
// browser is gone: the tab's context ended, or the connection to the
// browser dropped (chromedp then fails the call with context.Canceled
// before the tab's context is cancelled). It is nil for an error of the
// page or of the step, which a verdict may rest on: a lost browser must
// never read as a step that failed (a "diverged" rerun).
func (s *Session) browserLost(err error) error {
	if s.tab.Err() != nil {
		return fmt.Errorf("browser: %w", s.tab.Err())
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("browser: %w", err)
	}
	return nil
}
