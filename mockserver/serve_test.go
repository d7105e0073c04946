package mockserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRepeatedRequestsGetRecordedOrderThenLast(t *testing.T) {
	cases := []struct {
		name     string
		recorded []Exchange
		method   string
		urls     []string // one request each, in order
		body     string
		want     []string
	}{
		{
			name: "third POST gets third response, fourth repeats it",
			recorded: []Exchange{
				ex(1, "POST", "/api/chat", `{"p":"x"}`, 200, `"r1"`),
				ex(2, "POST", "/api/chat", `{"p":"x"}`, 200, `"r2"`),
				ex(3, "POST", "/api/chat", `{"p":"x"}`, 200, `"r3"`),
			},
			method: "POST", body: `{"p":"x"}`,
			urls: []string{"/api/chat", "/api/chat", "/api/chat", "/api/chat"},
			want: []string{`"r1"`, `"r2"`, `"r3"`, `"r3"`},
		},
		{
			name: "order follows Seq, not slice order",
			recorded: []Exchange{
				ex(20, "GET", "/api/poll", "", 200, `"second"`),
				ex(10, "GET", "/api/poll", "", 200, `"first"`),
			},
			method: "GET",
			urls:   []string{"/api/poll", "/api/poll"},
			want:   []string{`"first"`, `"second"`},
		},
		{
			name: "polls with cache-busters are one repeated request",
			recorded: []Exchange{
				ex(1, "GET", "/api/status?_=1718000000001", "", 200, `"pending"`),
				ex(2, "GET", "/api/status?_=1718000000002", "", 200, `"pending"`),
				ex(3, "GET", "/api/status?_=1718000000003", "", 200, `"done"`),
			},
			method: "GET",
			urls:   []string{"/api/status?_=1", "/api/status?_=2", "/api/status?_=3", "/api/status?_=4"},
			want:   []string{`"pending"`, `"pending"`, `"done"`, `"done"`},
		},
		{
			name: "exchanges without a recorded body interleave in recorded order",
			recorded: func() []Exchange {
				skipped := ex(2, "POST", "/api/chat", "", 200, `"r2"`)
				skipped.Missing = []string{MissingRequestBody}
				return []Exchange{
					ex(1, "POST", "/api/chat", `{"p":"x"}`, 200, `"r1"`),
					skipped,
					ex(3, "POST", "/api/chat", `{"p":"x"}`, 200, `"r3"`),
					ex(4, "POST", "/api/chat", `{"p":"other"}`, 200, `"other"`),
				}
			}(),
			method: "POST", body: `{"p":"x"}`,
			urls: []string{"/api/chat", "/api/chat", "/api/chat", "/api/chat"},
			want: []string{`"r1"`, `"r2"`, `"r3"`, `"r3"`},
		},
		{
			name: "different requests keep separate cursors",
			recorded: []Exchange{
				ex(1, "GET", "/api/a", "", 200, `"a1"`),
				ex(2, "GET", "/api/b", "", 200, `"b1"`),
				ex(3, "GET", "/api/a", "", 200, `"a2"`),
			},
			method: "GET",
			urls:   []string{"/api/b", "/api/a", "/api/b", "/api/a"},
			want:   []string{`"b1"`, `"a1"`, `"b1"`, `"a2"`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := New(tc.recorded, WithLatency(LatencyNone))
			srv := startMock(t, m)
			for i, u := range tc.urls {
				got := call(t, srv.URL, tc.method, u, tc.body)
				if got.status != 200 || got.body != tc.want[i] {
					t.Fatalf("request %d: got %d %s, want %s", i+1, got.status, got.body, tc.want[i])
				}
			}
		})
	}
}

