package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// rrweb event types (sentry-format §2).
const (
	rrDomContentLoaded = 0
	rrLoad             = 1
	rrFullSnapshot     = 2
	rrIncremental      = 3
	rrMeta             = 4
	rrCustom           = 5
	rrPlugin           = 6
)

// countBudgetNodes is the total DOM nodes candidate counting may visit
// per build: ample for real replays (20k nodes × 1,000 actions × 7).
const countBudgetNodes = 200_000_000

// item is one recorded event with its normalized time. data and raw are
// the event's bytes where the recording is being read: valid only while
// the item is dispatched (whatever outlives it is decoded into strings).
type item struct {
	typ  int
	ms   float64
	t    time.Time
	seg  int
	data json.RawMessage
	raw  json.RawMessage
	// mut is a Mutation's data as read, while it is dispatched (read
	// ahead by the reading goroutine, or by the mirror when it is nil).
	mut *mutation
	// src is an IncrementalSnapshot's source as sourceOf read it, when
	// srcRead says the reading goroutine did (it reads every one to find
	// the Mutations); srcOK is sourceOf's ok with a nil error.
	src            int
	srcRead, srcOK bool
	// custom is a Custom event's data as read ahead by the reading
	// goroutine (nil: the builder reads it).
	custom *customRead
}

// evMeta is builder bookkeeping kept beside each emitted event.
type evMeta struct {
	end     time.Time // last moment of a collapsed action
	node    int       // rrweb node id the action targets (0 = none)
	fromBC  bool      // built from a breadcrumb (vs. an rrweb event)
	drop    bool      // merged into another event
	checkbx bool      // a checkbox/radio input (never collapsed)
	// labelFor is the for attribute of a clicked label (its activation
	// click on the control is synthetic).
	labelFor string
	// ancestors are the rrweb ids of the node's ancestors when the event
	// happened (clicks), nearest first: the SDK names the closest link or
	// button of the element actually hit.
	ancestors []int
	// typed says an input run grew one character at a time (keystrokes);
	// clicked says the user clicked the field before the run. A run with
	// neither is a value the app set while rendering.
	typed, clicked bool
}

// builder turns time-ordered items into a Timeline.
type builder struct {
	// customRead: a Custom event read by the builder itself.
	customRead customRead
	urls       map[[2]string]resolved // see resolve
	opts       Options
	tl         *Timeline
	mirror     *Mirror
	warnings   map[string]*Warning
	events     []Event
	meta       []evMeta

	snapshot   bool
	pageURL    string
	history    []string
	hidx       int
	lastNav    int // index of the last navigation event, -1 = none
	lastNavSrc navSource
	// lastNavAbsorbed is set once the last navigation swallowed its echo.
	lastNavAbsorbed bool
	openInput       int // index of the input event still collapsing, -1 = none
	openScroll      int
	sawMeta         bool
	// clickedAt is when each node was last clicked (a field the user
	// clicked before its value changed was changed by the user).
	clickedAt map[int]time.Time
	// fieldLen is each field's value length as last recorded; focusedAt
	// is when each node last got focus.
	fieldLen  map[int]int
	focusedAt map[int]time.Time
	// lastAction is when the user last clicked or pressed a recorded key.
	lastAction time.Time
	// commits are typed values that may have been committed with a key the
	// SDK does not record (Enter in a field); run is the last typing run.
	// See infer.go.
	commits []commit
	// cleared indexes the commits whose field emptied, by when it did.
	cleared []int
	run     lastRun
	recent  []textAt
	// countBudget bounds the DOM nodes visited to count candidate
	// selectors, so a hostile recording cannot make the build quadratic.
	countBudget int
	// counts are the candidate counts made in the mirror as it is now
	// (its gen countGen).
	counts   map[string]int
	countGen uint64
}

