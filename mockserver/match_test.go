package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestServesRecordedExchangeExactly(t *testing.T) {
	// The body is deliberately not compact and has HTML characters: the
	// bytes must come back untouched.
	body := "{ \"items\": [1, 2],\n  \"html\": \"<b>&</b>\" }"
	e := Exchange{
		Seq: 7, Method: "GET", URL: "https://shop.example.com/api/cart?id=3",
		Status: http.StatusCreated,
		ResponseHeaders: http.Header{
			"Content-Type":     {"application/json; charset=utf-8"},
			"X-Multi":          {"a", "b"},
			"Cache-Control":    {"no-store"},
			"Content-Length":   {"9999"}, // wrong on purpose: must not be replayed
			"Content-Encoding": {"gzip"}, // the stored body is decoded
		},
		ResponseBody: []byte(body), ResponseBodyCaptured: true,
	}
	srv := startMock(t, New([]Exchange{e}, WithLatency(LatencyNone)))
	got := call(t, srv.URL, "GET", "/api/cart?id=3", "")

	if got.status != http.StatusCreated {
		t.Errorf("status = %d, want 201", got.status)
	}
	if got.body != body {
		t.Errorf("body = %q, want %q", got.body, body)
	}
	for k, want := range map[string]string{
		"Content-Type":   "application/json; charset=utf-8",
		"Cache-Control":  "no-store",
		"Content-Length": strconv.Itoa(len(body)),
		HeaderExchange:   "7",
	} {
		if g := got.header.Get(k); g != want {
			t.Errorf("header %s = %q, want %q", k, g, want)
		}
	}
	if g := got.header.Values("X-Multi"); strings.Join(g, ",") != "a,b" {
		t.Errorf("X-Multi = %v, want [a b]", g)
	}
	if g := got.header.Get("Content-Encoding"); g != "" {
		t.Errorf("Content-Encoding = %q, want it dropped", g)
	}
	if g := got.header.Get(HeaderSynthetic); g != "" {
		t.Errorf("%s = %q on a fully recorded exchange", HeaderSynthetic, g)
	}
}

