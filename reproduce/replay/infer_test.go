package replay

import (
	"encoding/json"
	"strings"
	"testing"
)

// Hand-made recordings, each the smallest that shows one rule about what
// the SDK cannot record (sentry-format §9) or records twice. The recorded
// framework bundles (studio, tasks) show the same rules on real output.

// form is html(2) > body(3) > [form(4) > input#tag(5), ul(6), a(7) > h2(8) "**"(9)].
func form() map[string]any {
	return doc(el(2, "html", nil, el(3, "body", nil,
		el(4, "form", nil, el(5, "input", map[string]any{"id": "tag", "type": "text"})),
		el(6, "ul", nil),
		el(7, "a", map[string]any{"href": "http://x.test/articles/1"}, el(8, "h2", nil, text(9, "**"))),
	)))
}

func typing(start float64, id, n int) []json.RawMessage {
	var out []json.RawMessage
	for i := 1; i <= n; i++ {
		out = append(out, inc(start+float64(i*100), map[string]any{"source": 5, "id": id, "text": strings.Repeat("*", i), "isChecked": false}))
	}
	return out
}

func click(ms float64, id int) json.RawMessage {
	return inc(ms, map[string]any{"source": 2, "type": 2, "id": id, "x": 1, "y": 1})
}

func addText(ms float64, parent, id int, s string) json.RawMessage {
	return inc(ms, map[string]any{"source": 0, "texts": []any{}, "attributes": []any{}, "removes": []any{},
		"adds": []any{map[string]any{"parentId": parent, "nextId": nil, "node": el(id, "li", nil, text(id+1, s))}}})
}

func TestEnterIsInferredWhenTheFieldEmptiesAndItsValueAppears(t *testing.T) {
	evs := []json.RawMessage{fullSnap(t0, form()), click(t0+50, 5)}
	evs = append(evs, typing(t0+100, 5, 5)...)
	evs = append(evs,
		addText(t0+750, 6, 20, "*****"), // the chip, just before the field empties
		inc(t0+760, map[string]any{"source": 5, "id": 5, "text": "", "isChecked": false}),
	)
	tl := build(t, evs...)
	ins, keys := kinds(tl, KindInput), kinds(tl, KindKey)
	if len(ins) != 1 || ins[0].Input.Length != 5 {
		t.Fatalf("inputs = %+v, want one of 5 characters (the typed value, not the emptied field)", ins)
	}
	if len(keys) != 1 || keys[0].Key.Key != "Enter" || !strings.Contains(keys[0].Key.Inferred, "5-character text appeared") {
		t.Fatalf("keys = %+v, want an inferred Enter that says why", keys)
	}
	if keys[0].Key.Target == nil || keys[0].Key.Target.ID != "tag" || !keys[0].Time.After(ins[0].Time) {
		t.Errorf("inferred Enter = %+v at %v, want it in input#tag after the typing", keys[0].Key, keys[0].Time)
	}
}

func TestEmptyingWithoutTheValueAppearingIsNoEnter(t *testing.T) {
	evs := []json.RawMessage{fullSnap(t0, form()), click(t0+50, 5)}
	evs = append(evs, typing(t0+100, 5, 5)...)
	evs = append(evs,
		addText(t0+750, 6, 20, "***"), // some other text
		inc(t0+760, map[string]any{"source": 5, "id": 5, "text": "", "isChecked": false}),
		addText(t0+5000, 6, 30, "*****"), // too late to be the commit
	)
	tl := build(t, evs...)
	if keys := kinds(tl, KindKey); len(keys) != 0 {
		t.Errorf("keys = %+v, want none (the user may have cleared the field)", keys)
	}
}

func TestSearchSubmittedWithEnterIsInferredFromTheNavigation(t *testing.T) {
	evs := []json.RawMessage{metaEv(t0, "http://x.test/"), fullSnap(t0, form()), click(t0+50, 5)}
	evs = append(evs, typing(t0+100, 5, 7)...)
	evs = append(evs, crumb(t0+1200, "navigation", map[string]any{"from": "/", "to": "/search?q=offsite"}, nil))
	tl := build(t, evs...)
	keys := kinds(tl, KindKey)
	if len(keys) != 1 || keys[0].Key.Key != "Enter" || !strings.Contains(keys[0].Key.Inferred, "7-character value") {
		t.Fatalf("keys = %+v, want an Enter inferred from the navigation", keys)
	}
}

func TestRequestsWhileTypingAreNoEnter(t *testing.T) {
	// Search as you type: the value reaches a request, the field keeps it,
	// the page does not navigate.
	evs := []json.RawMessage{metaEv(t0, "http://x.test/"), fullSnap(t0, form()), click(t0+50, 5)}
	evs = append(evs, typing(t0+100, 5, 7)...)
	evs = append(evs, spanEv((t0+1100)/1000, (t0+1200)/1000, "resource.fetch", "/api/suggest?q=offsite", map[string]any{"statusCode": 200}))
	tl := build(t, evs...)
	if keys := kinds(tl, KindKey); len(keys) != 0 {
		t.Errorf("keys = %+v, want none", keys)
	}
}

func TestValuesTheAppSetsAreNotUserInput(t *testing.T) {
	tl := build(t, fullSnap(t0, form()),
		// The route renders: the field is reset, then filled from a response.
		inc(t0+100, map[string]any{"source": 5, "id": 5, "text": "", "isChecked": false}),
		inc(t0+900, map[string]any{"source": 5, "id": 5, "text": "*****************", "isChecked": false}),
		// The user clicks it and types one more character.
		click(t0+2000, 5),
		inc(t0+2100, map[string]any{"source": 5, "id": 5, "text": "******************", "isChecked": false}),
	)
	ins := kinds(tl, KindInput)
	if len(ins) != 1 || ins[0].Input.Length != 18 {
		t.Fatalf("inputs = %+v, want only the user's change (18 characters)", ins)
	}
}

func TestOneClickOnAHeadingInsideALinkIsOneEvent(t *testing.T) {
	// rrweb records the h2 that was hit; the SDK's ui.click names the
	// closest link (its getClickTargetNode).
	link := map[string]any{"id": 7, "tagName": "a", "textContent": "", "attributes": map[string]any{}}
	tl := build(t, fullSnap(t0, form()),
		inc(t0+100, map[string]any{"source": 2, "type": 2, "id": 8, "x": 30, "y": 40}),
		crumb(t0+101, "ui.click", map[string]any{"nodeId": 7, "node": link}, map[string]any{"message": "body > a"}),
	)
	clicks := kinds(tl, KindClick)
	if len(clicks) != 1 {
		t.Fatalf("clicks = %d, want 1", len(clicks))
	}
	c := clicks[0].Click
	if c.Target.Tag != "a" || c.Hit == nil || c.Hit.Tag != "h2" || c.X != 30 {
		t.Errorf("click = target %s, hit %+v, x %v; want the link judged, the heading hit", c.Target.Tag, c.Hit, c.X)
	}
}

func TestGeneratedClassNames(t *testing.T) {
	for c, want := range map[string]bool{
		"p": true, "r": true, "css-1x2y3z": true, "sc-aXZVg": true, "Button_primary__3xK9z": true, "_a1b2c3d": true,
		"primary": false, "help-link": false, "feed-item__title": false, "btn-lg": false, "col-12": false, "h1": true,
	} {
		if got := GeneratedClass(c); got != want {
			t.Errorf("GeneratedClass(%q) = %v, want %v", c, got, want)
		}
	}
}
