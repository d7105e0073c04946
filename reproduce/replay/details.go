package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// ParseDetails decodes a replay details API response, either wrapped as
// {"data":{...}} or the bare object.
func ParseDetails(data []byte) (Details, error) {
	var d Details
	if err := json.Unmarshal(data, &d); err != nil {
		return Details{}, fmt.Errorf("replay details: %w", err)
	}
	return d, nil
}

// UnmarshalJSON reads the details object leniently: {"data":...} wrapping,
// numeric project ids, dashed ids, tags as {} or [], nulls anywhere.
func (d *Details) UnmarshalJSON(data []byte) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return err
	}
	if inner, ok := probe["data"]; ok && bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		if err := json.Unmarshal(inner, &probe); err != nil {
			return err
		}
	}
	var out Details
	if raw := flexString(probe["id"]); raw != "" {
		id, ok := NormalizeReplayID(raw)
		if !ok {
			return fmt.Errorf("id %s is not a replay id (32 hex digits)", badID(raw))
		}
		out.ID = id
	}
	out.ProjectID = flexString(probe["project_id"])
	out.StartedAt, _ = flexTime(probe["started_at"])
	out.FinishedAt, _ = flexTime(probe["finished_at"])
	out.Duration, _ = flexFloat(probe["duration"])
	out.CountSegments = flexInt(probe["count_segments"])
	out.ErrorIDs = normalizeIDs(flexStrings(probe["error_ids"]))
	out.TraceIDs = flexStrings(probe["trace_ids"])
	out.URLs = flexStrings(probe["urls"])
	out.Environment = flexString(probe["environment"])
	out.Releases = flexStrings(probe["releases"])
	out.ReplayType = flexString(probe["replay_type"])
	out.Platform = flexString(probe["platform"])
	out.Browser = nameVersion(probe["browser"])
	out.OS = nameVersion(probe["os"])
	out.SDK = nameVersion(probe["sdk"])
	dev := objectOf(probe["device"])
	out.Device = Device{Name: anyString(dev["name"]), Brand: anyString(dev["brand"]), Model: anyString(dev["model"]), Family: anyString(dev["family"])}
	out.User = userFromMap(objectOf(probe["user"]))
	out.Tags = parseTagLists(probe["tags"])
	out.CountErrors = flexInt(probe["count_errors"])
	out.CountDeadClicks = flexInt(probe["count_dead_clicks"])
	out.CountRageClicks = flexInt(probe["count_rage_clicks"])
	var archived *bool
	_ = json.Unmarshal(probe["is_archived"], &archived)
	out.IsArchived = archived != nil && *archived
	*d = out
	return nil
}

// objectOf decodes raw as a JSON object; anything else gives nil.
func objectOf(raw json.RawMessage) map[string]any {
	var m map[string]any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &m)
	}
	return m
}

func nameVersion(raw json.RawMessage) NameVersion {
	m := objectOf(raw)
	return NameVersion{Name: anyString(m["name"]), Version: anyString(m["version"])}
}

