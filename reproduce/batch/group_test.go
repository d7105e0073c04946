package batch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// copyBundle copies a recorded bundle under another replay id: another
// replay that follows the same path (for the pool tests, which need
// several replays, not several bugs).
func copyBundle(t *testing.T, name, id string) string {
	t.Helper()
	src := bundle(name)
	dst := filepath.Join(t.TempDir(), name+"-"+id[:6])
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := reproduce.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	old := r.Timeline.ReplayID
	for _, f := range []string{"replay.json", "recording-segments.json", "errors.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), []byte(strings.ReplaceAll(string(b), old, id)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// batchBundles holds the replays recorded for the grouping test
// (testdata/batch: testdata/recorder's Batch scenarios).
const batchBundles = "../../testdata/batch"

// TestReplaysOfOneBugFormOneGroup: four replays of the tasks app recorded
// by the real SDK, three of one bug by different paths (tasks-bug's long
// one, the shortest one, one by Settings and another board, with the name
// typed in another case) and one of the app's second bug (an archived
// task), re-run against the buggy app, give two groups, largest first: the
// three with the TypeError after POST /api/boards at the modal's Create,
// and the one with the ApiError after PATCH /api/tasks/52. Each group's
// representative is one of its replays and every result names its group.
func TestReplaysOfOneBugFormOneGroup(t *testing.T) {
	needChromium(t)
	t.Parallel()
	out := t.TempDir()
	taken := []string{bundle("tasks-bug"), filepath.Join(batchBundles, "tasks-taken-direct"), filepath.Join(batchBundles, "tasks-taken-after-settings")}
	archived := filepath.Join(batchBundles, "tasks-archived-task")
	sum, err := Run(context.Background(), Options{
		Inputs:   append(append([]string{}, taken...), archived),
		Open:     openLocal,
		Rerun:    reproduce.RunOptions{App: appDir(t, "tasks", "buggy"), Latency: fast(), StepTimeout: 15 * time.Second}, // a loaded machine is slow
		Parallel: 2,
		Out:      out,
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Verdicts[verdict.Reproduced] != 4 || len(sum.Groups) != 2 {
		t.Fatalf("summary: %+v; want 4 reproduced in two groups", sum)
	}
	idOf := map[string]string{} // input → replay id
	groupOf := map[string]string{}
	for _, r := range readJSONL(t, out) {
		idOf[r.Input], groupOf[r.Input] = r.ReplayID, r.Group
	}
	want := []struct {
		inputs        []string
		typ, request  string
		targetHasText string
	}{
		{taken, "TypeError", "POST /api/boards", "form"},
		{[]string{archived}, "ApiError", "PATCH /api/tasks/52", "input"},
	}
	for i, w := range want {
		g := sum.Groups[i]
		if len(g.Replays) != len(w.inputs) || g.Bug.Type != w.typ || g.Bug.Request != w.request || !strings.Contains(g.Bug.Target, w.targetHasText) {
			t.Errorf("group %d: %+v; want %d replay(s), %s after %s", i+1, g, len(w.inputs), w.typ, w.request)
		}
		for _, in := range w.inputs {
			if groupOf[in] != g.ID {
				t.Errorf("%s is in group %q, want %q (%s)", in, groupOf[in], g.ID, w.typ)
			}
		}
		found := false
		for _, id := range g.Replays {
			found = found || id == g.Representative
		}
		if !found || g.Report != filepath.ToSlash(filepath.Join(g.Representative, "report.json")) {
			t.Errorf("representative %q (report %q) is not one of %v", g.Representative, g.Report, g.Replays)
		}
	}
	if len(idOf) != 4 {
		t.Errorf("results.jsonl has %d replays, want 4", len(idOf))
	}
}

// TestBugSignatureTellsBugsApart is hand-made (a second bug of one app
// needs a second recording): the same error after another step's target,
// or behind another failed request, is another bug; ids and counts in the
// message are not; groups are listed largest first.
func TestBugSignatureTellsBugsApart(t *testing.T) {
	report := func(msg, target, path string) *reproduce.Report {
		return &reproduce.Report{
			Plan: &plan.Plan{Steps: []plan.Step{{Index: 0, Kind: plan.StepNavigate}, {Index: 1, Kind: plan.StepClick, Selectors: []string{target}}}},
			Signature: verdict.Signature{Signals: []verdict.Signal{
				{Kind: verdict.SignalFailedRequest, Step: 1, Method: "POST", Path: path, Status: 500},
				{Kind: verdict.SignalDeadClick, Step: 1, Target: target, Proof: true},
				{Kind: verdict.SignalError, Step: 1, Type: "TypeError", Message: msg, Proof: true},
			}},
			Verdict: verdict.Verdict{Value: verdict.Reproduced, Evidence: []verdict.Evidence{
				{Step: 1, Signal: verdict.SignalFailedRequest, Seen: true},
				{Step: 1, Signal: verdict.SignalDeadClick, Proof: true, Seen: true},
				{Step: 1, Signal: verdict.SignalError, Proof: true, Seen: true},
			}},
		}
	}
	id := func(rep *reproduce.Report) string {
		b, ok := BugOf(rep)
		if !ok {
			t.Fatalf("no bug in %+v", rep)
		}
		return b.ID()
	}
	base := id(report("Cannot read properties of undefined (reading 'url') at item 42", "#generate", "/api/chat"))
	for _, tc := range []struct {
		name string
		rep  *reproduce.Report
		same bool
	}{
		{"another id in the message is the same bug", report("Cannot read properties of undefined (reading 'url') at item 7", "#generate", "/api/chat"), true},
		{"another message is another bug", report("x is not a function", "#generate", "/api/chat"), false},
		{"another target is another bug", report("Cannot read properties of undefined (reading 'url') at item 42", "#save", "/api/chat"), false},
		{"another request is another bug", report("Cannot read properties of undefined (reading 'url') at item 42", "#generate", "/api/save"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := id(tc.rep) == base; got != tc.same {
				t.Errorf("same group = %v, want %v", got, tc.same)
			}
		})
	}
	notRepro := report("m", "#a", "/b")
	notRepro.Verdict.Value = verdict.NotReproduced
	if _, ok := BugOf(notRepro); ok {
		t.Error("a replay that did not reproduce got a bug")
	}
	a, b := Bug{Kind: "error", Message: "a"}, Bug{Kind: "error", Message: "b"}
	_, _, groups := summarize([]Result{
		{ReplayID: "1", Verdict: verdict.Reproduced, Group: a.ID(), Bug: &a, DurationMS: 9},
		{ReplayID: "2", Verdict: verdict.Reproduced, Group: b.ID(), Bug: &b},
		{ReplayID: "3", Verdict: verdict.Reproduced, Group: b.ID(), Bug: &b, DurationMS: 5},
		{ReplayID: "4", Verdict: verdict.Reproduced, Group: b.ID(), Bug: &b, DurationMS: 2},
		{ReplayID: "5", Error: "tab lost"},
	})
	if len(groups) != 2 || groups[0].ID != b.ID() || len(groups[0].Replays) != 3 || groups[1].ID != a.ID() {
		t.Errorf("groups: %+v; want b's three first, then a's one", groups)
	}
}
