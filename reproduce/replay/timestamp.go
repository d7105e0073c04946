package replay

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// msThreshold is the SDK's unit rule (RI/util/timestamp.ts): a timestamp
// above it is milliseconds, otherwise seconds.
const msThreshold = 9999999999

// maxMillis bounds accepted timestamps (year ~2286 in ms) so a garbage value
// cannot overflow time arithmetic.
const maxMillis = 1e13

// TimestampToTime converts an SDK timestamp to a time, applying the SDK's
// rule: ts > 9999999999 is milliseconds, anything else is seconds.
// Sub-millisecond precision is kept to the microsecond. It reports false for
// values that cannot be a timestamp (NaN, infinite, negative, absurdly large).
func TimestampToTime(ts float64) (time.Time, bool) {
	ms, ok := timestampMillis(ts)
	if !ok {
		return time.Time{}, false
	}
	sec := math.Floor(ms / 1000)
	us := math.Round((ms - sec*1000) * 1000)
	return time.Unix(int64(sec), int64(us)*1000).UTC(), true
}

// timestampMillis normalizes ts to float milliseconds.
func timestampMillis(ts float64) (float64, bool) {
	if math.IsNaN(ts) || math.IsInf(ts, 0) || ts < 0 {
		return 0, false
	}
	if ts <= msThreshold {
		ts *= 1000
	}
	if ts > maxMillis {
		return 0, false
	}
	return ts, true
}

// isoLayouts are the time formats seen in Sentry API responses; a layout
// without a zone is read as UTC.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseISOTime parses a Sentry ISO timestamp.
func parseISOTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// flexTime reads a JSON time given as a number (SDK rule) or an ISO string
// (or a numeric string).
func flexTime(raw json.RawMessage) (time.Time, bool) {
	if len(raw) == 0 {
		return time.Time{}, false
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return TimestampToTime(f)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s == "" {
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return TimestampToTime(f)
	}
	return parseISOTime(s)
}

// flexString reads a JSON string, number or bool as a string; null and
// other shapes give "".
func flexString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return ""
	}
	return anyString(v)
}

// anyString formats a decoded JSON scalar as a string.
func anyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	}
	return ""
}

// flexFloat reads a JSON number or numeric string; ok is false otherwise.
func flexFloat(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	// A number literal is what json.Unmarshal would parse, read directly:
	// node ids and times are read this way for most events.
	if b := trimSpace(raw); len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') {
		if end, ok := scanNumber(b, 0); ok && end == len(b) {
			if f, err := strconv.ParseFloat(string(b), 64); err == nil {
				return f, true
			}
			return 0, false // out of range: an error for json.Unmarshal too
		}
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			return f, true
		}
	}
	return 0, false
}

// flexInt reads a JSON number or numeric string as an int, clamped to a
// sane range; 0 when absent or malformed.
func flexInt(raw json.RawMessage) int {
	f, ok := flexFloat(raw)
	if !ok || math.IsNaN(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0
	}
	return int(f)
}

// flexStrings reads a JSON array of scalars as strings, dropping nulls. A
// single scalar becomes a one-element slice.
func flexStrings(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var arr []any
	if err := json.Unmarshal(raw, &arr); err != nil {
		if s := flexString(raw); s != "" {
			return []string{s}
		}
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		if s := anyString(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// normalizeID strips dashes and lowercases a Sentry id.
func normalizeID(id string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(id), "-", ""))
}

// NormalizeReplayID returns the 32-hex lowercase form of a replay id
// (dashes allowed, as in a UUID), or false if id is not one. A replay id
// names files (the generated test, the cache) and URLs, so one that is not
// plain hex is refused wherever it enters.
func NormalizeReplayID(id string) (string, bool) {
	n := normalizeID(id)
	if len(n) != 32 || len(id) > 36+2 {
		return "", false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return n, true
}

// badID quotes a rejected id for an error message, shortened and with
// control characters escaped.
func badID(id string) string {
	if len(id) > 40 {
		id = id[:40] + "…"
	}
	return strconv.Quote(id)
}
