package replay

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Recorded frames: "what the user saw" at given moments, as static HTML.
//
// Frames streams the recording once, in time order (the same pass
// BuildTimeline makes), keeping a Mirror of the recorded DOM and what the
// DOM alone does not hold (field values typed since the snapshot, scroll
// offsets, the viewport, style rules the page inserted). At each moment
// asked for, the mirror is serialized into an inert document (see
// frame_html.go): the caller renders it (reproduce/frames) and never
// embeds it as live HTML.

// Moment asks for one frame: the recorded page as it was at Offset (since
// the replay's start, the same origin as Event.Offset and plan.Step.Offset),
// with the element of rrweb node id Target outlined (0: none).
type Moment struct {
	Offset time.Duration
	Target int
}

// PageFrame is the recorded page at one moment, as a static HTML document
// that cannot run anything: no script, no event handler, no javascript: or
// data: URL, no frame or plugin, no <base> or <meta http-equiv> of the
// recording (see frame_html.go for every rule). Text is exactly as
// recorded: masked text stays asterisks.
type PageFrame struct {
	// Offset is the moment asked for.
	Offset time.Duration
	// Shown is the offset of the last recorded event the frame includes.
	// It is after Offset when the page was still loading at Offset (a
	// page load had begun and its DOM snapshot had not arrived): the frame
	// then shows the page as its snapshot recorded it.
	Shown time.Duration
	// HasDOM is false when no DOM snapshot had been recorded by then (nor
	// after it): HTML is empty and there is nothing to render.
	HasDOM bool
	// URL is the recorded page URL in force (the last page load or
	// pushState); relative URLs of the document resolve against it (the
	// document's <base>, when it is http(s)).
	URL string
	// Viewport is the recorded browser viewport (Meta, then resizes);
	// zero when none was recorded.
	Viewport Viewport
	// ScrollX, ScrollY are the document's recorded scroll offsets.
	ScrollX, ScrollY int
	// Target is the node id asked for; TargetFound says it was an element
	// of the page at that moment (it carries data-repro-target and an
	// outline). A text node's element is outlined in its place.
	Target      int
	TargetFound bool
	// HTML is the document, UTF-8.
	HTML string
	// Stylesheets are the absolute URLs of the stylesheets the document
	// links (those the recording did not inline): a renderer must fetch
	// them from the app under test, and may fail to.
	Stylesheets []string
	// InlineStyles counts the style sheets the recording holds inline
	// (<style> elements and the SDK's inlined <link> sheets).
	InlineStyles int
}

// Frames returns one frame per moment (in the order given) from one
// streaming pass over the bundle's recording. A frame holds every
// recorded event strictly before its moment, except that a moment during
// a page load waits for that page's snapshot (see PageFrame.Shown). It
// fails only when the recording cannot be read (ErrEmptyReplay when it
// holds no events); malformed events are skipped, as BuildTimeline skips
// them.
func Frames(b *Bundle, moments []Moment) ([]PageFrame, error) {
	if b == nil {
		return nil, fmt.Errorf("frames: nil bundle: %w", ErrEmptyReplay)
	}
	rec := b.recording()
	keys, err := rec.keys()
	if err != nil {
		return nil, fmt.Errorf("frames %s: %w", b.Details.ID, err)
	}
	if keys.valid == 0 {
		return nil, fmt.Errorf("frames %s: %w", b.Details.ID, ErrEmptyReplay)
	}
	f := newFramer(keys, moments)
	if len(moments) == 0 {
		return nil, nil
	}
	if err := ordered(rec, keys, f.dispatch); err != nil {
		return nil, fmt.Errorf("frames %s: %w", b.Details.ID, err)
	}
	for f.next < len(f.order) {
		f.emit()
	}
	return f.out, nil
}

// framer keeps the recorded page while the recording streams past.
type framer struct {
	mirror  *Mirror
	start   time.Time
	moments []Moment
	order   []int // moment indexes by offset
	next    int   // the first moment of order not yet emitted
	out     []PageFrame

	url        string
	view       Viewport
	docX, docY int
	// scrolls are element scroll offsets since the snapshot.
	scrolls map[int][2]int
	// sheets are the rules of style sheets the page changed through the
	// CSSOM (StyleSheetRule events), by node id.
	sheets map[int][]string
	// loading: a page load began (or nothing was recorded yet) and its
	// snapshot has not come; a moment due now waits for it.
	loading bool
	hasDOM  bool
	last    time.Time
}

func newFramer(k *eventKeys, moments []Moment) *framer {
	lo := -1.0
	for _, ms := range k.ms {
		if ms >= 0 && (lo < 0 || ms < lo) {
			lo = ms
		}
	}
	f := &framer{mirror: NewMirror(), start: msTime(lo), moments: moments, loading: true,
		out: make([]PageFrame, len(moments)), scrolls: map[int][2]int{}, sheets: map[int][]string{}}
	f.order = make([]int, len(moments))
	for i := range f.order {
		f.order[i] = i
	}
	slices.SortStableFunc(f.order, func(a, b int) int { return cmp.Compare(moments[a].Offset, moments[b].Offset) })
	f.last = f.start
	return f
}

