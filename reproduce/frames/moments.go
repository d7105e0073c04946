package frames

import (
	"time"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
)

// Moments returns the moment to render for each step (one per step, in
// order), with the step's target node outlined:
//
//   - a click or a key press: the page as the user acted on it (the
//     element they clicked is there to outline);
//   - every other step (open, back, forward, typing, choosing, checking,
//     scrolling, resizing): the page once the step was done, just before
//     the user's next step (or at the end of the recording for the last
//     step), like the rerun's screenshot after the step.
//
// A step's target is the rrweb node of the timeline event it was planned
// from (same offset and kind); a step no event matches (the navigation a
// plan inserts first) outlines nothing.
func Moments(tl *replay.Timeline, steps []plan.Step) []replay.Moment {
	out := make([]replay.Moment, len(steps))
	var end time.Duration
	if tl != nil {
		end = tl.Duration + time.Millisecond
	}
	for i, st := range steps {
		m := replay.Moment{Offset: st.Offset, Target: targetOf(tl, st)}
		switch st.Kind {
		case plan.StepClick, plan.StepKey:
		default:
			m.Offset = end
			if i+1 < len(steps) {
				m.Offset = max(steps[i+1].Offset, st.Offset)
			}
		}
		out[i] = m
	}
	return out
}

// eventKinds maps a step kind to the timeline event kind it comes from.
var eventKinds = map[plan.StepKind]replay.Kind{
	plan.StepNavigate: replay.KindNavigation,
	plan.StepBack:     replay.KindNavigation,
	plan.StepForward:  replay.KindNavigation,
	plan.StepClick:    replay.KindClick,
	plan.StepInput:    replay.KindInput,
	plan.StepCheck:    replay.KindInput,
	plan.StepSelect:   replay.KindInput,
	plan.StepKey:      replay.KindKey,
	plan.StepScroll:   replay.KindScroll,
	plan.StepResize:   replay.KindResize,
}

// targetOf is the rrweb node id of the step's target (0: none known).
func targetOf(tl *replay.Timeline, st plan.Step) int {
	if tl == nil {
		return 0
	}
	kind, ok := eventKinds[st.Kind]
	if !ok {
		return 0
	}
	for _, ev := range tl.Events {
		if ev.Offset != st.Offset || ev.Kind != kind {
			continue
		}
		var t *replay.Target
		switch {
		case ev.Click != nil:
			t = &ev.Click.Target
			if ev.Click.Hit != nil && ev.Click.Hit.NodeID != 0 && t.NodeID == 0 {
				t = ev.Click.Hit
			}
		case ev.Input != nil:
			t = &ev.Input.Target
		case ev.Key != nil:
			t = ev.Key.Target
		case ev.Scroll != nil:
			t = ev.Scroll.Target
		}
		if t != nil && t.NodeID != 0 {
			return t.NodeID
		}
	}
	return 0
}
