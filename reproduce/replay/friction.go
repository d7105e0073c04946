package replay

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// Friction thresholds.
const (
	// rageClicks clicks on one target within rageWindow make a rage click
	// when the SDK did not report one (it needs 5 for ui.multiClick).
	rageClicks = 3
	rageWindow = time.Second
	// sdkRageCount is the UI's rage rule for ui.multiClick.
	sdkRageCount = 5
)

// sdkFriction turns the SDK's own signals into friction: a
// ui.slowClickDetected that ended by timeout is a dead click, a
// ui.multiClick with clickCount >= 5 a rage click. Slow clicks that ended
// in a mutation and smaller multi-clicks are not friction.
func (bl *builder) sdkFriction(it item, bc breadcrumbPayload, dd domData) {
	var d struct {
		EndReason        string          `json:"endReason"`
		ClickCount       json.RawMessage `json:"clickCount"`
		TimeAfterClickMs json.RawMessage `json:"timeAfterClickMs"`
	}
	if json.Unmarshal(bc.Data, &d) != nil {
		bl.warn("malformed_event", it.raw)
		return
	}
	f := &Friction{ClickCount: flexInt(d.ClickCount), EndReason: d.EndReason}
	if ms, ok := flexFloat(d.TimeAfterClickMs); ok && ms > 0 && ms < 1e9 {
		f.TimeAfterClick = time.Duration(ms * float64(time.Millisecond))
	}
	switch {
	case bc.Category == "ui.slowClickDetected" && d.EndReason == "timeout":
		f.Kind = FrictionDeadClick
	case bc.Category == "ui.multiClick" && f.ClickCount >= sdkRageCount:
		f.Kind = FrictionRageClick
	default:
		return
	}
	t := bl.target(dd.nodeID(), dd, bc.Message)
	f.Target = &t
	bl.emit(Event{Kind: KindFriction, Time: it.t, Segment: it.seg, Friction: f}, evMeta{node: dd.nodeID(), fromBC: true})
}

// sortEvents stable-sorts events and their bookkeeping by time.
func (bl *builder) sortEvents() {
	idx := make([]int, len(bl.events))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bl.events[idx[a]].Time.Before(bl.events[idx[b]].Time) })
	evs := make([]Event, len(idx))
	metas := make([]evMeta, len(idx))
	for i, j := range idx {
		evs[i], metas[i] = bl.events[j], bl.meta[j]
	}
	bl.events, bl.meta = evs, metas
}

// targetKey identifies a click target across events: the node id, else
// the breadcrumb selector.
func targetKey(e Event, m evMeta) string {
	if m.node != 0 {
		return "#" + strconv.Itoa(m.node)
	}
	if e.Click != nil {
		return e.Click.Target.Selector
	}
	return ""
}

// isFailure reports whether e shows something went wrong.
func isFailure(e Event) bool {
	switch e.Kind {
	case KindNetwork:
		return e.Network.Failed
	case KindError:
		return true
	case KindConsole:
		return e.Console.Level == "error" || e.Console.Level == "assert"
	case KindFriction:
		return e.Friction.Kind == FrictionDeadClick
	}
	return false
}

// isUserAction reports whether e is something the user did.
func isUserAction(e Event) bool {
	switch e.Kind {
	case KindClick, KindInput, KindKey, KindScroll:
		return true
	case KindNavigation:
		return e.Navigation.Via == ViaBack || e.Navigation.Via == ViaForward
	}
	return false
}

