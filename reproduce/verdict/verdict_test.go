package verdict

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
)

// judgeCase builds a plan of n click steps and an observation in which the
// steps before stop ran (stop < 0: all of them).
func judgeCase(n, stop int, reason string) (*plan.Plan, *session.Observation) {
	p := &plan.Plan{}
	for i := range n {
		p.Steps = append(p.Steps, plan.Step{Index: i, Kind: plan.StepClick, Selectors: []string{fmt.Sprintf("#b%d", i)}, Description: fmt.Sprintf("click #b%d", i)})
	}
	o := &session.Observation{StoppedAt: -1}
	for i := range n {
		if stop >= 0 && i > stop {
			break
		}
		r := session.StepResult{Index: i, Kind: plan.StepClick, Status: session.StepOK, Mutations: 1}
		if i == stop {
			r.Status, r.Reason = session.StepFailed, reason
			o.StoppedAt, o.StopReason = i, reason
		}
		o.Steps = append(o.Steps, r)
	}
	o.Completed = stop < 0
	return p, o
}

func TestJudgeSaysHowFarThePathWasFollowed(t *testing.T) {
	typeErr := Signal{Kind: SignalError, Step: 5, Type: "TypeError", Message: "x is null", Proof: true}
	thrown := []session.Exception{{Step: 5, Type: "TypeError", Message: "x is null"}}
	cases := []struct {
		name      string
		sig       Signature
		steps     int
		stop      int
		threw     bool
		want      string
		summary   []string
		forbidden []string
	}{
		{"healthy recording followed to the end", Signature{}, 30, -1, false, Inconclusive,
			[]string{"nothing failed in the recording", "followed 30 of 30 steps"}, nil},
		{"healthy recording whose rerun stopped early says so", Signature{}, 30, 11, false, Inconclusive,
			[]string{"nothing failed in the recording", "followed 11 of 30 steps and stopped at step 11 (click #b11): element gone"}, []string{"30 of 30"}},
		{"failure seen on a complete run", Signature{Signals: []Signal{typeErr}}, 8, -1, true, Reproduced,
			[]string{"TypeError: x is null", "followed 8 of 8 steps"}, nil},
		{"run stopped before the failure diverged", Signature{Signals: []Signal{typeErr}}, 8, 3, false, Diverged,
			[]string{"stopped at step 3 (click #b3): element gone", "recorded failure at step 5"}, nil},
		{"run stopped at the failure's own step diverged", Signature{Signals: []Signal{typeErr}}, 8, 5, false, Diverged,
			[]string{"stopped at step 5"}, nil},
		{"failure not seen, run stopped after it: not reproduced, told as incomplete", Signature{Signals: []Signal{typeErr}}, 8, 7, false, NotReproduced,
			[]string{"none of the 1 recorded failure signal(s) recurred", "followed 7 of 8 steps and stopped at step 7"}, []string{"every step", "8 of 8"}},
		{"failure seen before the run stopped", Signature{Signals: []Signal{typeErr}}, 8, 7, true, Reproduced,
			[]string{"TypeError: x is null", "stopped at step 7"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pl, obs := judgeCase(tc.steps, tc.stop, "element gone")
			if tc.threw {
				obs.Exceptions = thrown
			}
			v := Judge(tc.sig, pl, obs, nil)
			assert.Equal(t, tc.want, v.Value, v.Summary)
			for _, s := range tc.summary {
				assert.Contains(t, v.Summary, s)
			}
			for _, s := range tc.forbidden {
				assert.NotContains(t, v.Summary, s)
			}
			assert.Equal(t, tc.stop < 0, v.Path.Completed)
			assert.Equal(t, tc.steps, v.Path.Steps)
		})
	}
}

// TestAStallIsNotADeadClick: a click whose requests were still unanswered
// when its step ended proves nothing about the page, even with no DOM
// change; the recorded dead click is then not seen.
func TestAStallIsNotADeadClick(t *testing.T) {
	pl, obs := judgeCase(4, -1, "")
	obs.Steps[2].Mutations = 0
	sig := Signature{Signals: []Signal{{Kind: SignalDeadClick, Step: 2, Target: "button#save", Proof: true}}}

	v := Judge(sig, pl, obs, nil)
	assert.Equal(t, Reproduced, v.Value, "no DOM change after a settled click is the SDK's dead click")

	obs.Steps[2].Unanswered = 1
	v = Judge(sig, pl, obs, nil)
	assert.Equal(t, NotReproduced, v.Value, v.Summary)
	assert.True(t, strings.Contains(v.Evidence[0].Observed, "unanswered"), v.Evidence[0].Observed)
}