func TestMatchingRules(t *testing.T) {
	type req struct{ method, url, body string }
	cases := []struct {
		name       string
		recorded   []Exchange
		opts       []Option
		req        req
		wantBody   string // on a match
		wantReason string // on a mismatch (501), a substring of a reason
	}{
		{
			name:     "query parameter order is ignored",
			recorded: []Exchange{ex(1, "GET", "/api/items?a=1&b=2&b=3", "", 200, `"ok"`)},
			req:      req{"GET", "/api/items?b=3&a=1&b=2", ""},
			wantBody: `"ok"`,
		},
		{
			name:       "a different query value does not match",
			recorded:   []Exchange{ex(1, "GET", "/api/items?page=1", "", 200, `"p1"`)},
			req:        req{"GET", "/api/items?page=2", ""},
			wantReason: "query parameter page differs: got 2, recorded 1",
		},
		{
			name:       "an extra query parameter does not match",
			recorded:   []Exchange{ex(1, "GET", "/api/items?a=1", "", 200, `"ok"`)},
			req:        req{"GET", "/api/items?a=1&debug=1", ""},
			wantReason: "extra query parameter debug=1",
		},
		{
			name:       "a missing query parameter does not match",
			recorded:   []Exchange{ex(1, "GET", "/api/items?a=1&b=2", "", 200, `"ok"`)},
			req:        req{"GET", "/api/items?a=1", ""},
			wantReason: "missing query parameter b",
		},
		{
			name:     "the origin of a recorded absolute URL is ignored",
			recorded: []Exchange{ex(1, "GET", "https://prod.example.com/api/me", "", 200, `"me"`)},
			req:      req{"GET", "/api/me", ""},
			wantBody: `"me"`,
		},
		{
			name:       "a different method does not match",
			recorded:   []Exchange{ex(1, "GET", "/api/me", "", 200, `"me"`)},
			req:        req{"DELETE", "/api/me", ""},
			wantReason: "method differs: got DELETE, recorded GET",
		},
		{
			name:     "JSON bodies compare structurally, not byte for byte",
			recorded: []Exchange{ex(1, "POST", "/api/chat", `{"prompt":"hi","opts":{"n":1,"tags":["a","b"]}}`, 200, `"r"`)},
			req:      req{"POST", "/api/chat", "{\n \"opts\": {\"tags\": [\"a\", \"b\"], \"n\": 1.0},\n \"prompt\": \"hi\" }"},
			wantBody: `"r"`,
		},
		{
			name:       "a differing JSON body field is named",
			recorded:   []Exchange{ex(1, "POST", "/api/chat", `{"prompt":"hi","opts":{"n":1}}`, 200, `"r"`)},
			req:        req{"POST", "/api/chat", `{"prompt":"hello","opts":{"n":1}}`},
			wantReason: `body.prompt differs: got "hello", recorded "hi"`,
		},
		{
			name:       "JSON array order matters",
			recorded:   []Exchange{ex(1, "POST", "/api/chat", `{"ids":[1,2]}`, 200, `"r"`)},
			req:        req{"POST", "/api/chat", `{"ids":[2,1]}`},
			wantReason: "body.ids[0] differs",
		},
		{
			name:       "an extra JSON body field is named",
			recorded:   []Exchange{ex(1, "POST", "/api/chat", `{"prompt":"hi"}`, 200, `"r"`)},
			req:        req{"POST", "/api/chat", `{"prompt":"hi","debug":true}`},
			wantReason: "body.debug is not in the recording",
		},
		{
			name:       "other bodies compare byte for byte",
			recorded:   []Exchange{ex(1, "POST", "/api/note", "hello world", 200, `"r"`)},
			req:        req{"POST", "/api/note", "world hello"},
			wantReason: "body differs",
		},
		{
			name:     "form bodies compare field by field, in any order",
			recorded: []Exchange{ex(1, "POST", "/api/form", "a=1&b=2", 200, `"r"`)},
			req:      req{"POST", "/api/form", "b=2&a=1"},
			wantBody: `"r"`,
		},
		{
			name:       "a form field's value matters",
			recorded:   []Exchange{ex(1, "POST", "/api/form", "user=dana&pwd=x", 200, `"r"`)},
			req:        req{"POST", "/api/form", "user=eve&pwd=x"},
			wantReason: "form field user differs",
		},
		{
			name:     "WithVolatileBodyFields ignores a form field's value (a scrubbed password)",
			recorded: []Exchange{ex(1, "POST", "/api/login", "user=dana&pwd=scrubb1", 200, `"r"`)},
			opts:     []Option{WithVolatileBodyFields("pwd")},
			req:      req{"POST", "/api/login", "user=dana&pwd=hunter2"},
			wantBody: `"r"`,
		},
		{
			name:       "a volatile form field must still be present",
			recorded:   []Exchange{ex(1, "POST", "/api/login", "user=dana&pwd=scrubb1", 200, `"r"`)},
			opts:       []Option{WithVolatileBodyFields("pwd")},
			req:        req{"POST", "/api/login", "user=dana"},
			wantReason: "form field pwd is missing",
		},
		{
			name: "a body that was not recorded is not compared",
			recorded: []Exchange{{Seq: 1, Method: "POST", URL: "/api/chat", Status: 200,
				ResponseBody: []byte(`"r"`), ResponseBodyCaptured: true, ResponseHeaders: jsonHeader(),
				Missing: []string{MissingRequestBody}}},
			req:      req{"POST", "/api/chat", `{"anything":1}`},
			wantBody: `"r"`,
		},
		{
			name:     "a cache-buster by name is tolerated",
			recorded: []Exchange{ex(1, "GET", "/api/feed?_=abc&cb=1&page=1", "", 200, `"feed"`)},
			req:      req{"GET", "/api/feed?page=1&cb=99&_=xyz", ""},
			wantBody: `"feed"`,
		},
		{
			name:       "a volatile parameter must still be present",
			recorded:   []Exchange{ex(1, "GET", "/api/feed?_=1&page=1", "", 200, `"feed"`)},
			req:        req{"GET", "/api/feed?page=1", ""},
			wantReason: "missing query parameter _",
		},
		{
			name:     "an epoch-millisecond value is tolerated under any name",
			recorded: []Exchange{ex(1, "GET", "/api/feed?since=1718000000000", "", 200, `"feed"`)},
			req:      req{"GET", "/api/feed?since=1750000000123", ""},
			wantBody: `"feed"`,
		},
		{
			name:     "an epoch-second value is tolerated under any name",
			recorded: []Exchange{ex(1, "GET", "/api/feed?at=1718000000", "", 200, `"feed"`)},
			req:      req{"GET", "/api/feed?at=1750000000", ""},
			wantBody: `"feed"`,
		},
		{
			name:     "a Math.random() value is tolerated under any name",
			recorded: []Exchange{ex(1, "GET", "/api/feed?r=0.8364829173", "", 200, `"feed"`)},
			req:      req{"GET", "/api/feed?r=0.1234567891", ""},
			wantBody: `"feed"`,
		},
		{
			name:       "a timestamp is not tolerated when the new value is not one",
			recorded:   []Exchange{ex(1, "GET", "/api/feed?since=1718000000000", "", 200, `"feed"`)},
			req:        req{"GET", "/api/feed?since=42", ""},
			wantReason: "query parameter since differs",
		},
		{
			name:       "a random token is not volatile unless named",
			recorded:   []Exchange{ex(1, "GET", "/api/file?sig=a1b2c3d4e5f6", "", 200, `"f"`)},
			req:        req{"GET", "/api/file?sig=ffffeeeedddd", ""},
			wantReason: "query parameter sig differs",
		},
		{
			name:     "WithVolatileParams adds names",
			recorded: []Exchange{ex(1, "GET", "/api/file?sig=a1b2c3d4e5f6", "", 200, `"f"`)},
			opts:     []Option{WithVolatileParams("SIG")},
			req:      req{"GET", "/api/file?sig=ffffeeeedddd", ""},
			wantBody: `"f"`,
		},
		{
			name: "an exact value beats a tolerated one",
			recorded: []Exchange{
				ex(1, "GET", "/api/item?id=1700000000", "", 200, `"item 0"`),
				ex(2, "GET", "/api/item?id=1700000005", "", 200, `"item 5"`),
			},
			req:      req{"GET", "/api/item?id=1700000005", ""},
			wantBody: `"item 5"`,
		},
		{
			name:       "body fields are not volatile by default",
			recorded:   []Exchange{ex(1, "POST", "/api/log", `{"requestId":"a1","msg":"x"}`, 200, `"ok"`)},
			req:        req{"POST", "/api/log", `{"requestId":"b2","msg":"x"}`},
			wantReason: "body.requestId differs",
		},
		{
			name:     "WithVolatileBodyFields ignores a field's value",
			recorded: []Exchange{ex(1, "POST", "/api/log", `{"meta":{"requestId":"a1"},"msg":"x"}`, 200, `"ok"`)},
			opts:     []Option{WithVolatileBodyFields("requestId")},
			req:      req{"POST", "/api/log", `{"meta":{"requestId":"b2"},"msg":"x"}`},
			wantBody: `"ok"`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := New(tc.recorded, append([]Option{WithLatency(LatencyNone)}, tc.opts...)...)
			srv := startMock(t, m)
			got := call(t, srv.URL, tc.req.method, tc.req.url, tc.req.body)
			if tc.wantReason == "" {
				if got.status != 200 || got.body != tc.wantBody {
					t.Fatalf("got %d %s, want 200 %s (mismatches: %s)", got.status, got.body, tc.wantBody, MismatchReport(m.Mismatches()))
				}
				return
			}
			if got.status != http.StatusNotImplemented {
				t.Fatalf("status = %d (%s), want 501", got.status, got.body)
			}
			ms := m.Mismatches()
			if len(ms) != 1 || len(ms[0].Candidates) == 0 {
				t.Fatalf("mismatches = %+v, want one with a candidate", ms)
			}
			if r := strings.Join(ms[0].Candidates[0].Reasons, "; "); !strings.Contains(r, tc.wantReason) {
				t.Errorf("reasons = %q, want one containing %q", r, tc.wantReason)
			}
		})
	}
}

