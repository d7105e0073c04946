package plan

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/replay"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// bundles holds the recorded replays (testdata/replays at the repository's root).
const bundles = "../../testdata/replays"

// TestPlanGolden pins the plan of every recorded bundle: the environment
// and every step with its kind, selectors, point, value, key, scroll and
// offsets (the plan as JSON, which is what `repro run --json` reports). A
// bundle added under testdata/replays gets its golden file with -update;
// a change to the planner shows as a diff to review.
//
//	go test ./reproduce/plan -run TestPlanGolden -update
func TestPlanGolden(t *testing.T) {
	names := bundleNames(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			b, err := replay.Load(filepath.Join(bundles, name))
			require.NoError(t, err)
			tl, err := replay.BuildTimeline(b)
			require.NoError(t, err)
			p, err := Build(tl, Options{})
			require.NoError(t, err)
			for i, s := range p.Steps {
				// Evidence and generated tests number steps by position.
				require.Equal(t, i, s.Index, "step %d is numbered %d", i, s.Index)
				require.NoError(t, s.Validate(), "the planner made a step the session refuses")
			}
			got, err := readableJSON(p)
			require.NoError(t, err)
			golden := filepath.Join("testdata", "golden", name+".plan.json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "no golden file: run go test ./reproduce/plan -run TestPlanGolden -update")
			assert.Equal(t, string(want), string(got), "the plan changed: review the diff, then run with -update")
		})
	}
	t.Run("no golden file without its bundle", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.plan.json"))
		require.NoError(t, err)
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".plan.json")
			assert.Contains(t, names, name, "%s pins a bundle that is gone: delete it", f)
		}
	})
}

// bundleNames lists the recorded bundles (directories with a manifest);
// none is a failure, since the test must exercise real SDK output.
func bundleNames(t *testing.T) []string {
	t.Helper()
	manifests, err := filepath.Glob(filepath.Join(bundles, "*", "manifest.json"))
	require.NoError(t, err)
	require.NotEmpty(t, manifests, "no recorded bundles under %s", bundles)
	var names []string
	for _, m := range manifests {
		names = append(names, filepath.Base(filepath.Dir(m)))
	}
	return names
}

// readableJSON is v as indented JSON with its strings unescaped where JSON
// allows ("html > body", not "html \u003e body"), so a selector reads in
// the golden file as it does in a test.
func readableJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	b = jsonString.ReplaceAllFunc(b, func(lit []byte) []byte {
		var s string
		if json.Unmarshal(lit, &s) != nil {
			return lit
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(s) != nil {
			return lit
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	})
	return append(b, '\n'), nil
}

var jsonString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
