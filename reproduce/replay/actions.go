package replay

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Merge windows for the two recordings of one action.
const (
	clickMergeWindow = time.Second // ui.click breadcrumb ↔ rrweb Click
	scrollBurst      = 500 * time.Millisecond
	inputBCBefore    = 2 * time.Second // ui.input breadcrumb before the typing
	inputBCAfter     = 5 * time.Second // … or after its last keystroke
)

// breadcrumbPayload is a breadcrumb custom event's payload.
type breadcrumbPayload struct {
	Category string          `json:"category"`
	Message  string          `json:"message"`
	Level    string          `json:"level"`
	Data     json.RawMessage `json:"data"`
}

// domData is the DOM part of a ui.* breadcrumb's data.
type domData struct {
	NodeID json.RawMessage `json:"nodeId"`
	Node   *domNode        `json:"node"`
}

// domNode is the node a ui.* breadcrumb describes.
type domNode struct {
	ID          json.RawMessage `json:"id"`
	TagName     string          `json:"tagName"`
	TextContent string          `json:"textContent"`
	Attributes  map[string]any  `json:"attributes"`
}

func (d domData) nodeID() int {
	if id := flexInt(d.NodeID); id != 0 {
		return id
	}
	if d.Node != nil {
		return flexInt(d.Node.ID)
	}
	return 0
}

// ignoredCategories are breadcrumb categories that carry nothing a replay
// needs (focus changes, the SDK's own bookkeeping, dropped core crumbs).
var ignoredCategories = map[string]bool{
	"ui.focus": true, "ui.blur": true, "replay.mutations": true, "replay.throttled": true,
	"replay.hydrate-error": true, "sentry.feedback": true, "sentry.event": true,
	"sentry.transaction": true, "fetch": true, "xhr": true,
}

// breadcrumb handles a breadcrumb custom event by category.
func (bl *builder) breadcrumb(it item, r *customRead) {
	bc, dd := r.bc, r.dd
	if r.bcErr != nil || bc.Category == "" {
		bl.warn("malformed_event", it.raw)
		return
	}
	switch bc.Category {
	case "ui.click":
		bl.closeOpen()
		bl.noteClick(dd.nodeID(), it.t)
		t := bl.target(dd.nodeID(), dd, bc.Message)
		bl.emit(Event{Kind: KindClick, Time: it.t, Segment: it.seg, Click: &Click{Target: t, Count: 1}},
			evMeta{node: dd.nodeID(), fromBC: true, labelFor: bl.labelFor(dd.nodeID())})
	case "ui.input":
		t := bl.target(dd.nodeID(), dd, bc.Message)
		in := &Input{Target: t, Field: fieldOf(bl.mirror.Node(dd.nodeID()), dd)}
		bl.emit(Event{Kind: KindInput, Time: it.t, Segment: it.seg, Input: in}, evMeta{node: dd.nodeID(), fromBC: true})
	case "ui.keyDown":
		bl.key(it, bc, dd)
	case "ui.slowClickDetected", "ui.multiClick":
		bl.sdkFriction(it, bc, dd)
	case "navigation":
		var nd struct {
			From string `json:"from"`
			To   string `json:"to"`
		}
		if json.Unmarshal(bc.Data, &nd) != nil || nd.To == "" {
			bl.warn("malformed_event", it.raw)
			return
		}
		bl.navigate(nd.To, navPush, it)
	case "console":
		bl.console(it, bc)
	default:
		if !ignoredCategories[bc.Category] {
			bl.warn("unknown_breadcrumb_category", it.raw)
		}
	}
}

// closeOpen ends the collapsing of the current input and scroll runs.
func (bl *builder) closeOpen() {
	bl.openInput, bl.openScroll = -1, -1
}

// mouseInteraction handles rrweb MouseInteraction; only Click (2) makes an
// event, the rest (down, up, focus, blur, touch) repeat it.
func (bl *builder) mouseInteraction(it item) {
	d, err := bl.mouseData(it.data)
	if err != nil || d.Type == nil || d.ID == nil {
		bl.warn("malformed_event", it.raw)
		return
	}
	if *d.Type == 5 { // Focus
		bl.focusedAt[*d.ID] = it.t
	}
	if *d.Type != 2 {
		return
	}
	bl.closeOpen()
	bl.noteClick(*d.ID, it.t)
	c := &Click{Target: bl.target(*d.ID, domData{}, ""), Count: 1}
	if d.X != nil {
		c.X = *d.X
	}
	if d.Y != nil {
		c.Y = *d.Y
	}
	var anc []int
	if n := bl.mirror.Node(*d.ID); n != nil {
		for p := n.Parent; p != nil; p = p.Parent {
			anc = append(anc, p.ID)
		}
	}
	bl.emit(Event{Kind: KindClick, Time: it.t, Segment: it.seg, Click: c}, evMeta{node: *d.ID, labelFor: bl.labelFor(*d.ID), ancestors: anc})
}

