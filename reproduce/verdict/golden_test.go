package verdict

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/internal/golden"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// bundles holds the recorded replays (testdata/replays at the repository's root).
const bundles = "../../testdata/replays"

// goldenSignature is what the golden file holds of a bundle's signature:
// each signal with its offset and the words of the step it is tied to
// (so a review sees a signal move to another step), and the click steps
// MarkDeadClickSteps sets to be judged by the SDK's rule.
type goldenSignature struct {
	Where   string         `json:"where"`
	Proofs  int            `json:"proofs"`
	Signals []goldenSignal `json:"signals"`
	Judged  []int          `json:"judged_clicks"`
}

type goldenSignal struct {
	OffsetMS  int64  `json:"offset_ms"`
	StepWords string `json:"step_words"`
	Signal
}

// TestSignatureGolden pins the bug signature of every recorded bundle:
// each signal's kind, the step it is tied to, its text, whether it is
// proof or context, and which clicks are judged dead by the SDK's rule. It
// also holds the signature to what the recorder knew: a bundle whose
// manifest names a bug has a proof signal to assert (else generate and
// run have nothing to decide on), and a healthy one has none. Refresh
// with
//
//	go test ./reproduce/verdict -run TestSignatureGolden -update
func TestSignatureGolden(t *testing.T) {
	manifests, err := filepath.Glob(filepath.Join(bundles, "*", "manifest.json"))
	require.NoError(t, err)
	require.NotEmpty(t, manifests, "no recorded bundles under %s", bundles)
	var names []string
	for _, manifest := range manifests {
		dir := filepath.Dir(manifest)
		name := filepath.Base(dir)
		names = append(names, name)
		t.Run(name, func(t *testing.T) {
			b, err := replay.Load(dir)
			require.NoError(t, err)
			tl, err := replay.BuildTimeline(b)
			require.NoError(t, err)
			p, err := plan.Build(tl, plan.Options{})
			require.NoError(t, err)
			sig := BugSignature(tl, p)
			sig.MarkDeadClickSteps(p)

			g := goldenSignature{Where: sig.Where, Proofs: len(sig.Proofs()), Signals: []goldenSignal{}, Judged: []int{}}
			for _, s := range sig.Signals {
				require.True(t, s.Step >= 0 && s.Step < len(p.Steps), "signal %s tied to step %d of %d", s, s.Step, len(p.Steps))
				g.Signals = append(g.Signals, goldenSignal{OffsetMS: s.Offset.Milliseconds(), StepWords: p.Steps[s.Step].String(), Signal: s})
			}
			for _, st := range p.Steps {
				if st.JudgeDeadClick {
					require.Equal(t, plan.StepClick, st.Kind, "only a click is judged dead")
					g.Judged = append(g.Judged, st.Index)
				}
			}
			for _, s := range sig.Proofs() {
				if s.Kind == SignalDeadClick || s.Kind == SignalRageClick {
					assert.True(t, slices.Contains(g.Judged, s.Step), "the recorded %s is on step %d, which is not judged by the SDK's rule", s, s.Step)
				}
			}

			var m struct {
				Bug struct{ Breakdown string } `json:"bug"`
			}
			raw, err := os.ReadFile(manifest)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &m))
			if isBug := m.Bug.Breakdown != "" && m.Bug.Breakdown != "none"; isBug {
				assert.Positive(t, g.Proofs, "the manifest names a bug (%s) but the signature has no proof signal", m.Bug.Breakdown)
			} else {
				assert.Zero(t, g.Proofs, "a healthy recording has no proof of a bug")
			}

			golden.Check(t, filepath.Join("testdata", "golden", name+".signature.json"), g, *update, "go test ./reproduce/verdict -run TestSignatureGolden -update")
		})
	}
	t.Run("no golden file without its bundle", func(t *testing.T) {
		golden.NoneStale(t, filepath.Join("testdata", "golden"), ".signature.json", names)
	})

}