// due reports whether the next moment comes at or before t.
func (f *framer) due(t time.Time) bool {
	return f.next < len(f.order) && !t.Before(f.start.Add(f.moments[f.order[f.next]].Offset))
}

// dispatch applies one recorded event, first emitting the moments it is
// not part of (it happened at or after them).
func (f *framer) dispatch(it item) {
	for !f.loading && f.due(it.t) {
		f.emit()
	}
	f.apply(it)
	f.last = it.t
	if !f.loading {
		// Moments that waited for this page's snapshot.
		for f.due(it.t) {
			f.emit()
		}
	}
}

// emit serializes the page for the next moment.
func (f *framer) emit() {
	i := f.order[f.next]
	f.next++
	m := f.moments[i]
	pf := PageFrame{Offset: m.Offset, Shown: max(f.last.Sub(f.start), 0), URL: f.url, Viewport: f.view,
		ScrollX: f.docX, ScrollY: f.docY, Target: m.Target}
	if root := f.mirror.Root(); root != nil && f.hasDOM {
		for id, rules := range f.sheets {
			if n := f.mirror.Node(id); n != nil {
				if n.Attrs == nil {
					n.Attrs = map[string]string{}
				}
				n.Attrs["_cssText"] = strings.Join(rules, "\n")
			}
		}
		w := frameWriter{target: m.Target, scrolls: f.scrolls, base: httpURL(f.url)}
		if t := f.mirror.Node(m.Target); t != nil && t.Type != ElementNode {
			w.target = elementOf(t)
		}
		w.document(root)
		pf.HasDOM = true
		pf.HTML = w.b.String()
		pf.TargetFound = w.targetFound
		pf.Stylesheets = w.sheets
		pf.InlineStyles = w.inline
	}
	f.out[i] = pf
}

// elementOf is the id of n's nearest element (n itself, or its parent).
func elementOf(n *Node) int {
	for ; n != nil; n = n.Parent {
		if n.Type == ElementNode {
			return n.ID
		}
	}
	return 0
}

// apply updates the page with one event. Malformed events are skipped:
// BuildTimeline counts them; a frame just shows what could be read.
func (f *framer) apply(it item) {
	switch it.typ {
	case rrMeta:
		var d struct {
			Href   string  `json:"href"`
			Width  float64 `json:"width"`
			Height float64 `json:"height"`
		}
		if json.Unmarshal(it.data, &d) != nil {
			return
		}
		f.loading = true
		if httpURL(d.Href) != nil {
			f.url = d.Href
		}
		if d.Width > 0 && d.Height > 0 {
			f.view = Viewport{Width: int(d.Width), Height: int(d.Height)}
		}
	case rrFullSnapshot:
		f.snapshot(it.data)
	case rrIncremental:
		f.incremental(it.data)
	case rrCustom:
		f.custom(it.data)
	}
}

// snapshot loads a FullSnapshot: the page starts afresh.
func (f *framer) snapshot(data []byte) {
	node, err := snapshotNode(data)
	if err != nil || len(node) == 0 || f.mirror.loadSnapshot(node) != nil {
		return
	}
	f.loading, f.hasDOM = false, true
	clear(f.scrolls)
	clear(f.sheets)
	var d struct {
		InitialOffset struct {
			Left, Top float64
		} `json:"initialOffset"`
	}
	if bytes.Contains(data, []byte(`"initialOffset"`)) && json.Unmarshal(data, &d) == nil {
		f.docX, f.docY = int(d.InitialOffset.Left), int(d.InitialOffset.Top)
	} else {
		f.docX, f.docY = 0, 0
	}
}

// incremental applies the IncrementalSnapshot sources that change what is
// seen: DOM mutations, scrolls, resizes, field values, style rules.
func (f *framer) incremental(data []byte) {
	source, ok, err := sourceOf(data)
	if err != nil || !ok {
		return
	}
	switch source {
	case 0:
		_, _ = f.mirror.applyMutation(f.mirror.decodeMutation(data))
	case 3:
		var d struct {
			ID   *int
			X, Y float64
		}
		if json.Unmarshal(data, &d) != nil || d.ID == nil {
			return
		}
		if root := f.mirror.Root(); *d.ID == 1 || (root != nil && *d.ID == root.ID) {
			f.docX, f.docY = int(d.X), int(d.Y)
		} else {
			f.scrolls[*d.ID] = [2]int{int(d.X), int(d.Y)}
		}
	case 4:
		var d struct{ Width, Height float64 }
		if json.Unmarshal(data, &d) == nil && d.Width > 0 && d.Height > 0 {
			f.view = Viewport{Width: int(d.Width), Height: int(d.Height)}
		}
	case 5:
		f.input(data)
	case 8:
		f.styleRule(data)
	}
}

