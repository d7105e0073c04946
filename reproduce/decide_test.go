package reproduce

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// The decision core without Chrome: Run's own sequence (plan.Build, the
// bug signature, the clicks to judge, Judge per run, aggregate) over every
// recorded bundle, on observations made by hand to be what a rerun in
// Chrome reports. TestBugBundlesReproduceOnBuggyAndNotOnFixed checks the
// same verdicts on real reruns, in seconds per bundle; this checks them
// in milliseconds, under -short.

// rerun is the observation of a rerun that followed every step of pl, each
// step changing the page, with the clicks pl judges judged in the page.
// With recurs, every proof signal of sig happens again where it was
// recorded: what a rerun against the buggy app shows.
func rerun(pl *plan.Plan, sig verdict.Signature, recurs bool) *session.Observation {
	o := &session.Observation{Completed: true, StoppedAt: -1}
	for _, st := range pl.Steps {
		o.Steps = append(o.Steps, session.StepResult{Index: st.Index, Kind: st.Kind, Status: session.StepOK, Mutations: 3, Requests: 1})
		if st.JudgeDeadClick {
			o.Judged = append(o.Judged, st.Index)
		}
	}
	if !recurs {
		return o
	}
	for _, s := range sig.Proofs() {
		switch s.Kind {
		case verdict.SignalError:
			o.Exceptions = append(o.Exceptions, session.Exception{Step: s.Step, Type: s.Type, Message: s.Message})
		case verdict.SignalConsoleError:
			o.Console = append(o.Console, session.ConsoleEntry{Step: s.Step, Level: "error", Text: s.Message, SDK: s.Message})
		case verdict.SignalDeadClick, verdict.SignalRageClick:
			o.DeadClicks = append(o.DeadClicks, session.DeadClick{Step: s.Step})
			o.Steps[s.Step].Mutations = 0
		}
	}
	return o
}

// stoppedAt is the observation of a rerun that could not do step k (its
// element was gone) after doing the ones before it.
func stoppedAt(pl *plan.Plan, k int) *session.Observation {
	o := &session.Observation{StoppedAt: k, StopReason: "element gone"}
	for _, st := range pl.Steps[:k+1] {
		r := session.StepResult{Index: st.Index, Kind: st.Kind, Status: session.StepOK, Mutations: 3}
		if st.Index == k {
			r.Status, r.Reason = session.StepFailed, "element gone"
		}
		o.Steps = append(o.Steps, r)
	}
	return o
}

// TestEveryBundleIsDecidedAsItsManifestSays judges every recorded bundle
// as Run does, on a rerun that shows the recorded failure again (the buggy
// app) and one that does not (the fixed app), and checks the verdicts the
// manifest expects; a rerun that lost the user's path before the failure
// is diverged, and runs that disagree are aggregated as a flaky
// reproduction that says how often it happened.
func TestEveryBundleIsDecidedAsItsManifestSays(t *testing.T) {
	entries, err := os.ReadDir(bundles)
	require.NoError(t, err)
	decided := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			m := readManifest(t, filepath.Join(bundles, e.Name()))
			r := openBundle(t, e.Name())
			pl, err := plan.Build(r.Timeline, plan.Options{})
			require.NoError(t, err)
			sig := verdict.BugSignature(r.Timeline, pl)
			sig.MarkDeadClickSteps(pl)

			judge := func(o *session.Observation) RunResult {
				return RunResult{Verdict: verdict.Judge(sig, pl, o, nil), Observation: o}
			}
			buggy, fixed := judge(rerun(pl, sig, true)), judge(rerun(pl, sig, false))
			assert.Equal(t, m.ExpectedVerdict["buggy"], buggy.Verdict.Value, "as the buggy app: %s", buggy.Verdict.Summary)
			assert.Equal(t, m.ExpectedVerdict["fixed"], fixed.Verdict.Value, "as the fixed app: %s", fixed.Verdict.Summary)
			for _, v := range []verdict.Verdict{buggy.Verdict, fixed.Verdict} {
				assert.Contains(t, v.Summary, fmt.Sprintf("followed %d of %d steps", len(pl.Steps), len(pl.Steps)))
				assert.Len(t, v.Evidence, len(sig.Signals), "one evidence line per recorded signal")
			}

			v, agreement, flaky := aggregate([]RunResult{buggy, buggy})
			assert.Equal(t, buggy.Verdict, v, "runs that agree are reported as they are")
			assert.Equal(t, "2/2", agreement)
			assert.False(t, flaky)

			proofs := sig.Proofs()
			if len(proofs) == 0 {
				// A healthy recording: nothing to decide, however the
				// rerun went.
				stop := judge(stoppedAt(pl, len(pl.Steps)-1)).Verdict
				assert.Equal(t, verdict.Inconclusive, stop.Value, stop.Summary)
				assert.Contains(t, stop.Summary, "nothing failed in the recording")
				assert.Contains(t, stop.Summary, fmt.Sprintf("stopped at step %d", len(pl.Steps)-1))
				return
			}
			decided++

			first := proofs[0].Step
			for _, s := range proofs {
				first = min(first, s.Step)
			}
			lost := judge(stoppedAt(pl, first)).Verdict
			assert.Equal(t, verdict.Diverged, lost.Value, "a rerun that stopped at step %d, the first failure's: %s", first, lost.Summary)
			if assert.NotNil(t, lost.DivergedAt) {
				assert.Equal(t, first, *lost.DivergedAt)
			}

			v, agreement, flaky = aggregate([]RunResult{fixed, buggy, fixed})
			assert.True(t, flaky, "runs disagreed")
			assert.Equal(t, buggy.Verdict.Value, v.Value, "a failure that happened in any run happened")
			assert.Equal(t, "1/3", agreement)
			assert.Equal(t, fmt.Sprintf("flaky: %s in 1 of 3 runs (%s 1, %s 2) — %s",
				buggy.Verdict.Value, buggy.Verdict.Value, fixed.Verdict.Value, buggy.Verdict.Summary), v.Summary)
			assert.Equal(t, buggy.Verdict.Evidence, v.Evidence, "the evidence is the reproducing run's")
		})
	}
	require.Positive(t, decided, "no recorded bundle has a failure to decide on")
}

