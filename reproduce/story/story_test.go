package story

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/replay"
)

// bundles holds the recorded replays (testdata/replays at the repository's root).
const bundles = "../../testdata/replays"

// openTimeline reads a recorded bundle into its timeline.
func openTimeline(t *testing.T, name string) *replay.Timeline {
	t.Helper()
	b, err := replay.Load(filepath.Join(bundles, name))
	require.NoError(t, err)
	tl, err := replay.BuildTimeline(b)
	require.NoError(t, err)
	return tl
}

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// TestStoryGolden pins the escalation story of every recorded bundle:
// refresh with `go test ./reproduce/story -run TestStoryGolden -update`.
func TestStoryGolden(t *testing.T) {
	entries, err := os.ReadDir(bundles)
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			tl := openTimeline(t, e.Name())
			var buf bytes.Buffer
			require.NoError(t, Tell(tl).WriteText(&buf))
			golden := filepath.Join("testdata", "golden", e.Name()+".story.txt")
			if *update {
				require.NoError(t, os.WriteFile(golden, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create it")
			assert.Equal(t, string(want), buf.String())
		})
	}
}

// TestStoryClassifiesEachRecordingAsItsManifestSays checks the one-line
// classification against what the recorder knew about the bug.
func TestStoryClassifiesEachRecordingAsItsManifestSays(t *testing.T) {
	want := map[string]string{"in_between": "broken/in_between", "frontend": "broken/frontend", "backend": "broken/backend", "confusing": "confusing/", "none": "ok/"}
	entries, err := os.ReadDir(bundles)
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			var m struct {
				Bug struct{ Breakdown string } `json:"bug"`
			}
			readJSON(t, filepath.Join(bundles, e.Name(), "manifest.json"), &m)
			if m.Bug.Breakdown == "" {
				m.Bug.Breakdown = "none"
			}
			c := Tell(openTimeline(t, e.Name())).Classification
			assert.Equal(t, want[m.Bug.Breakdown], c.Class+"/"+c.Where, c.Summary)
		})
	}
}

func TestImagechatStoryNamesTheBreakdown(t *testing.T) {
	s := Tell(openTimeline(t, "imagechat-bug"))
	var click, warn, post, uncaught = -1, -1, -1, -1
	for i, l := range s.Lines {
		switch {
		case contains(l.Text, "clicked button#generate"):
			click = i
		case contains(l.Text, "console warning"):
			warn = i
		case contains(l.Text, "POST /api/chat → 500 after 4."):
			post = i
			assert.True(t, l.Breakdown, "the failed request is where it broke down")
		case contains(l.Text, "uncaught TypeError"):
			uncaught = i
		}
	}
	require.True(t, click >= 0 && warn >= 0 && post >= 0 && uncaught >= 0, "story lines: %+v", s.Lines)
	assert.Less(t, click, warn, "the click comes first")
	assert.LessOrEqual(t, warn, post, "the warning comes just before the request")
	assert.Less(t, post, uncaught, "then the uncaught error")
}

// TestClassifyBackendFailureHandledByTheApp is hand-made: no recorded bundle
// has a failing request that the app handled without an error.
func TestClassifyBackendFailureHandledByTheApp(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tl := &replay.Timeline{Start: t0, Events: []replay.Event{
		{Kind: replay.KindClick, Time: t0, Click: &replay.Click{Target: replay.Target{Tag: "button", ID: "pay"}}},
		{Kind: replay.KindNetwork, Time: t0.Add(time.Second), Network: &replay.Network{Method: "POST", Path: "/api/pay", Status: 502, Start: t0.Add(time.Second), Duration: time.Second, Failed: true}},
		{Kind: replay.KindConsole, Time: t0.Add(3 * time.Second), Console: &replay.Console{Level: "warning", Message: "payment failed, showing retry"}},
	}}
	c := Classify(tl)
	assert.Equal(t, ClassBroken, c.Class)
	assert.Equal(t, WhereBackend, c.Where)
	assert.Contains(t, c.Summary, "POST /api/pay with 502")
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

// TestStoryTellsAHesitationWhereItBegan is hand-made: the SDK stamps a
// hesitation (a long pause) at the action that ends it, but the story reads
// right only when the pause comes before that action.
func TestStoryTellsAHesitationWhereItBegan(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	tl := &replay.Timeline{Start: t0, Events: []replay.Event{
		{Kind: replay.KindClick, Time: at(time.Second), Offset: time.Second, Click: &replay.Click{Target: replay.Target{Tag: "button", ID: "a"}}},
		{Kind: replay.KindClick, Time: at(9 * time.Second), Offset: 9 * time.Second, Click: &replay.Click{Target: replay.Target{Tag: "button", ID: "b"}}},
		{Kind: replay.KindFriction, Time: at(9 * time.Second), Offset: 9 * time.Second, Friction: &replay.Friction{Kind: replay.FrictionHesitation, Gap: 6 * time.Second}},
	}}
	s := Tell(tl)
	require.Len(t, s.Lines, 3)
	assert.Equal(t, "hesitated for 6.0s", s.Lines[1].Text)
	assert.Equal(t, 3*time.Second, s.Lines[1].Offset)
	assert.Equal(t, "clicked button#b", s.Lines[2].Text)
	assert.False(t, s.Lines[1].Failure, "a pause is not a failure")
}