// BuildTimeline decodes the bundle's recording into a typed, time-ordered
// Timeline. It fails with ErrEmptyReplay when there are no events. When no
// FullSnapshot was recorded it returns the timeline AND an error wrapping
// ErrNoFullSnapshot, unless AllowNoSnapshot is given. Unknown or malformed
// events never fail the build: they are counted in Timeline.Warnings.
func BuildTimeline(b *Bundle, opts ...Option) (*Timeline, error) {
	if b == nil {
		return nil, fmt.Errorf("build timeline: nil bundle: %w", ErrEmptyReplay)
	}
	o := Options{}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	if o.Hesitation <= 0 {
		o.Hesitation = HesitationThreshold
	}
	bl := &builder{
		opts:     o,
		tl:       &Timeline{ReplayID: b.Details.ID, UserAgent: b.UserAgent, Segments: b.SegmentCount(), Partial: b.Partial},
		mirror:   NewMirror(),
		warnings: map[string]*Warning{},
		lastNav:  -1, openInput: -1, openScroll: -1,
		countBudget: countBudgetNodes,
		clickedAt:   map[int]time.Time{},
		fieldLen:    map[int]int{},
		focusedAt:   map[int]time.Time{},
	}
	if bl.tl.UserAgent == "" {
		bl.tl.UserAgent = userAgentFromErrors(b)
	}
	bl.tl.Locale, bl.tl.Timezone = cultureFromErrors(b)
	rec := b.recording()
	keys, err := rec.keys()
	if err != nil {
		return nil, fmt.Errorf("build timeline %s: %w", b.Details.ID, err)
	}
	if keys.valid == 0 {
		return nil, fmt.Errorf("build timeline %s: %w", b.Details.ID, ErrEmptyReplay)
	}
	bl.startEnd(keys)
	// About one event in seven becomes a timeline event (0.14–0.30 in the
	// recorded bundles): room for that many up front (up to 64k) saves
	// regrowing a slice of large structs dozens of times on a long
	// recording.
	room := min(keys.valid/6, 1<<16) + 16
	bl.events = make([]Event, 0, room)
	bl.meta = make([]evMeta, 0, room)
	if keys.valid >= largeBuild {
		defer lowerGC()()
	}
	if err := ordered(rec, keys, bl.dispatch); err != nil {
		return nil, fmt.Errorf("build timeline %s: %w", b.Details.ID, err)
	}
	bl.emitCommits()
	bl.mergeClicks()
	bl.compact()
	bl.dropLabelActivations()
	bl.dropAppInputs()
	bl.mergeInputBreadcrumbs()
	bl.compact()
	bl.linkErrors(b)
	bl.sortEvents()
	bl.detectFriction()
	bl.finish()
	if !bl.snapshot && !o.AllowNoSnapshot {
		return bl.tl, fmt.Errorf("build timeline %s: %w", b.Details.ID, ErrNoFullSnapshot)
	}
	return bl.tl, nil
}

// startEnd sets the timeline's first and last moments from the events'
// keys, and counts the events skipped for want of a type or a timestamp
// (first, in recording order, as they are found before any is dispatched).
func (bl *builder) startEnd(k *eventKeys) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, ms := range k.ms {
		if ms >= 0 {
			lo, hi = min(lo, ms), max(hi, ms)
		}
	}
	bl.tl.Start, bl.tl.End = msTime(lo), msTime(hi)
	if k.bad > 0 {
		bl.warnings["malformed_event"] = &Warning{Kind: "malformed_event", Count: k.bad, Example: k.example}
	}
}

// warn counts a skipped event under kind, keeping the first example.
func (bl *builder) warn(kind string, raw []byte) {
	w := bl.warnings[kind]
	if w == nil {
		w = &Warning{Kind: kind, Example: warningExample(raw)}
		bl.warnings[kind] = w
	}
	w.Count++
}

// emit appends an event and its bookkeeping, returning its index.
func (bl *builder) emit(ev Event, m evMeta) int {
	if m.end.IsZero() {
		m.end = ev.Time
	}
	bl.events = append(bl.events, ev)
	bl.meta = append(bl.meta, m)
	return len(bl.events) - 1
}

// dispatch routes one recorded event by rrweb type.
func (bl *builder) dispatch(it item) {
	switch it.typ {
	case rrDomContentLoaded, rrLoad, rrPlugin:
	case rrFullSnapshot:
		node, err := snapshotNode(it.data)
		if err != nil || len(node) == 0 {
			bl.warn("malformed_event", it.raw)
			return
		}
		if err := bl.mirror.loadSnapshot(node); err != nil {
			bl.warn("bad_snapshot", it.raw)
			return
		}
		bl.snapshot = true
		bl.tl.HasSnapshot = true
	case rrIncremental:
		bl.incremental(it)
	case rrMeta:
		bl.metaEvent(it)
	case rrCustom:
		bl.custom(it)
	default:
		bl.warn("unknown_event_type", it.raw)
	}
}

