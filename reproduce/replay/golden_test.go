package replay

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The golden timelines under testdata/golden were written by the decoder
// that read every recording whole into generic values (before the
// streaming decoder, issue 11), from the recorded bundles, their raw
// envelopes, a zlib file, the public fixtures and the hostile output
// bundles, and from recorded bundles rewritten out of order (segments
// reversed, events shuffled inside each segment, every event reversed).
// The streaming decoder must give the same timelines, byte for byte.

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden from the current decoder")

const goldenDir = "testdata/golden"

// goldenCase names one input and how to load it.
type goldenCase struct {
	name string
	load func(t *testing.T) (*Bundle, error)
}

// outOfOrder rewrites a recording: each function returns new segments.
var outOfOrder = map[string]func(segs [][]json.RawMessage) [][]json.RawMessage{
	"segments-reversed": func(segs [][]json.RawMessage) [][]json.RawMessage {
		out := slices.Clone(segs)
		slices.Reverse(out)
		return out
	},
	"events-shuffled": func(segs [][]json.RawMessage) [][]json.RawMessage {
		r := rand.New(rand.NewPCG(11, 7))
		out := make([][]json.RawMessage, len(segs))
		for i, s := range segs {
			out[i] = slices.Clone(s)
			r.Shuffle(len(out[i]), func(a, b int) { out[i][a], out[i][b] = out[i][b], out[i][a] })
		}
		return out
	},
	"all-reversed": func(segs [][]json.RawMessage) [][]json.RawMessage {
		var all []json.RawMessage
		for _, s := range segs {
			all = append(all, s...)
		}
		slices.Reverse(all)
		return [][]json.RawMessage{all}
	},
}

// writeSegments writes segs as dir/recording-segments.json with the
// details and errors of the bundle in from.
func writeSegments(t *testing.T, from, dir string, segs [][]json.RawMessage) {
	t.Helper()
	data, err := json.Marshal(segs)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, segmentsFile, string(data))
	for _, name := range []string{detailsFile, errorsFile} {
		if b, err := os.ReadFile(filepath.Join(from, name)); err == nil {
			writeFile(t, dir, name, string(b))
		}
	}
}

func goldenCases(t *testing.T) []goldenCase {
	var cases []goldenCase
	for _, dir := range bundleDirs(t) {
		name := filepath.Base(dir)
		cases = append(cases, goldenCase{name, func(t *testing.T) (*Bundle, error) { return LoadBundle(dir) }})
		cases = append(cases, goldenCase{name + ".envelopes", func(t *testing.T) (*Bundle, error) {
			only := t.TempDir()
			files, _ := filepath.Glob(filepath.Join(dir, "envelopes", "*.envelope"))
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, only, filepath.Join("envelopes", filepath.Base(f)), string(data))
			}
			return LoadBundle(only)
		}})
		for _, v := range slices.Sorted(func(yield func(string) bool) {
			for k := range outOfOrder {
				if !yield(k) {
					return
				}
			}
		}) {
			cases = append(cases, goldenCase{name + "." + v, func(t *testing.T) (*Bundle, error) {
				b, err := LoadBundle(dir)
				if err != nil {
					t.Fatal(err)
				}
				out := t.TempDir()
				writeSegments(t, dir, out, outOfOrder[v](recordingOf(t, b)))
				return LoadBundle(out)
			}})
		}
	}
	cases = append(cases, goldenCase{"imagechat-bug.zlib", func(t *testing.T) (*Bundle, error) {
		data, err := os.ReadFile(filepath.Join(bundlesDir, "imagechat-bug", segmentsFile))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		w.Write(data)
		w.Close()
		p := writeFile(t, t.TempDir(), "rec.bin", buf.String())
		return Load(p)
	}})
	files, _ := filepath.Glob("testdata/public/*.json")
	for _, f := range files {
		if strings.Contains(f, "details") {
			continue
		}
		cases = append(cases, goldenCase{"public." + strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) (*Bundle, error) { return Load(f) }})
	}
	hostile, _ := filepath.Glob(filepath.Join(hostileDir, "out-*", segmentsFile))
	for _, f := range hostile {
		dir := filepath.Dir(f)
		cases = append(cases, goldenCase{"hostile." + filepath.Base(dir), func(t *testing.T) (*Bundle, error) { return LoadBundle(dir) }})
	}
	return cases
}

// goldenOf is what a golden file holds: the timeline's JSON and the
// build's error.
func goldenOf(t *testing.T, b *Bundle) []byte {
	t.Helper()
	tl, err := BuildTimeline(b, AllowNoSnapshot())
	out := struct {
		Error    string    `json:"error,omitempty"`
		Timeline *Timeline `json:"timeline"`
	}{Timeline: tl}
	if err != nil {
		out.Error = err.Error()
	}
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

func TestTimelinesMatchTheWholeFileDecoder(t *testing.T) {
	for _, tc := range goldenCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.load(t)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenOf(t, b)
			path := filepath.Join(goldenDir, tc.name+".json")
			if *updateGolden {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if gl[i] != wl[i] {
						t.Fatalf("timeline differs from %s at line %d:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("timeline differs from %s: %d lines, want %d", path, len(gl), len(wl))
			}
		})
	}
}
