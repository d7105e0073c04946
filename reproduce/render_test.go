package reproduce

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/escape/escapetest"
	"github.com/repro-dev/repro/reproduce/story"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// canary holds a trick for every sink: terminal control sequences, line
// breaks, bidi controls, Markdown that closes a fence or a <details>, a
// link, an image, HTML, an entity, a mention, an issue reference, a table
// cell, a Go comment close.
const canary = "\x1b]0;T\x07\x1b[2J`` ```\n</details>\n[l](http://e.example/) ![i](http://e.example/i.gif) <img src=x> &amp; @u #1 | x\r\u2028\u202e\u009b */"

// fillStrings sets every exported string in v (recursively: pointers are
// allocated, slices get one element) to s, every bool to true and every
// int to 1, so a renderer that writes any field raw shows it.
func fillStrings(v reflect.Value, s string, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeFor[int]() {
			v.SetInt(1)
		}
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillStrings(v.Elem(), s, depth+1)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := range v.Len() {
			fillStrings(v.Index(i), s, depth+1)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), s, depth+1)
			}
		}
	}
}

// TestRenderersShowRecordedStringsAsText fills every string of a report
// (story, verdict, evidence, notes, observation) with the canary: the text
// report has no raw control character, and the Markdown report has no live
// link, image, HTML, mention or entity, and exactly one fenced block, closed
// where the renderer closes it. A renderer that writes a field with a bare
// %s fails here.
func TestRenderersShowRecordedStringsAsText(t *testing.T) {
	rep := &Report{}
	fillStrings(reflect.ValueOf(rep), canary, 0)

	var txt bytes.Buffer
	require.NoError(t, rep.WriteText(&txt))
	assert.Empty(t, escapetest.TerminalProblems(txt.String()), txt.String())
	assert.Contains(t, txt.String(), `\x1b]0;T\x07\x1b[2J`, "the payload is shown, not dropped")

	var md bytes.Buffer
	require.NoError(t, rep.WriteMarkdown(&md))
	doc := escapetest.ParseMarkdown(md.String(), "details", "summary")
	assert.Empty(t, doc.Problems, md.String())
	require.Len(t, doc.Fences, 1, "the story is one fenced block: %s", md.String())
	assert.Equal(t, "</details>", doc.AfterFence[0], "the block is closed by its own fence")
	assert.Empty(t, escapetest.TerminalProblems(doc.Fences[0]))
	assert.Contains(t, doc.Fences[0], "</details>", "the payload is in the block, as text")

	story := &story.Story{}
	fillStrings(reflect.ValueOf(story), canary, 0)
	var st bytes.Buffer
	require.NoError(t, story.WriteText(&st))
	assert.Empty(t, escapetest.TerminalProblems(st.String()))
}

// TestMarkdownReportOfARealReplayReadsAsBefore: escaping changes nothing a
// reader sees on a benign replay's report: the verdict line, the id in a
// code span, the story in a plain fence.
func TestMarkdownReportOfARealReplayReadsAsBefore(t *testing.T) {
	r := openBundle(t, "imagechat-bug")
	rep := &Report{ReplayID: r.Timeline.ReplayID, App: "testdata/apps/imagechat/buggy", Story: story.Tell(r.Timeline), Agreement: "1/1",
		Verdict: verdict.Verdict{Value: verdict.Reproduced, Where: story.WhereInBetween, Summary: "the rerun showed 2 of 2 recorded failure signal(s)",
			Evidence: []verdict.Evidence{{Step: 5, Proof: true, Seen: true, Recorded: "TypeError: Cannot read properties of undefined (reading 'url')", Observed: "seen"}}}}
	var md bytes.Buffer
	require.NoError(t, rep.WriteMarkdown(&md))
	out := md.String()
	for _, want := range []string{
		"### 🔴 repro: **reproduced**\n",
		"Replay `aad5acad5eac456d9c1478f10cb6584b` re-run against `testdata/apps/imagechat/buggy`: 0 run(s), 1/1 agreed. Breakdown: **in between**.",
		"| 5 | TypeError\\: Cannot read properties of undefined \\(reading 'url'\\) | seen | ✅ seen |",
		"<details><summary>What the user did (from the replay)</summary>\n\n```\nReplay aad5acad5eac456d9c1478f10cb6584b",
		"```\n</details>\n",
		"_Reproduce locally:_ `repro run aad5acad5eac456d9c1478f10cb6584b --app <url|dir>`\n",
	} {
		assert.Contains(t, out, want)
	}
	assert.Empty(t, escapetest.ParseMarkdown(out, "details", "summary").Problems)
	assert.False(t, strings.Contains(out, "\x1b"))
}
