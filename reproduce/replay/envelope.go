package replay

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// DecodeEnvelope decodes a Sentry envelope: a JSON header line, then items,
// each an item header line followed by a payload of exactly `length` bytes
// when the header sets it, or running to the next newline otherwise.
// Blank lines between items and a trailing newline are tolerated.
func DecodeEnvelope(data []byte) (*Envelope, error) {
	line, rest := cutLine(data)
	hdr, err := decodeObject(line)
	if err != nil {
		return nil, fmt.Errorf("envelope header: %w", err)
	}
	env := &Envelope{Header: hdr}
	for n := 0; ; n++ {
		rest = bytes.TrimLeft(rest, "\r\n")
		if len(bytes.TrimSpace(rest)) == 0 {
			return env, nil
		}
		line, rest = cutLine(rest)
		ih, err := decodeObject(line)
		if err != nil {
			return nil, fmt.Errorf("envelope item %d header: %w", n, err)
		}
		typ, _ := ih["type"].(string)
		if typ == "" {
			return nil, fmt.Errorf("envelope item %d header: no type", n)
		}
		var payload []byte
		if l, ok := ih["length"]; ok && l != nil {
			f, ok := l.(float64)
			if !ok || f < 0 || f != math.Trunc(f) {
				return nil, fmt.Errorf("envelope item %d (%s): bad length %v", n, typ, l)
			}
			if f > float64(len(rest)) {
				return nil, fmt.Errorf("envelope item %d (%s): length %d but only %d bytes left", n, typ, int64(f), len(rest))
			}
			payload, rest = rest[:int(f)], rest[int(f):]
		} else if typ == "replay_recording" {
			// Without a length the recording is "{segment_id}\n<json>": two lines.
			var head, body []byte
			head, rest = cutLine(rest)
			body, rest = cutLine(rest)
			payload = append(append(append([]byte{}, head...), '\n'), body...)
		} else {
			payload, rest = cutLine(rest)
		}
		env.Items = append(env.Items, EnvelopeItem{Type: typ, Header: ih, Payload: payload})
	}
}

// cutLine splits b at the first '\n' (dropped, with a preceding '\r').
func cutLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), b[i+1:]
}

