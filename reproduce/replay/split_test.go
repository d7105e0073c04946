package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The split load (split.go) must give exactly what the load alone gives:
// the same keys, segments, index and sums, the same timeline, the same
// errors. Each case loads a file both ways (splitMin lowered to split it,
// raised to not) and compares.

// loadWays loads dir with the split allowed or not.
func loadWays(t *testing.T, dir string, split bool, lim ...Limits) (*Bundle, error) {
	t.Helper()
	old := splitMin
	defer func() { splitMin = old }()
	if split {
		splitMin = 0
	} else {
		splitMin = 1 << 62
	}
	if len(lim) > 0 {
		return LoadWith(dir, lim[0])
	}
	return LoadBundle(dir)
}

// studioSegments is studio-healthy's segments without the outer brackets.
func studioSegments(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(bundlesDir, "studio-healthy", segmentsFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(bytes.TrimPrefix(bytes.TrimSpace(data), []byte("[")), []byte("]")))
}

// sameLoad fails unless both ways load dir alike; it reports whether the
// split way split the file.
func sameLoad(t *testing.T, dir string) bool {
	t.Helper()
	seq, errSeq := loadWays(t, dir, false)
	spl, errSpl := loadWays(t, dir, true)
	if !sameResult(t, seq, errSeq, spl, errSpl) {
		return false
	}
	return len(spl.rec.(*fileRecording).k.ms) > 0 && splitHappened(t, dir)
}

// sameResult fails unless a load alone (seq) and a split one (spl) gave
// the same error, or the same keys, segments, index, sums and timeline;
// false when they both failed.
func sameResult(t *testing.T, seq *Bundle, errSeq error, spl *Bundle, errSpl error) bool {
	t.Helper()
	if errSeq != nil || errSpl != nil {
		if fmt.Sprint(errSeq) != fmt.Sprint(errSpl) {
			t.Fatalf("errors differ:\n alone: %v\n split: %v", errSeq, errSpl)
		}
		return false
	}
	a, b := seq.rec.(*fileRecording), spl.rec.(*fileRecording)
	if a.nsegs != b.nsegs || !reflect.DeepEqual(a.k.ms, b.k.ms) || a.k.valid != b.k.valid || a.k.bad != b.k.bad || a.k.example != b.k.example {
		t.Fatalf("keys differ: alone %d segments %d events (%d bad), split %d segments %d events (%d bad)",
			a.nsegs, len(a.k.ms), a.k.bad, b.nsegs, len(b.k.ms), b.k.bad)
	}
	if a.ix != nil && b.ix != nil {
		if !reflect.DeepEqual(a.ix.evs, b.ix.evs) || !reflect.DeepEqual(a.ix.sums, b.ix.sums) || a.ix.size != b.ix.size || a.ix.end != b.ix.end {
			t.Fatal("the indexes differ")
		}
		// Segment starts may be listed twice where the halves meet.
		seg := func(x *eventIndex) []int {
			out := make([]int, len(x.evs))
			j, cur := 0, 0
			for i := range out {
				for j < len(x.segs) && x.segs[j].ev == i {
					cur = x.segs[j].seg
					j++
				}
				out[i] = cur
			}
			return out
		}
		if !reflect.DeepEqual(seg(a.ix), seg(b.ix)) {
			t.Fatal("the events' segments differ")
		}
	}
	ta, errA := BuildTimeline(seq, AllowNoSnapshot())
	tb, errB := BuildTimeline(spl, AllowNoSnapshot())
	if fmt.Sprint(errA) != fmt.Sprint(errB) {
		t.Fatalf("BuildTimeline errors differ: %v / %v", errA, errB)
	}
	ja, _ := json.Marshal(ta)
	jb, _ := json.Marshal(tb)
	if !bytes.Equal(ja, jb) {
		t.Fatal("the timelines differ")
	}
	return true
}

// splitHappened loads dir split and says whether the second half took
// over (the load's own scan stopped at its first event).
func splitHappened(t *testing.T, dir string) bool {
	t.Helper()
	old := splitMin
	defer func() { splitMin = old }()
	splitMin = 0
	took := false
	testSplitJoined = func() { took = true }
	defer func() { testSplitJoined = nil }()
	if _, err := LoadBundle(dir); err != nil {
		t.Fatal(err)
	}
	return took
}

// TestSplitLoadIsTheLoadAlone: recordings of many chunks, split in
// their middle, in every shape a recording file takes — an array of
// segments, with null segments, one segment of events, pretty-printed —
// load to the same keys, segments, index, sums and timeline, and the
// second half did take over.
func TestSplitLoadIsTheLoadAlone(t *testing.T) {
	segs := studioSegments(t)
	var events []string // the events of every segment, for one flat segment
	var arr [][]json.RawMessage
	if err := json.Unmarshal([]byte("["+segs+"]"), &arr); err != nil {
		t.Fatal(err)
	}
	for _, s := range arr {
		for _, e := range s {
			events = append(events, string(e))
		}
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, []byte("["+strings.Repeat(segs+",", 9)+segs+"]"), "", "  "); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"segments":      "[" + strings.Repeat(segs+",", 19) + segs + "]",
		"null segments": "[" + strings.Repeat(segs+",null,[],", 19) + segs + ",null]",
		"one segment":   "[" + strings.Repeat(strings.Join(events, ",")+",", 19) + strings.Join(events, ",") + "]",
		"pretty":        indented.String(),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, segmentsFile, content)
			if !sameLoad(t, dir) {
				t.Fatalf("the %d-byte file was not split", len(content))
			}
		})
	}
}