func TestCustomMatcherReplacesTheRules(t *testing.T) {
	// A matcher that ignores bodies: any POST /api/chat matches.
	var seen []int
	ignoreBody := func(r *Request, e *Exchange) []string {
		seen = append(seen, e.Seq)
		return nil
	}
	recorded := []Exchange{
		ex(1, "POST", "/api/chat", `{"prompt":"a"}`, 200, `"r1"`),
		ex(2, "GET", "/api/chat", "", 200, `"g"`),
	}
	m := New(recorded, WithMatcher(ignoreBody), WithLatency(LatencyNone))
	srv := startMock(t, m)
	got := call(t, srv.URL, "POST", "/api/chat", `{"prompt":"zzz"}`)
	if got.status != 200 || got.body != `"r1"` {
		t.Fatalf("got %d %s, want the custom matcher to accept it", got.status, got.body)
	}
	if len(seen) != 1 || seen[0] != 1 {
		t.Errorf("matcher saw exchanges %v, want only [1] (same method and path)", seen)
	}
}

func TestDefaultMatcherIsUsableAlone(t *testing.T) {
	m := DefaultMatcher(Rules{VolatileParams: []string{"sig"}})
	e := ex(1, "POST", "https://x.test/api/a?sig=1&q=2", `{"a":1}`, 200, "")
	req, _ := http.NewRequest("POST", "http://127.0.0.1/api/a?q=2&sig=9", strings.NewReader(`{ "a" : 1 }`))
	in, err := NewRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	if r := m(in, &e); r != nil {
		t.Errorf("reasons = %v, want a match", r)
	}
	req2, _ := http.NewRequest("POST", "http://127.0.0.1/api/a?q=3&sig=9", strings.NewReader(`{"a":2}`))
	in2, _ := NewRequest(req2)
	r := strings.Join(m(in2, &e), "; ")
	for _, want := range []string{"query parameter q differs", "body.a differs"} {
		if !strings.Contains(r, want) {
			t.Errorf("reasons %q lack %q", r, want)
		}
	}
}

