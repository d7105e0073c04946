package story

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/repro-dev/repro/reproduce/replay"
)

// Story is the escalation story of a replay: a short numbered list of what
// the user did, what the system returned and where it broke down, and a
// one-line classification. It is what `repro inspect` prints and what a
// verdict's report starts with.
type Story struct {
	ReplayID string        `json:"replay_id"`
	Duration time.Duration `json:"-"`
	// Lines are in time order; failure lines have Failure set.
	Lines          []StoryLine    `json:"lines"`
	Classification Classification `json:"classification"`
	// Notes say what the data does not cover (skipped events, missing
	// error events, a partial download).
	Notes []string `json:"notes,omitempty"`
}

// StoryLine is one numbered line of a Story.
type StoryLine struct {
	N      int           `json:"n"`
	Offset time.Duration `json:"-"`
	// Actor is "user" (what the user did), "system" (what the app or the
	// backend returned) or "friction" (signs the user struggled).
	Actor string `json:"actor"`
	Text  string `json:"text"`
	// Failure marks a failure signal: a failed request, an uncaught
	// error, a console error or warning, a dead or rage click.
	Failure bool `json:"failure,omitempty"`
	// Breakdown marks the first failure signal: where things went wrong.
	Breakdown bool `json:"breakdown,omitempty"`
	// Events are the indexes into Timeline.Events this line summarizes.
	Events []int `json:"events"`
	// contextOnly marks a failure line that cannot be the breakdown on its
	// own (a console warning).
	contextOnly bool
}

// Classification values.
const (
	ClassBroken    = "broken"    // something failed
	ClassConfusing = "confusing" // friction without errors
	ClassOK        = "ok"        // nothing went wrong

	WhereFrontend  = "frontend"   // the app failed on its own
	WhereBackend   = "backend"    // a request failed and the app handled it
	WhereInBetween = "in_between" // a request failed and the app did not handle it
)

// Classification is the one-line judgement of a recording.
type Classification struct {
	Class   string `json:"class"`
	Where   string `json:"where,omitempty"`
	Summary string `json:"summary"`
}

// failureWindow bounds how long after a failed request a frontend error is
// still taken as the app's reaction to it.
const failureWindow = 10 * time.Second

// Tell condenses a timeline into its escalation story. It reads only
// the recording: masked text stays masked.
func Tell(tl *replay.Timeline) *Story {
	s := &Story{ReplayID: tl.ReplayID, Duration: tl.Duration}
	b := storyBuilder{tl: tl, story: s}
	for i := range tl.Events {
		b.add(i)
	}
	b.flush()
	sort.SliceStable(s.Lines, func(i, j int) bool { return s.Lines[i].Offset < s.Lines[j].Offset })
	s.Classification = Classify(tl)
	for i := range s.Lines {
		s.Lines[i].N = i + 1
		if s.Lines[i].Failure && !b.marked && !s.Lines[i].contextOnly {
			s.Lines[i].Breakdown = true
			b.marked = true
		}
	}
	s.Notes = timelineNotes(tl)
	return s
}

type storyBuilder struct {
	tl      *replay.Timeline
	story   *Story
	pending *StoryLine // a line that may still absorb repeats
	key     string     // what the pending line repeats
	count   int
	marked  bool
	urls    map[string]string // DisplayURL of each URL met, against tl.InitialURL
}

// displayURL is replay.DisplayURL against the initial URL, once per URL (a
// long replay repeats a few API URLs thousands of times).
func (b *storyBuilder) displayURL(u string) string {
	if d, ok := b.urls[u]; ok {
		return d
	}
	if b.urls == nil {
		b.urls = map[string]string{}
	}
	d := replay.DisplayURL(u, b.tl.InitialURL)
	b.urls[u] = d
	return d
}

func (b *storyBuilder) flush() {
	if b.pending == nil {
		return
	}
	if b.count > 1 {
		b.pending.Text += fmt.Sprintf(" ×%d", b.count)
	}
	b.story.Lines = append(b.story.Lines, *b.pending)
	b.pending, b.key, b.count = nil, "", 0
}

// emit adds a line; lines with the same non-empty key in a row collapse
// into one with a count (rage clicks, polling requests).
func (b *storyBuilder) emit(i int, actor, key, text string, failure bool) {
	if key != "" && key == b.key && b.pending != nil {
		b.count++
		b.pending.Events = append(b.pending.Events, i)
		return
	}
	b.flush()
	ev := b.tl.Events[i]
	b.pending = &StoryLine{Offset: ev.Offset, Actor: actor, Text: text, Failure: failure, Events: []int{i}}
	b.key, b.count = key, 1
}

