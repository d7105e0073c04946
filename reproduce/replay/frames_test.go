package replay

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// frames builds frames of a one-segment hand-made recording.
func frames(t *testing.T, moments []Moment, events ...json.RawMessage) []PageFrame {
	t.Helper()
	fs, err := Frames(&Bundle{Details: Details{ID: "r1"}, Segments: [][]json.RawMessage{events}}, moments)
	if err != nil {
		t.Fatalf("Frames: %v", err)
	}
	if len(fs) != len(moments) {
		t.Fatalf("got %d frames for %d moments", len(fs), len(moments))
	}
	return fs
}

// TestFramesOfTheImageChatBug checks the frames of a real recording
// against what its manifest says the user did: the shot grid before the
// first click, the detail page with the chat panel opened (a mutation)
// and the prompt typed, masked, when Generate was clicked.
func TestFramesOfTheImageChatBug(t *testing.T) {
	b, err := LoadBundle(filepath.Join(bundlesDir, "imagechat-bug"))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := BuildTimeline(b)
	if err != nil {
		t.Fatal(err)
	}
	var moments []Moment
	var clicks []Target
	for _, e := range tl.Events {
		if e.Kind == KindClick {
			moments = append(moments, Moment{Offset: e.Offset, Target: e.Click.Target.NodeID})
			clicks = append(clicks, e.Click.Target)
		}
	}
	if len(moments) != 4 {
		t.Fatalf("want the 4 recorded clicks, got %d", len(moments))
	}
	moments = append(moments, Moment{Offset: 0})
	fs, err := Frames(b, moments)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fs[:4] {
		if !f.HasDOM || !f.TargetFound {
			t.Errorf("click %d (%s): HasDOM=%v TargetFound=%v", i, clicks[i].Selector, f.HasDOM, f.TargetFound)
		}
		if f.Viewport != (Viewport{Width: 1280, Height: 800}) || f.InlineStyles != 1 || len(f.Stylesheets) != 0 {
			t.Errorf("click %d: viewport %v, %d inline sheets, linked %v; want 1280x800, the SDK's one inlined sheet", i, f.Viewport, f.InlineStyles, f.Stylesheets)
		}
		if f.Shown >= f.Offset {
			t.Errorf("click %d: shows the page at %v, not before the click at %v", i, f.Shown, f.Offset)
		}
		if n := strings.Count(f.HTML, TargetAttr); n != 1 {
			t.Errorf("click %d: %d elements marked as the target", i, n)
		}
	}
	grid, generate, first := fs[0], fs[3], fs[4]
	if !strings.HasSuffix(grid.URL, "/shots") || !strings.Contains(grid.HTML, `class="shot-grid"`) || strings.Contains(grid.HTML, `id="chat-panel"`) {
		t.Errorf("the first click's frame is not the shot grid at /shots: %s", grid.URL)
	}
	if !strings.HasSuffix(generate.URL, "/shots/42") {
		t.Errorf("Generate's frame is at %s, want /shots/42 (pushState)", generate.URL)
	}
	want := `<textarea aria-label="******" id="prompt" name="prompt" placeholder="**** **** *** *** ******">` + strings.Repeat("*", 29) + `</textarea>`
	if !strings.Contains(generate.HTML, want) {
		t.Errorf("Generate's frame does not hold the typed prompt, masked: want %s in\n%s", want, generate.HTML)
	}
	if m := regexp.MustCompile(`<aside[^>]*id="chat-panel"[^>]*>`).FindString(generate.HTML); m == "" || strings.Contains(m, "hidden") {
		t.Errorf("the chat panel is not shown open when Generate is clicked: %q", m)
	}
	if !regexp.MustCompile(`<button[^>]*id="generate"[^>]*data-repro-target[^>]*outline:3px solid`).MatchString(generate.HTML) {
		t.Error("Generate is not the outlined target")
	}
	// Masked text stays as recorded: no letter of the page's text is in
	// the frames (the SDK masked all text).
	for _, word := range []string{"Generate", "Image chat", "Open chat", "Describe"} {
		if strings.Contains(generate.HTML, word) {
			t.Errorf("Generate's frame holds %q, which the recording masked", word)
		}
	}
	if !first.HasDOM || first.Shown <= 0 || !strings.Contains(first.HTML, "shot-grid") {
		t.Errorf("a frame at 0s (before the snapshot) must wait for the page's snapshot: HasDOM=%v Shown=%v", first.HasDOM, first.Shown)
	}
}