// detectFriction derives rage clicks (>= 3 clicks on one target within a
// second, unless the SDK already reported one), repeated clicks (a target
// clicked again after a failure) and hesitations (no user action for at
// least the hesitation threshold between two actions). The events must be
// sorted.
func (bl *builder) detectFriction() {
	var found []Event
	type clickRun struct {
		times []time.Time
		last  int // index of the previous click on this target
		first int // index of the burst's first click
		count int
	}
	runs := map[string]*clickRun{}
	sdkRage := map[string][]time.Time{} // rage clicks the SDK reported, per target
	for i, e := range bl.events {
		if e.Kind == KindFriction && e.Friction.Kind == FrictionRageClick && bl.meta[i].fromBC {
			k := "#" + strconv.Itoa(bl.meta[i].node)
			sdkRage[k] = append(sdkRage[k], e.Time)
		}
	}
	sdkRageNear := func(key string, t time.Time) bool {
		for _, r := range sdkRage[key] {
			if absDur(r.Sub(t)) <= 2*time.Second {
				return true
			}
		}
		return false
	}
	lastFailure := time.Time{}
	prevAction := -1
	for i, e := range bl.events {
		if isFailure(e) && e.Time.After(lastFailure) {
			lastFailure = e.Time
		}
		if !isUserAction(e) {
			continue
		}
		if prevAction >= 0 {
			if gap := e.Time.Sub(bl.meta[prevAction].end); gap >= bl.opts.Hesitation {
				f := &Friction{Kind: FrictionHesitation, Gap: gap, Target: actionTarget(e)}
				found = append(found, Event{Kind: KindFriction, Time: e.Time, Segment: e.Segment, Friction: f})
			}
		}
		prevAction = i
		if e.Kind != KindClick {
			continue
		}
		key := targetKey(e, bl.meta[i])
		if key == "" {
			continue
		}
		r := runs[key]
		if r == nil {
			r = &clickRun{last: -1}
			runs[key] = r
		}
		if r.last >= 0 {
			prev := bl.events[r.last]
			gap := e.Time.Sub(prev.Time)
			if gap > rageWindow && lastFailure.After(prev.Time) && !lastFailure.After(e.Time) {
				t := e.Click.Target
				found = append(found, Event{Kind: KindFriction, Time: e.Time, Segment: e.Segment,
					Friction: &Friction{Kind: FrictionRepeatedClick, Target: &t, ClickCount: r.count + 1, Gap: gap}})
			}
		}
		r.last = i
		r.count++
		// Rage: a burst of clicks each within rageWindow of the burst start.
		if n := len(r.times); n > 0 && e.Time.Sub(r.times[0]) > rageWindow {
			if n >= rageClicks && !sdkRageNear(key, r.times[0]) {
				t := bl.events[r.first].Click.Target
				found = append(found, Event{Kind: KindFriction, Time: r.times[0], Segment: e.Segment,
					Friction: &Friction{Kind: FrictionRageClick, Target: &t, ClickCount: n}})
			}
			r.times = r.times[:0]
		}
		if len(r.times) == 0 {
			r.first = i
		}
		r.times = append(r.times, e.Time)
	}
	for _, key := range sortedKeys(runs) {
		r := runs[key]
		if n := len(r.times); n >= rageClicks && !sdkRageNear(key, r.times[0]) {
			j := r.first
			t := bl.events[j].Click.Target
			found = append(found, Event{Kind: KindFriction, Time: r.times[0], Segment: bl.events[j].Segment,
				Friction: &Friction{Kind: FrictionRageClick, Target: &t, ClickCount: n}})
		}
	}
	for _, f := range found {
		bl.emit(f, evMeta{})
	}
}

// actionTarget returns the target of a user action, nil if it has none.
func actionTarget(e Event) *Target {
	switch {
	case e.Click != nil:
		t := e.Click.Target
		return &t
	case e.Input != nil:
		t := e.Input.Target
		return &t
	case e.Key != nil:
		return e.Key.Target
	case e.Scroll != nil:
		return e.Scroll.Target
	}
	return nil
}

// Linked summarises an error event for the timeline: its main exception
// is the last one (Sentry lists chained exceptions inner first).
func (e ErrorEvent) Linked() LinkedError {
	le := LinkedError{EventID: e.EventID, Level: firstNonEmpty(e.Level, "error"), Culprit: e.Culprit, Value: e.Message}
	if n := len(e.Exceptions); n > 0 {
		ex := e.Exceptions[n-1]
		le.Type, le.Value = ex.Type, firstNonEmpty(ex.Value, e.Message)
		le.Handled = ex.Mechanism.Handled
		le.Mechanism = ex.Mechanism.Type
		le.Frames = ex.Frames
	}
	return le
}

// linkErrors places the bundle's error events on the timeline and lists the
// error ids the details name but the bundle lacks.
func (bl *builder) linkErrors(b *Bundle) {
	have := map[string]bool{}
	for _, ev := range b.Errors {
		if ev.ReplayID != "" && bl.tl.ReplayID != "" && ev.ReplayID != bl.tl.ReplayID {
			bl.warn("foreign_error", []byte(ev.EventID))
			continue
		}
		if ev.EventID != "" && have[ev.EventID] {
			continue
		}
		have[ev.EventID] = true
		t := ev.Time
		if t.IsZero() {
			bl.warn("error_without_time", []byte(ev.EventID))
			t = bl.tl.Start
		}
		le := ev.Linked()
		bl.emit(Event{Kind: KindError, Time: t, Segment: -1, Error: &le}, evMeta{})
	}
	for _, id := range b.Details.ErrorIDs {
		if !have[id] {
			bl.tl.MissingErrors = append(bl.tl.MissingErrors, id)
			have[id] = true
		}
	}
}
