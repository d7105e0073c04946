package generate

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGeneratedCodeMatchesGolden protects the generated test and fixture of
// every real replay bundle. Refresh with: go test ./generate -update
func TestGeneratedCodeMatchesGolden(t *testing.T) {
	bundles, err := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "replays", "*"))
	require.NoError(t, err)
	ran := 0
	for _, dir := range bundles {
		scenario := filepath.Base(dir)
		for _, expectBug := range []bool{false, true} {
			name := scenario
			if expectBug {
				name += ".expect-bug"
			}
			t.Run(name, func(t *testing.T) {
				r := openReplay(t, scenario)
				cmd := "repro generate testdata/replays/" + scenario + " -o ./regress --force"
				if expectBug {
					cmd = "repro generate testdata/replays/" + scenario + " -o ./regress --expect-bug --force"
				}
				out, err := Generate(r, Options{Package: "regress", ExpectBug: expectBug, Command: cmd})
				if err != nil {
					// A healthy session has nothing to assert; that refusal
					// is itself protected.
					require.ErrorContains(t, err, "nothing for a test to assert")
					return
				}
				ran++
				checkGolden(t, name+".go.golden", out.Code)
				if !expectBug {
					checkGolden(t, name+".cassette.json.golden", out.Files[out.FixtureDir+"/cassette.json"])
				}
			})
		}
	}
	require.Positive(t, ran, "no bundle produced a test")
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
