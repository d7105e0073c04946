package replay

import (
	"encoding/json"
	"errors"
	"time"
)

// Sentinel errors. Each is wrapped with context by the function that returns
// it, so test with errors.Is.
var (
	// ErrEmptyReplay means the recording holds no events at all.
	ErrEmptyReplay = errors.New("replay has no recorded events")
	// ErrNoFullSnapshot means events exist but none is an rrweb FullSnapshot,
	// so user actions cannot be mapped to DOM elements. BuildTimeline still
	// returns the timeline alongside this error; pass AllowNoSnapshot() to
	// get it without the error.
	ErrNoFullSnapshot = errors.New("replay has no full DOM snapshot")
	// ErrNotReplay means the input is not replay data in any known shape.
	ErrNotReplay = errors.New("not a replay")
)

// Bundle is a replay as stored on disk: the API details, the recording
// segments, the linked error events and any extra files, as one value.
type Bundle struct {
	// Dir is the bundle directory, or the file the bundle was read from.
	Dir string
	// Details is the replay details API object (sentry-format §1.2).
	Details Details
	// Segments, when set, is the recording: each segment's raw rrweb
	// events, in segment_id order (for bundles built in memory). A bundle
	// loaded by Load or LoadBundle leaves it nil and keeps no raw events:
	// its recording is streamed again from the file or envelopes it came
	// from when the timeline is built. ReadSegments returns the events
	// either way; SegmentCount counts the segments.
	Segments [][]json.RawMessage
	// Errors are the error events linked to the replay.
	Errors []ErrorEvent
	// Manifest is the raw manifest.json, when the bundle has one.
	Manifest json.RawMessage
	// Partial is true when the fetcher could not download everything
	// (fetch.json says {"partial":true}).
	Partial bool
	// UserAgent is the browser's User-Agent from a replay_event envelope
	// item, when envelopes were available; "" otherwise.
	UserAgent string

	// rec is the recording the bundle was loaded from (see Segments).
	rec recording
}

// NameVersion is a name and version pair (browser, os, sdk).
type NameVersion struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// Device describes the device in the replay details.
type Device struct {
	Name   string `json:"name,omitempty"`
	Brand  string `json:"brand,omitempty"`
	Model  string `json:"model,omitempty"`
	Family string `json:"family,omitempty"`
}

// User is the replay's user as Sentry recorded it.
type User struct {
	ID          string `json:"id,omitempty"`
	Username    string `json:"username,omitempty"`
	Email       string `json:"email,omitempty"`
	IP          string `json:"ip,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
}

// Details is the replay details object of Sentry's API. IDs are normalized:
// dashes stripped, lowercase.
type Details struct {
	ID              string              `json:"id"`
	ProjectID       string              `json:"project_id,omitempty"`
	StartedAt       time.Time           `json:"started_at"`
	FinishedAt      time.Time           `json:"finished_at"`
	Duration        float64             `json:"duration"` // seconds
	CountSegments   int                 `json:"count_segments"`
	ErrorIDs        []string            `json:"error_ids,omitempty"`
	TraceIDs        []string            `json:"trace_ids,omitempty"`
	URLs            []string            `json:"urls,omitempty"`
	Environment     string              `json:"environment,omitempty"`
	Releases        []string            `json:"releases,omitempty"`
	ReplayType      string              `json:"replay_type,omitempty"`
	Platform        string              `json:"platform,omitempty"`
	Browser         NameVersion         `json:"browser"`
	OS              NameVersion         `json:"os"`
	Device          Device              `json:"device"`
	SDK             NameVersion         `json:"sdk"`
	User            User                `json:"user"`
	Tags            map[string][]string `json:"tags,omitempty"`
	CountErrors     int                 `json:"count_errors"`
	CountDeadClicks int                 `json:"count_dead_clicks"`
	CountRageClicks int                 `json:"count_rage_clicks"`
	IsArchived      bool                `json:"is_archived"`
}

// Frame is one stack frame of an exception.
type Frame struct {
	Filename string `json:"filename,omitempty"`
	Function string `json:"function,omitempty"`
	Lineno   int    `json:"lineno,omitempty"`
	Colno    int    `json:"colno,omitempty"`
	InApp    bool   `json:"in_app,omitempty"`
}

// Mechanism says how an exception was captured.
type Mechanism struct {
	Type    string `json:"type,omitempty"`
	Handled *bool  `json:"handled,omitempty"`
}

// Exception is one exception value of an error event.
type Exception struct {
	Type      string    `json:"type,omitempty"`
	Value     string    `json:"value,omitempty"`
	Mechanism Mechanism `json:"mechanism"`
	Frames    []Frame   `json:"frames,omitempty"` // outermost call first, as Sentry stores them
}

// ErrorEvent is a Sentry error event, read from either the SDK/envelope
// shape or the API's event JSON.
type ErrorEvent struct {
	EventID    string            `json:"event_id"`
	Time       time.Time         `json:"time"`
	Level      string            `json:"level,omitempty"`
	Message    string            `json:"message,omitempty"`
	Culprit    string            `json:"culprit,omitempty"`
	Exceptions []Exception       `json:"exceptions,omitempty"`
	ReplayID   string            `json:"replay_id,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Raw        json.RawMessage   `json:"-"`
}