// metaEvent handles a Meta (4): a page load or a checkout of the same page.
func (bl *builder) metaEvent(it item) {
	var d struct {
		Href   string  `json:"href"`
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
	}
	if json.Unmarshal(it.data, &d) != nil {
		bl.warn("malformed_event", it.raw)
		return
	}
	if !bl.sawMeta {
		bl.sawMeta = true
		bl.tl.Viewport = Viewport{Width: int(d.Width), Height: int(d.Height)}
	}
	if d.Href != "" {
		bl.navigate(d.Href, navMeta, it)
	}
}

// incremental handles IncrementalSnapshot (3) events by source.
func (bl *builder) incremental(it item) {
	source, ok := it.src, it.srcOK
	if !it.srcRead {
		var err error
		source, ok, err = sourceOf(it.data)
		ok = ok && err == nil
	}
	if !ok {
		bl.warn("malformed_event", it.raw)
		return
	}
	switch source {
	case 0: // Mutation
		if it.mut == nil {
			it.mut = bl.mirror.decodeMutation(it.data)
		}
		bl.commitByText(it)
		missing, err := bl.mirror.applyMutation(it.mut)
		if err != nil {
			bl.warn("malformed_event", it.raw)
		} else if missing > 0 && bl.snapshot {
			bl.warn("mutation_unknown_node", it.raw)
		}
	case 2:
		bl.mouseInteraction(it)
	case 3:
		bl.scroll(it)
	case 4:
		var v struct {
			Width  float64 `json:"width"`
			Height float64 `json:"height"`
		}
		if json.Unmarshal(it.data, &v) != nil {
			bl.warn("malformed_event", it.raw)
			return
		}
		bl.emit(Event{Kind: KindResize, Time: it.t, Segment: it.seg, Resize: &Viewport{Width: int(v.Width), Height: int(v.Height)}}, evMeta{})
	case 5:
		bl.input(it)
	case 1, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16:
		// Pointer movement, media, styles, canvas, fonts, logs, drag,
		// selection, custom elements: not needed to replay user intent.
	default:
		bl.warn("unknown_incremental_source", it.raw)
	}
}

// custom handles Sentry's custom events (5) by tag.
func (bl *builder) custom(it item) {
	r := it.custom
	if r == nil {
		r = &bl.customRead
		readCustom(it.data, &bl.mirror.in, r)
	}
	if r.err != nil {
		bl.warn("malformed_event", it.raw)
		return
	}
	switch r.tag {
	case "breadcrumb":
		bl.breadcrumb(it, r)
	case "performanceSpan":
		bl.span(it, r)
	case "options":
		var opts map[string]any
		if json.Unmarshal(r.payload, &opts) != nil || opts == nil {
			bl.warn("malformed_event", it.raw)
			return
		}
		if bl.tl.Options == nil {
			bl.tl.Options = opts
		}
	default:
		bl.warn("unknown_custom_tag", it.raw)
	}
}

// compact removes merged events.
func (bl *builder) compact() {
	evs, metas := bl.events[:0], bl.meta[:0]
	for i, e := range bl.events {
		if !bl.meta[i].drop {
			evs = append(evs, e)
			metas = append(metas, bl.meta[i])
		}
	}
	bl.events, bl.meta = evs, metas
}

// finish sorts the events, computes offsets, the end and the warnings.
func (bl *builder) finish() {
	idx := make([]int, len(bl.events))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bl.events[idx[a]].Time.Before(bl.events[idx[b]].Time) })
	out := make([]Event, len(idx))
	for i, j := range idx {
		out[i] = bl.events[j]
		if end := bl.meta[j].end; end.After(bl.tl.End) && out[i].Kind != KindError {
			bl.tl.End = end
		}
	}
	for i := range out {
		out[i].Offset = out[i].Time.Sub(bl.tl.Start)
		if out[i].Kind == KindNavigation && bl.tl.InitialURL == "" {
			bl.tl.InitialURL = out[i].Navigation.URL
		}
	}
	bl.tl.Events = out
	bl.tl.Duration = bl.tl.End.Sub(bl.tl.Start)
	for _, k := range sortedKeys(bl.warnings) {
		bl.tl.Warnings = append(bl.tl.Warnings, *bl.warnings[k])
	}
}

// IsMissingSnapshot reports whether err says the recording had no
// FullSnapshot (the timeline returned with it is still usable).
func IsMissingSnapshot(err error) bool { return errors.Is(err, ErrNoFullSnapshot) }
