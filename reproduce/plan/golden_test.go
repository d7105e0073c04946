package plan

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/internal/golden"
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
			golden.Check(t, filepath.Join("testdata", "golden", name+".plan.json"), p, *update, "go test ./reproduce/plan -run TestPlanGolden -update")
		})
	}
	t.Run("no golden file without its bundle", func(t *testing.T) {
		golden.NoneStale(t, filepath.Join("testdata", "golden"), ".plan.json", names)
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
