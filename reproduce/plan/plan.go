package plan

import (
	"fmt"
	"time"
)

// A Plan is the data a run executes: the recorded session's environment and
// its user steps, in order. It is built from a replay's timeline by the
// planner and executed by Execute (or step by step through a Session, which
// is what generated regression tests do). A Plan holds no code: each Step
// turns into chromedp actions in one place (Session.Do).
type Plan struct {
	// ReplayID names the Sentry replay the plan was built from.
	ReplayID string `json:"replay_id,omitempty"`
	// StartURL is the recorded URL of the first page (absolute, on the
	// recorded origin). The runner maps it onto the app under test.
	StartURL string `json:"start_url"`
	// RecordedOrigin is the scheme://host[:port] the session was recorded on,
	// e.g. "http://imagechat.example.test:8080". Requests to it are mapped
	// onto the app under test; nothing ever reaches the recorded host.
	RecordedOrigin string `json:"recorded_origin,omitempty"`

	Viewport  Viewport `json:"viewport"`
	UserAgent string   `json:"user_agent,omitempty"`
	Locale    string   `json:"locale,omitempty"`   // e.g. "en-US"
	Timezone  string   `json:"timezone,omitempty"` // IANA name, e.g. "Europe/Berlin"
	// StartTime is the wall-clock time the page clock starts at (the
	// recording's start), so the app sees the same dates as the user did.
	StartTime time.Time `json:"start_time"`
	// Seed seeds the page's Math.random, crypto.getRandomValues and
	// crypto.randomUUID.
	Seed int64 `json:"seed"`
	// Pinned says, in words, what the rerun's environment pins (clock,
	// random sources, viewport, locale, timezone, user agent, motion) and
	// where (documents, frames, workers).
	Pinned []string `json:"pinned,omitempty"`

	// APIOrigins are origins whose requests are answered by the mock
	// backend (the recorded API origins, e.g. "https://api.example.com").
	APIOrigins []string `json:"api_origins,omitempty"`
	// APIPaths are path prefixes served by the mock backend on the app's own
	// origin (e.g. "/api/"); every other path on the app origin is an asset
	// of the app under test.
	APIPaths []string `json:"api_paths,omitempty"`

	Steps []Step `json:"steps"`
	// Dropped says what the recording held that the plan refuses to do:
	// navigations to non-http(s) URLs or to other origins.
	Dropped []string `json:"dropped,omitempty"`
}

// Viewport is the browser window the session was recorded in.
type Viewport struct {
	Width             int     `json:"width"`
	Height            int     `json:"height"`
	DeviceScaleFactor float64 `json:"device_scale_factor,omitempty"`
	Mobile            bool    `json:"mobile,omitempty"`
}

// StepKind is what a user step does.
type StepKind string

// The kinds of user steps a Plan can hold.
const (
	StepNavigate StepKind = "navigate" // load URL (mapped onto the app)
	StepClick    StepKind = "click"    // click the element (or the recorded point)
	StepInput    StepKind = "input"    // clear the field and type Value with key events
	StepCheck    StepKind = "check"    // set a checkbox/radio to Checked
	StepSelect   StepKind = "select"   // choose Value in a <select>
	StepKey      StepKind = "key"      // press Key (with Modifiers)
	StepScroll   StepKind = "scroll"   // scroll the element or the window to ScrollX/ScrollY
	StepBack     StepKind = "back"     // history back
	StepForward  StepKind = "forward"  // history forward
	StepResize   StepKind = "resize"   // change the viewport to Width x Height
	StepWait     StepKind = "wait"     // wait for Selectors (if any) or for the page to settle
)