func (b *storyBuilder) add(i int) {
	ev := b.tl.Events[i]
	switch ev.Kind {
	case replay.KindNavigation:
		n := ev.Navigation
		how := "went to"
		switch n.Via {
		case replay.ViaLoad:
			how = "opened"
		case replay.ViaBack:
			how = "went back to"
		case replay.ViaForward:
			how = "went forward to"
		}
		b.emit(i, "user", "", how+" "+b.displayURL(n.URL), false)
	case replay.KindClick:
		t := replay.DescribeTarget(ev.Click.Target)
		b.emit(i, "user", "click "+t, "clicked "+t, false)
	case replay.KindInput:
		b.emit(i, "user", "", describeInput(ev.Input), false)
	case replay.KindKey:
		k := ev.Key
		text := "pressed " + replay.KeyCombo(k)
		if k.Target != nil {
			text += " in " + replay.DescribeTarget(*k.Target)
		}
		if k.Inferred != "" {
			// The SDK records no key pressed in a field: this one is read
			// from what followed it (the plan says how).
			text += " (inferred)"
		}
		b.emit(i, "user", "", text, false)
	case replay.KindScroll:
		where := "the page"
		if ev.Scroll.Target != nil {
			where = replay.DescribeTarget(*ev.Scroll.Target)
		}
		b.emit(i, "user", "scroll "+where, fmt.Sprintf("scrolled %s to y=%d", where, ev.Scroll.Y), false)
	case replay.KindResize:
		b.emit(i, "user", "", fmt.Sprintf("resized the window to %dx%d", ev.Resize.Width, ev.Resize.Height), false)
	case replay.KindNetwork:
		n := ev.Network
		text := fmt.Sprintf("%s %s → %s after %s", n.Method, b.displayURL(n.URL), replay.StatusText(n.Status), replay.FormatDuration(n.Duration))
		key := ""
		if !n.Failed {
			key = "net " + n.Method + " " + n.Path
		}
		b.emit(i, "system", key, text, n.Failed)
	case replay.KindConsole:
		c := ev.Console
		if c.Level != "warning" && c.Level != "error" && c.Level != "assert" {
			return
		}
		b.emit(i, "system", "", fmt.Sprintf("console %s: %s", c.Level, replay.Quote(c.Message, 120)), true)
		b.pending.contextOnly = c.Level == "warning"
	case replay.KindError:
		e := ev.Error
		how := "error"
		if e.Handled != nil && !*e.Handled {
			how = "uncaught"
		}
		text := fmt.Sprintf("%s %s: %s", how, e.Type, replay.Quote(e.Value, 140))
		if e.Type == "" {
			text = fmt.Sprintf("%s error: %s", how, replay.Quote(e.Value, 140))
		}
		b.emit(i, "system", "", text, true)
	case replay.KindFriction:
		b.emit(i, "friction", "", describeFriction(ev.Friction), ev.Friction.Kind != replay.FrictionHesitation)
		// A few quick clicks on a slow button are impatience, not where
		// things broke (Sentry counts a rage click from five clicks).
		b.pending.contextOnly = ev.Friction.Kind != replay.FrictionDeadClick && ev.Friction.ClickCount < replay.RageClickCount
		if f := ev.Friction; f.Kind == replay.FrictionHesitation && f.Gap > 0 && f.Gap <= ev.Offset {
			// A hesitation is stamped when it ends, at the next action:
			// tell it where it began, before that action.
			b.pending.Offset -= f.Gap
			b.flush()
		}
		if f := ev.Friction; f.Kind == replay.FrictionDeadClick && f.TimeAfterClick > 0 {
			// The SDK stamps a dead click with the click's time, but it is
			// known only once the wait is over: tell it then.
			b.pending.Offset += f.TimeAfterClick
			b.flush()
		}
	}
}

