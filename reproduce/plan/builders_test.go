package plan

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/replay"
)

// TestEachBuilderMakesItsStep pins what every step builder and modifier
// sets: generated regression tests spell each user step with them, so a
// builder that lost or misplaced a field would silently change what every
// generated test does. Each step must also be one Validate accepts (the
// session refuses the others before acting).
func TestEachBuilderMakesItsStep(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name string
		got  Step
		want Step
	}{
		{"Navigate loads a recorded URL", Navigate("http://app.test/a?b=1"),
			Step{Kind: StepNavigate, URL: "http://app.test/a?b=1"}},
		{"Click ranks its selectors as given", Click("#save", "button.btn"),
			Step{Kind: StepClick, Selectors: []string{"#save", "button.btn"}}},
		{"Click.At falls back on the recorded point", Click("#save").At(428, 489.5),
			Step{Kind: StepClick, Selectors: []string{"#save"}, X: 428, Y: 489.5, HasPoint: true}},
		{"Click().At needs no selector", Click().At(12, 34),
			Step{Kind: StepClick, X: 12, Y: 34, HasPoint: true}},
		{"Click.WatchDeadClick judges the click by the SDK's rule", Click("#generate").WatchDeadClick(),
			Step{Kind: StepClick, Selectors: []string{"#generate"}, JudgeDeadClick: true}},
		{"Type types its value into the field", Type("dana@example.com", "#email"),
			Step{Kind: StepInput, Value: "dana@example.com", Selectors: []string{"#email"}}},
		{"Type with an empty value clears the field", Type("", "#email"),
			Step{Kind: StepInput, Selectors: []string{"#email"}}},
		{"Check(true) ticks a box", Check(true, "#newsletter"),
			Step{Kind: StepCheck, Checked: &yes, Selectors: []string{"#newsletter"}}},
		{"Check(false) unticks a box", Check(false, "#newsletter"),
			Step{Kind: StepCheck, Checked: &no, Selectors: []string{"#newsletter"}}},
		{"Check.At falls back on the recorded point", Check(true, "#newsletter").At(402, 438),
			Step{Kind: StepCheck, Checked: &yes, Selectors: []string{"#newsletter"}, X: 402, Y: 438, HasPoint: true}},
		{"Select chooses a value", Select("ap-south", "#region"),
			Step{Kind: StepSelect, Value: "ap-south", Selectors: []string{"#region"}}},
		{"Select.OptionOfLength chooses by the masked value's length", Select("", "#plan").OptionOfLength(10),
			Step{Kind: StepSelect, Selectors: []string{"#plan"}, Masked: true, Length: 10}},
		{"Press with no selector presses where the focus is", Press("Escape"),
			Step{Kind: StepKey, Key: "Escape"}},
		{"Press in a field", Press("Enter", "#tag"),
			Step{Kind: StepKey, Key: "Enter", Selectors: []string{"#tag"}}},
		{"Press.Holding holds the modifiers in order", Press("k", "#q").Holding("Control", "Shift"),
			Step{Kind: StepKey, Key: "k", Selectors: []string{"#q"}, Modifiers: []string{"Control", "Shift"}}},
		{"ScrollWindow scrolls the page", ScrollWindow(0, 1200),
			Step{Kind: StepScroll, ScrollWindow: true, ScrollY: 1200}},
		{"ScrollElement scrolls the element", ScrollElement(15, 300, "#feed-list"),
			Step{Kind: StepScroll, ScrollX: 15, ScrollY: 300, Selectors: []string{"#feed-list"}}},
		{"Back", Back(), Step{Kind: StepBack}},
		{"Forward", Forward(), Step{Kind: StepForward}},
		{"Resize sets the viewport", Resize(1024, 640), Step{Kind: StepResize, Width: 1024, Height: 640}},
		{"Wait with no selector and no bound", Wait(0), Step{Kind: StepWait}},
		{"Wait for an element, bounded", Wait(1500*time.Millisecond, "#result"),
			Step{Kind: StepWait, Duration: 1500 * time.Millisecond, Selectors: []string{"#result"}}},
		{"Numbered sets the index evidence is tied to", Back().Numbered(7), Step{Kind: StepBack, Index: 7}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.got)
			assert.NoError(t, tc.got.Validate())
		})
	}
}

// TestModifiersLeaveTheirReceiverAlone: a generated test may build one step
// and derive others from it; a modifier returns a changed copy, and Holding
// keeps its own copy of the modifier names.
func TestModifiersLeaveTheirReceiverAlone(t *testing.T) {
	base := Click("#save")
	_ = base.At(1, 2).WatchDeadClick()
	assert.Equal(t, Click("#save"), base, "At and WatchDeadClick changed the step they were called on")

	sel := Select("", "#plan")
	_ = sel.OptionOfLength(4)
	assert.Equal(t, Select("", "#plan"), sel, "OptionOfLength changed the step it was called on")

	mods := []string{"Control"}
	key := Press("k").Holding(mods...)
	mods[0] = "Alt"
	assert.Equal(t, []string{"Control"}, key.Modifiers, "Holding shares the caller's slice")
}

