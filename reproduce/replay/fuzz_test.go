package replay

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles adds every file matching the globs to the fuzz corpus.
func seedFiles(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzDecodeSegments feeds arbitrary bytes through segment decoding and the
// whole timeline build (and its JSON encoding): it must never panic or hang.
func FuzzDecodeSegments(f *testing.F) {
	seedFiles(f, "testdata/public/*.json", filepath.Join(bundlesDir, "*", "recording-segments.json"))
	f.Add([]byte(`[[{"type":2,"timestamp":1,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":1,"tagName":"a","childNodes":[]}]}}},` +
		`{"type":3,"timestamp":2,"data":{"source":0,"adds":[{"parentId":1,"nextId":1,"node":{"type":2,"id":1,"tagName":"b"}}],"removes":[{"parentId":1,"id":1}]}}]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := DecodeSegments(data)
		if err != nil {
			return
		}
		tl, err := BuildTimeline(&Bundle{Segments: segs}, AllowNoSnapshot())
		if err != nil {
			return
		}
		if _, err := json.Marshal(tl); err != nil {
			t.Fatalf("marshal timeline: %v", err)
		}
		for i := 1; i < len(tl.Events); i++ {
			if tl.Events[i].Time.Before(tl.Events[i-1].Time) {
				t.Fatalf("events out of order at %d", i)
			}
		}
	})
}

// FuzzDecodeEnvelope feeds arbitrary bytes to the envelope decoder and, when
// it succeeds, through the item decoders and a timeline build.
func FuzzDecodeEnvelope(f *testing.F) {
	seedFiles(f, filepath.Join(bundlesDir, "*", "envelopes", "*.envelope"))
	f.Add([]byte("{}\n{\"type\":\"replay_recording\",\"length\":2}\n{}"))
	f.Add([]byte("{}\n{\"type\":\"event\"}\n{\"event_id\":\"x\",\"exception\":{\"values\":[null,{}]}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := DecodeEnvelope(data)
		if err != nil {
			return
		}
		for _, it := range env.Items {
			_, _, _ = it.ReplayRecording()
			_, _ = it.ReplayEvent()
			_, _ = it.ErrorEvent()
		}
		b, err := BundleFromEnvelopes([]*Envelope{env})
		if err != nil {
			return
		}
		if tl, err := BuildTimeline(b, AllowNoSnapshot()); err == nil {
			if _, err := json.Marshal(tl); err != nil {
				t.Fatalf("marshal timeline: %v", err)
			}
		}
	})
}

// FuzzStreamedMatchesInMemory: a recording read from a file (validated and
// keyed, then streamed again in time order, early events held aside) gives
// the same timeline as the same events held in memory.
//
//	go test ./reproduce/replay -run '^$' -fuzz FuzzStreamedMatchesInMemory -fuzztime 60s
func FuzzStreamedMatchesInMemory(f *testing.F) {
	seedFiles(f, "testdata/public/*.json", filepath.Join(bundlesDir, "imagechat-bug", "recording-segments.json"))
	f.Add([]byte(`[[{"type":3,"timestamp":5,"data":{"source":2,"type":2,"id":1}},{"type":4,"timestamp":1700000000000,"data":{"href":"http://x.test/"}}],` +
		`[{"type":5,"timestamp":1,"data":{"tag":"breadcrumb","payload":{"category":"console","message":"m"}}},{"type":"x"}]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, err := DecodeSegments(data)
		if err != nil {
			return
		}
		p := filepath.Join(t.TempDir(), "rec.json")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		loaded, err := Load(p)
		if err != nil {
			return // not rrweb events (Load is stricter than DecodeSegments)
		}
		want, werr := BuildTimeline(&Bundle{Dir: p, Segments: segs}, AllowNoSnapshot())
		got, gerr := BuildTimeline(loaded, AllowNoSnapshot())
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("streamed: %v, in memory: %v", gerr, werr)
		}
		if werr != nil {
			return
		}
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if string(wj) != string(gj) {
			t.Fatalf("streamed timeline differs:\n got %s\nwant %s", gj, wj)
		}
	})
}