func TestRepeatBeyondRecordedIsJournaled(t *testing.T) {
	recorded := []Exchange{
		ex(1, "POST", "/api/pay", `{"n":1}`, 200, `"paid"`),
		ex(2, "POST", "/api/pay", `{"n":1}`, 409, `"already paid"`),
	}
	m := New(recorded, WithLatency(LatencyNone))
	srv := startMock(t, m)
	for range 3 {
		call(t, srv.URL, "POST", "/api/pay", `{"n":1}`)
	}
	j := m.Journal()
	want := []struct {
		outcome  Outcome
		exchange int
		call     int
		note     string
	}{{OutcomeRecorded, 1, 1, ""}, {OutcomeRecorded, 2, 2, ""}, {OutcomeRepeated, 2, 3, NoteBeyondRecorded}}
	if len(j) != len(want) {
		t.Fatalf("journal has %d entries, want %d", len(j), len(want))
	}
	for i, w := range want {
		if j[i].Outcome != w.outcome || j[i].Exchange != w.exchange || j[i].Call != w.call || j[i].Note != w.note || j[i].Recorded != 2 {
			t.Errorf("entry %d = %+v, want %+v of 2 recorded", i, j[i], w)
		}
	}
	if j[2].Seq != 3 {
		t.Errorf("journal Seq = %d, want 3", j[2].Seq)
	}

	m.Reset()
	if got := call(t, srv.URL, "POST", "/api/pay", `{"n":1}`); got.body != `"paid"` {
		t.Errorf("after Reset got %s, want the first response again", got.body)
	}
	if j := m.Journal(); len(j) != 1 || j[0].Seq != 1 {
		t.Errorf("after Reset journal = %+v, want one entry numbered 1", j)
	}
}

func TestStrictRepeatsFailClosedBeyondRecording(t *testing.T) {
	m := New([]Exchange{ex(1, "POST", "/api/pay", `{}`, 200, `"paid"`)}, WithLatency(LatencyNone), WithStrictRepeats())
	srv := startMock(t, m)
	if got := call(t, srv.URL, "POST", "/api/pay", `{}`); got.status != 200 {
		t.Fatalf("first call status = %d, want 200", got.status)
	}
	got := call(t, srv.URL, "POST", "/api/pay", `{}`)
	if got.status != http.StatusNotImplemented || !strings.Contains(got.body, "more calls than were recorded") {
		t.Fatalf("second call = %d %s, want 501 naming more calls than recorded", got.status, got.body)
	}
	ms := m.Mismatches()
	if len(ms) != 1 || len(ms[0].Candidates) != 1 || ms[0].Candidates[0].Exchange != 1 {
		t.Errorf("mismatches = %+v, want the one recorded exchange as candidate", ms)
	}
}

func TestSyntheticBodyWhenResponseWasNotCaptured(t *testing.T) {
	skipped := func(ct string, status int) Exchange {
		h := http.Header{"Content-Length": {"1234"}, "X-Request-Id": {"abc"}}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		return Exchange{Seq: 1, Method: "GET", URL: "/api/x", Status: status, ResponseHeaders: h,
			Missing: []string{MissingResponseBody}}
	}
	cases := []struct {
		name          string
		e             Exchange
		wantSynthetic bool
		wantBody      string // substring
		wantCT        string
	}{
		{"JSON type gets a JSON synthetic body", skipped("application/json", 200), true, `"_repro_synthetic":true`, "application/json"},
		{"unknown type gets a JSON synthetic body", skipped("", 200), true, `"_repro_synthetic":true`, "application/json"},
		{"text type gets a text synthetic body", skipped("text/html", 500), true, "[repro synthetic body]", "text/html"},
		{"204 has no body to make up", skipped("", 204), false, "", ""},
		{"captured flag does not override Missing", func() Exchange {
			e := skipped("application/json", 200)
			e.ResponseBody, e.ResponseBodyCaptured = []byte(`"stale"`), true
			return e
		}(), true, `"_repro_synthetic":true`, "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := New([]Exchange{tc.e}, WithLatency(LatencyNone))
			srv := startMock(t, m)
			got := call(t, srv.URL, "GET", "/api/x", "")
			if got.status != tc.e.Status {
				t.Errorf("status = %d, want recorded %d", got.status, tc.e.Status)
			}
			if got.header.Get("X-Request-Id") != "abc" {
				t.Errorf("recorded header X-Request-Id not served")
			}
			j := m.Journal()
			if len(j) != 1 || j[0].Synthetic != tc.wantSynthetic {
				t.Fatalf("journal = %+v, want Synthetic=%v", j, tc.wantSynthetic)
			}
			if !tc.wantSynthetic {
				if got.body != "" || got.header.Get(HeaderSynthetic) != "" {
					t.Errorf("got body %q, header %q; want neither", got.body, got.header.Get(HeaderSynthetic))
				}
				return
			}
			if !strings.Contains(got.body, tc.wantBody) || !strings.Contains(got.body, "not captured") {
				t.Errorf("body = %q, want a synthetic note containing %q", got.body, tc.wantBody)
			}
			if cl := got.header.Get("Content-Length"); cl != strconv.Itoa(len(got.body)) {
				t.Errorf("Content-Length = %s for a %d-byte body (the recorded 1234 leaked)", cl, len(got.body))
			}
			if got.header.Get(HeaderSynthetic) != "body" {
				t.Errorf("%s = %q, want body", HeaderSynthetic, got.header.Get(HeaderSynthetic))
			}
			if ct := got.header.Get("Content-Type"); ct != tc.wantCT {
				t.Errorf("Content-Type = %q, want %q", ct, tc.wantCT)
			}
			if j[0].Outcome != OutcomeSynthetic || !m.Summary().DependsOnSynthetic() {
				t.Errorf("outcome %s / summary %+v, want synthetic", j[0].Outcome, m.Summary())
			}
		})
	}
}

