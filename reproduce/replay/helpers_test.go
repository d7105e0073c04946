package replay

import (
	"encoding/json"
	"testing"
)

// Hand-made events: the unit tests below each pin one decoding rule on the
// smallest input that shows it. Real SDK output is covered by the public
// fixtures and the recorded bundles (bundles_test.go).

const t0 float64 = 1_700_000_000_000 // ms

// ev encodes one rrweb event.
func ev(typ int, ts float64, data any) json.RawMessage {
	b, err := json.Marshal(map[string]any{"type": typ, "timestamp": ts, "data": data})
	if err != nil {
		panic(err)
	}
	return b
}

func metaEv(ms float64, href string) json.RawMessage {
	return ev(4, ms, map[string]any{"href": href, "width": 1280, "height": 800})
}

// el builds a serialized element node.
func el(id int, tag string, attrs map[string]any, children ...map[string]any) map[string]any {
	if attrs == nil {
		attrs = map[string]any{}
	}
	if children == nil {
		children = []map[string]any{}
	}
	return map[string]any{"type": 2, "id": id, "tagName": tag, "attributes": attrs, "childNodes": children}
}

func text(id int, s string) map[string]any {
	return map[string]any{"type": 3, "id": id, "textContent": s}
}

// doc wraps an html element in a document node with id 1.
func doc(html map[string]any) map[string]any {
	return map[string]any{"type": 0, "id": 1, "childNodes": []map[string]any{html}}
}

// page is a small document: html(2) > body(3) > [button#go.primary(4) "Go"(5),
// input#email(6), div(7) > button.primary(8)].
func page() map[string]any {
	return doc(el(2, "html", nil,
		el(3, "body", nil,
			el(4, "button", map[string]any{"id": "go", "class": "primary", "data-testid": "go-btn"}, text(5, "**")),
			el(6, "input", map[string]any{"id": "email", "type": "email", "name": "email"}),
			el(7, "div", nil, el(8, "button", map[string]any{"class": "primary"})),
		)))
}

func fullSnap(ms float64, node map[string]any) json.RawMessage {
	return ev(2, ms, map[string]any{"node": node, "initialOffset": map[string]any{"left": 0, "top": 0}})
}

func crumb(outer float64, category string, data map[string]any, extra map[string]any) json.RawMessage {
	p := map[string]any{"timestamp": outer / 1000, "type": "default", "category": category}
	if data != nil {
		p["data"] = data
	}
	for k, v := range extra {
		p[k] = v
	}
	return ev(5, outer, map[string]any{"tag": "breadcrumb", "payload": p})
}

func spanEv(startS, endS float64, op, desc string, data map[string]any) json.RawMessage {
	p := map[string]any{"op": op, "description": desc, "startTimestamp": startS, "endTimestamp": endS}
	if data != nil {
		p["data"] = data
	}
	return ev(5, startS, map[string]any{"tag": "performanceSpan", "payload": p})
}

func inc(ms float64, data map[string]any) json.RawMessage { return ev(3, ms, data) }

// build makes a one-segment bundle and its timeline, failing on error.
func build(t *testing.T, events ...json.RawMessage) *Timeline {
	t.Helper()
	tl, err := BuildTimeline(&Bundle{Details: Details{ID: "r1"}, Segments: [][]json.RawMessage{events}}, AllowNoSnapshot())
	if err != nil {
		t.Fatalf("BuildTimeline: %v", err)
	}
	return tl
}

// kinds lists the events of kind k.
func kinds(tl *Timeline, k Kind) []Event {
	var out []Event
	for _, e := range tl.Events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func warningCount(tl *Timeline, kind string) int {
	for _, w := range tl.Warnings {
		if w.Kind == kind {
			return w.Count
		}
	}
	return 0
}
