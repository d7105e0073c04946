package plan

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/repro-dev/repro/reproduce/replay"
)

// Options tunes Build.
type Options struct {
	// Inputs gives values for fields, keyed by CSS selector (--input
	// '#email=dana@example.com'). A key matches a step whose selectors
	// include it. Masked fields without a value get a placeholder.
	Inputs map[string]string
	// Seed seeds the page's Math.random; 0 derives it from the replay id,
	// so the same replay always runs with the same sequence.
	Seed int64
	// APIPaths are path prefixes answered by the mock backend on the app's
	// own origin; nil means every path a recorded fetch/XHR used (by its
	// first segment, e.g. "/api/").
	APIPaths []string
}

// causedByClick is how soon after a click a page load counts as the click's
// effect (following a link), not as a separate step.
const causedByClick = 2 * time.Second

// appNavigationWindow is how soon after a user action or a response a
// history move or a load counts as the app's own (see appMade in
// Build). A person pressing the browser's Back button takes longer.
const appNavigationWindow = time.Second

// mergeClickAndCheck keeps one step for one click on a box: the recording
// holds the click and the box's new state a moment apart, and the check
// step (which clicks only when the box is not yet in the recorded state)
// does both. Indices are renumbered.
func mergeClickAndCheck(steps []Step) []Step {
	out := steps[:0]
	for i, s := range steps {
		if s.Kind == StepClick && i+1 < len(steps) {
			n := steps[i+1]
			if n.Kind == StepCheck && n.Offset-s.Offset <= sameActionWindow && len(s.Selectors) > 0 && slices.Contains(n.Selectors, s.Selectors[0]) {
				continue
			}
		}
		out = append(out, s)
	}
	var last time.Duration
	for i := range out {
		out[i].Index = i
		if i > 0 {
			out[i].Gap = out[i].Offset - last
		}
		last = out[i].Offset
	}
	return out
}

// sameActionWindow bounds the gap between two recordings of one action.
const sameActionWindow = 100 * time.Millisecond

// unsafeNavigation says why a recorded navigation is not one a rerun may
// make ("" when it may): only http(s) pages of the recorded origin (which
// the rerun maps onto the app under test). javascript:, data:, file:,
// chrome: and the rest would run or open things no user step can.
func unsafeNavigation(raw, origin string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "not a URL"
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return "not an absolute URL"
	default:
		return "the " + strings.ToLower(u.Scheme) + ": scheme is never opened by a rerun"
	}
	if o, err := originOf(raw); err != nil || !strings.EqualFold(o, origin) {
		return "another origin than the recorded app's (" + origin + ")"
	}
	return ""
}

// safeURLText shortens a recorded URL for messages (a crafted one can be
// long); escaping is the sink's job.
func safeURLText(s string) string {
	if r := []rune(s); len(r) > 120 {
		return string(r[:120]) + "…"
	}
	return s
}