// noteClick remembers a user click on a node.
func (bl *builder) noteClick(node int, t time.Time) {
	if node != 0 {
		bl.clickedAt[node] = t
	}
	if t.After(bl.lastAction) {
		bl.lastAction = t
	}
}

// input handles rrweb Input (3/5), collapsing a run of keystrokes in one
// field into one event.
//
// A run that empties at once after typing (no one-character deletions)
// ends there: its event keeps the typed value, and the emptying is the
// app's (a tag committed with Enter clears its field) or the user's
// select-and-delete — infer.go tells which from what follows.
func (bl *builder) input(it item) {
	d, err := bl.inputData(it.data)
	if err != nil || d.ID == nil {
		bl.warn("malformed_event", it.raw)
		return
	}
	if d.UserTriggered != nil && !*d.UserTriggered {
		return // the page set the value itself
	}
	node := bl.mirror.Node(*d.ID)
	field := fieldOf(node, domData{})
	toggle := field == "checkbox" || field == "radio"
	if field == "radio" && (d.IsChecked == nil || !*d.IsChecked) {
		return // rrweb reports the group's other radios as unchecked
	}
	text := ""
	if d.Text != nil {
		text = *d.Text
	}
	n := utf8.RuneCountInString(text)
	prev := bl.fieldLen[*d.ID]
	bl.fieldLen[*d.ID] = n
	if i := bl.openInput; i >= 0 && bl.meta[i].node == *d.ID && !toggle {
		in := bl.events[i].Input
		if n == 0 && in.Length > 1 && bl.meta[i].typed {
			bl.startCommit(commit{event: i, length: in.Length, cleared: it.t, lastKey: bl.meta[i].end})
			bl.closeOpen()
			return
		}
		if n == in.Length+1 {
			bl.meta[i].typed = true
		}
		setValue(in, text)
		in.Keystrokes++
		bl.meta[i].end = it.t
		bl.run = lastRun{event: i, end: it.t, length: n}
		return
	}
	bl.closeOpen()
	in := &Input{Target: bl.target(*d.ID, domData{}, ""), Keystrokes: 1, Field: field}
	setValue(in, text)
	if toggle {
		c := d.IsChecked != nil && *d.IsChecked
		in.Checked = &c
	}
	// A run that starts one character longer than the field was continues
	// the user's typing (focus stayed in the field).
	m := evMeta{node: *d.ID, checkbx: toggle, typed: n == prev+1 && !toggle, clicked: bl.touched(*d.ID, node, field, it.t), end: it.t}
	idx := bl.emit(Event{Kind: KindInput, Time: it.t, Segment: it.seg, Input: in}, m)
	if !toggle {
		bl.openInput = idx
		bl.run = lastRun{event: idx, end: it.t, length: n}
	}
}

// userFieldWindow is how long after a click on a field a value change in
// it still counts as the user's (a paste, an autocomplete pick, an option
// chosen with the keyboard); toggleWindow is how soon after a click on a
// box (or its label) the box must change to be changed by that click.
const (
	userFieldWindow = 30 * time.Second
	toggleWindow    = time.Second
)

// touched reports whether the user clicked the field (or, for a box, its
// label) before this value change, or focused a <select> before choosing.
// A click licenses the one change that follows it.
func (bl *builder) touched(id int, n *Node, field string, t time.Time) bool {
	window := userFieldWindow
	if field == "checkbox" || field == "radio" {
		window = toggleWindow
	}
	within := func(at time.Time, ok bool) bool { return ok && !at.After(t) && t.Sub(at) <= window }
	if at, ok := bl.clickedAt[id]; within(at, ok) {
		delete(bl.clickedAt, id)
		return true
	}
	if field == "select" {
		if at, ok := bl.focusedAt[id]; within(at, ok) {
			return true
		}
	}
	if n == nil {
		return false
	}
	// A label activates its control: one wrapping the box, or naming it.
	for p := n.Parent; p != nil; p = p.Parent {
		if at, ok := bl.clickedAt[p.ID]; p.Tag == "label" && within(at, ok) {
			return true
		}
	}
	if idAttr := n.Attr("id"); idAttr != "" {
		for cid, at := range bl.clickedAt {
			if c := bl.mirror.Node(cid); c != nil && c.Tag == "label" && c.Attr("for") == idAttr && within(at, true) {
				return true
			}
		}
	}
	return false
}

