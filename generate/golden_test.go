package generate

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// recordedBundle is a bundle under testdata/replays and what its
// manifest.json says of it: whether the recorder knew of a bug in it (a
// breakdown other than "none").
type recordedBundle struct {
	name string
	bug  bool
}

// recordedBundles lists the bundles under testdata/replays by their
// manifests, so a bundle added there is tested without anyone listing it.
func recordedBundles(t *testing.T) []recordedBundle {
	t.Helper()
	manifests, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "replays", "*", "manifest.json"))
	require.NoError(t, err)
	require.NotEmpty(t, manifests, "no recorded bundles")
	var out []recordedBundle
	for _, path := range manifests {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		var m struct {
			Bug struct {
				Breakdown string `json:"breakdown"`
			} `json:"bug"`
		}
		require.NoError(t, json.Unmarshal(raw, &m), path)
		out = append(out, recordedBundle{
			name: filepath.Base(filepath.Dir(path)),
			bug:  m.Bug.Breakdown != "" && m.Bug.Breakdown != "none",
		})
	}
	return out
}

// TestGeneratedCodeMatchesGolden protects the generated test (plain and
// --expect-bug) and the cassette of every bundle whose manifest names a
// bug: each must give a test — a bug bundle that gives "nothing for a test
// to assert" fails here, never silently — and the output must match its
// golden file. A healthy bundle must be refused with that message. A new
// bug bundle gets its golden files with -update; a golden file of a bundle
// that is gone, or no longer a bug, fails. Refresh with:
//
//	go test ./generate -run TestGeneratedCodeMatchesGolden -update
func TestGeneratedCodeMatchesGolden(t *testing.T) {
	var want []string // the golden files the bug bundles need
	for _, b := range recordedBundles(t) {
		for _, expectBug := range []bool{false, true} {
			name := b.name
			cmd := "repro generate testdata/replays/" + b.name + " -o ./regress --force"
			if expectBug {
				name += ".expect-bug"
				cmd = "repro generate testdata/replays/" + b.name + " -o ./regress --expect-bug --force"
			}
			if b.bug {
				want = append(want, name+".go.golden")
				if !expectBug {
					want = append(want, name+".cassette.json.golden")
				}
			}
			t.Run(name, func(t *testing.T) {
				out, err := Generate(openReplay(t, b.name), Options{Package: "regress", ExpectBug: expectBug, Command: cmd})
				if !b.bug {
					require.Error(t, err, "a healthy session gave a test: what does it assert?")
					require.ErrorContains(t, err, "nothing for a test to assert")
					return
				}
				require.NoError(t, err, "the manifest names a bug, so the replay must give a test")
				for i, line := range strings.Split(string(out.Code), "\n") {
					assert.LessOrEqual(t, utf8.RuneCountInString(strings.ReplaceAll(line, "\t", "    ")), 120,
						"line %d of the generated test is over 120 characters: %s", i+1, line)
				}
				checkGolden(t, name+".go.golden", out.Code)
				if !expectBug {
					checkGolden(t, name+".cassette.json.golden", out.Files[out.FixtureDir+"/cassette.json"])
				}
			})
		}
	}
	require.NotEmpty(t, want, "no bundle's manifest names a bug: nothing protects the generated code")
	t.Run("every golden file belongs to a bug bundle", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.golden"))
		require.NoError(t, err)
		for _, f := range files {
			assert.True(t, slices.Contains(want, filepath.Base(f)),
				"%s belongs to no bug bundle under testdata/replays: delete it (or fix the bundle's manifest)", f)
		}
	})
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file: run go test ./generate -update")
	require.Equal(t, string(want), string(got), "generated output changed: review, then run go test ./generate -update")
}
