package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestMixedTimestampUnitsAreOrdered(t *testing.T) {
	tl := build(t,
		metaEv(t0, "http://x.test/"),
		// a span (outer seconds) recorded after a later breadcrumb (outer ms)
		crumb(t0+3000, "console", nil, map[string]any{"level": "log", "message": "late"}),
		spanEv((t0+1000)/1000, (t0+1500)/1000, "resource.fetch", "/api/a", map[string]any{"method": "GET", "statusCode": 200}),
	)
	if len(tl.Events) != 3 || tl.Events[1].Kind != KindNetwork || tl.Events[2].Kind != KindConsole {
		t.Fatalf("events out of order: %+v", tl.Events)
	}
	if tl.Events[1].Offset != time.Second || tl.Events[1].Network.Duration != 500*time.Millisecond {
		t.Errorf("offset %v duration %v", tl.Events[1].Offset, tl.Events[1].Network.Duration)
	}
	if tl.Duration != 3*time.Second {
		t.Errorf("duration = %v", tl.Duration)
	}
}

func TestNavigationDedupe(t *testing.T) {
	tests := []struct {
		name   string
		events []json.RawMessage
		want   []string // via:url
	}{
		{"page load span and Meta are one load",
			[]json.RawMessage{spanEv(t0/1000, (t0+200)/1000, "navigation.navigate", "http://x.test/", nil), metaEv(t0+300, "http://x.test/")},
			[]string{"load:http://x.test/"}},
		{"pushState span and navigation breadcrumb are one push",
			[]json.RawMessage{metaEv(t0, "http://x.test/a"),
				crumb(t0+1000, "navigation", map[string]any{"from": "/a", "to": "/b"}, nil),
				spanEv((t0+1001)/1000, (t0+1001)/1000, "navigation.push", "http://x.test/b", nil)},
			[]string{"load:http://x.test/a", "push:http://x.test/b"}},
		{"checkout Meta on the same page is not a navigation",
			[]json.RawMessage{metaEv(t0, "http://x.test/a"), metaEv(t0+60_000, "http://x.test/a")},
			[]string{"load:http://x.test/a"}},
		{"reload span of the same page is a load",
			[]json.RawMessage{metaEv(t0, "http://x.test/a"), spanEv((t0+60_000)/1000, (t0+60_100)/1000, "navigation.reload", "http://x.test/a", nil), metaEv(t0+60_500, "http://x.test/a")},
			[]string{"load:http://x.test/a", "load:http://x.test/a"}},
		{"history back is detected from the stack",
			[]json.RawMessage{metaEv(t0, "http://x.test/a"),
				crumb(t0+1000, "navigation", map[string]any{"from": "/a", "to": "/b"}, nil),
				crumb(t0+5000, "navigation", map[string]any{"from": "/b", "to": "/a"}, nil),
				crumb(t0+9000, "navigation", map[string]any{"from": "/a", "to": "/b"}, nil)},
			[]string{"load:http://x.test/a", "push:http://x.test/b", "back:http://x.test/a", "forward:http://x.test/b"}},
		{"full page load to a new URL",
			[]json.RawMessage{metaEv(t0, "http://x.test/a"), metaEv(t0+9000, "http://x.test/c")},
			[]string{"load:http://x.test/a", "load:http://x.test/c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, e := range kinds(build(t, tc.events...), KindNavigation) {
				got = append(got, e.Navigation.Via+":"+e.Navigation.URL)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("navigations = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNetworkURLResolvedAgainstPageAtThatMoment(t *testing.T) {
	tl := build(t,
		metaEv(t0, "http://x.test/shop/list"),
		spanEv((t0+100)/1000, (t0+200)/1000, "resource.fetch", "items?page=2", map[string]any{"method": "get", "statusCode": 200}),
		crumb(t0+1000, "navigation", map[string]any{"from": "/shop/list", "to": "/cart/"}, nil),
		spanEv((t0+1100)/1000, (t0+1200)/1000, "resource.xhr", "summary", map[string]any{"method": "POST", "statusCode": 503}),
		spanEv((t0+1300)/1000, (t0+1400)/1000, "resource.fetch", "//cdn.test/x.json", nil),
	)
	nets := kinds(tl, KindNetwork)
	want := []struct{ url, path, init, method string }{
		{"http://x.test/shop/items?page=2", "/shop/items", "fetch", "GET"},
		{"http://x.test/cart/summary", "/cart/summary", "xhr", "POST"},
		{"http://cdn.test/x.json", "/x.json", "fetch", "GET"},
	}
	if len(nets) != len(want) {
		t.Fatalf("network events = %d", len(nets))
	}
	for i, w := range want {
		n := nets[i].Network
		if n.URL != w.url || n.Path != w.path || n.Initiator != w.init || n.Method != w.method {
			t.Errorf("net %d = %s %s %s %s, want %+v", i, n.Initiator, n.Method, n.URL, n.Path, w)
		}
	}
	if nets[0].Network.Failed || !nets[1].Network.Failed || !nets[2].Network.Failed {
		t.Error("Failed must be status >= 400 or unknown (0)")
	}
}

func TestNetworkPayloads(t *testing.T) {
	tl := build(t, spanEv(t0/1000, (t0+10)/1000, "resource.fetch", "http://x.test/api", map[string]any{
		"method": "POST", "statusCode": 200,
		"request":  map[string]any{"size": 3, "headers": map[string]any{}, "_meta": map[string]any{"warnings": []string{"URL_SKIPPED"}}},
		"response": map[string]any{"size": 14, "headers": map[string]any{"Content-Length": "14"}, "body": map[string]any{"res": "this"}},
	}))
	n := kinds(tl, KindNetwork)[0].Network
	if n.Request.BodyCaptured || n.Request.Body != nil || len(n.Request.Warnings) != 1 || n.Request.Warnings[0] != "URL_SKIPPED" {
		t.Errorf("request = %+v", n.Request)
	}
	if !n.Response.BodyCaptured || string(n.Response.Body) != `{"res":"this"}` || n.Response.Headers["content-length"] != "14" {
		t.Errorf("response = %+v", n.Response)
	}
}

func TestInputCollapse(t *testing.T) {
	tl := build(t,
		fullSnap(t0, page()),
		inc(t0+100, map[string]any{"source": 5, "id": 6, "text": "*", "isChecked": false}),
		crumb(t0+101, "ui.input", map[string]any{"nodeId": 6, "node": map[string]any{"id": 6, "tagName": "input", "attributes": map[string]any{"id": "email"}}}, map[string]any{"message": "body > input#email"}),
		spanEv((t0+150)/1000, (t0+160)/1000, "resource.fetch", "/suggest", map[string]any{"statusCode": 200}),
		inc(t0+200, map[string]any{"source": 5, "id": 6, "text": "**", "isChecked": false}),
		inc(t0+300, map[string]any{"source": 5, "id": 6, "text": "***", "isChecked": false}),
		inc(t0+400, map[string]any{"source": 3, "id": 1, "x": 0, "y": 10}), // scrolling does not split typing
		inc(t0+500, map[string]any{"source": 5, "id": 6, "text": "****", "isChecked": false}),
		inc(t0+600, map[string]any{"source": 2, "type": 2, "id": 4, "x": 1, "y": 2}),
		inc(t0+700, map[string]any{"source": 5, "id": 6, "text": "*****", "isChecked": false}),
	)
	ins := kinds(tl, KindInput)
	if len(ins) != 2 {
		t.Fatalf("inputs = %d, want 2 (a click splits the runs)", len(ins))
	}
	first := ins[0]
	if first.Input.Length != 4 || first.Input.Keystrokes != 4 || !first.Input.Masked || first.Input.Field != "email" ||
		first.Time != ins[0].Time || first.Offset != 100*time.Millisecond {
		t.Errorf("first input = %+v at %v", first.Input, first.Offset)
	}
	if first.Input.Target.Selector != "body > input#email" || first.Input.Target.ID != "email" {
		t.Errorf("ui.input breadcrumb not merged: %+v", first.Input.Target)
	}
	if ins[1].Input.Length != 5 || ins[1].Input.Keystrokes != 1 {
		t.Errorf("second input = %+v", ins[1].Input)
	}
}

func TestCheckboxAndRadioInputs(t *testing.T) {
	form := doc(el(2, "html", nil, el(3, "body", nil,
		el(4, "input", map[string]any{"type": "checkbox", "id": "tos"}),
		el(5, "input", map[string]any{"type": "radio", "name": "r"}),
		el(6, "input", map[string]any{"type": "radio", "name": "r"}))))
	click := func(at float64, id int) json.RawMessage {
		return inc(at, map[string]any{"source": 2, "type": 2, "id": id, "x": 1, "y": 1})
	}
	tl := build(t, fullSnap(t0, form),
		click(t0+99, 4),
		inc(t0+100, map[string]any{"source": 5, "id": 4, "text": "", "isChecked": true}),
		click(t0+199, 4),
		inc(t0+200, map[string]any{"source": 5, "id": 4, "text": "", "isChecked": false}),
		click(t0+299, 6),
		inc(t0+300, map[string]any{"source": 5, "id": 6, "text": "", "isChecked": true}),
		inc(t0+300, map[string]any{"source": 5, "id": 5, "text": "", "isChecked": false}),
		// The app sets a box while rendering: no click before it.
		inc(t0+5000, map[string]any{"source": 5, "id": 4, "text": "", "isChecked": true}),
	)
	ins := kinds(tl, KindInput)
	if len(ins) != 3 {
		t.Fatalf("inputs = %d, want 3 (toggles are not collapsed; unchecked radios dropped; a toggle with no click before it is the app's)", len(ins))
	}
	if *ins[0].Input.Checked != true || *ins[1].Input.Checked != false || ins[2].Input.Target.NodeID != 6 || ins[0].Input.Field != "checkbox" {
		t.Errorf("inputs = %+v %+v %+v", ins[0].Input, ins[1].Input, ins[2].Input)
	}
}

func TestClickBreadcrumbMergesWithRRWebClick(t *testing.T) {
	node := map[string]any{"id": 4, "tagName": "button", "textContent": "**", "attributes": map[string]any{"id": "go", "data-sentry-component": "GoButton"}}
	tl := build(t,
		fullSnap(t0, page()),
		inc(t0+100, map[string]any{"source": 2, "type": 1, "id": 4, "x": 10, "y": 20}),
		inc(t0+102, map[string]any{"source": 2, "type": 2, "id": 4, "x": 10, "y": 20}),
		crumb(t0+103, "ui.click", map[string]any{"nodeId": 4, "node": node}, map[string]any{"message": "body > GoButton"}),
		inc(t0+3000, map[string]any{"source": 2, "type": 2, "id": 8, "x": 5, "y": 6}), // no breadcrumb: kept
	)
	clicks := kinds(tl, KindClick)
	if len(clicks) != 2 {
		t.Fatalf("clicks = %d, want 2", len(clicks))
	}
	c := clicks[0].Click
	tg := c.Target
	if c.X != 10 || c.Y != 20 || tg.Selector != "body > GoButton" || tg.ID != "go" || tg.TestID != "go-btn" ||
		tg.Component != "GoButton" || !tg.InDOM || !tg.TextMasked || tg.Path != "html > body > button.primary" {
		t.Errorf("merged click = %+v", c)
	}
	want := map[string]int{"#go": 1, `[data-testid="go-btn"]`: 1, "button.primary": 2}
	for _, cand := range tg.Candidates {
		if n, ok := want[cand.Selector]; ok && n != cand.Matches {
			t.Errorf("candidate %s matches %d, want %d", cand.Selector, cand.Matches, n)
		}
		delete(want, cand.Selector)
	}
	if len(want) != 0 {
		t.Errorf("missing candidates %v in %+v", want, tg.Candidates)
	}
	if clicks[1].Click.Target.Path != "html > body > div > button.primary" || clicks[1].Click.X != 5 {
		t.Errorf("rrweb-only click = %+v", clicks[1].Click)
	}
}

func TestScrollBurstsCollapse(t *testing.T) {
	tl := build(t, fullSnap(t0, page()),
		inc(t0+100, map[string]any{"source": 3, "id": 1, "x": 0, "y": 100}),
		inc(t0+300, map[string]any{"source": 3, "id": 1, "x": 0, "y": 400}),
		inc(t0+700, map[string]any{"source": 3, "id": 1, "x": 0, "y": 900}),
		inc(t0+2000, map[string]any{"source": 3, "id": 1, "x": 0, "y": 50}),
		inc(t0+2100, map[string]any{"source": 3, "id": 7, "x": 0, "y": 30}),
	)
	sc := kinds(tl, KindScroll)
	if len(sc) != 3 || sc[0].Scroll.Y != 900 || sc[0].Scroll.Target != nil || sc[1].Scroll.Y != 50 || sc[2].Scroll.Target == nil || sc[2].Scroll.Target.Tag != "div" {
		t.Errorf("scrolls = %+v", sc)
	}
}

func TestKeyConsoleResize(t *testing.T) {
	tl := build(t, fullSnap(t0, page()),
		crumb(t0+100, "ui.keyDown", map[string]any{"key": "Escape", "ctrlKey": true, "nodeId": 3, "node": map[string]any{"id": 3, "tagName": "body"}}, map[string]any{"message": "body"}),
		crumb(t0+200, "console", map[string]any{"arguments": []any{"a", 1, map[string]any{"k": "v"}}, "_meta": map[string]any{"warnings": []string{"CONSOLE_ARG_TRUNCATED"}}},
			map[string]any{"level": "warn", "message": "a 1 [object Object]"}),
		inc(t0+300, map[string]any{"source": 4, "width": 800, "height": 600}),
	)
	k := kinds(tl, KindKey)
	if len(k) != 1 || k[0].Key.Key != "Escape" || !k[0].Key.Ctrl || k[0].Key.Target == nil || k[0].Key.Target.Tag != "body" {
		t.Errorf("keys = %+v", k)
	}
	c := kinds(tl, KindConsole)
	if len(c) != 1 || c[0].Console.Level != "warning" || !c[0].Console.Truncated || strings.Join(c[0].Console.Args, "|") != `a|1|{"k":"v"}` {
		t.Errorf("console = %+v", c[0].Console)
	}
	r := kinds(tl, KindResize)
	if len(r) != 1 || *r[0].Resize != (Viewport{800, 600}) {
		t.Errorf("resize = %+v", r)
	}
}

func TestMalformedAndUnknownEventsAreCountedNotFatal(t *testing.T) {
	tl := build(t,
		metaEv(t0, "http://x.test/"),
		json.RawMessage(`"not an object"`),
		json.RawMessage(`{"type":3}`),                          // no timestamp
		json.RawMessage(`{"timestamp":1700000000000}`),         // no type
		json.RawMessage(`{"type":3,"timestamp":-5,"data":{}}`), // bad timestamp
		ev(9, t0, nil),
		inc(t0, map[string]any{"source": 99}),
		inc(t0, map[string]any{"source": 5, "text": "no id"}),
		ev(5, t0, map[string]any{"tag": "ui.click", "payload": map[string]any{"message": "bad"}}),
		ev(5, t0, map[string]any{"tag": "breadcrumb", "payload": "not an object"}),
		crumb(t0, "device.battery", nil, nil),
		spanEv(t0/1000, t0/1000, "db.query", "x", nil),
		// known but uninteresting: no warnings
		crumb(t0, "ui.focus", nil, nil), crumb(t0, "replay.mutations", map[string]any{"count": 800}, nil),
		spanEv(t0/1000, t0/1000, "memory", "memory", nil), spanEv(t0/1000, t0/1000, "resource.script", "a.js", nil),
		spanEv(t0/1000, t0/1000, "web-vital", "largest-contentful-paint", nil), spanEv(t0/1000, t0/1000, "paint", "first-paint", nil),
		inc(t0, map[string]any{"source": 1, "positions": []any{}}),
		ev(5, t0, map[string]any{"tag": "options", "payload": map[string]any{"maskAllText": true}}),
	)
	want := map[string]int{"malformed_event": 6, "unknown_event_type": 1, "unknown_incremental_source": 1,
		"unknown_custom_tag": 1, "unknown_breadcrumb_category": 1, "unknown_span_op": 1}
	if len(tl.Warnings) != len(want) {
		t.Errorf("warnings = %+v", tl.Warnings)
	}
	for k, n := range want {
		if got := warningCount(tl, k); got != n {
			t.Errorf("%s = %d, want %d", k, got, n)
		}
	}
	if tl.Options["maskAllText"] != true {
		t.Errorf("options = %v", tl.Options)
	}
}

func TestSentinelErrors(t *testing.T) {
	if _, err := BuildTimeline(&Bundle{Segments: [][]json.RawMessage{{}, nil}}); !errors.Is(err, ErrEmptyReplay) {
		t.Errorf("empty recording: %v, want ErrEmptyReplay", err)
	}
	b := &Bundle{Segments: [][]json.RawMessage{{metaEv(t0, "http://x.test/")}}}
	tl, err := BuildTimeline(b)
	if !errors.Is(err, ErrNoFullSnapshot) || tl == nil || len(tl.Events) != 1 {
		t.Errorf("no snapshot: tl=%v err=%v; want a timeline and ErrNoFullSnapshot", tl, err)
	}
	if _, err := BuildTimeline(b, Options{AllowNoSnapshot: true}); err != nil {
		t.Errorf("Options{AllowNoSnapshot:true}: %v", err)
	}
}

func TestFriction(t *testing.T) {
	clickAt := func(ms float64, id int) json.RawMessage {
		return inc(ms, map[string]any{"source": 2, "type": 2, "id": id, "x": 1, "y": 1})
	}
	node := map[string]any{"id": 4, "tagName": "button", "attributes": map[string]any{"id": "go"}}
	tl := build(t, fullSnap(t0, page()),
		clickAt(t0+100, 4),
		crumb(t0+100, "ui.slowClickDetected", map[string]any{"nodeId": 4, "node": node, "endReason": "timeout", "clickCount": 1, "timeAfterClickMs": 7000}, nil),
		crumb(t0+150, "ui.slowClickDetected", map[string]any{"nodeId": 4, "node": node, "endReason": "mutation", "clickCount": 1, "timeAfterClickMs": 1200}, nil),
		spanEv((t0+200)/1000, (t0+900)/1000, "resource.fetch", "/api/go", map[string]any{"method": "POST", "statusCode": 500}),
		clickAt(t0+2000, 4),                                           // again after the failure: repeated
		clickAt(t0+6000, 8),                                           // 4 s idle: hesitation
		clickAt(t0+6200, 8), clickAt(t0+6400, 8), clickAt(t0+6600, 8), // 3 more in < 1 s: rage
		crumb(t0+9000, "ui.multiClick", map[string]any{"nodeId": 4, "node": node, "clickCount": 4}, nil), // < 5: not rage
	)
	got := map[string]int{}
	for _, e := range kinds(tl, KindFriction) {
		got[e.Friction.Kind]++
		switch e.Friction.Kind {
		case FrictionDeadClick:
			if e.Friction.TimeAfterClick != 7*time.Second || e.Friction.Target.ID != "go" || e.Friction.EndReason != "timeout" {
				t.Errorf("dead click = %+v", e.Friction)
			}
		case FrictionHesitation:
			if e.Friction.Gap != 4*time.Second {
				t.Errorf("hesitation gap = %v", e.Friction.Gap)
			}
		case FrictionRageClick:
			if e.Friction.ClickCount != 4 {
				t.Errorf("rage clicks = %d, want 4", e.Friction.ClickCount)
			}
		case FrictionRepeatedClick:
			if e.Friction.Target.NodeID != 4 || e.Friction.ClickCount != 2 {
				t.Errorf("repeated = %+v", e.Friction)
			}
		}
	}
	want := map[string]int{FrictionDeadClick: 1, FrictionRepeatedClick: 1, FrictionHesitation: 1, FrictionRageClick: 1}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s = %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
}

func TestErrorsAreLinkedAndMissingListed(t *testing.T) {
	b := &Bundle{
		Details:  Details{ID: "r1", ErrorIDs: []string{"e1", "e2"}},
		Segments: [][]json.RawMessage{{metaEv(t0, "http://x.test/")}},
		Errors: []ErrorEvent{
			{EventID: "e1", Time: time.UnixMilli(int64(t0) + 500).UTC(), Exceptions: []Exception{{Type: "TypeError", Value: "boom"}}},
			{EventID: "e1", Time: time.UnixMilli(int64(t0) + 500).UTC()}, // duplicate
			{EventID: "x9", ReplayID: "other", Time: time.UnixMilli(int64(t0) + 600).UTC()},
		},
	}
	tl, err := BuildTimeline(b, AllowNoSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	errs := kinds(tl, KindError)
	if len(errs) != 1 || errs[0].Error.Type != "TypeError" || errs[0].Offset != 500*time.Millisecond || errs[0].Segment != -1 {
		t.Errorf("errors = %+v", errs)
	}
	if len(tl.MissingErrors) != 1 || tl.MissingErrors[0] != "e2" || warningCount(tl, "foreign_error") != 1 {
		t.Errorf("missing = %v, warnings %+v", tl.MissingErrors, tl.Warnings)
	}
}

func TestTimelineJSON(t *testing.T) {
	tl := build(t, metaEv(t0, "http://x.test/"),
		spanEv((t0+1000)/1000, (t0+1250.5)/1000, "resource.fetch", "/a", map[string]any{"statusCode": 200}))
	out, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Start    string  `json:"start"`
		Duration float64 `json:"duration_ms"`
		Events   []map[string]json.RawMessage
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if m.Start != "2023-11-14T22:13:20.000Z" || m.Duration != 1250.5 || len(m.Events) != 2 {
		t.Errorf("json = %s", out)
	}
	if _, ok := m.Events[0]["click"]; ok {
		t.Error("nil payload pointers must be omitted")
	}
	s := string(m.Events[1]["network"])
	if !strings.Contains(s, `"duration_ms":250.5`) || !strings.Contains(s, `"start":"2023-11-14T22:13:21.000Z"`) || string(m.Events[1]["offset_ms"]) != "1000" {
		t.Errorf("network json = %s offset %s", s, m.Events[1]["offset_ms"])
	}
}

func TestTimelineQueries(t *testing.T) {
	tl := build(t, fullSnap(t0, page()), metaEv(t0, "http://x.test/a"),
		inc(t0+100, map[string]any{"source": 2, "type": 2, "id": 4, "x": 1, "y": 1}),
		spanEv((t0+200)/1000, (t0+300)/1000, "resource.fetch", "/api/x", map[string]any{"statusCode": 404}),
		spanEv((t0+250)/1000, (t0+300)/1000, "resource.fetch", "/api/y", map[string]any{"statusCode": 200}),
		crumb(t0+400, "console", nil, map[string]any{"level": "error", "message": "bad"}),
		crumb(t0+1000, "navigation", map[string]any{"from": "/a", "to": "/b"}, nil),
	)
	if a := tl.UserActions(); len(a) != 1 || a[0].Kind != KindClick {
		t.Errorf("UserActions = %+v", a)
	}
	if f := tl.Failures(); len(f) != 2 || f[0].Kind != KindNetwork || f[1].Kind != KindConsole {
		t.Errorf("Failures = %+v", f)
	}
	at := func(ms float64) time.Time { tt, _ := TimestampToTime(ms); return tt }
	if u := tl.PageURLAt(at(t0 + 999)); u != "http://x.test/a" {
		t.Errorf("PageURLAt before push = %q", u)
	}
	if u := tl.PageURLAt(at(t0 + 1000)); u != "http://x.test/b" {
		t.Errorf("PageURLAt at push = %q", u)
	}
}

// TestFormatOffsetIsMmSsT: the story's offsets read mm:ss.t, minutes past
// 99 in full, a negative offset as zero, as fmt.Sprintf("%02d:%02d.%d")
// printed them.
func TestFormatOffsetIsMmSsT(t *testing.T) {
	for _, d := range []time.Duration{-time.Second, 0, 99 * time.Millisecond, 100 * time.Millisecond, 5*time.Second + 450*time.Millisecond,
		59*time.Second + 999*time.Millisecond, time.Minute, 9*time.Minute + 59*time.Second, 10 * time.Minute, 99*time.Minute + 59*time.Second + 900*time.Millisecond, 100 * time.Minute, 1234*time.Minute + 5*time.Second} {
		tenths := max(d, 0).Milliseconds() / 100
		want := fmt.Sprintf("%02d:%02d.%d", tenths/600, (tenths/10)%60, tenths%10)
		if got := FormatOffset(d); got != want {
			t.Errorf("FormatOffset(%v) = %q, want %q", d, got, want)
		}
	}
}