// A Step is one user action of a Plan. Which fields matter depends on Kind.
type Step struct {
	// Index is the step's position in Plan.Steps (evidence refers to it).
	Index int      `json:"index"`
	Kind  StepKind `json:"kind"`
	// Offset is the recorded time of the step since the replay started.
	Offset time.Duration `json:"-"`
	// Gap is the recorded time since the previous step; the runner sleeps
	// for it only with TimingRecorded.
	Gap time.Duration `json:"-"`
	// Description is a human line, e.g. `click button#generate "********"`.
	Description string `json:"description,omitempty"`

	// URL is, for navigate, the RECORDED absolute URL; the runner maps it
	// onto the app under test.
	URL string `json:"url,omitempty"`

	// Selectors are ranked CSS candidates, best first; the first one that
	// matches a visible element wins.
	Selectors []string `json:"selectors,omitempty"`
	// X, Y are the recorded viewport coordinates, used when no selector
	// matches (HasPoint says they are set).
	X        float64 `json:"x,omitempty"`
	Y        float64 `json:"y,omitempty"`
	HasPoint bool    `json:"has_point,omitempty"`

	// Value is what an input step types or a select step chooses (already
	// chosen by the planner; a masked value is a placeholder).
	Value string `json:"value,omitempty"`
	// Checked is the state a check step sets.
	Checked *bool `json:"checked,omitempty"`
	// Key is a key step's key name: "Enter", "Escape", "Tab", "a", ...
	Key string `json:"key,omitempty"`
	// Modifiers are held during a key step: "Alt", "Control", "Meta", "Shift".
	Modifiers []string `json:"modifiers,omitempty"`
	// Inferred says why a key step the SDK could not record is believed
	// pressed (Enter in a field; see replay.Key.Inferred).
	Inferred string `json:"inferred,omitempty"`
	// JudgeDeadClick makes a click step wait for the click's first effect
	// and judge it dead by the SDK's rule (see Session.judgeDeadClick): set
	// on the clicks the recorded failure names, the only ones whose
	// liveness can change the verdict.
	JudgeDeadClick bool `json:"judge_dead_click,omitempty"`

	// ScrollX, ScrollY are a scroll step's final offsets, of the element
	// (Selectors) or of the window (ScrollWindow).
	ScrollX      int  `json:"scroll_x,omitempty"`
	ScrollY      int  `json:"scroll_y,omitempty"`
	ScrollWindow bool `json:"scroll_window,omitempty"`

	// Width, Height are a resize step's new viewport.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`

	// Duration bounds a wait step (zero: the session's step timeout).
	Duration time.Duration `json:"-"`

	// Masked says the recorded value was masked by the SDK.
	Masked bool `json:"masked,omitempty"`
	// Length is the recorded length of a masked value; a select step with
	// no Value chooses an option whose value has this many characters.
	Length int `json:"length,omitempty"`
}

// String is the step's human form: its Description, or kind and target.
func (s Step) String() string {
	if s.Description != "" {
		return s.Description
	}
	switch {
	case s.URL != "":
		return fmt.Sprintf("%s %s", s.Kind, s.URL)
	case len(s.Selectors) > 0:
		return fmt.Sprintf("%s %s", s.Kind, s.Selectors[0])
	case s.HasPoint:
		return fmt.Sprintf("%s at (%.0f,%.0f)", s.Kind, s.X, s.Y)
	}
	return string(s.Kind)
}

// Validate reports the first field a step of its kind needs and lacks.
func (s Step) Validate() error {
	needTarget := func() error {
		if len(s.Selectors) == 0 && !s.HasPoint {
			return fmt.Errorf("step %d (%s): no selector and no point", s.Index, s.Kind)
		}
		return nil
	}
	switch s.Kind {
	case StepNavigate:
		if s.URL == "" {
			return fmt.Errorf("step %d (navigate): no URL", s.Index)
		}
	case StepClick:
		return needTarget()
	case StepInput, StepSelect:
		if len(s.Selectors) == 0 {
			return fmt.Errorf("step %d (%s): no selector", s.Index, s.Kind)
		}
	case StepCheck:
		if s.Checked == nil {
			return fmt.Errorf("step %d (check): no checked state", s.Index)
		}
		return needTarget()
	case StepKey:
		if s.Key == "" {
			return fmt.Errorf("step %d (key): no key", s.Index)
		}
	case StepScroll:
		if !s.ScrollWindow && len(s.Selectors) == 0 {
			return fmt.Errorf("step %d (scroll): neither the window nor a selector", s.Index)
		}
	case StepResize:
		if s.Width <= 0 || s.Height <= 0 {
			return fmt.Errorf("step %d (resize): bad size %dx%d", s.Index, s.Width, s.Height)
		}
	case StepBack, StepForward, StepWait:
	default:
		return fmt.Errorf("step %d: unknown kind %q", s.Index, s.Kind)
	}
	return nil
}

// pinned lists, in words, what a rerun pins of the environment (the
// session applies it: see session/determinism.go); the plan says it.
func pinned(p Plan) []string {
	var out []string
	if !p.StartTime.IsZero() {
		out = append(out, fmt.Sprintf("clock: Date, Date.now and performance.timeOrigin start at %s (the recording's start); timers and performance.now run in real time on that timeline", p.StartTime.UTC().Format(time.RFC3339Nano)))
	} else {
		out = append(out, "clock: real time (the recording has no start time)")
	}
	out = append(out, fmt.Sprintf("random: Math.random, crypto.getRandomValues and crypto.randomUUID seeded with %d", uint32(p.Seed^(p.Seed>>32))))
	v := p.Viewport
	if v.Width <= 0 || v.Height <= 0 {
		v.Width, v.Height = 1280, 720
	}
	out = append(out, fmt.Sprintf("viewport: %dx%d", v.Width, v.Height))
	if p.Timezone != "" {
		out = append(out, "timezone: "+p.Timezone)
	}
	if p.Locale != "" {
		out = append(out, "locale: "+p.Locale)
	}
	if p.UserAgent != "" {
		out = append(out, "user agent: "+p.UserAgent)
	}
	out = append(out, "motion: CSS animations and transitions off, prefers-reduced-motion: reduce",
		"scope: every document and iframe of the tab, and every dedicated, shared and service worker script the app serves")
	return out
}