func TestUnmatchedRequestFailsClosedWithNearestCandidates(t *testing.T) {
	recorded := []Exchange{
		ex(1, "GET", "/api/chat", "", 200, `"history"`),
		ex(2, "POST", "/api/chat", `{"prompt":"draw a cat"}`, 200, `"cat"`),
		ex(3, "POST", "/api/upload", `{}`, 200, `"up"`),
	}
	recorded[1].Label = "step 4 · POST /api/chat"
	m := New(recorded, WithLatency(LatencyNone))
	srv := startMock(t, m)

	got := call(t, srv.URL, "POST", "/api/chat?v=2", `{"prompt":"draw a dog"}`)
	if got.status != http.StatusNotImplemented {
		t.Fatalf("status = %d, want 501", got.status)
	}
	if ct := got.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body struct {
		Error   string            `json:"error"`
		Request map[string]string `json:"request"`
		Cands   []Candidate       `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(got.body), &body); err != nil {
		t.Fatalf("501 body is not JSON: %v: %s", err, got.body)
	}
	if body.Request["method"] != "POST" || body.Request["url"] != "/api/chat?v=2" {
		t.Errorf("request named as %v, want POST /api/chat?v=2", body.Request)
	}
	if len(body.Cands) != 2 {
		t.Fatalf("candidates = %+v, want the POST and the GET on /api/chat", body.Cands)
	}
	first := strings.Join(body.Cands[0].Reasons, "; ")
	if body.Cands[0].Exchange != 2 || !strings.Contains(first, "body.prompt differs") || !strings.Contains(first, "extra query parameter v=2") {
		t.Errorf("nearest = #%d %q, want #2 naming body.prompt and the extra v", body.Cands[0].Exchange, first)
	}
	if !strings.Contains(strings.Join(body.Cands[1].Reasons, ";"), "method differs") {
		t.Errorf("second candidate reasons = %v, want method differs", body.Cands[1].Reasons)
	}

	j := m.Journal()
	if len(j) != 1 || j[0].Outcome != OutcomeUnmatched || j[0].Exchange != -1 || j[0].Mismatch == nil || j[0].Status != 501 {
		t.Fatalf("journal = %+v, want one unmatched entry with a mismatch", j)
	}
	report := MismatchReport(m.Mismatches())
	for _, want := range []string{"POST /api/chat?v=2", "#2 POST /api/chat (step 4 · POST /api/chat)", "body.prompt differs"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestUnknownPathNamesNearbyPaths(t *testing.T) {
	recorded := []Exchange{
		ex(1, "GET", "/api/orders/1", "", 200, `"o1"`),
		ex(2, "GET", "/static/app.js", "", 200, `"js"`),
	}
	m := New(recorded, WithLatency(LatencyNone))
	srv := startMock(t, m)
	if got := call(t, srv.URL, "GET", "/api/orders/2", ""); got.status != 501 {
		t.Fatalf("status = %d, want 501", got.status)
	}
	ms := m.Mismatches()
	if len(ms) != 1 || !strings.Contains(ms[0].Reason, "no recorded exchange for GET /api/orders/2") {
		t.Fatalf("mismatch = %+v", ms)
	}
	if len(ms[0].Candidates) != 1 || ms[0].Candidates[0].Exchange != 1 ||
		!strings.Contains(ms[0].Candidates[0].Reasons[0], "path differs") {
		t.Errorf("candidates = %+v, want only /api/orders/1 with path differs", ms[0].Candidates)
	}
}