// input sets a field's recorded value (masked as the SDK recorded it) or
// a box's checked state.
func (f *framer) input(data []byte) {
	var d struct {
		ID        *int
		Text      *string
		IsChecked *bool
	}
	if json.Unmarshal(data, &d) != nil || d.ID == nil {
		return
	}
	n := f.mirror.Node(*d.ID)
	if n == nil || n.Type != ElementNode {
		return
	}
	if n.Attrs == nil {
		n.Attrs = map[string]string{}
	}
	if t := strings.ToLower(n.Attrs["type"]); n.Tag == "input" && (t == "checkbox" || t == "radio") {
		if d.IsChecked != nil && *d.IsChecked {
			n.Attrs["checked"] = "true"
		} else if d.IsChecked != nil {
			delete(n.Attrs, "checked")
		}
		return
	}
	if d.Text != nil {
		n.Attrs["value"] = *d.Text
	}
}

// styleRule applies a StyleSheetRule event (rules a CSS-in-JS library
// inserted or deleted through the CSSOM) to the sheet of a <style> or
// <link> node, the way rrweb's replayer does: adds, then removes, at
// top-level indexes. Nested indexes (rules inside @media) and adopted
// style sheets (styleId) are not followed.
func (f *framer) styleRule(data []byte) {
	var d struct {
		ID   *int
		Adds []struct {
			Rule  string
			Index json.RawMessage
		}
		Removes []struct {
			Index json.RawMessage
		}
	}
	if json.Unmarshal(data, &d) != nil || d.ID == nil {
		return
	}
	n := f.mirror.Node(*d.ID)
	if n == nil || n.Type != ElementNode {
		return
	}
	rules, ok := f.sheets[n.ID]
	if !ok {
		css, inlined := n.Attrs["_cssText"]
		if !inlined && n.Tag != "style" {
			return // a linked sheet the SDK did not inline: its rules are not in the recording
		}
		if css == "" && n.Tag == "style" {
			var sb strings.Builder
			for _, c := range n.Children {
				if c.Type == TextNode {
					sb.WriteString(c.Text)
				}
			}
			css = sb.String()
		}
		rules = splitRules(css)
	}
	for _, a := range d.Adds {
		i, ok := topIndex(a.Index, len(rules))
		if !ok {
			i = len(rules)
		}
		rules = slices.Insert(rules, i, a.Rule)
	}
	for _, r := range d.Removes {
		if i, ok := topIndex(r.Index, len(rules)); ok && i < len(rules) {
			rules = slices.Delete(rules, i, i+1)
		}
	}
	f.sheets[n.ID] = rules
}

// topIndex reads a rule index that is a plain number within [0, n].
func topIndex(raw json.RawMessage, n int) (int, bool) {
	var i float64
	if len(raw) == 0 || json.Unmarshal(raw, &i) != nil || i < 0 || i > float64(n) {
		return 0, false
	}
	return int(i), true
}

// splitRules cuts a style sheet's text into its top-level rules: a rule
// ends at the '}' that closes its block, or at a ';' outside any block
// (@import, @charset); strings and comments are skipped over.
func splitRules(css string) []string {
	var rules []string
	depth, start := 0, 0
	for i := 0; i < len(css); i++ {
		switch c := css[i]; c {
		case '"', '\'':
			for i++; i < len(css) && css[i] != c; i++ {
				if css[i] == '\\' {
					i++
				}
			}
		case '/':
			if i+1 < len(css) && css[i+1] == '*' {
				if end := strings.Index(css[i+2:], "*/"); end >= 0 {
					i += end + 3
				} else {
					i = len(css)
				}
			}
		case '{':
			depth++
		case '}', ';':
			if c == '}' && depth > 0 {
				depth--
			}
			if depth == 0 {
				if r := strings.TrimSpace(css[start : i+1]); r != "" && r != ";" && r != "}" {
					rules = append(rules, r)
				}
				start = i + 1
			}
		}
	}
	if r := strings.TrimSpace(css[min(start, len(css)):]); r != "" {
		rules = append(rules, r)
	}
	return rules
}

// custom follows pushState navigations (the page URL changes; the DOM
// follows in mutations).
func (f *framer) custom(data []byte) {
	if !bytes.Contains(data, []byte("navigation.push")) {
		return
	}
	var d struct {
		Tag     string `json:"tag"`
		Payload struct {
			Op          string `json:"op"`
			Description string `json:"description"`
		} `json:"payload"`
	}
	if json.Unmarshal(data, &d) != nil || d.Tag != "performanceSpan" || d.Payload.Op != "navigation.push" {
		return
	}
	if u := httpURL(d.Payload.Description); u != nil {
		f.url = d.Payload.Description
	}
}

// httpURL parses s when it is an absolute http(s) URL, else nil.
func httpURL(s string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	return u
}