// TestThePlannerMakesEachKindAsItsBuilderDoes plans one recorded event of
// each kind (hand-made: no recorded bundle has a forward move, a resize, a
// window scroll, a click without a selector or a key with modifiers) and
// checks the step is the one its builder makes, and its words. The planner
// never plans a wait (replay time passes in the settle of each step), so
// Wait has only its builder case above.
func TestThePlannerMakesEachKindAsItsBuilderDoes(t *testing.T) {
	s := time.Second
	list := replay.Target{Tag: "div", ID: "list", Candidates: []replay.Candidate{{Selector: "#list", Kind: "id", Matches: 1}}}
	query := replay.Target{Tag: "input", ID: "q", Candidates: []replay.Candidate{{Selector: "#q", Kind: "id", Matches: 1}}}
	card := replay.Target{Tag: "a", ID: "card", Candidates: []replay.Candidate{{Selector: "#card", Kind: "id", Matches: 1}}}
	title := replay.Target{Tag: "h3", Candidates: []replay.Candidate{
		{Selector: "h3.title", Kind: "class", Matches: 1}, {Selector: "h3", Kind: "path", Matches: 3}}}
	plans := replay.Target{Tag: "select", ID: "plan", Candidates: []replay.Candidate{{Selector: "#plan", Kind: "id", Matches: 1}}}
	cases := []struct {
		name  string
		event replay.Event
		want  Step
		words string
	}{
		{"a recorded resize is Resize",
			replay.Event{Kind: replay.KindResize, Offset: 5 * s, Resize: &replay.Viewport{Width: 1024, Height: 640}},
			Resize(1024, 640), "resize to 1024x640"},
		{"the page's own scroll is ScrollWindow",
			replay.Event{Kind: replay.KindScroll, Offset: 5 * s, Scroll: &replay.Scroll{Y: 1200}},
			ScrollWindow(0, 1200), "scroll the page to y=1200"},
		{"an element's scroll is ScrollElement",
			replay.Event{Kind: replay.KindScroll, Offset: 5 * s, Scroll: &replay.Scroll{Target: &list, X: 15, Y: 300}},
			ScrollElement(15, 300, "#list"), "scroll div#list to y=300"},
		{"a click no selector can find keeps its point",
			replay.Event{Kind: replay.KindClick, Offset: 5 * s, Click: &replay.Click{Target: replay.Target{Tag: "canvas"}, X: 412, Y: 230.5}},
			Click().At(412, 230.5), "click canvas"},
		{"a click with selectors does not fall back on its point",
			replay.Event{Kind: replay.KindClick, Offset: 5 * s, Click: &replay.Click{Target: card, X: 412, Y: 230.5}},
			Click("#card"), "click a#card"},
		{"the element the user hit comes before the one the SDK judged",
			replay.Event{Kind: replay.KindClick, Offset: 5 * s, Click: &replay.Click{Target: card, Hit: &title}},
			Click("h3.title", "#card"), "click a#card"},
		{"a key with modifiers is Press.Holding",
			replay.Event{Kind: replay.KindKey, Offset: 5 * s, Key: &replay.Key{Key: "k", Ctrl: true, Shift: true, Target: &query}},
			Press("k", "#q").Holding("Control", "Shift"), "press Ctrl+Shift+k"},
		{"a masked choice is Select.OptionOfLength",
			replay.Event{Kind: replay.KindInput, Offset: 5 * s, Input: &replay.Input{Target: plans, Field: "select", Value: "**********", Masked: true, Length: 10}},
			Select("", "#plan").OptionOfLength(10), "choose an option in select#plan (masked: an option whose value has 10 characters)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := planOf(t, navAt(0, "http://app.test/", replay.ViaLoad), tc.event)
			require.Len(t, p.Steps, 2, "one step for the page, one for the event")
			got := p.Steps[1]
			assert.Equal(t, tc.words, got.Description)
			assert.Equal(t, 5*time.Second, got.Offset)
			assert.Equal(t, tc.want.Numbered(1), withoutWords(got))
		})
	}

	t.Run("the user's Forward is Forward", func(t *testing.T) {
		p := planOf(t, navAt(0, "http://app.test/", replay.ViaLoad),
			navAt(3*s, "http://app.test/b", replay.ViaLoad),
			navAt(6*s, "http://app.test/", replay.ViaBack),
			navAt(9*s, "http://app.test/b", replay.ViaForward))
		require.Equal(t, []StepKind{StepNavigate, StepNavigate, StepBack, StepForward}, kindsOf(p))
		assert.Equal(t, "go forward to /b", p.Steps[3].Description)
		assert.Equal(t, Forward().Numbered(3), withoutWords(p.Steps[3]))
	})
}

// withoutWords is the step without what the recording alone gives it (its
// words and times), which no builder sets.
func withoutWords(s Step) Step {
	s.Description, s.Offset, s.Gap = "", 0, 0
	return s
}
