package tickets_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/story"
	"github.com/repro-dev/repro/reproduce/tickets"
	"github.com/repro-dev/repro/reproduce/verdict"
)

const (
	ghToken   = "ghp_faketoken0123456789abcdefghijklmnop"
	jiraToken = "ATATT3xFfGF0-fake-jira-token-0123456789"
)

// reportOf builds the report a rerun of bundle would give, without a
// browser: the recorded story, and the recorded failure signals as its
// evidence, every one "seen". The comment renderers under test take
// nothing else from a report, and a hostile bundle's strings reach them
// this way exactly as from a real run (the CLI's end-to-end test makes a
// real one).
func reportOf(t *testing.T, bundle string) *reproduce.Report {
	t.Helper()
	r, err := reproduce.Open(bundle)
	require.NoError(t, err)
	pl, err := plan.Build(r.Timeline, plan.Options{})
	require.NoError(t, err)
	sig := verdict.BugSignature(r.Timeline, pl)
	rep := &reproduce.Report{ReplayID: r.Timeline.ReplayID, App: "http://localhost:3000", Story: story.Tell(r.Timeline), Plan: pl,
		Signature: sig, Agreement: "1/1", Runs: []reproduce.RunResult{{}}}
	rep.Verdict = verdict.Verdict{Value: verdict.Reproduced, Where: sig.Where, Summary: "The bug reproduced: followed all steps."}
	for _, s := range sig.Signals {
		rep.Verdict.Evidence = append(rep.Verdict.Evidence, verdict.Evidence{Step: s.Step, Signal: s.Kind, Proof: s.Proof,
			Recorded: s.Type + ": " + s.Message + " " + s.Path, Observed: s.Message + " " + s.Target, Seen: true})
	}
	rep.Verdict.Notes = []string{"story: " + rep.Story.Text()[:min(80, len(rep.Story.Text()))]}
	return rep
}

// sleeps records the waits a client asked for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func mustRef(t *testing.T, u string) tickets.Ref {
	t.Helper()
	ref, err := tickets.ParseURL(u)
	require.NoError(t, err)
	return ref
}
