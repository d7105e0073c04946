package frames

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
)

// TestMoments pins which moment each step of the image-chat bug's plan
// shows: clicks as the user acted (their target outlined), the opening
// and the typing once done, just before the next step.
func TestMoments(t *testing.T) {
	bun, err := replay.LoadBundle("../../testdata/replays/imagechat-bug")
	require.NoError(t, err)
	tl, err := replay.BuildTimeline(bun)
	require.NoError(t, err)
	p, err := plan.Build(tl, plan.Options{})
	require.NoError(t, err)
	var kinds []plan.StepKind
	for _, st := range p.Steps {
		kinds = append(kinds, st.Kind)
	}
	require.Equal(t, []plan.StepKind{plan.StepNavigate, plan.StepClick, plan.StepClick, plan.StepClick, plan.StepInput, plan.StepClick}, kinds)
	ms := Moments(tl, p.Steps)
	want := []replay.Moment{
		{Offset: p.Steps[1].Offset},             // the shot grid, once opened
		{Offset: p.Steps[1].Offset, Target: 47}, // the shot card clicked
		{Offset: p.Steps[2].Offset, Target: 67}, // "Open chat"
		{Offset: p.Steps[3].Offset, Target: 84}, // the prompt field
		{Offset: p.Steps[5].Offset, Target: 84}, // the prompt typed
		{Offset: p.Steps[5].Offset, Target: 82}, // Generate
	}
	assert.Equal(t, want, ms)

	last := Moments(tl, []plan.Step{{Kind: plan.StepScroll, Offset: time.Second}})
	assert.Equal(t, []replay.Moment{{Offset: tl.Duration + time.Millisecond}}, last, "a last step other than a click shows the end of the recording")
}

func TestOriginOf(t *testing.T) {
	for in, want := range map[string]string{
		"http://Shop.Example:80/cart?x": "http://shop.example",
		"https://a.example:443/":        "https://a.example",
		"http://a.example:8080/":        "http://a.example:8080",
		"http://[::1]:80/":              "http://[::1]",
		"javascript:alert(1)":           "",
		"/relative":                     "",
	} {
		assert.Equal(t, want, originOf(in), in)
	}
}
