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

// copyBundle copies a recorded bundle under another replay id: a stand-in
// for another user's replay of the same bug (the recorder was not run for
// the batch tests; a copy follows the same path, which grouping must not
// need).
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

// TestReplaysOfOneBugFormOneGroup: three replays of the image-chat bug
// (the recording and two copies under other ids) and one that does not
// reproduce give one group of three, with a representative among them.
func TestReplaysOfOneBugFormOneGroup(t *testing.T) {
	needChromium(t)
	t.Parallel()
	out := t.TempDir()
	inputs := []string{bundle("imagechat-bug"),
		copyBundle(t, "imagechat-bug", "11111111111111111111111111111111"),
		copyBundle(t, "imagechat-bug", "22222222222222222222222222222222"),
		bundle("feed-healthy")}
	sum, err := Run(context.Background(), Options{
		Inputs:   inputs,
		Open:     openLocal,
		Rerun:    reproduce.RunOptions{App: appDir(t, "imagechat", "buggy"), Latency: fast(), StepTimeout: 15 * time.Second}, // a loaded machine is slow
		Parallel: 2,
		Out:      out,
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Verdicts[verdict.Reproduced] != 3 || len(sum.Groups) != 1 {
		t.Fatalf("summary: %+v; want 3 reproduced in one group", sum)
	}
	g := sum.Groups[0]
	if len(g.Replays) != 3 || !strings.HasPrefix(g.ID, "bug-") || g.Bug.Type != "TypeError" || !strings.Contains(g.Bug.Target, "#generate") || g.Bug.Request != "POST /api/chat" {
		t.Errorf("group: %+v", g)
	}
	found := false
	for _, id := range g.Replays {
		found = found || id == g.Representative
	}
	if !found || g.Report != filepath.ToSlash(filepath.Join(g.Representative, "report.json")) {
		t.Errorf("representative %q (report %q) is not one of %v", g.Representative, g.Report, g.Replays)
	}
	for _, r := range readJSONL(t, out) {
		if (r.Verdict == verdict.Reproduced) != (r.Group == g.ID) {
			t.Errorf("%s: verdict %s in group %q", r.Input, r.Verdict, r.Group)
		}
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