// TestFramesFollowValuesScrollsResizesAndRules pins what a frame takes
// from events other than mutations: typed values, checkboxes, scroll
// offsets (document and element), viewport resizes, style rules inserted
// through the CSSOM, and pushState URLs.
func TestFramesFollowValuesScrollsResizesAndRules(t *testing.T) {
	snap := doc(el(2, "html", nil,
		el(3, "head", nil, el(9, "style", map[string]any{"_cssText": ".a { color: red; }"})),
		el(4, "body", nil,
			el(5, "input", map[string]any{"id": "q", "type": "text"}),
			el(6, "input", map[string]any{"id": "c", "type": "checkbox"}),
			el(7, "div", map[string]any{"id": "list", "rr_scrollTop": "40"}, text(8, "****")),
		)))
	events := []json.RawMessage{
		metaEv(t0, "https://shop.example/cart"),
		fullSnap(t0+10, snap),
		inc(t0+100, map[string]any{"source": 5, "id": 5, "text": "***", "isChecked": false}),
		inc(t0+110, map[string]any{"source": 5, "id": 6, "text": "on", "isChecked": true}),
		inc(t0+120, map[string]any{"source": 3, "id": 1, "x": 0, "y": 900}),
		inc(t0+130, map[string]any{"source": 3, "id": 7, "x": 0, "y": 75}),
		inc(t0+140, map[string]any{"source": 4, "width": 390, "height": 844}),
		inc(t0+150, map[string]any{"source": 8, "id": 9, "adds": []any{map[string]any{"rule": ".b { color: blue; }", "index": 0}}, "removes": []any{map[string]any{"index": 1}}}),
		spanEv((t0+160)/1000, (t0+160)/1000, "navigation.push", "https://shop.example/checkout", nil),
		inc(t0+170, map[string]any{"source": 5, "id": 5, "text": "****", "isChecked": false}),
	}
	fs := frames(t, []Moment{{Offset: 50 * time.Millisecond}, {Offset: 170 * time.Millisecond, Target: 8}}, events...)
	before, after := fs[0], fs[1]
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"before: the page URL is the Meta's", before.URL == "https://shop.example/cart"},
		{"before: the viewport is the Meta's", before.Viewport == Viewport{Width: 1280, Height: 800}},
		{"before: the snapshot's element scroll is kept", strings.Contains(before.HTML, `id="list" `+ScrollAttr+`="0,40"`)},
		{"before: the field is empty", strings.Contains(before.HTML, `<input id="q" type="text">`)},
		{"after: typed value, masked, up to the moment only", strings.Contains(after.HTML, `<input id="q" type="text" value="***">`)},
		{"after: the box is checked", strings.Contains(after.HTML, `<input checked="true" id="c" type="checkbox">`)},
		{"after: the document scrolled", after.ScrollX == 0 && after.ScrollY == 900},
		{"after: the list scrolled", strings.Contains(after.HTML, ScrollAttr+`="0,75"`)},
		{"after: the viewport was resized", after.Viewport == Viewport{Width: 390, Height: 844}},
		{"after: the inserted rule replaced the old one", strings.Contains(after.HTML, "<style>.b { color: blue; }</style>")},
		{"after: the URL followed pushState", after.URL == "https://shop.example/checkout"},
		{"after: a text target outlines its element", after.TargetFound && strings.Contains(after.HTML, `id="list" `+TargetAttr+" "+ScrollAttr+`="0,75" style="`+TargetOutline+`"`)},
	} {
		if !c.ok {
			t.Errorf("%s\nbefore: %s\nafter: %s", c.name, before.HTML, after.HTML)
		}
	}
}