// TestAggregateReportsTheWorstRunAndHowOften covers each rule of aggregate
// on hand-made verdicts: runs that agree are reported as they are; when
// they disagree, a reproduction outranks a divergence, which outranks an
// inconclusive run, which outranks a miss (the failure did happen, or the
// path could not be followed, in that run), the first run of that verdict
// is the one shown, and the summary says how often, never an average.
func TestAggregateReportsTheWorstRunAndHowOften(t *testing.T) {
	at := func(i int) *int { return &i }
	run := func(value, summary string) RunResult {
		v := verdict.Verdict{Value: value, Summary: summary, Evidence: []verdict.Evidence{{Signal: summary}}}
		if value == verdict.Diverged {
			v.DivergedAt = at(4)
		}
		return RunResult{Verdict: v}
	}
	const (
		R   = verdict.Reproduced
		NR  = verdict.NotReproduced
		Div = verdict.Diverged
		Inc = verdict.Inconclusive
	)
	cases := []struct {
		name      string
		runs      []RunResult
		pick      int // the run whose verdict is reported
		agreement string
		flaky     bool
		summary   string // "": the picked run's own summary
	}{
		{"one run is its own verdict", []RunResult{run(R, "a")}, 0, "1/1", false, ""},
		{"runs that agree report the first", []RunResult{run(NR, "a"), run(NR, "b"), run(NR, "c")}, 0, "3/3", false, ""},
		{"one reproduction among misses is a flaky reproduction",
			[]RunResult{run(NR, "a"), run(R, "b"), run(NR, "c")}, 1, "1/3", true,
			"flaky: reproduced in 1 of 3 runs (reproduced 1, not_reproduced 2) — b"},
		{"a reproduction outranks a divergence",
			[]RunResult{run(Div, "a"), run(R, "b")}, 1, "1/2", true,
			"flaky: reproduced in 1 of 2 runs (reproduced 1, diverged 1) — b"},
		{"a divergence outranks inconclusive and missed runs",
			[]RunResult{run(NR, "a"), run(Inc, "b"), run(Div, "c")}, 2, "1/3", true,
			"flaky: diverged in 1 of 3 runs (not_reproduced 1, diverged 1, inconclusive 1) — c"},
		{"an inconclusive run outranks misses",
			[]RunResult{run(NR, "a"), run(NR, "b"), run(Inc, "c")}, 2, "1/3", true,
			"flaky: inconclusive in 1 of 3 runs (not_reproduced 2, inconclusive 1) — c"},
		{"the first run of the reported verdict is shown",
			[]RunResult{run(R, "a"), run(NR, "b"), run(R, "c")}, 0, "2/3", true,
			"flaky: reproduced in 2 of 3 runs (reproduced 2, not_reproduced 1) — a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, agreement, flaky := aggregate(tc.runs)
			want := tc.runs[tc.pick].Verdict
			if tc.summary != "" {
				want.Summary = tc.summary
			}
			assert.Equal(t, want, v)
			assert.Equal(t, tc.agreement, agreement)
			assert.Equal(t, tc.flaky, flaky)
		})
	}
}
