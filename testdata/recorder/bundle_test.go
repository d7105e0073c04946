package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed bundles are the recorder's output; these tests re-decode their
// raw envelopes and check that the derived files agree with them, so a change
// to the decoder or to replayDetails that breaks the bundle shape fails here.
func TestCommittedBundlesAgreeWithTheirEnvelopes(t *testing.T) {
	tests := []struct {
		scenario       string
		wantCompressed bool
		wantErrors     int
		wantDead       int
		wantRage       int
	}{
		{"imagechat-bug", false, 1, 1, 0},
		{"account-bug", false, 0, 2, 2},
		{"feed-bug", true, 1, 0, 0},
		{"feed-healthy", false, 0, 0, 0},
		// The React app re-renders on every submit, so the SDK never
		// judges its Publish click dead; the Vue modal's Create click is.
		{"studio-bug", false, 1, 0, 0},
		{"studio-healthy", false, 0, 0, 0},
		{"tasks-bug", true, 1, 1, 0},
		{"tasks-healthy", true, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			dir := filepath.Join("..", "replays", tt.scenario)
			files, err := filepath.Glob(filepath.Join(dir, "envelopes", "*.envelope"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no envelopes in %s (%v)", dir, err)
			}
			var envs []envelope
			for _, f := range files {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				items, err := decodeEnvelope(raw)
				if err != nil {
					t.Fatalf("%s: %v", filepath.Base(f), err)
				}
				envs = append(envs, envelope{Raw: raw, Items: items})
			}

			var segs []json.RawMessage
			readJSON(t, filepath.Join(dir, "recording-segments.json"), &segs)
			compressed := false
			for _, e := range envs {
				for _, it := range e.Items {
					if it.Type != "replay_recording" {
						continue
					}
					compressed = compressed || it.Compressed
					if it.SegmentID >= len(segs) {
						t.Fatalf("segment %d missing from recording-segments.json", it.SegmentID)
					}
					got := compact(t, segs[it.SegmentID])
					want := compact(t, it.Payload)
					if !bytes.Equal(got, want) {
						t.Errorf("segment %d differs from its envelope", it.SegmentID)
					}
				}
			}
			if compressed != tt.wantCompressed {
				t.Errorf("compressed recordings = %v, want %v", compressed, tt.wantCompressed)
			}

			var errs []struct {
				EventID string            `json:"event_id"`
				Tags    map[string]string `json:"tags"`
			}
			readJSON(t, filepath.Join(dir, "errors.json"), &errs)
			if len(errs) != tt.wantErrors {
				t.Fatalf("errors.json has %d events, want %d", len(errs), tt.wantErrors)
			}

			var details struct {
				Data struct {
					ID              string   `json:"id"`
					ErrorIDs        []string `json:"error_ids"`
					CountSegments   int      `json:"count_segments"`
					CountDeadClicks int      `json:"count_dead_clicks"`
					CountRageClicks int      `json:"count_rage_clicks"`
				} `json:"data"`
			}
			readJSON(t, filepath.Join(dir, "replay.json"), &details)
			d := details.Data
			if d.CountSegments != len(segs) {
				t.Errorf("count_segments = %d, recording has %d", d.CountSegments, len(segs))
			}
			if d.CountDeadClicks != tt.wantDead || d.CountRageClicks != tt.wantRage {
				t.Errorf("dead/rage = %d/%d, want %d/%d", d.CountDeadClicks, d.CountRageClicks, tt.wantDead, tt.wantRage)
			}
			for i, e := range errs {
				if i >= len(d.ErrorIDs) || strings.ReplaceAll(d.ErrorIDs[i], "-", "") != e.EventID {
					t.Errorf("error_ids %v does not list errors.json event %s", d.ErrorIDs, e.EventID)
				}
				if e.Tags["replayId"] != d.ID {
					t.Errorf("error %s has replayId %q, want %s", e.EventID, e.Tags["replayId"], d.ID)
				}
			}
		})
	}
}

func TestDecodeEnvelopeItemFraming(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		wantTypes []string
		wantErr   bool
	}{
		{"sized payload followed by a line payload", "{}\n{\"type\":\"replay_recording\",\"length\":19}\n{\"segment_id\":3}\n[]\n{\"type\":\"event\"}\n{\"a\":1}", []string{"replay_recording", "event"}, false},
		{"sized payload without a trailing newline", "{}\n{\"type\":\"replay_recording\",\"length\":19}\n{\"segment_id\":0}\n[]", []string{"replay_recording"}, false},
		{"length longer than the body", "{}\n{\"type\":\"attachment\",\"length\":50}\nshort", nil, true},
		{"recording that is neither JSON nor zlib", "{}\n{\"type\":\"replay_recording\",\"length\":20}\n{\"segment_id\":0}\nxyz", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := decodeEnvelope([]byte(tt.raw))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Type)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantTypes, ",") {
				t.Errorf("types = %v, want %v", got, tt.wantTypes)
			}
		})
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
