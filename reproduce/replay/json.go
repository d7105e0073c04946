package replay

import (
	"encoding/json"
	"time"
)

// JSON encoding for consumers' --json output: snake_case names, times as
// RFC 3339 with milliseconds, durations and offsets as milliseconds
// (numbers, fractional when needed). Nil payloads are omitted. Decoding
// back is not supported.

// jsonTime encodes a time as RFC 3339 with milliseconds (null when zero).
type jsonTime time.Time

// MarshalJSON implements json.Marshaler.
func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z07:00"))
}

// jsonMs encodes a duration as milliseconds.
type jsonMs time.Duration

// MarshalJSON implements json.Marshaler.
func (d jsonMs) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(d) / float64(time.Millisecond))
}

// MarshalJSON encodes the timeline (see the package's JSON conventions).
func (tl Timeline) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ReplayID      string         `json:"replay_id"`
		Start         jsonTime       `json:"start"`
		End           jsonTime       `json:"end"`
		Duration      jsonMs         `json:"duration_ms"`
		InitialURL    string         `json:"initial_url"`
		Viewport      Viewport       `json:"viewport"`
		UserAgent     string         `json:"user_agent,omitempty"`
		Locale        string         `json:"locale,omitempty"`
		Timezone      string         `json:"timezone,omitempty"`
		Options       map[string]any `json:"options,omitempty"`
		Segments      int            `json:"segments"`
		Partial       bool           `json:"partial"`
		HasSnapshot   bool           `json:"has_snapshot"`
		Events        []Event        `json:"events"`
		Warnings      []Warning      `json:"warnings,omitempty"`
		MissingErrors []string       `json:"missing_errors,omitempty"`
	}{tl.ReplayID, jsonTime(tl.Start), jsonTime(tl.End), jsonMs(tl.Duration), tl.InitialURL, tl.Viewport,
		tl.UserAgent, tl.Locale, tl.Timezone, tl.Options, tl.Segments, tl.Partial, tl.HasSnapshot, nonNilEvents(tl.Events), tl.Warnings, tl.MissingErrors})
}

func nonNilEvents(evs []Event) []Event {
	if evs == nil {
		return []Event{}
	}
	return evs
}

// MarshalJSON encodes an event with its one payload under its kind's name.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Kind       Kind         `json:"kind"`
		Time       jsonTime     `json:"time"`
		Offset     jsonMs       `json:"offset_ms"`
		Segment    int          `json:"segment"`
		Navigation *Navigation  `json:"navigation,omitempty"`
		Click      *Click       `json:"click,omitempty"`
		Input      *Input       `json:"input,omitempty"`
		Key        *Key         `json:"key,omitempty"`
		Scroll     *Scroll      `json:"scroll,omitempty"`
		Resize     *Viewport    `json:"resize,omitempty"`
		Network    *Network     `json:"network,omitempty"`
		Console    *Console     `json:"console,omitempty"`
		Error      *LinkedError `json:"error,omitempty"`
		Friction   *Friction    `json:"friction,omitempty"`
	}{e.Kind, jsonTime(e.Time), jsonMs(e.Offset), e.Segment, e.Navigation, e.Click, e.Input, e.Key, e.Scroll,
		e.Resize, e.Network, e.Console, e.Error, e.Friction})
}

// MarshalJSON encodes a network call with its start as a time and its
// duration in milliseconds.
func (n Network) MarshalJSON() ([]byte, error) {
	type plain Network
	return json.Marshal(struct {
		plain
		Start    jsonTime `json:"start"`
		Duration jsonMs   `json:"duration_ms"`
	}{plain(n), jsonTime(n.Start), jsonMs(n.Duration)})
}

// MarshalJSON encodes friction with its durations in milliseconds.
func (f Friction) MarshalJSON() ([]byte, error) {
	type plain Friction
	out := struct {
		plain
		TimeAfterClick *jsonMs `json:"time_after_click_ms,omitempty"`
		Gap            *jsonMs `json:"gap_ms,omitempty"`
	}{plain: plain(f)}
	if f.TimeAfterClick > 0 {
		d := jsonMs(f.TimeAfterClick)
		out.TimeAfterClick = &d
	}
	if f.Gap > 0 {
		d := jsonMs(f.Gap)
		out.Gap = &d
	}
	return json.Marshal(out)
}

// MarshalJSON encodes an error event with its time in RFC 3339 (ms).
func (e ErrorEvent) MarshalJSON() ([]byte, error) {
	type plain ErrorEvent
	return json.Marshal(struct {
		plain
		Time jsonTime `json:"time"`
	}{plain(e), jsonTime(e.Time)})
}
