package replay

import (
	"bytes"
	"compress/zlib"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestTimestampUnits(t *testing.T) {
	base := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC) // 1700000000 s
	tests := []struct {
		name string
		ts   float64
		want time.Time
		ok   bool
	}{
		{"milliseconds", 1700000000000, base, true},
		{"seconds", 1700000000, base, true},
		{"fractional seconds keep ms", 1700000000.123, base.Add(123 * time.Millisecond), true},
		{"fractional ms keep sub-ms", 1700000000000.25, base.Add(250 * time.Microsecond), true},
		{"threshold itself is seconds", 9999999999, time.Unix(9999999999, 0).UTC(), true},
		{"negative is rejected", -1, time.Time{}, false},
		{"NaN is rejected", math.NaN(), time.Time{}, false},
		{"infinite is rejected", math.Inf(1), time.Time{}, false},
		{"absurd is rejected", 1e300, time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := TimestampToTime(tc.ts)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Errorf("TimestampToTime(%v) = %v, %v; want %v, %v", tc.ts, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func zlibBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeEnvelope(t *testing.T) {
	rec := []byte(`[{"type":4,"timestamp":1700000000000,"data":{"href":"http://x.test/","width":1,"height":1}}]`)
	withLen := func(payload []byte) []byte {
		var b bytes.Buffer
		b.WriteString(`{"event_id":"abc"}` + "\n")
		b.WriteString(`{"type":"replay_event"}` + "\n")
		b.WriteString(`{"type":"replay_event","replay_id":"AAAABBBB-cccc-dddd-eeee-ffff00001111","segment_id":3,"request":{"headers":{"User-Agent":"UA/1"}}}` + "\n")
		b.WriteString(`{"type":"replay_recording","length":` + itoa(len(payload)) + "}\n")
		b.Write(payload)
		return b.Bytes()
	}
	plain := append([]byte(`{"segment_id":3}`+"\n"), rec...)
	compressed := append([]byte(`{"segment_id":3}`+"\n"), zlibBytes(t, rec)...)
	tests := []struct {
		name string
		data []byte
	}{
		{"plain JSON recording with length", withLen(plain)},
		{"zlib recording with length (binary may hold newlines)", withLen(compressed)},
		{"recording without length spans two lines", []byte(`{}` + "\n" + `{"type":"replay_recording"}` + "\n" + string(plain) + "\n")},
		{"blank lines and CRLF tolerated", []byte("{}\r\n\r\n" + `{"type":"replay_recording","length":` + itoa(len(plain)) + "}\r\n" + string(plain) + "\n\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, err := DecodeEnvelope(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, it := range env.Items {
				if it.Type != "replay_recording" {
					continue
				}
				found = true
				seg, evs, err := it.ReplayRecording()
				if err != nil || seg != 3 || len(evs) != 1 {
					t.Errorf("ReplayRecording = %d, %d events, %v; want 3, 1, nil", seg, len(evs), err)
				}
			}
			if !found {
				t.Error("no replay_recording item")
			}
		})
	}
	env, err := DecodeEnvelope(withLen(plain))
	if err != nil {
		t.Fatal(err)
	}
	re, err := env.Items[0].ReplayEvent()
	if err != nil || re.ReplayID != "aaaabbbbccccddddeeeeffff00001111" || re.SegmentID != 3 || re.UserAgent != "UA/1" {
		t.Errorf("ReplayEvent = %+v, %v", re, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDecodeEnvelopeRejectsBrokenFraming(t *testing.T) {
	tests := map[string]string{
		"length past the end":   "{}\n{\"type\":\"event\",\"length\":50}\n{}",
		"item header not JSON":  "{}\nnot json\n{}",
		"item without type":     "{}\n{\"length\":2}\n{}",
		"negative length":       "{}\n{\"type\":\"event\",\"length\":-1}\n{}",
		"header is not object":  "[1]\n",
		"empty input":           "",
		"fractional length":     "{}\n{\"type\":\"event\",\"length\":1.5}\n{}",
		"length of wrong type":  "{}\n{\"type\":\"event\",\"length\":\"2\"}\n{}",
		"header line truncated": "{\"a\":",
	}
	for name, data := range tests {
		if _, err := DecodeEnvelope([]byte(data)); err == nil {
			t.Errorf("%s: DecodeEnvelope accepted %q", name, data)
		}
	}
}

func TestParseDetailsLeniency(t *testing.T) {
	tests := []struct {
		name string
		data string
		chk  func(Details) bool
	}{
		{"wrapped in data, dashed id normalized", `{"data":{"id":"7E07485F-12f9-416b-8b14-26260799b51f"}}`,
			func(d Details) bool { return d.ID == "7e07485f12f9416b8b1426260799b51f" }},
		{"numeric project id", `{"id":"00000000000000000000000000000000","project_id":639195}`, func(d Details) bool { return d.ProjectID == "639195" }},
		{"tags as empty array", `{"id":"00000000000000000000000000000000","tags":[]}`, func(d Details) bool { return d.Tags == nil }},
		{"tags as lists", `{"id":"00000000000000000000000000000000","tags":{"k":["v1","v2"]}}`, func(d Details) bool { return len(d.Tags["k"]) == 2 }},
		{"is_archived null", `{"id":"00000000000000000000000000000000","is_archived":null}`, func(d Details) bool { return !d.IsArchived }},
		{"time without zone is UTC", `{"id":"00000000000000000000000000000000","started_at":"2022-07-07T14:05:57.909921"}`,
			func(d Details) bool { return d.StartedAt.Equal(time.Date(2022, 7, 7, 14, 5, 57, 909921000, time.UTC)) }},
		{"error ids normalized", `{"id":"00000000000000000000000000000000","error_ids":["7E07485F-12f9-416b-8b14-26260799b51f",null]}`,
			func(d Details) bool {
				return len(d.ErrorIDs) == 1 && d.ErrorIDs[0] == "7e07485f12f9416b8b1426260799b51f"
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDetails([]byte(tc.data))
			if err != nil || !tc.chk(d) {
				t.Errorf("ParseDetails = %+v, %v", d, err)
			}
		})
	}
}

func TestParseErrorEventShapes(t *testing.T) {
	sdk := `{"event_id":"ABC-1","timestamp":1700000000.5,"level":"error","tags":{"replayId":"0000000A-0000-0000-0000-000000000001"},
	 "exception":{"values":[{"type":"TypeError","value":"x is undefined","mechanism":{"type":"onerror","handled":false},
	 "stacktrace":{"frames":[{"filename":"app.js","function":"f","lineno":3,"colno":9,"in_app":true}]}}]}}`
	api := `{"eventID":"abc1","dateCreated":"2023-11-14T22:13:20.500Z","tags":[{"key":"replayId","value":"0000000a000000000000000000000001"},{"key":"level","value":"error"}],
	 "contexts":{"replay":{"replay_id":"0000000a000000000000000000000001"}},
	 "entries":[{"type":"exception","data":{"values":[{"type":"TypeError","value":"x is undefined","mechanism":{"type":"onerror","handled":false},
	 "stacktrace":{"frames":[{"filename":"app.js","function":"f","lineNo":3,"colNo":9,"inApp":true}]}}]}}]}`
	want := time.Date(2023, 11, 14, 22, 13, 20, 500_000_000, time.UTC)
	for name, data := range map[string]string{"sdk envelope shape": sdk, "api event shape": api} {
		t.Run(name, func(t *testing.T) {
			ev, err := ParseErrorEvent([]byte(data))
			if err != nil {
				t.Fatal(err)
			}
			le := ev.Linked()
			if ev.EventID != "abc1" || ev.ReplayID != "0000000a000000000000000000000001" || !ev.Time.Equal(want) || ev.Level != "error" {
				t.Errorf("event = id %q replay %q time %v level %q", ev.EventID, ev.ReplayID, ev.Time, ev.Level)
			}
			if le.Type != "TypeError" || le.Value != "x is undefined" || le.Handled == nil || *le.Handled || le.Mechanism != "onerror" {
				t.Errorf("linked = %+v", le)
			}
			if len(le.Frames) != 1 || le.Frames[0] != (Frame{Filename: "app.js", Function: "f", Lineno: 3, Colno: 9, InApp: true}) {
				t.Errorf("frames = %+v", le.Frames)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDetectsByContent(t *testing.T) {
	dir := t.TempDir()
	seg := `[{"type":4,"timestamp":1700000000000,"data":{"href":"http://x.test/","width":1,"height":1}}]`
	rec := `{"segment_id":0}` + "\n" + seg
	tests := []struct {
		name     string
		path     string
		segments int
		notRepl  bool
	}{
		{"segments file (array of arrays)", writeFile(t, dir, "a.bin", "["+seg+",null]"), 2, false},
		{"single segment file (array of events)", writeFile(t, dir, "b.txt", seg), 1, false},
		{"envelope file", writeFile(t, dir, "c.json", "{}\n{\"type\":\"replay_recording\",\"length\":"+itoa(len(rec))+"}\n"+rec), 1, false},
		{"details file alone is not enough", writeFile(t, dir, "d.json", `{"data":{"id":"abcdabcd000000000000000000000000"}}`), 0, true},
		{"array of numbers", writeFile(t, dir, "e.json", `[1,2]`), 0, true},
		{"array of non-events", writeFile(t, dir, "f.json", `[{"a":1}]`), 0, true},
		{"plain text", writeFile(t, dir, "g.json", "hello"), 0, true},
		{"empty file", writeFile(t, dir, "h.json", ""), 0, true},
		{"dir without recording", t.TempDir(), 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Load(tc.path)
			if tc.notRepl {
				if !errors.Is(err, ErrNotReplay) {
					t.Fatalf("Load = %v, want ErrNotReplay", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.SegmentCount() != tc.segments {
				t.Errorf("segments = %d, want %d", b.SegmentCount(), tc.segments)
			}
		})
	}
}

func TestLoadBundleFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "replay.json", `{"data":{"id":"ABCDABCD-0000-0000-0000-000000000000","error_ids":["e1","e2"]}}`)
	writeFile(t, dir, "recording-segments.json", `[[{"type":4,"timestamp":1700000000000,"data":{"href":"http://x.test/","width":1,"height":1}}]]`)
	writeFile(t, dir, "errors.json", `[{"event_id":"e1","timestamp":1700000001}]`)
	writeFile(t, dir, "manifest.json", `{"steps":[]}`)
	writeFile(t, dir, "fetch.json", `{"partial":true}`)
	writeFile(t, dir, "notes.txt", `ignored`)
	b, err := LoadBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if b.Details.ID != "abcdabcd000000000000000000000000" || len(b.Errors) != 1 || !b.Partial || string(b.Manifest) != `{"steps":[]}` {
		t.Errorf("bundle = %+v", b)
	}
	tl, err := BuildTimeline(b, AllowNoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	if !tl.Partial || len(tl.MissingErrors) != 1 || tl.MissingErrors[0] != "e2" || len(kinds(tl, KindError)) != 1 {
		t.Errorf("partial %v, missing %v, errors %d", tl.Partial, tl.MissingErrors, len(kinds(tl, KindError)))
	}
}

func TestPublicFixturesParse(t *testing.T) {
	files, err := filepath.Glob("testdata/public/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no public fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(f) == "sentry-mcp.replay-details.json" {
				d, err := ParseDetails(data)
				if err != nil || d.ID != "7e07485f12f9416b8b1426260799b51f" || d.ProjectID != "4509109104082945" || d.CountSegments != 2 {
					t.Errorf("details = %+v, %v", d, err)
				}
				if _, err := Load(f); !errors.Is(err, ErrNotReplay) {
					t.Errorf("Load(details) = %v, want ErrNotReplay", err)
				}
				return
			}
			b, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := BuildTimeline(b); !errors.Is(err, ErrNoFullSnapshot) {
				t.Errorf("BuildTimeline without option = %v, want ErrNoFullSnapshot", err)
			}
			if _, err := BuildTimeline(b, AllowNoSnapshot()); err != nil {
				t.Errorf("BuildTimeline(AllowNoSnapshot) = %v", err)
			}
		})
	}
}

func TestPublicInvalidClickTagIsWarned(t *testing.T) {
	b, err := Load("testdata/public/sentry-mcp.replay-recording-segments.json")
	if err != nil {
		t.Fatal(err)
	}
	tl, err := BuildTimeline(b, AllowNoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	if got := warningCount(tl, "unknown_custom_tag"); got != 1 {
		t.Errorf("unknown_custom_tag warnings = %d, want 1 (%+v)", got, tl.Warnings)
	}
	if len(kinds(tl, KindClick)) != 0 {
		t.Error("the invalid ui.click tag produced a click")
	}
	navs := kinds(tl, KindNavigation)
	if len(navs) != 2 || navs[1].Navigation.URL != "https://example.com/checkout" {
		t.Errorf("navigations = %+v", navs)
	}
}

func TestPublicNetworkFixture(t *testing.T) {
	b, err := Load("testdata/public/relay.rrweb-request.json")
	if err != nil {
		t.Fatal(err)
	}
	tl, err := BuildTimeline(b, AllowNoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	nets := kinds(tl, KindNetwork)
	if len(nets) != 1 {
		t.Fatalf("network events = %d", len(nets))
	}
	n := nets[0].Network
	if n.Method != "POST" || n.Status != 200 || n.Path != "/api" || n.Duration != 164*time.Millisecond ||
		!n.Request.BodyCaptured || *n.Response.Size != 94 || n.Failed {
		t.Errorf("network = %+v", n)
	}
}