// Envelope is a decoded Sentry envelope (sentry-format §5).
type Envelope struct {
	Header map[string]any
	Items  []EnvelopeItem
}

// EnvelopeItem is one item of an envelope. Payload is the item's bytes as
// sent (a replay_recording payload still holds its {"segment_id":N} line).
type EnvelopeItem struct {
	Type    string
	Header  map[string]any
	Payload []byte
}

// Kind names the type of a timeline event.
type Kind string

// Timeline event kinds.
const (
	KindNavigation Kind = "navigation"
	KindClick      Kind = "click"
	KindInput      Kind = "input"
	KindKey        Kind = "key"
	KindScroll     Kind = "scroll"
	KindResize     Kind = "resize"
	KindNetwork    Kind = "network"
	KindConsole    Kind = "console"
	KindError      Kind = "error"
	KindFriction   Kind = "friction"
)

// Timeline is the typed, time-ordered story of a replay.
type Timeline struct {
	ReplayID   string
	Start, End time.Time
	Duration   time.Duration
	// InitialURL is the first page URL (first Meta href or page-load span).
	InitialURL string
	// Viewport is the initial viewport from the first Meta event.
	Viewport Viewport
	// UserAgent comes from a replay_event's request headers, else from a
	// linked error's; "" if unknown.
	UserAgent string
	// Locale and Timezone come from the SDK's culture context on a linked
	// error event; "" if none was recorded.
	Locale, Timezone string
	// Options is the SDK's options event payload (segment 0), if recorded.
	Options map[string]any
	Events  []Event
	// Warnings counts the events that were skipped because they were
	// unknown or malformed.
	Warnings []Warning
	// MissingErrors lists error ids the replay details link to but whose
	// events are not in the bundle; they are not invented as events.
	MissingErrors []string
	// Segments is the number of recording segments read.
	Segments int
	// Partial is copied from the bundle: the download was incomplete.
	Partial bool
	// HasSnapshot is false when no FullSnapshot was recorded (targets then
	// come only from breadcrumbs and InDOM is false).
	HasSnapshot bool
}

// Warning counts skipped events of one kind, with one example.
type Warning struct {
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
	Example string `json:"example,omitempty"`
}

// Event is one entry of a Timeline. Exactly one payload pointer is set,
// matching Kind.
type Event struct {
	Kind Kind
	Time time.Time
	// Offset is Time minus Timeline.Start.
	Offset time.Duration
	// Segment is the recording segment the event came from (-1 for linked
	// error events, which are not part of the recording).
	Segment int

	Navigation *Navigation
	Click      *Click
	Input      *Input
	Key        *Key
	Scroll     *Scroll
	Resize     *Viewport
	Network    *Network
	Console    *Console
	Error      *LinkedError
	Friction   *Friction
}