// TestFramesWithoutASnapshot: a recording with no DOM has frames without
// HTML, not an error.
func TestFramesWithoutASnapshot(t *testing.T) {
	fs := frames(t, []Moment{{Offset: time.Second}}, metaEv(t0, "https://a.example/"), crumb(t0+5, "ui.click", nil, nil))
	if fs[0].HasDOM || fs[0].HTML != "" || fs[0].URL != "https://a.example/" {
		t.Errorf("got %+v", fs[0])
	}
	if _, err := Frames(&Bundle{Details: Details{ID: "r"}}, []Moment{{}}); err == nil {
		t.Error("a bundle without events must fail")
	}
}

// hostile strings a recording can carry anywhere: in text, attribute
// values, style sheets, tag and attribute names.
const (
	breakStyle = `</style><script>window.__pwned="style"</script>`
	breakAttr  = `"><img src=x onerror="window.__pwned='attr'">`
	breakText  = `<script>window.__pwned="text"</script><img src=x onerror=alert(1)>`
)

// TestFrameHTMLIsInert feeds hostile nodes through the serializer (no
// Chrome: the Chrome tests in reproduce/frames run the same documents).
// Each case names what must not survive.
func TestFrameHTMLIsInert(t *testing.T) {
	cases := []struct {
		name string
		node map[string]any
		// absent must not appear in the document (case-insensitive);
		// present must.
		absent, present []string
	}{
		{"script elements go, with their text", el(10, "script", map[string]any{"src": "https://evil.example/x.js"}, text(11, `window.__pwned=1`)),
			[]string{"<script", "__pwned"}, nil},
		{"event handlers go", el(10, "img", map[string]any{"src": "/x.png", "onerror": "window.__pwned=1", "OnLoad": "x", "onmouseover": "x"}),
			[]string{"onerror", "onload", "onmouseover", "__pwned"}, []string{`<img src="/x.png">`}},
		{"text is escaped", el(10, "p", nil, text(11, breakText)),
			[]string{"<script", "<img"}, []string{"&lt;script&gt;"}},
		{"attribute values are escaped", el(10, "p", map[string]any{"title": breakAttr}),
			[]string{"<img", `""`}, []string{`title="&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned='attr'&#34;&gt;"`}},
		{"a style element's text cannot close it", el(10, "style", nil, text(11, breakStyle)),
			[]string{"</style><script", "<script"}, []string{`\3c /style>\3c script>`}},
		{"an inlined sheet cannot close its style", el(10, "link", map[string]any{"rel": "stylesheet", "_cssText": breakStyle}),
			[]string{"<script", "<link"}, []string{`<style>\3c /style>`}},
		{"style inside SVG cannot open a tag", el(10, "svg", nil, el(11, "style", nil, text(12, `<img src=x onerror=alert(1)>`))),
			[]string{"<img"}, []string{`\3c img`}},
		{"hostile tag names become span", el(10, `img src=x onerror=alert(1)`, nil),
			[]string{"<img", "onerror"}, []string{"<span></span>"}},
		{"hostile attribute names go", el(10, "p", map[string]any{`"><script>alert(1)</script>`: "1", "x onerror": "alert(1)", "data-ok": "1"}),
			[]string{"<script", "onerror"}, []string{`<p data-ok="1">`}},
		{"javascript: URLs go, however spelled", el(10, "div", nil,
			el(11, "a", map[string]any{"href": "javascript:window.__pwned=1"}),
			el(12, "a", map[string]any{"href": " \tJaVa\nScRiPt:alert(1)"}),
			el(13, "form", map[string]any{"action": "javascript:alert(1)"}),
			el(14, "button", map[string]any{"formaction": "vbscript:x"}),
			el(15, "svg", nil, el(16, "a", map[string]any{"xlink:href": "javascript:alert(1)"})),
			el(17, "span", map[string]any{"title": "javascript:alert(1)"})),
			[]string{"script:", "href", "action"}, []string{"<a></a>", "<form></form>", "<button></button>"}},
		{"data: and blob: URLs go", el(10, "div", nil,
			el(11, "img", map[string]any{"src": "data:image/svg+xml,<svg onload=alert(1)>"}),
			el(12, "img", map[string]any{"srcset": "/a.png 1x, data:image/png;base64,AAAA 2x"}),
			el(13, "a", map[string]any{"href": "blob:https://a.example/1"})),
			[]string{"data:", "blob:", "onload"}, []string{"<img>", "<a></a>"}},
		{"frames and plugins become boxes", el(10, "div", nil,
			el(11, "iframe", map[string]any{"src": "https://evil.example/", "srcdoc": "<script>alert(1)</script>", "width": "300", "height": "150", "class": "embed"}),
			el(12, "object", map[string]any{"data": "data:text/html,<script>alert(1)</script>"}),
			el(13, "embed", map[string]any{"src": "https://evil.example/x.swf"})),
			[]string{"<iframe", "<object", "<embed", "srcdoc", "evil.example", "<script"},
			[]string{`<div data-repro-removed="iframe" class="embed" style="width:300px;height:150px"></div>`, `<div data-repro-removed="object"></div>`}},
		{"base, meta, noscript, template and SVG animation go", el(10, "div", nil,
			el(11, "base", map[string]any{"href": "https://evil.example/"}),
			el(12, "meta", map[string]any{"http-equiv": "refresh", "content": "0;url=javascript:alert(1)"}),
			el(13, "noscript", nil, el(14, "img", map[string]any{"src": "https://evil.example/n.png"})),
			el(15, "template", nil, el(16, "img", map[string]any{"src": "https://evil.example/t.png"})),
			el(17, "svg", map[string]any{"onload": "alert(1)"}, el(18, "animate", map[string]any{"attributeName": "href", "to": "javascript:alert(1)"}), el(19, "script", nil, text(20, "alert(1)")))),
			[]string{"evil.example", "refresh", "<noscript", "<template", "<animate", "alert", "onload"}, []string{"<svg></svg>"}},
		{"links other than style sheets go", el(10, "div", nil,
			el(11, "link", map[string]any{"rel": "prefetch", "href": "https://evil.example/p"}),
			el(12, "link", map[string]any{"rel": "icon", "href": "/favicon.ico"}),
			el(13, "link", map[string]any{"rel": "stylesheet", "href": "/app.css", "integrity": "sha384-x", "crossorigin": "anonymous", "onload": "x"})),
			[]string{"evil.example", "favicon", "integrity", "crossorigin", "onload"}, []string{`<link href="https://app.example/app.css" rel="stylesheet">`}},
		{"rrweb's attributes are used, then dropped", el(10, "img", map[string]any{"rr_width": "120px", "rr_height": "80px", "rr_mediaState": "played", "class": "hero"}),
			[]string{"rr_"}, []string{`<img class="hero" data-repro-blocked style="width:120px;height:80px">`}},
		{"a size that is not a size is not written into a style", el(10, "img", map[string]any{"rr_width": "1px;background:url(https://evil.example/)"}),
			[]string{"evil.example"}, nil},
		{"recorded markers cannot pose as the renderer's", el(10, "p", map[string]any{TargetAttr: "", ScrollAttr: "0,99999"}),
			[]string{"data-repro"}, nil},
		{"comments go", map[string]any{"type": 5, "id": 10, "textContent": "--><script>alert(1)</script>"},
			[]string{"<script", "<!--"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tree := doc(el(2, "html", nil, el(3, "body", nil, c.node)))
			fs := frames(t, []Moment{{Offset: time.Second}}, metaEv(t0, "https://app.example/page"), fullSnap(t0+1, tree))
			body := fs[0].HTML
			body = body[strings.Index(body, "<html"):]
			lower := strings.ToLower(body)
			for _, a := range c.absent {
				if strings.Contains(lower, strings.ToLower(a)) {
					t.Errorf("%q survived:\n%s", a, body)
				}
			}
			for _, p := range c.present {
				if !strings.Contains(body, p) {
					t.Errorf("want %q in:\n%s", p, body)
				}
			}
		})
	}
}

