package plan

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/replay"
)

// planOf plans a hand-made timeline (each case is the smallest that shows
// one rule; the recorded bundles show them on real SDK output).
func planOf(t *testing.T, evs ...replay.Event) *Plan {
	t.Helper()
	start := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	for i := range evs {
		evs[i].Time = start.Add(evs[i].Offset)
	}
	tl := &replay.Timeline{ReplayID: "0123456789abcdef0123456789abcdef", Start: start, InitialURL: "http://app.test/", Events: evs}
	p, err := Build(tl, Options{})
	require.NoError(t, err)
	return p
}

func navAt(off time.Duration, url, via string) replay.Event {
	return replay.Event{Kind: replay.KindNavigation, Offset: off, Navigation: &replay.Navigation{URL: url, Via: via}}
}

func clickAt(off time.Duration, id string) replay.Event {
	return replay.Event{Kind: replay.KindClick, Offset: off, Click: &replay.Click{Target: replay.Target{Tag: "button", ID: id}}}
}

func kindsOf(p *Plan) []StepKind {
	var out []StepKind
	for _, s := range p.Steps {
		out = append(out, s.Kind)
	}
	return out
}

func TestOnlyTheUsersHistoryMovesAreSteps(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name string
		evs  []replay.Event
		want []StepKind
	}{
		{"a Back a click handler called is the app's",
			[]replay.Event{navAt(0, "http://app.test/", replay.ViaLoad), navAt(time.Second, "http://app.test/edit", replay.ViaPush),
				clickAt(3*time.Second, "cancel"), navAt(3*time.Second+7*ms, "http://app.test/", replay.ViaBack)},
			[]StepKind{StepNavigate, StepClick}},
		{"the browser's Back button, seconds after the last click, is the user's",
			[]replay.Event{navAt(0, "http://app.test/", replay.ViaLoad), clickAt(time.Second, "open"), navAt(time.Second+5*ms, "http://app.test/a", replay.ViaPush),
				navAt(3100*ms, "http://app.test/", replay.ViaBack)},
			[]StepKind{StepNavigate, StepClick, StepBack}},
		{"a redirect once a response arrived is the app's",
			[]replay.Event{navAt(0, "http://app.test/login", replay.ViaLoad), clickAt(time.Second, "login"),
				{Kind: replay.KindNetwork, Offset: time.Second + 10*ms, Network: &replay.Network{Method: "POST", URL: "http://app.test/api/login", Path: "/api/login", Status: 200, Duration: 2 * time.Second}},
				navAt(3*time.Second+20*ms, "http://app.test/", replay.ViaBack)}, // a push to the previous URL looks like Back
			[]StepKind{StepNavigate, StepClick}},
		{"a full load right after a response is the app's",
			[]replay.Event{navAt(0, "http://app.test/login", replay.ViaLoad), clickAt(time.Second, "login"),
				{Kind: replay.KindNetwork, Offset: time.Second + 10*ms, Network: &replay.Network{Method: "POST", URL: "http://app.test/api/login", Path: "/api/login", Status: 200, Duration: 2500 * ms}},
				navAt(3600*ms, "http://app.test/home", replay.ViaLoad)},
			[]StepKind{StepNavigate, StepClick}},
		{"a page the user opens long after is a step",
			[]replay.Event{navAt(0, "http://app.test/", replay.ViaLoad), clickAt(time.Second, "x"), navAt(10*time.Second, "http://app.test/other", replay.ViaLoad)},
			[]StepKind{StepNavigate, StepClick, StepNavigate}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, kindsOf(planOf(t, tc.evs...)))
		})
	}
}

func TestInferredKeysSayWhyInThePlan(t *testing.T) {
	field := replay.Target{Tag: "input", ID: "tag", Candidates: []replay.Candidate{{Selector: "#tag", Kind: "id", Matches: 1}}}
	p := planOf(t, navAt(0, "http://app.test/", replay.ViaLoad),
		replay.Event{Kind: replay.KindKey, Offset: time.Second, Key: &replay.Key{Key: "Enter", Target: &field, Inferred: "the field emptied at once"}})
	require.Len(t, p.Steps, 2)
	s := p.Steps[1]
	assert.Equal(t, StepKey, s.Kind)
	assert.Equal(t, "the field emptied at once", s.Inferred)
	assert.Equal(t, []string{"#tag"}, s.Selectors)
	assert.Contains(t, s.Description, "inferred: the field emptied at once")
}

func TestAClickOnABoxAndItsNewStateAreOneStep(t *testing.T) {
	box := replay.Target{Tag: "input", ID: "done", Candidates: []replay.Candidate{{Selector: "#done", Kind: "id", Matches: 1}}}
	yes := true
	p := planOf(t, navAt(0, "http://app.test/", replay.ViaLoad),
		replay.Event{Kind: replay.KindClick, Offset: time.Second, Click: &replay.Click{Target: box}},
		replay.Event{Kind: replay.KindInput, Offset: time.Second + time.Millisecond, Input: &replay.Input{Target: box, Field: "checkbox", Checked: &yes}})
	assert.Equal(t, []StepKind{StepNavigate, StepCheck}, kindsOf(p))
	assert.Equal(t, 1, p.Steps[1].Index)
}

// TestPlansOnlyOpenTheAppsOwnPages: a crafted recording can name any URL;
// the plan opens only http(s) pages of the recorded origin and says what
// it dropped.
func TestPlansOnlyOpenTheAppsOwnPages(t *testing.T) {
	p := planOf(t, navAt(0, "http://app.test/", replay.ViaLoad),
		navAt(5*time.Second, "javascript:new WebSocket('ws://127.0.0.1:9/x')", replay.ViaLoad),
		navAt(10*time.Second, "file:///etc/passwd", replay.ViaLoad),
		navAt(15*time.Second, "https://evil.example/", replay.ViaLoad),
		navAt(20*time.Second, "http://app.test/ok", replay.ViaLoad))
	assert.Equal(t, []StepKind{StepNavigate, StepNavigate}, kindsOf(p))
	assert.Equal(t, "http://app.test/ok", p.Steps[1].URL)
	require.Len(t, p.Dropped, 3)
	assert.Contains(t, p.Dropped[0], "javascript: scheme is never opened")
	assert.Contains(t, p.Dropped[1], "file: scheme")
	assert.Contains(t, p.Dropped[2], "another origin")

	start := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	tl := &replay.Timeline{ReplayID: "0123456789abcdef0123456789abcdef", Start: start, InitialURL: "javascript:alert(1)",
		Events: []replay.Event{{Kind: replay.KindNavigation, Time: start, Navigation: &replay.Navigation{URL: "javascript:alert(1)", Via: replay.ViaLoad}}}}
	_, err := Build(tl, Options{})
	assert.Error(t, err, "a recording whose first page is a script URL has nothing a rerun could open")
}