func TestMissingResponseHeadersAreFlagged(t *testing.T) {
	e := Exchange{Seq: 1, Method: "GET", URL: "/api/x", Status: 200, ResponseBody: []byte(`{"a":1}`),
		ResponseBodyCaptured: true, Missing: []string{MissingResponseHeaders}}
	m := New([]Exchange{e}, WithLatency(LatencyNone))
	got := call(t, startMock(t, m).URL, "GET", "/api/x", "")
	if got.body != `{"a":1}` || got.header.Get(HeaderSynthetic) != "headers" || got.header.Get("Content-Type") != "application/json" {
		t.Errorf("got %q %v, want the body, a JSON type and %s: headers", got.body, got.header, HeaderSynthetic)
	}
	if j := m.Journal(); j[0].Synthetic || j[0].Note != NoteSyntheticHdrs {
		t.Errorf("journal = %+v, want recorded body with note %s", j[0], NoteSyntheticHdrs)
	}
}

func TestLatencyPolicy(t *testing.T) {
	recorded := ex(1, "GET", "/api/slow", "", 200, `"s"`)
	recorded.Latency = 200 * time.Millisecond
	cases := []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"recorded latency is the default", nil, 200 * time.Millisecond},
		{"none serves at once", []Option{WithLatency(LatencyNone)}, 0},
		{"scaled halves it", []Option{WithLatency(Scaled(0.5))}, 100 * time.Millisecond},
		{"scaled doubles it", []Option{WithLatency(Scaled(2))}, 400 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
			m := New([]Exchange{recorded}, append([]Option{WithClock(clk)}, tc.opts...)...)
			call(t, startMock(t, m).URL, "GET", "/api/slow", "")
			j := m.Journal()
			if len(j) != 1 || j[0].Latency != tc.want || !j[0].Time.Equal(clk.now) {
				t.Fatalf("journal = %+v, want planned latency %v at the clock's time", j, tc.want)
			}
			if len(clk.sleeps) != 1 || clk.sleeps[0] != tc.want {
				t.Errorf("clock slept %v, want [%v]", clk.sleeps, tc.want)
			}
		})
	}
}

func TestParseLatency(t *testing.T) {
	cases := []struct {
		in      string
		want    time.Duration // Delay(100ms)
		wantErr bool
	}{
		{"", 100 * time.Millisecond, false},
		{"recorded", 100 * time.Millisecond, false},
		{"none", 0, false},
		{"0.5x", 50 * time.Millisecond, false},
		{"2", 200 * time.Millisecond, false},
		{"-1", 0, true},
		{"fast", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParseLatency(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err == nil && p.Delay(100*time.Millisecond) != tc.want {
				t.Errorf("Delay = %v, want %v", p.Delay(100*time.Millisecond), tc.want)
			}
		})
	}
}

func TestLatencyWaitEndsWhenClientLeaves(t *testing.T) {
	e := ex(1, "GET", "/api/slow", "", 200, `"s"`)
	e.Latency = time.Hour // the test would time out if the wait ignored the context
	m := New([]Exchange{e})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/api/slow", nil).WithContext(ctx))
	if rec.Body.Len() != 0 {
		t.Errorf("wrote %q to a client that left", rec.Body.String())
	}
	if j := m.Journal(); len(j) != 1 || j[0].Note != NoteClientGone {
		t.Errorf("journal = %+v, want note %s", j, NoteClientGone)
	}
}