// Viewport is a browser viewport size in CSS pixels.
type Viewport struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// Navigation ways.
const (
	ViaLoad    = "load"
	ViaPush    = "push"
	ViaBack    = "back"
	ViaForward = "forward"
)

// Navigation is a page change: a load, a pushState, or history back/forward.
type Navigation struct {
	URL  string `json:"url"`
	From string `json:"from,omitempty"`
	Via  string `json:"via"`
}

// Element is one ancestor of a target, root first.
type Element struct {
	Tag       string   `json:"tag"`
	ID        string   `json:"id,omitempty"`
	Classes   []string `json:"classes,omitempty"`
	NthOfType int      `json:"nth_of_type,omitempty"`
}

// Candidate is a selector that could find a target again, with the number
// of nodes it matched in the recorded DOM at the moment of the action.
type Candidate struct {
	Selector string `json:"selector"`
	// Kind is one of id, testid, component, name, role, class, path, nth.
	Kind    string `json:"kind"`
	Matches int    `json:"matches"`
}

// Target is the element a user action was aimed at: what the recorded DOM
// mirror knew of it, completed by the breadcrumb's attributes.
type Target struct {
	NodeID    int      `json:"node_id"`
	Tag       string   `json:"tag,omitempty"`
	ID        string   `json:"id,omitempty"`
	Classes   []string `json:"classes,omitempty"`
	TestID    string   `json:"test_id,omitempty"`
	Component string   `json:"component,omitempty"` // data-sentry-component
	Role      string   `json:"role,omitempty"`
	Name      string   `json:"name,omitempty"`
	AriaLabel string   `json:"aria_label,omitempty"`
	Title     string   `json:"title,omitempty"`
	Alt       string   `json:"alt,omitempty"`
	Type      string   `json:"type,omitempty"` // input type attribute
	Href      string   `json:"href,omitempty"`
	// Text is the element's text as recorded: masked text stays masked.
	Text       string `json:"text,omitempty"`
	TextMasked bool   `json:"text_masked,omitempty"`
	// Selector is the breadcrumb's CSS-like path (its message).
	Selector string `json:"selector,omitempty"`
	// Path is the structural path computed from the mirror.
	Path       string      `json:"path,omitempty"`
	NthOfType  int         `json:"nth_of_type,omitempty"`
	Ancestry   []Element   `json:"ancestry,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"`
	// InDOM is true when the node was present in the mirror at that moment.
	InDOM bool `json:"in_dom"`
}

// Click is a click on an element.
type Click struct {
	// Target is the element the SDK judged the click by (its ui.click
	// breadcrumb names the closest link or button of the element hit).
	Target Target `json:"target"`
	// Hit is the element the user actually hit (rrweb's click), when it is
	// not Target: a heading inside a link card, an icon inside a button.
	Hit   *Target `json:"hit,omitempty"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Count int     `json:"count"`
}

// Input is a run of typing (or a select/checkbox change) in one field,
// collapsed into one event.
type Input struct {
	Target Target `json:"target"`
	// Value is the final value as recorded: masked values stay '*'s.
	Value      string `json:"value"`
	Masked     bool   `json:"masked"`
	Length     int    `json:"length"`
	Checked    *bool  `json:"checked,omitempty"`
	Keystrokes int    `json:"keystrokes"`
	// Field is the input type, or "select", "textarea", "checkbox".
	Field string `json:"field,omitempty"`
}

// Key is a non-character key press (ui.keyDown), or a key the SDK cannot
// record (Enter in a field) inferred from what followed it.
type Key struct {
	Key string `json:"key"`
	// Inferred, when set, says why the key is believed pressed: the SDK
	// records no key pressed inside a field (sentry-format §9).
	Inferred string  `json:"inferred,omitempty"`
	Ctrl     bool    `json:"ctrl,omitempty"`
	Shift    bool    `json:"shift,omitempty"`
	Alt      bool    `json:"alt,omitempty"`
	Meta     bool    `json:"meta,omitempty"`
	Target   *Target `json:"target,omitempty"`
}

// Scroll is the final offset of a burst of scrolling of one element.
type Scroll struct {
	// Target is nil when the document itself scrolled (node id 1).
	Target *Target `json:"target,omitempty"`
	X      int     `json:"x"`
	Y      int     `json:"y"`
}

// Payload is the captured request or response side of a network call.
type Payload struct {
	Headers map[string]string `json:"headers,omitempty"`
	Size    *int              `json:"size,omitempty"`
	// Body is the captured body (JSON, or a JSON string); nil when the SDK
	// did not capture it.
	Body         json.RawMessage `json:"body,omitempty"`
	BodyCaptured bool            `json:"body_captured"`
	// Warnings are the SDK's _meta.warnings, e.g. URL_SKIPPED.
	Warnings []string `json:"warnings,omitempty"`
}

// Network is one fetch or XHR call made by the page.
type Network struct {
	Initiator string `json:"initiator"` // "fetch" or "xhr"
	Method    string `json:"method"`
	// URL is absolute, resolved against the page URL at that moment.
	URL string `json:"url"`
	// RawURL is the URL as the app passed it.
	RawURL   string        `json:"raw_url"`
	Path     string        `json:"path"`
	Status   int           `json:"status"` // 0 = unknown
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"duration_ms"`
	Request  *Payload      `json:"request,omitempty"`
	Response *Payload      `json:"response,omitempty"`
	// Failed is true when the status is >= 400 or unknown (0).
	Failed bool `json:"failed"`
}