// Classify judges a recording: broken (and where), confusing, or nothing
// went wrong. It is the rule the story's last line states.
func Classify(tl *replay.Timeline) Classification {
	var firstFailed *replay.Event
	var frontendErr *replay.Event
	var frontendAfterFailure *replay.Event
	var friction []*replay.Event
	for i := range tl.Events {
		ev := &tl.Events[i]
		switch ev.Kind {
		case replay.KindNetwork:
			if ev.Network.Failed && firstFailed == nil {
				firstFailed = ev
			}
		case replay.KindError:
			if frontendErr == nil {
				frontendErr = ev
			}
		case replay.KindConsole:
			if ev.Console.Level == "error" && frontendErr == nil {
				frontendErr = ev
			}
		case replay.KindFriction:
			if ev.Friction.Kind != replay.FrictionHesitation {
				friction = append(friction, ev)
			}
		}
		if firstFailed != nil && frontendAfterFailure == nil && isFrontendFailure(ev) {
			end := firstFailed.Network.Start.Add(firstFailed.Network.Duration)
			if !ev.Time.Before(firstFailed.Time) && ev.Time.Sub(end) <= failureWindow {
				frontendAfterFailure = ev
			}
		}
	}
	switch {
	case frontendAfterFailure != nil:
		n := firstFailed.Network
		return Classification{Class: ClassBroken, Where: WhereInBetween, Summary: fmt.Sprintf(
			"the backend answered %s %s with %s and the frontend did not handle it: %s",
			n.Method, n.Path, replay.StatusText(n.Status), failureName(frontendAfterFailure))}
	case frontendErr != nil:
		return Classification{Class: ClassBroken, Where: WhereFrontend, Summary: "the frontend failed on its own: " + failureName(frontendErr)}
	case firstFailed != nil:
		n := firstFailed.Network
		return Classification{Class: ClassBroken, Where: WhereBackend, Summary: fmt.Sprintf(
			"the backend answered %s %s with %s; the frontend raised no error", n.Method, n.Path, replay.StatusText(n.Status))}
	case len(friction) > 0:
		worst := friction[0]
		for _, f := range friction {
			if frictionWeight(f.Friction) > frictionWeight(worst.Friction) {
				worst = f
			}
		}
		return Classification{Class: ClassConfusing, Summary: "no errors, but the user struggled: " + describeFriction(worst.Friction)}
	}
	return Classification{Class: ClassOK, Summary: "nothing went wrong: no failed requests, errors or frustrated clicks were recorded"}
}

// frictionWeight ranks frustration signals: a dead click says most about
// the app, then a rage click as Sentry counts one, then the rest.
func frictionWeight(f *replay.Friction) int {
	switch {
	case f.Kind == replay.FrictionDeadClick:
		return 3
	case f.Kind == replay.FrictionRageClick && f.ClickCount >= replay.RageClickCount:
		return 2
	case f.Kind == replay.FrictionRageClick:
		return 1
	}
	return 0
}

func isFrontendFailure(ev *replay.Event) bool {
	return ev.Kind == replay.KindError || (ev.Kind == replay.KindConsole && ev.Console.Level == "error")
}

func failureName(ev *replay.Event) string {
	switch ev.Kind {
	case replay.KindError:
		e := ev.Error
		if e.Handled != nil && !*e.Handled {
			return fmt.Sprintf("uncaught %s %s", e.Type, replay.Quote(e.Value, 100))
		}
		return fmt.Sprintf("%s %s", e.Type, replay.Quote(e.Value, 100))
	case replay.KindConsole:
		return "console error " + replay.Quote(ev.Console.Message, 100)
	}
	return string(ev.Kind)
}

func timelineNotes(tl *replay.Timeline) []string {
	var notes []string
	if tl.Partial {
		notes = append(notes, "the replay download was partial: some segments are missing")
	}
	if len(tl.MissingErrors) > 0 {
		notes = append(notes, fmt.Sprintf("%d linked error event(s) are not in the bundle: %s", len(tl.MissingErrors), strings.Join(tl.MissingErrors, ", ")))
	}
	skipped := 0
	for _, w := range tl.Warnings {
		skipped += w.Count
	}
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d recorded event(s) were unknown or malformed and skipped", skipped))
	}
	return notes
}

func describeInput(in *replay.Input) string {
	t := replay.DescribeTarget(in.Target)
	switch {
	case in.Checked != nil && (in.Field == "checkbox" || in.Field == "radio"):
		if *in.Checked {
			return "checked " + t
		}
		return "unchecked " + t
	case in.Field == "select":
		if in.Masked {
			return fmt.Sprintf("chose an option in %s (masked)", t)
		}
		return fmt.Sprintf("chose %s in %s", replay.Quote(in.Value, 40), t)
	case in.Masked:
		return fmt.Sprintf("typed %d characters into %s (masked)", in.Length, t)
	}
	return fmt.Sprintf("typed %s into %s", replay.Quote(in.Value, 60), t)
}

func describeFriction(f *replay.Friction) string {
	t := "an element"
	if f.Target != nil {
		t = replay.DescribeTarget(*f.Target)
	}
	switch f.Kind {
	case replay.FrictionDeadClick:
		return fmt.Sprintf("dead click on %s: nothing happened for %s", t, replay.FormatDuration(f.TimeAfterClick))
	case replay.FrictionRageClick:
		return fmt.Sprintf("rage click on %s: %d clicks", t, f.ClickCount)
	case replay.FrictionRepeatedClick:
		return fmt.Sprintf("clicked %s again after a failure", t)
	case replay.FrictionHesitation:
		return fmt.Sprintf("hesitated for %s", replay.FormatDuration(f.Gap))
	}
	return f.Kind + " on " + t
}