// TestSplitLoadFallsBackExactly: where the speculation fails the load
// goes on alone, with the load alone's result or error: the middle's
// first event-like object nested inside an event (a breadcrumb's
// payload holding a list of rrweb-looking events), a syntax error in
// the second half, one in the first, and more events than the limit
// allows only when both halves are counted.
func TestSplitLoadFallsBackExactly(t *testing.T) {
	segs := studioSegments(t)
	n := len(segs)
	decoy := `{"type":5,"timestamp":1700000000000,"data":{"tag":"x","payload":[` + strings.Repeat(`{"type":3,"data":{"source":99},"timestamp":1}`+",", 30000) + `{"type":3,"data":{},"timestamp":1}]}}`
	t.Run("decoy", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, segmentsFile, "[["+decoy+"],"+segs+"]")
		if sameLoad(t, dir) {
			t.Fatal("the decoy split the load")
		}
	})
	for name, content := range map[string]string{
		"error in the second half": "[" + strings.Repeat(segs+",", 9) + segs[:n/2] + "}" + segs[n/2:] + "]",
		"error in the first half":  "[" + segs[:n/2] + "}" + segs[n/2:] + "," + strings.Repeat(segs+",", 9) + segs + "]",
		"cut short":                "[" + strings.Repeat(segs+",", 9) + segs,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, segmentsFile, content)
			seq, err := loadWays(t, dir, false)
			if err == nil {
				t.Fatalf("the load alone took it: %v", seq)
			}
			sameLoad(t, dir)
		})
	}
	t.Run("over the event limit together", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, segmentsFile, "["+strings.Repeat(segs+",", 9)+segs+"]")
		b, err := loadWays(t, dir, false)
		if err != nil {
			t.Fatal(err)
		}
		lim := DefaultLimits()
		lim.MaxEvents = len(b.rec.(*fileRecording).k.ms) - 1 // each half is well under it
		_, errSeq := loadWays(t, dir, false, lim)
		_, errSpl := loadWays(t, dir, true, lim)
		if errSeq == nil || fmt.Sprint(errSeq) != fmt.Sprint(errSpl) {
			t.Fatalf("errors differ:\n alone: %v\n split: %v", errSeq, errSpl)
		}
	})
}

// FuzzSplitLoadIsTheLoadAlone: whatever the bytes of a recording file —
// anyone can send one — a split load gives exactly what the load alone
// gives: the same error, or the same keys, segments, index and timeline.
// Files of a few hundred bytes are split (64-byte chunks).
//
//	go test ./reproduce/replay -run '^$' -fuzz FuzzSplitLoadIsTheLoadAlone -fuzztime 60s -fuzzminimizetime 1x
func FuzzSplitLoadIsTheLoadAlone(f *testing.F) {
	for _, name := range []string{"account-bug", "feed-healthy"} {
		data, err := os.ReadFile(filepath.Join(bundlesDir, name, segmentsFile))
		if err != nil {
			f.Fatal(err)
		}
		var segs [][]json.RawMessage
		if err := json.Unmarshal(data, &segs); err != nil {
			f.Fatal(err)
		}
		// A few events of each segment: a small file of the real shape.
		var parts []string
		for _, s := range segs {
			var evs []string
			for i, e := range s {
				if i < 6 && len(e) < 2000 {
					evs = append(evs, string(e))
				}
			}
			parts = append(parts, "["+strings.Join(evs, ",")+"]")
		}
		f.Add([]byte("[" + strings.Join(parts, ",") + "]"))
		f.Add([]byte("[" + strings.Join(parts, ",null,[],") + "]"))
	}
	f.Add([]byte(`[[{"type":4,"data":{"href":"http://x.test/"},"timestamp":1},{"type":5,"data":{"tag":"x","payload":[{"type":3,"data":{},"timestamp":2},{"type":3,"data":{},"timestamp":3}]},"timestamp":4},{"type":3,"data":{"source":2},"timestamp":5}]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		oldChunk, oldMin := indexChunk, splitMin
		defer func() { indexChunk, splitMin = oldChunk, oldMin }()
		indexChunk = 64
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, segmentsFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		load := func(split bool) (*Bundle, error) {
			splitMin = 1 << 62
			if split {
				splitMin = 0
			}
			return LoadBundle(dir)
		}
		seq, errSeq := load(false)
		spl, errSpl := load(true)
		sameResult(t, seq, errSeq, spl, errSpl)
	})
}
