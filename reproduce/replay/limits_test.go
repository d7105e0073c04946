package replay

import (
	"bytes"
	"compress/zlib"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateHostile = flag.Bool("update-hostile", false, "rewrite the generated hostile bundles under testdata/hostile/in-*")

const hostileDir = "../../testdata/hostile"

// bombSize is how far the zlib bombs inflate: past the 64 MiB a recording
// may inflate to, the size that took 4.5 GB and 38 s before limits.
const bombSize = 64<<20 + 1

// zlibBomb compresses at least n bytes: head, unit repeated, tail, at the
// best ratio Go's zlib has (~1000:1 for a unit of 1 or 3 bytes).
func zlibBomb(head, unit, tail string, n int) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	io.WriteString(w, head)
	units := (n - len(head) - len(tail) + len(unit) - 1) / len(unit)
	chunk := strings.Repeat(unit, 1<<20/len(unit))
	for ; units > 0; units -= 1 << 20 / len(unit) {
		io.WriteString(w, chunk[:min(units, 1<<20/len(unit))*len(unit)])
	}
	io.WriteString(w, tail)
	w.Close()
	return buf.Bytes()
}

// envelopeWith wraps one replay_recording payload as the SDK sends it.
func envelopeWith(recording []byte) []byte {
	payload := append([]byte(`{"segment_id":0}`+"\n"), recording...)
	var b bytes.Buffer
	b.WriteString(`{"event_id":"6a0c4c1d5b8e4f0a9d3c2b1a09f8e7d6","sent_at":"2026-11-01T10:00:00.000Z"}` + "\n")
	fmt.Fprintf(&b, `{"type":"replay_recording","length":%d}`+"\n", len(payload))
	b.Write(payload)
	return b.Bytes()
}

// hostileInputs are the generated hostile bundles: each is written by
// -update-hostile and must keep the property its name says.
var hostileInputs = map[string]func() map[string][]byte{
	"in-zlib-bomb-nesting": func() map[string][]byte {
		return map[string][]byte{"envelopes/0.envelope": envelopeWith(zlibBomb("", "[", "", bombSize))}
	},
	"in-deep-segments": func() map[string][]byte {
		return map[string][]byte{"recording-segments.json": []byte(strings.Repeat("[", 20000) + strings.Repeat("]", 20000))}
	},
	"in-zlib-bomb-events": func() map[string][]byte {
		return map[string][]byte{"envelopes/0.envelope": envelopeWith(zlibBomb("[", `{},`, `{}]`, bombSize))}
	},
}

func TestHostileBundlesAreGenerated(t *testing.T) {
	for name, gen := range hostileInputs {
		for file, data := range gen() {
			path := filepath.Join(hostileDir, name, filepath.FromSlash(file))
			if *updateHostile {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./reproduce/replay -run TestHostileBundlesAreGenerated -update-hostile)", err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("%s is stale: run go test ./reproduce/replay -run TestHostileBundlesAreGenerated -update-hostile", path)
			}
		}
	}
}

// TestZlibBombsAreSmallAndHuge pins what makes the bombs bombs, so the
// refusal tests below cannot pass on an input that was never dangerous.
func TestZlibBombsAreSmallAndHuge(t *testing.T) {
	for _, name := range []string{"in-zlib-bomb-nesting", "in-zlib-bomb-events"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(hostileDir, name, "envelopes", "0.envelope"))
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > 80<<10 {
				t.Errorf("envelope is %d bytes, want a small bomb (<= 80 KiB)", len(data))
			}
			env, err := DecodeEnvelope(data)
			if err != nil {
				t.Fatal(err)
			}
			_, body := cutLine(env.Items[0].Payload)
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, zr)
			if err != nil || n < bombSize {
				t.Errorf("inflates to %d bytes (%v), want at least %d", n, err, bombSize)
			}
		})
	}
}