func appendUnique(dst []string, src ...string) []string {
	for _, s := range src {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

// selectorKindRank orders selector candidates: stable, author-given hooks
// first, structure last.
var selectorKindRank = []string{"id", "testid", "component", "name", "role", "href", "class", "path", "nth"}

// Build turns a replay's timeline into the steps a rerun executes: the recorded
// environment (viewport, user agent, locale, timezone, start time) and one
// step per click, input, key, scroll, resize, back and forward. Navigations
// the app made itself (pushState after a click, a link followed) are not
// steps: replaying the click makes them happen.
func Build(tl *replay.Timeline, opts Options) (*Plan, error) {
	if tl.InitialURL == "" {
		return nil, fmt.Errorf("replay %s: no page URL was recorded, so there is no page to open", tl.ReplayID)
	}
	origin, err := originOf(tl.InitialURL)
	if err != nil {
		return nil, fmt.Errorf("replay %s: initial URL %q: %w", tl.ReplayID, safeURLText(tl.InitialURL), err)
	}
	if !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
		return nil, fmt.Errorf("replay %s: the first page, %s, is not an http(s) page, so there is nothing a rerun could open", tl.ReplayID, safeURLText(tl.InitialURL))
	}
	p := &Plan{
		ReplayID:       tl.ReplayID,
		StartURL:       tl.InitialURL,
		RecordedOrigin: origin,
		Viewport:       Viewport{Width: tl.Viewport.Width, Height: tl.Viewport.Height, DeviceScaleFactor: 1},
		UserAgent:      tl.UserAgent,
		Locale:         tl.Locale,
		Timezone:       tl.Timezone,
		StartTime:      tl.Start,
		Seed:           opts.Seed,
		APIPaths:       opts.APIPaths,
	}
	if p.Seed == 0 {
		h := fnv.New64a()
		h.Write([]byte(tl.ReplayID))
		p.Seed = int64(h.Sum64() >> 1)
	}
	apiOrigins := map[string]bool{}
	paths := map[string]bool{}
	for _, ev := range tl.Events {
		if ev.Kind != replay.KindNetwork {
			continue
		}
		o, err := originOf(ev.Network.URL)
		if err != nil {
			continue
		}
		if o != origin {
			apiOrigins[o] = true
		} else if opts.APIPaths == nil {
			paths[firstPathSegment(ev.Network.Path)] = true
		}
	}
	for o := range apiOrigins {
		p.APIOrigins = append(p.APIOrigins, o)
	}
	slices.Sort(p.APIOrigins)
	if opts.APIPaths == nil {
		for s := range paths {
			p.APIPaths = append(p.APIPaths, s)
		}
		slices.Sort(p.APIPaths)
	}

	var lastClick, lastAction, lastResponse, lastStep time.Duration = -1, -1, -1, 0
	first := true
	add := func(ev replay.Event, s Step) {
		s.Index = len(p.Steps)
		s.Offset = ev.Offset
		s.Gap = ev.Offset - lastStep
		lastStep = ev.Offset
		p.Steps = append(p.Steps, s)
	}
	// appMade reports whether a navigation at off is the app's doing: it
	// came right after a user action (a handler called history.back(), a
	// router redirected on submit) or right after a response arrived (a
	// redirect once the login answered). Replaying the action or the
	// response makes it happen again; replaying it too would move twice.
	appMade := func(off time.Duration) bool {
		return (lastAction >= 0 && off-lastAction <= appNavigationWindow) || (lastResponse >= 0 && off-lastResponse <= appNavigationWindow && off >= lastResponse)
	}
	for _, ev := range tl.Events {
		switch ev.Kind {
		case replay.KindNetwork:
			if end := ev.Offset + ev.Network.Duration; end > lastResponse {
				lastResponse = end
			}
		case replay.KindNavigation:
			n := ev.Navigation
			if why := unsafeNavigation(n.URL, origin); why != "" && (first || n.Via == replay.ViaLoad) {
				// A plan does only what a user could: open the app's own
				// http(s) pages. A crafted recording can name any URL.
				p.Dropped = append(p.Dropped, fmt.Sprintf("navigation at %s to %s: %s", replay.FormatDuration(ev.Offset), safeURLText(n.URL), why))
				first = false
				continue
			}
			switch {
			case first:
				first = false
				add(ev, Step{Kind: StepNavigate, URL: n.URL, Description: "open " + replay.DisplayURL(n.URL, tl.InitialURL)})
			case n.Via == replay.ViaBack && !appMade(ev.Offset):
				add(ev, Step{Kind: StepBack, Description: "go back to " + replay.DisplayURL(n.URL, tl.InitialURL)})
			case n.Via == replay.ViaForward && !appMade(ev.Offset):
				add(ev, Step{Kind: StepForward, Description: "go forward to " + replay.DisplayURL(n.URL, tl.InitialURL)})
			case n.Via == replay.ViaLoad && (lastClick < 0 || ev.Offset-lastClick > causedByClick) && !appMade(ev.Offset):
				add(ev, Step{Kind: StepNavigate, URL: n.URL, Description: "open " + replay.DisplayURL(n.URL, tl.InitialURL)})
			}
		case replay.KindClick:
			c := ev.Click
			lastAction = ev.Offset
			s := Step{Kind: StepClick, Selectors: Selectors(c.Target), Description: "click " + replay.DescribeTarget(c.Target)}
			if c.Hit != nil {
				// The element the user actually hit first (a heading inside
				// a link card), then the one the SDK judged the click by.
				s.Selectors = appendUnique(Selectors(*c.Hit), s.Selectors...)
			}
			// The recorded point is a last resort for targets no selector
			// can find. When unique selectors existed and none matches in
			// the rerun, the element is gone: clicking whatever sits at
			// the old coordinates would hide that divergence.
			if len(s.Selectors) == 0 && (c.X != 0 || c.Y != 0) {
				s.X, s.Y, s.HasPoint = c.X, c.Y, true
			}
			lastClick = ev.Offset
			add(ev, s)
		case replay.KindInput:
			lastAction = ev.Offset
			add(ev, inputStep(ev.Input, opts.Inputs))
		case replay.KindKey:
			k := ev.Key
			lastAction = ev.Offset
			s := Step{Kind: StepKey, Key: k.Key, Description: "press " + replay.KeyCombo(k)}
			if k.Inferred != "" {
				where := ""
				if k.Target != nil {
					where = " in " + replay.DescribeTarget(*k.Target)
				}
				s.Description = "press " + replay.KeyCombo(k) + where + " (inferred: " + k.Inferred + ")"
				s.Inferred = k.Inferred
			}
			for _, m := range []struct {
				on   bool
				name string
			}{{k.Alt, "Alt"}, {k.Ctrl, "Control"}, {k.Meta, "Meta"}, {k.Shift, "Shift"}} {
				if m.on {
					s.Modifiers = append(s.Modifiers, m.name)
				}
			}
			if k.Target != nil {
				s.Selectors = Selectors(*k.Target)
			}
			add(ev, s)
		case replay.KindScroll:
			sc := ev.Scroll
			s := Step{Kind: StepScroll, ScrollX: sc.X, ScrollY: sc.Y}
			if sc.Target == nil {
				s.ScrollWindow = true
				s.Description = fmt.Sprintf("scroll the page to y=%d", sc.Y)
			} else {
				s.Selectors = Selectors(*sc.Target)
				s.Description = fmt.Sprintf("scroll %s to y=%d", replay.DescribeTarget(*sc.Target), sc.Y)
			}
			add(ev, s)
		case replay.KindResize:
			add(ev, Step{Kind: StepResize, Width: ev.Resize.Width, Height: ev.Resize.Height,
				Description: fmt.Sprintf("resize to %dx%d", ev.Resize.Width, ev.Resize.Height)})
		}
	}
	p.Steps = mergeClickAndCheck(p.Steps)
	if len(p.Steps) == 0 || p.Steps[0].Kind != StepNavigate {
		p.Steps = slices.Insert(p.Steps, 0, Step{Kind: StepNavigate, URL: tl.InitialURL, Description: "open " + replay.DisplayURL(tl.InitialURL, tl.InitialURL)})
		for i := range p.Steps {
			p.Steps[i].Index = i
		}
	}
	p.Pinned = pinned(*p)
	return p, nil
}

// Selectors lists the CSS selectors a recorded target gives, as a step
// lists them: the candidates that were unique in the recorded DOM,
// best kind first. Without a DOM (no snapshot) it falls back to the
// breadcrumb's own attributes, unverified.
func Selectors(t replay.Target) []string {
	var cands []replay.Candidate
	for _, c := range t.Candidates {
		if c.Matches == 1 {
			cands = append(cands, c)
		}
	}
	slices.SortStableFunc(cands, func(a, b replay.Candidate) int {
		return slices.Index(selectorKindRank, a.Kind) - slices.Index(selectorKindRank, b.Kind)
	})
	var out []string
	for _, c := range cands {
		if !slices.Contains(out, c.Selector) {
			out = append(out, c.Selector)
		}
	}
	if len(out) > 0 || len(t.Candidates) > 0 {
		return out
	}
	tag := t.Tag
	switch {
	case t.ID != "":
		out = append(out, tag+"#"+cssIdent(t.ID))
	case t.TestID != "":
		out = append(out, fmt.Sprintf(`[data-testid=%q]`, t.TestID), fmt.Sprintf(`[data-test-id=%q]`, t.TestID))
	case t.Component != "":
		out = append(out, fmt.Sprintf(`[data-sentry-component=%q]`, t.Component))
	case t.Name != "":
		out = append(out, fmt.Sprintf(`%s[name=%q]`, tag, t.Name))
	}
	if t.Selector != "" && !strings.Contains(t.Selector, "[") {
		out = append(out, t.Selector)
	}
	return out
}

// cssIdent escapes an identifier for a CSS selector (the common cases of
// CSS.escape: a leading digit, and punctuation).
func cssIdent(s string) string {
	var sb strings.Builder
	for i, r := range s {
		switch {
		case i == 0 && r >= '0' && r <= '9':
			fmt.Fprintf(&sb, `\%x `, r)
		case r == '-' || r == '_' || r >= 0x80 || (r >= '0' && r <= '9') || (r|0x20 >= 'a' && r|0x20 <= 'z'):
			sb.WriteRune(r)
		default:
			sb.WriteString(`\` + string(r))
		}
	}
	return sb.String()
}

// inputStep turns an input into a step. A masked value is never recovered:
// the step types a placeholder of the recorded length that is valid for the
// field's type, unless the engineer gave a value with --input.
func inputStep(in *replay.Input, given map[string]string) Step {
	sels := Selectors(in.Target)
	t := replay.DescribeTarget(in.Target)
	s := Step{Kind: StepInput, Selectors: sels, Masked: in.Masked}
	value, ok := lookupInput(sels, in.Target, given)
	switch {
	case in.Checked != nil && (in.Field == "checkbox" || in.Field == "radio"):
		s.Kind, s.Checked = StepCheck, in.Checked
		s.Description = map[bool]string{true: "check ", false: "uncheck "}[*in.Checked] + t
		return s
	case in.Field == "select":
		s.Kind = StepSelect
		switch {
		case ok:
			s.Value = value
		case !in.Masked:
			s.Value = in.Value
		}
		s.Length = in.Length
		s.Description = "choose an option in " + t
		if in.Masked && !ok {
			s.Description += fmt.Sprintf(" (masked: an option whose value has %d characters)", in.Length)
		}
		return s
	}
	switch {
	case ok:
		s.Value = value
	case in.Masked:
		s.Value = Placeholder(in.Field, in.Length)
	default:
		s.Value = in.Value
	}
	s.Description = fmt.Sprintf("type %d characters into %s", len([]rune(s.Value)), t)
	if in.Masked && !ok {
		s.Description += " (masked: placeholder text)"
	}
	return s
}

func lookupInput(sels []string, t replay.Target, given map[string]string) (string, bool) {
	for k, v := range given {
		if slices.Contains(sels, k) || (t.ID != "" && (k == "#"+t.ID || k == t.Tag+"#"+t.ID)) || (t.Name != "" && k == t.Name) {
			return v, true
		}
	}
	return "", false
}

// Placeholder is the text typed into a masked field: exactly length
// characters, valid for the field's type (an email field gets an email, a
// number field digits), and plainly not the user's data.
func Placeholder(field string, length int) string {
	if length <= 0 {
		return ""
	}
	fill := func(unit string, n int) string {
		return strings.Repeat(unit, n/len(unit)+1)[:n]
	}
	switch field {
	case "email":
		const domain = "@example.com"
		if length < len(domain)+1 {
			return fill("a", max(length-4, 1)) + "@x.io"[:min(5, length-1)]
		}
		return fill("user", length-len(domain)) + domain
	case "number", "tel":
		return fill("1234567890", length)
	case "password":
		return fill("Passw0rd!", length)
	case "url":
		const prefix = "https://example.com/"
		if length <= len(prefix) {
			return fill("https://x.io/", length)
		}
		return prefix + fill("a", length-len(prefix))
	}
	return fill("lorem ipsum dolor sit amet ", length)
}

func originOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("not an absolute URL")
	}
	return u.Scheme + "://" + u.Host, nil
}

// firstPathSegment is the prefix a recorded API path belongs to:
// "/api/chat" → "/api/", "/graphql" → "/graphql".
func firstPathSegment(p string) string {
	p = "/" + strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(p[1:], '/'); i >= 0 {
		return p[:i+2]
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