// TestFrameHeadForbidsScripts: whatever the recording holds, the frame
// starts with the policy, and a page URL that is not http(s) gives no
// <base>.
func TestFrameHeadForbidsScripts(t *testing.T) {
	tree := doc(el(2, "html", nil, el(3, "body", nil)))
	fs := frames(t, []Moment{{Offset: time.Second}}, metaEv(t0, "javascript:alert(1)//"), fullSnap(t0+1, tree))
	h := fs[0].HTML
	if !strings.HasPrefix(h, "<!DOCTYPE html>\n<meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"") ||
		!strings.Contains(h, "script-src &#39;none&#39;") && !strings.Contains(h, "script-src 'none'") {
		t.Errorf("the frame does not start with its policy:\n%s", h)
	}
	if strings.Contains(h, "<base") || strings.Contains(h, "javascript") {
		t.Errorf("a javascript: page URL reached the document:\n%s", h)
	}
}

// TestFramesHostileMutationsAndInputs: what a mutation adds or an input
// sets goes through the same serializer.
func TestFramesHostileMutationsAndInputs(t *testing.T) {
	tree := doc(el(2, "html", nil, el(3, "body", nil, el(4, "textarea", nil))))
	fs := frames(t, []Moment{{Offset: time.Second}},
		metaEv(t0, "https://app.example/"), fullSnap(t0+1, tree),
		inc(t0+2, map[string]any{"source": 0, "adds": []any{
			map[string]any{"parentId": 3, "nextId": nil, "node": el(5, "script", nil, text(6, "window.__pwned=1"))},
			map[string]any{"parentId": 3, "nextId": nil, "node": el(7, "img", map[string]any{"src": "x", "onerror": "window.__pwned=2"})},
		}, "attributes": []any{map[string]any{"id": 3, "attributes": map[string]any{"onload": "window.__pwned=3"}}}, "texts": []any{}, "removes": []any{}}),
		inc(t0+3, map[string]any{"source": 5, "id": 4, "text": `</textarea><script>window.__pwned=4</script>`, "isChecked": false}),
	)
	h := fs[0].HTML
	for _, bad := range []string{"<script", "onerror", "onload", "</textarea><script"} {
		if strings.Contains(h, bad) {
			t.Errorf("%q survived:\n%s", bad, h)
		}
	}
	if !strings.Contains(h, `<textarea>&lt;/textarea&gt;&lt;script&gt;window.__pwned=4&lt;/script&gt;</textarea>`) {
		t.Errorf("the typed value is not the textarea's escaped text:\n%s", h)
	}
}

func TestSplitRules(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{".a{color:red}.b{color:blue}", []string{".a{color:red}", ".b{color:blue}"}},
		{`@import url("x.css"); .a{content:"}"}`, []string{`@import url("x.css");`, `.a{content:"}"}`}},
		{"@media (x){.a{b:c}.d{e:f}} /* } */ .g{h:i}", []string{"@media (x){.a{b:c}.d{e:f}}", "/* } */ .g{h:i}"}},
		{".a{b:c", []string{".a{b:c"}},
	}
	for _, c := range cases {
		got := splitRules(c.in)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("splitRules(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// BenchmarkFrames times a frame per click of the image-chat recording
// (the streaming pass plus serialization).
func BenchmarkFrames(b *testing.B) {
	bun, err := LoadBundle(filepath.Join(bundlesDir, "imagechat-bug"))
	if err != nil {
		b.Fatal(err)
	}
	moments := []Moment{{Offset: 1751 * time.Millisecond, Target: 47}, {Offset: 3073 * time.Millisecond}, {Offset: 9688 * time.Millisecond, Target: 82}}
	for b.Loop() {
		if _, err := Frames(bun, moments); err != nil {
			b.Fatal(err)
		}
	}
}