func TestHostileInputBundlesAreRefusedByTheirLimit(t *testing.T) {
	tests := []struct {
		dir   string
		limit string
	}{
		{"in-zlib-bomb-nesting", LimitDepth},
		{"in-zlib-bomb-events", LimitEvents},
		{"in-deep-segments", LimitDepth},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			_, err := Load(filepath.Join(hostileDir, tc.dir))
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tc.limit {
				t.Fatalf("Load = %v, want a %s LimitError", err, tc.limit)
			}
			if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrNotReplay) {
				t.Errorf("%v is not ErrTooLarge and ErrNotReplay", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestHostileReplayIDIsRefused(t *testing.T) {
	_, err := Load(filepath.Join(hostileDir, "in-bad-replay-id"))
	if err == nil || !strings.Contains(err.Error(), "is not a replay id (32 hex digits)") {
		t.Fatalf("Load = %v, want the id refused", err)
	}
	if strings.ContainsAny(err.Error(), "\n\r\x1b") {
		t.Errorf("error carries the id's control characters: %q", err)
	}
}

func TestLimitsApplyPerBundle(t *testing.T) {
	event := `{"type":3,"timestamp":1700000000000,"data":{"source":1}}`
	seg := "[" + strings.Repeat(event+",", 9) + event + "]" // 10 events
	envWith := func(rec string) string { return string(envelopeWith([]byte(rec))) }
	tests := []struct {
		name  string
		files map[string]string
		lim   Limits
		limit string // "" : loads
	}{
		{"events of every segment count together",
			map[string]string{"recording-segments.json": "[" + seg + "," + seg + "]"}, Limits{MaxEvents: 15}, LimitEvents},
		{"events at the limit load",
			map[string]string{"recording-segments.json": "[" + seg + "," + seg + "]"}, Limits{MaxEvents: 20}, ""},
		{"events of every envelope count together",
			map[string]string{"envelopes/0.envelope": envWith(seg), "envelopes/1.envelope": strings.Replace(envWith(seg), `"segment_id":0`, `"segment_id":1`, 1)},
			Limits{MaxEvents: 15}, LimitEvents},
		{"bytes of every file count together",
			map[string]string{"recording-segments.json": "[" + seg + "]", "errors.json": "[" + strings.Repeat(" ", 4000) + "]"},
			Limits{MaxBytes: 4000}, LimitBytes},
		{"a file larger than the budget is refused",
			map[string]string{"recording-segments.json": "[" + seg + "]", "replay.json": `{"data":{}}` + strings.Repeat(" ", 5000)},
			Limits{MaxBytes: 4000}, LimitBytes},
		{"inflated bytes count, not compressed ones",
			map[string]string{"envelopes/0.envelope": string(envelopeWith(zlibBomb("[", event+",", event+"]", 100_000)))},
			Limits{MaxBytes: 50_000}, LimitBytes},
		{"inflated bytes within the budget load",
			map[string]string{"envelopes/0.envelope": string(envelopeWith(zlibBomb("[", event+",", event+"]", 100_000)))},
			Limits{MaxBytes: 200_000}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				writeFile(t, dir, name, data)
			}
			_, err := LoadWith(dir, tc.lim)
			if tc.limit == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tc.limit {
				t.Fatalf("LoadWith = %v, want a %s LimitError", err, tc.limit)
			}
		})
	}
}

func TestLimitErrorNamesTheLimit(t *testing.T) {
	tests := []struct {
		err  LimitError
		want string
	}{
		{LimitError{Limit: LimitBytes, Max: 512 << 20, Where: "recording-segments.json"},
			"replay too large: recording-segments.json: more than 512 MiB decoded, the per-bundle byte limit"},
		{LimitError{Limit: LimitEvents, Max: 1_000_000, Where: "envelope 0 item 1"},
			"replay too large: envelope 0 item 1: more than 1000000 rrweb events, the per-bundle event limit"},
		{LimitError{Limit: LimitRecording, Max: 64 << 20},
			"replay too large: one recording inflates past 64 MiB (the SDK sends at most 20 MB)"},
		{LimitError{Limit: LimitDepth, Max: 10000, Where: "x"}, "replay too large: x: JSON nested deeper than 10000 levels"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// TestStreamSegmentsMatchesEncodingJSON keeps the streaming splitter honest:
// on valid and broken inputs alike it accepts what json.Unmarshal accepts
// and keeps every event byte for byte.
func TestStreamSegmentsMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name, in string
		segs     []int // events per segment; nil: an error
	}{
		{"segments", `[[{"a":1},{"b":"]"}],null,[]]`, []int{2, 0, 0}},
		{"one segment", ` [ {"type":1} , {"s":"x\"]}"} ] `, []int{2}},
		{"leading nulls then segments", `[null,[{"a":1}]]`, []int{0, 1}},
		{"only nulls", `[null,null]`, []int{0, 0}},
		{"empty", `[]`, []int{}},
		{"leading null then an object", `[null,{"a":1}]`, nil},
		{"scalar segment", `[[{}],3]`, nil},
		{"non-object event in one segment", `[{"a":1},3]`, nil},
		{"trailing comma", `[[{}],]`, nil},
		{"unclosed", `[[{"a":1}`, nil},
		{"garbage after", `[[{}]]x`, nil},
		{"bad event", `[[{"a":}]]`, nil},
		{"not an array", `{"a":1}`, nil},
		{"empty input", ``, nil},
		{"missing comma", `[[{} {}]]`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			segs, err := DecodeSegments([]byte(tc.in))
			if tc.segs == nil {
				if err == nil {
					t.Fatalf("DecodeSegments(%s) = %v, want an error", tc.in, segs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(segs) != len(tc.segs) {
				t.Fatalf("%d segments, want %d", len(segs), len(tc.segs))
			}
			for i, n := range tc.segs {
				if len(segs[i]) != n {
					t.Errorf("segment %d has %d events, want %d", i, len(segs[i]), n)
				}
			}
		})
	}
	seg, err := DecodeSegments([]byte(`[[{"s":"a\\\"b","n":[1,{"x":null}]} ,{"t":true}]]`))
	if err != nil || string(seg[0][0]) != `{"s":"a\\\"b","n":[1,{"x":null}]}` || string(seg[0][1]) != `{"t":true}` {
		t.Errorf("events = %q, %v", seg, err)
	}
}

// BenchmarkZlibBomb measures the refusal of the two committed bombs (65 KB
// each, inflating past 64 MiB): time and memory per refusal.
func BenchmarkZlibBomb(b *testing.B) {
	for _, name := range []string{"in-zlib-bomb-nesting", "in-zlib-bomb-events"} {
		b.Run(name, func(b *testing.B) {
			dir := filepath.Join(hostileDir, name)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(dir); !errors.Is(err, ErrTooLarge) {
					b.Fatalf("Load = %v", err)
				}
			}
		})
	}
}