// dropAppInputs removes the value changes the app made itself — a field
// reset or filled while a route renders, a box a new list item rendered
// unticked — which the recording holds as Input events like the user's:
// a change is the user's when it grew one keystroke at a time, or when the
// user clicked the field (a box or its label: just before; a <select>:
// clicked or focused) before it.
func (bl *builder) dropAppInputs() {
	for i, e := range bl.events {
		if e.Kind != KindInput || bl.meta[i].fromBC {
			continue
		}
		if !bl.meta[i].typed && !bl.meta[i].clicked {
			bl.meta[i].drop = true
		}
	}
}

// setValue stores a recorded value with its length and masking.
func setValue(in *Input, v string) {
	in.Value = v
	in.Length = utf8.RuneCountInString(v)
	in.Masked = isMasked(v)
}

// isMasked reports whether s is masking output: non-empty, and every
// non-space rune is '*'.
func isMasked(s string) bool {
	seen := false
	for _, r := range s {
		switch {
		case r == '*':
			seen = true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
		default:
			return false
		}
	}
	return seen
}

// fieldOf names the kind of form field a node is.
func fieldOf(n *Node, dd domData) string {
	tag, typ := "", ""
	if n != nil {
		tag, typ = n.Tag, strings.ToLower(n.Attr("type"))
	} else if dd.Node != nil {
		tag, typ = strings.ToLower(dd.Node.TagName), strings.ToLower(anyString(dd.Node.Attributes["type"]))
	}
	switch tag {
	case "select", "textarea":
		return tag
	case "input":
		if typ == "" {
			return "text"
		}
		return typ
	}
	if n != nil && n.Attr("contenteditable") != "" {
		return "contenteditable"
	}
	return tag
}

// scroll handles rrweb Scroll (3/3), collapsing bursts per element.
func (bl *builder) scroll(it item) {
	d, err := bl.scrollData(it.data)
	if err != nil || d.ID == nil {
		bl.warn("malformed_event", it.raw)
		return
	}
	if i := bl.openScroll; i >= 0 && bl.meta[i].node == *d.ID && it.t.Sub(bl.meta[i].end) <= scrollBurst {
		s := bl.events[i].Scroll
		s.X, s.Y = int(d.X), int(d.Y)
		bl.meta[i].end = it.t
		return
	}
	s := &Scroll{X: int(d.X), Y: int(d.Y)}
	if n := bl.mirror.Node(*d.ID); *d.ID != 1 && (n == nil || n.Type == ElementNode) {
		t := bl.target(*d.ID, domData{}, "")
		s.Target = &t
	}
	bl.openScroll = bl.emit(Event{Kind: KindScroll, Time: it.t, Segment: it.seg, Scroll: s}, evMeta{node: *d.ID})
}

// key handles a ui.keyDown breadcrumb.
func (bl *builder) key(it item, bc breadcrumbPayload, dd domData) {
	var k struct {
		Key      string `json:"key"`
		CtrlKey  bool   `json:"ctrlKey"`
		ShiftKey bool   `json:"shiftKey"`
		AltKey   bool   `json:"altKey"`
		MetaKey  bool   `json:"metaKey"`
	}
	if json.Unmarshal(bc.Data, &k) != nil || k.Key == "" {
		bl.warn("malformed_event", it.raw)
		return
	}
	bl.closeOpen()
	if it.t.After(bl.lastAction) {
		bl.lastAction = it.t
	}
	ev := &Key{Key: k.Key, Ctrl: k.CtrlKey, Shift: k.ShiftKey, Alt: k.AltKey, Meta: k.MetaKey}
	if id := dd.nodeID(); id != 0 || dd.Node != nil {
		t := bl.target(id, dd, bc.Message)
		ev.Target = &t
	}
	bl.emit(Event{Kind: KindKey, Time: it.t, Segment: it.seg, Key: ev}, evMeta{node: dd.nodeID(), fromBC: true})
}

// labelFor returns the for attribute when node id is a label.
func (bl *builder) labelFor(id int) string {
	if n := bl.mirror.Node(id); n != nil && n.Tag == "label" {
		return firstNonEmpty(n.Attr("for"), "-")
	}
	return ""
}

// labelActivation is how soon after a label click the browser dispatches
// the synthetic click on its control.
const labelActivation = 50 * time.Millisecond