// parseTagLists reads details tags: {k:[v,...]}, {k:v}, [] or [{key,value}].
func parseTagLists(raw json.RawMessage) map[string][]string {
	out := map[string][]string{}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for k, v := range obj {
			if vs := flexStrings(v); len(vs) > 0 {
				out[k] = vs
			}
		}
	} else {
		for k, v := range parseTagPairs(raw) {
			out[k] = []string{v}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// parseTagPairs reads event tags: {k:v}, [{key,value}] or [[k,v]].
func parseTagPairs(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil {
		for k, v := range obj {
			out[k] = anyString(v)
		}
		return out
	}
	var arr []any
	if json.Unmarshal(raw, &arr) != nil {
		return out
	}
	for _, el := range arr {
		switch x := el.(type) {
		case map[string]any:
			if k := anyString(x["key"]); k != "" {
				out[k] = anyString(x["value"])
			}
		case []any:
			if len(x) == 2 {
				if k := anyString(x[0]); k != "" {
					out[k] = anyString(x[1])
				}
			}
		}
	}
	return out
}

// ParseErrorEvent decodes one error event in the SDK/envelope shape
// (exception.values, tags object, float timestamp, contexts) or the API's
// event JSON (entries[type=exception], tags [{key,value}], dateCreated,
// eventID/id).
func ParseErrorEvent(data []byte) (ErrorEvent, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return ErrorEvent{}, fmt.Errorf("error event: %w", err)
	}
	ev := ErrorEvent{Raw: append(json.RawMessage(nil), bytes.TrimSpace(data)...)}
	for _, k := range []string{"event_id", "eventID", "id"} {
		if ev.EventID = normalizeID(flexString(m[k])); ev.EventID != "" {
			break
		}
	}
	for _, k := range []string{"timestamp", "dateCreated", "datetime", "dateReceived"} {
		if t, ok := flexTime(m[k]); ok {
			ev.Time = t
			break
		}
	}
	ev.Level = flexString(m["level"])
	ev.Culprit = firstNonEmpty(flexString(m["culprit"]), flexString(m["transaction"]))
	ev.Message = eventMessage(m)
	ev.Tags = parseTagPairs(m["tags"])
	if len(ev.Tags) == 0 {
		ev.Tags = nil
	}
	if ev.Level == "" {
		ev.Level = ev.Tags["level"]
	}
	ev.Exceptions = exceptionsOf(m)
	ctx := objectOf(m["contexts"])
	// A replay id that is not 32 hex digits links the event to no replay.
	if r, ok := ctx["replay"].(map[string]any); ok {
		ev.ReplayID, _ = NormalizeReplayID(anyString(r["replay_id"]))
	}
	if ev.ReplayID == "" {
		ev.ReplayID, _ = NormalizeReplayID(firstNonEmpty(ev.Tags["replayId"], ev.Tags["replay_id"]))
	}
	return ev, nil
}

// eventMessage finds the human message: message (string or object),
// logentry, then title.
func eventMessage(m map[string]json.RawMessage) string {
	for _, k := range []string{"message", "logentry"} {
		if s := flexString(m[k]); s != "" {
			return s
		}
		o := objectOf(m[k])
		if s := firstNonEmpty(anyString(o["formatted"]), anyString(o["message"])); s != "" {
			return s
		}
	}
	return flexString(m["title"])
}

// exceptionsOf reads exception values from either shape.
func exceptionsOf(m map[string]json.RawMessage) []Exception {
	var vals []map[string]json.RawMessage
	readValues := func(raw json.RawMessage) {
		var wrap struct {
			Values []map[string]json.RawMessage `json:"values"`
		}
		if json.Unmarshal(raw, &wrap) == nil && len(wrap.Values) > 0 {
			vals = wrap.Values
			return
		}
		_ = json.Unmarshal(raw, &vals)
	}
	if raw, ok := m["exception"]; ok {
		readValues(raw)
	}
	if len(vals) == 0 {
		var entries []struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		_ = json.Unmarshal(m["entries"], &entries)
		for _, e := range entries {
			if e.Type == "exception" {
				readValues(e.Data)
				break
			}
		}
	}
	var out []Exception
	for _, v := range vals {
		if v == nil {
			continue
		}
		ex := Exception{Type: flexString(v["type"]), Value: flexString(v["value"])}
		mech := objectOf(v["mechanism"])
		ex.Mechanism.Type = anyString(mech["type"])
		if h, ok := mech["handled"].(bool); ok {
			ex.Mechanism.Handled = &h
		}
		st := objectOf(v["stacktrace"])
		if st == nil {
			st = objectOf(v["rawStacktrace"])
		}
		frames, _ := st["frames"].([]any)
		for _, f := range frames {
			fm, ok := f.(map[string]any)
			if !ok {
				continue
			}
			ex.Frames = append(ex.Frames, Frame{
				Filename: firstNonEmpty(anyString(fm["filename"]), anyString(fm["abs_path"]), anyString(fm["absPath"])),
				Function: anyString(fm["function"]),
				Lineno:   anyInt(firstPresent(fm, "lineno", "lineNo")),
				Colno:    anyInt(firstPresent(fm, "colno", "colNo")),
				InApp:    firstPresent(fm, "in_app", "inApp") == true,
			})
		}
		out = append(out, ex)
	}
	return out
}

// firstPresent returns the first non-nil value among keys.
func firstPresent(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil {
			return v
		}
	}
	return nil
}

// anyInt converts a decoded JSON number to int, 0 otherwise.
func anyInt(v any) int {
	f, ok := v.(float64)
	if !ok || f != f || f > 1<<31 || f < -(1<<31) {
		return 0
	}
	return int(f)
}

// sortedKeys returns the keys of m in order (stable output).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