// Console is a console call captured as a breadcrumb. Level keeps the
// SDK's words: log, info, warning (console.warn), error, debug, assert.
type Console struct {
	Level     string   `json:"level"`
	Message   string   `json:"message"`
	Args      []string `json:"args,omitempty"`
	Truncated bool     `json:"truncated,omitempty"`
}

// LinkedError is an error event linked to the replay, placed at its time.
type LinkedError struct {
	EventID   string  `json:"event_id"`
	Type      string  `json:"type,omitempty"`
	Value     string  `json:"value,omitempty"`
	Level     string  `json:"level,omitempty"`
	Handled   *bool   `json:"handled,omitempty"`
	Mechanism string  `json:"mechanism,omitempty"`
	Frames    []Frame `json:"frames,omitempty"`
	Culprit   string  `json:"culprit,omitempty"`
}

// Friction kinds.
const (
	FrictionDeadClick     = "dead_click"
	FrictionRageClick     = "rage_click"
	FrictionRepeatedClick = "repeated_click"
	FrictionHesitation    = "hesitation"
)

// Friction is a sign the user struggled: a dead click, a rage click, a
// repeated attempt after a failure, or a long hesitation.
type Friction struct {
	Kind           string        `json:"kind"`
	Target         *Target       `json:"target,omitempty"`
	ClickCount     int           `json:"click_count,omitempty"`
	TimeAfterClick time.Duration `json:"time_after_click_ms,omitempty"`
	EndReason      string        `json:"end_reason,omitempty"`
	// Gap is the idle time of a hesitation.
	Gap time.Duration `json:"gap_ms,omitempty"`
}

// HesitationThreshold is the default idle time between two user actions
// reported as a hesitation.
const HesitationThreshold = 3 * time.Second

// Options tunes BuildTimeline. An Options value is itself an Option: its
// non-zero fields override the defaults.
type Options struct {
	// AllowNoSnapshot builds a timeline without ErrNoFullSnapshot when the
	// recording has no FullSnapshot (e.g. snippets, fixtures).
	AllowNoSnapshot bool
	// Hesitation overrides HesitationThreshold when > 0.
	Hesitation time.Duration
}

// Option configures BuildTimeline.
type Option interface{ apply(*Options) }

func (o Options) apply(dst *Options) {
	if o.AllowNoSnapshot {
		dst.AllowNoSnapshot = true
	}
	if o.Hesitation > 0 {
		dst.Hesitation = o.Hesitation
	}
}

// AllowNoSnapshot returns an Option that accepts recordings without a
// FullSnapshot instead of failing with ErrNoFullSnapshot.
func AllowNoSnapshot() Option { return Options{AllowNoSnapshot: true} }