// decodeObject decodes a JSON object line.
func decodeObject(line []byte) (map[string]any, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// ReplayRecording decodes a replay_recording item within DefaultLimits:
// the {"segment_id":N} line, then the recording as a JSON array or
// zlib-compressed JSON array.
func (it EnvelopeItem) ReplayRecording() (segmentID int, events []json.RawMessage, err error) {
	return it.replayRecording(newBudget(DefaultLimits()), "replay_recording")
}

// replayRecording decodes the item on a budget, streaming the inflated
// recording into events so a bomb stops at the first limit it reaches.
func (it EnvelopeItem) replayRecording(bud *budget, where string) (segmentID int, events []json.RawMessage, err error) {
	segmentID, body, err := it.recordingBody()
	if err != nil {
		return 0, nil, err
	}
	rec, err := recordingStream(body, bud, where)
	if err != nil {
		return segmentID, nil, fmt.Errorf("replay_recording segment %d: %w", segmentID, err)
	}
	segs, err := streamSegments(rec, shapeEvents, bud, where)
	if err != nil {
		return segmentID, nil, wrapUnlessLimit(err, "replay_recording segment %d", segmentID)
	}
	if len(segs) > 0 {
		events = segs[0]
	}
	if events == nil {
		events = []json.RawMessage{}
	}
	return segmentID, events, nil
}

// loadRecording reads the item on a budget the way replayRecording does,
// keeping only its events' time keys: the events are streamed again when
// the timeline is built.
func (it EnvelopeItem) loadRecording(bud *budget, where string) (*envItem, error) {
	segmentID, body, err := it.recordingBody()
	if err != nil {
		return nil, err
	}
	rec, err := recordingStream(body, bud, where)
	if err != nil {
		return nil, fmt.Errorf("replay_recording segment %d: %w", segmentID, err)
	}
	k := &eventKeys{}
	_, err = streamEvents(rec, shapeEvents, bud, where, func(_ int, ev []byte, sc *scanner) error {
		k.add(ev, sc)
		return nil
	})
	if err != nil {
		return nil, wrapUnlessLimit(err, "replay_recording segment %d", segmentID)
	}
	return &envItem{seg: segmentID, body: body, where: where, k: k}, nil
}

// recordingBody splits a replay_recording payload into its segment id and
// the recording after the {"segment_id":N} line.
func (it EnvelopeItem) recordingBody() (int, []byte, error) {
	if it.Type != "replay_recording" {
		return 0, nil, fmt.Errorf("item type %q is not replay_recording", it.Type)
	}
	head, body := cutLine(it.Payload)
	var h struct {
		SegmentID json.RawMessage `json:"segment_id"`
	}
	if err := json.Unmarshal(head, &h); err != nil {
		return 0, nil, fmt.Errorf("replay_recording header: %w", err)
	}
	f, ok := flexFloat(h.SegmentID)
	if !ok || f < 0 || f > math.MaxInt32 || f != math.Trunc(f) {
		return 0, nil, fmt.Errorf("replay_recording header: bad segment_id %s", h.SegmentID)
	}
	return int(f), body, nil
}

// recordingStream reads b itself when it is plain JSON, or its zlib
// inflation when it starts with a zlib header, counted against the budget
// and capped per recording.
func recordingStream(b []byte, bud *budget, where string) (io.Reader, error) {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) > 0 && t[0] == '[' {
		return bytes.NewReader(t), nil
	}
	if len(b) < 2 || b[0] != 0x78 {
		return nil, errors.New("recording is neither JSON nor zlib")
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	return recordingReader(bud.reader(zr, where), where), nil
}

// ReplayEvent is the replay_event envelope item: per-segment metadata the
// SDK sends with each recording.
type ReplayEvent struct {
	ReplayID   string
	SegmentID  int
	ReplayType string
	// Start is replay_start_timestamp; Time is the event's timestamp.
	Start, Time time.Time
	ErrorIDs    []string
	TraceIDs    []string
	URLs        []string
	Environment string
	Release     string
	Platform    string
	SDK         NameVersion
	User        User
	// RequestURL and UserAgent come from the event's request.
	RequestURL string
	UserAgent  string
}

// ReplayEvent decodes a replay_event item.
func (it EnvelopeItem) ReplayEvent() (*ReplayEvent, error) {
	if it.Type != "replay_event" {
		return nil, fmt.Errorf("item type %q is not replay_event", it.Type)
	}
	var w struct {
		ReplayID    json.RawMessage `json:"replay_id"`
		EventID     json.RawMessage `json:"event_id"`
		SegmentID   json.RawMessage `json:"segment_id"`
		ReplayType  json.RawMessage `json:"replay_type"`
		Start       json.RawMessage `json:"replay_start_timestamp"`
		Timestamp   json.RawMessage `json:"timestamp"`
		ErrorIDs    json.RawMessage `json:"error_ids"`
		TraceIDs    json.RawMessage `json:"trace_ids"`
		URLs        json.RawMessage `json:"urls"`
		Environment json.RawMessage `json:"environment"`
		Release     json.RawMessage `json:"release"`
		Platform    json.RawMessage `json:"platform"`
		SDK         map[string]any  `json:"sdk"`
		User        map[string]any  `json:"user"`
		Request     struct {
			URL     json.RawMessage `json:"url"`
			Headers map[string]any  `json:"headers"`
		} `json:"request"`
	}
	if err := json.Unmarshal(it.Payload, &w); err != nil {
		return nil, fmt.Errorf("replay_event: %w", err)
	}
	rawID := flexString(w.ReplayID)
	if rawID == "" {
		rawID = flexString(w.EventID)
	}
	id, ok := NormalizeReplayID(rawID)
	if !ok && rawID != "" {
		return nil, fmt.Errorf("replay_event: replay_id %s is not a replay id (32 hex digits)", badID(rawID))
	}
	ev := &ReplayEvent{
		ReplayID:    id,
		SegmentID:   flexInt(w.SegmentID),
		ReplayType:  flexString(w.ReplayType),
		ErrorIDs:    normalizeIDs(flexStrings(w.ErrorIDs)),
		TraceIDs:    flexStrings(w.TraceIDs),
		URLs:        flexStrings(w.URLs),
		Environment: flexString(w.Environment),
		Release:     flexString(w.Release),
		Platform:    flexString(w.Platform),
		SDK:         NameVersion{Name: anyString(w.SDK["name"]), Version: anyString(w.SDK["version"])},
		User:        userFromMap(w.User),
		RequestURL:  flexString(w.Request.URL),
	}
	ev.Start, _ = flexTime(w.Start)
	ev.Time, _ = flexTime(w.Timestamp)
	for k, v := range w.Request.Headers {
		if strings.EqualFold(k, "user-agent") {
			ev.UserAgent = anyString(v)
		}
	}
	return ev, nil
}

// ErrorEvent decodes an event item as an error event.
func (it EnvelopeItem) ErrorEvent() (*ErrorEvent, error) {
	if it.Type != "event" {
		return nil, fmt.Errorf("item type %q is not event", it.Type)
	}
	ev, err := ParseErrorEvent(it.Payload)
	if err != nil {
		return nil, err
	}
	return &ev, nil
}

// userFromMap reads a user object whose values may be strings or numbers.
func userFromMap(m map[string]any) User {
	return User{
		ID:          anyString(m["id"]),
		Username:    anyString(m["username"]),
		Email:       anyString(m["email"]),
		IP:          firstNonEmpty(anyString(m["ip_address"]), anyString(m["ip"])),
		DisplayName: firstNonEmpty(anyString(m["display_name"]), anyString(m["name"])),
	}
}

// normalizeIDs normalizes each id.
func normalizeIDs(ids []string) []string {
	for i, id := range ids {
		ids[i] = normalizeID(id)
	}
	return ids
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