func TestRecordedNetworkErrorAbortsTheConnection(t *testing.T) {
	e := ex(1, "GET", "/api/flaky", "", 0, "")
	m := New([]Exchange{e}, WithLatency(LatencyNone))
	srv := startMock(t, m)
	resp, err := http.Get(srv.URL + "/api/flaky")
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want the connection aborted", resp.StatusCode)
	}
	if j := m.Journal(); len(j) != 1 || j[0].Note != NoteNetworkError || j[0].Exchange != 1 {
		t.Errorf("journal = %+v, want exchange 1 with note %s", j, NoteNetworkError)
	}
}

func TestMisconfiguredMockAnswers500(t *testing.T) {
	m := New([]Exchange{{Seq: 1, Method: "GET", URL: "http://[::1", Status: 200}})
	if m.Err() == nil {
		t.Fatal("Err() = nil for a malformed exchange URL")
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/anything", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "misconfigured") {
		t.Errorf("got %d %s, want 500 misconfigured", rec.Code, rec.Body.String())
	}
	if _, err := Start(context.Background(), m, ""); err == nil {
		t.Error("Start accepted a misconfigured Mock")
	}
}

func TestConcurrentIdenticalRequestsEachGetOneRecordedResponse(t *testing.T) {
	const n = 100
	var recorded []Exchange
	for i := 1; i <= n; i++ {
		recorded = append(recorded, ex(i, "POST", "/api/seq", `{"same":true}`, 200, strconv.Itoa(i)))
	}
	m := New(recorded, WithLatency(LatencyNone))
	srv := startMock(t, m)
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got []int
	)
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", srv.URL+"/api/seq", strings.NewReader(`{"same":true}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var v int
			if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, v)
			mu.Unlock()
			_ = m.Journal() // concurrent reads must be safe too
		})
	}
	wg.Wait()
	sort.Ints(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("responses %v: want each of 1..%d exactly once", got, n)
		}
	}
	if s := m.Summary(); s.Recorded != n || s.Repeated != 0 {
		t.Errorf("summary = %+v", s)
	}
}

func TestJournalLimitKeepsCounting(t *testing.T) {
	m := New([]Exchange{ex(1, "GET", "/a", "", 200, `1`)}, WithLatency(LatencyNone), WithJournalLimit(2))
	srv := startMock(t, m)
	for range 5 {
		call(t, srv.URL, "GET", "/a", "")
	}
	if j, s := m.Journal(), m.Summary(); len(j) != 2 || s.Requests != 5 || s.Dropped != 3 {
		t.Errorf("journal %d entries, summary %+v; want 2 kept of 5, 3 dropped", len(j), s)
	}
}

func TestRoutesListWhatIsServed(t *testing.T) {
	m := New([]Exchange{
		ex(1, "GET", "/api/b", "", 200, ""), ex(2, "POST", "/api/a", "", 200, ""),
		ex(3, "GET", "/api/a?x=1", "", 200, ""), ex(4, "GET", "https://h/api/a", "", 200, ""),
	})
	got := fmt.Sprint(m.Routes())
	if want := "[{GET /api/a 2} {POST /api/a 1} {GET /api/b 1}]"; got != want {
		t.Errorf("Routes() = %s, want %s", got, want)
	}
}

func TestExchangesWithoutUniqueSeqAreNumberedInSliceOrder(t *testing.T) {
	a, b := ex(0, "GET", "/a", "", 200, `"first"`), ex(0, "GET", "/a", "", 200, `"second"`)
	m := New([]Exchange{a, b}, WithLatency(LatencyNone))
	srv := startMock(t, m)
	if got := call(t, srv.URL, "GET", "/a", ""); got.body != `"first"` {
		t.Fatalf("first call got %s", got.body)
	}
	call(t, srv.URL, "GET", "/a", "")
	if j := m.Journal(); j[0].Exchange != 1 || j[1].Exchange != 2 {
		t.Errorf("journal exchanges = %d, %d; want 1, 2", j[0].Exchange, j[1].Exchange)
	}
}