// dropLabelActivations removes the synthetic click a browser dispatches on
// a control when its label is clicked: replaying the label click redoes it.
func (bl *builder) dropLabelActivations() {
	for i, e := range bl.events {
		lf := bl.meta[i].labelFor
		if e.Kind != KindClick || lf == "" || bl.meta[i].drop {
			continue
		}
		for j := i + 1; j < len(bl.events); j++ {
			f := bl.events[j]
			if f.Time.Sub(e.Time) > labelActivation {
				break
			}
			if f.Kind != KindClick || bl.meta[j].drop {
				continue
			}
			t := f.Click.Target
			if (lf != "-" && t.ID == lf) || (e.Click.Target.Path != "" && strings.HasPrefix(t.Path, e.Click.Target.Path+" > ")) {
				bl.meta[j].drop = true
			}
		}
	}
}

// mergeClicks folds each rrweb Click into the ui.click breadcrumb of the
// same physical click, so one click is one event: the breadcrumb names the
// node itself, or — the SDK judges a click by the closest link or button —
// an ancestor of the node rrweb saw hit (a heading inside a link card).
// The event keeps both: Target the SDK's, Hit the one actually hit.
// rrweb clicks without a breadcrumb stay.
func (bl *builder) mergeClicks() {
	var rr []int // rrweb clicks by time
	for j, f := range bl.events {
		if f.Kind == KindClick && !bl.meta[j].fromBC {
			rr = append(rr, j)
		}
	}
	sort.SliceStable(rr, func(a, b int) bool { return bl.events[rr[a]].Time.Before(bl.events[rr[b]].Time) })
	for i, e := range bl.events {
		if e.Kind != KindClick || !bl.meta[i].fromBC {
			continue
		}
		from := e.Time.Add(-clickMergeWindow)
		k := sort.Search(len(rr), func(x int) bool { return !bl.events[rr[x]].Time.Before(from) })
		best, bestD, bestInner := -1, clickMergeWindow+1, false
		for ; k < len(rr); k++ {
			j := rr[k]
			f := bl.events[j]
			d := absDur(f.Time.Sub(e.Time))
			if f.Time.After(e.Time.Add(clickMergeWindow)) {
				break
			}
			if bl.meta[j].drop {
				continue
			}
			bc := bl.meta[i].node
			sameNode := bc != 0 && bl.meta[j].node == bc
			inner := bc != 0 && d <= sameClickWindow && slices.Contains(bl.meta[j].ancestors, bc)
			if (sameNode || inner || bc == 0 && d <= sameClickWindow) && d < bestD {
				best, bestD, bestInner = j, d, inner
			}
		}
		if best < 0 {
			continue
		}
		rrc := bl.events[best].Click
		e.Click.X, e.Click.Y = rrc.X, rrc.Y
		if bestInner {
			hit := rrc.Target
			e.Click.Hit = &hit
		} else {
			fillTarget(&e.Click.Target, rrc.Target)
		}
		bl.meta[best].drop = true
	}
}

// sameClickWindow bounds the gap between the breadcrumb and the rrweb event
// of one physical click on different nodes (both come from the same DOM
// click event, a few milliseconds apart).
const sameClickWindow = 100 * time.Millisecond

// mergeInputBreadcrumbs folds each debounced ui.input breadcrumb into the
// collapsed rrweb input of the same node; a breadcrumb with no rrweb input
// stays as an Input with Keystrokes 0 (typing seen, value unknown).
func (bl *builder) mergeInputBreadcrumbs() {
	byNode := map[int][]int{} // rrweb inputs per node, in emission (time) order
	for j, f := range bl.events {
		if f.Kind == KindInput && !bl.meta[j].fromBC {
			byNode[bl.meta[j].node] = append(byNode[bl.meta[j].node], j)
		}
	}
	for i, e := range bl.events {
		if e.Kind != KindInput || !bl.meta[i].fromBC || bl.meta[i].node == 0 {
			continue
		}
		list := byNode[bl.meta[i].node]
		// The first input starting after e+inputBCBefore, then look back.
		k := sort.Search(len(list), func(x int) bool { return bl.events[list[x]].Time.After(e.Time.Add(inputBCBefore)) })
		best, bestD := -1, time.Duration(1<<62)
		for x := k - 1; x >= 0 && x >= k-4; x-- {
			j := list[x]
			start, end := bl.events[j].Time, bl.meta[j].end
			if e.Time.After(end.Add(inputBCAfter)) {
				continue
			}
			d := time.Duration(0)
			if e.Time.Before(start) {
				d = start.Sub(e.Time)
			} else if e.Time.After(end) {
				d = e.Time.Sub(end)
			}
			if d < bestD {
				best, bestD = j, d
			}
		}
		if best >= 0 {
			fillTarget(&bl.events[best].Input.Target, e.Input.Target)
			bl.meta[i].drop = true
		}
	}
}
