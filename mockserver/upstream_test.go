package mockserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// localBackend is the engineer's local backend: it records what reached it.
type localBackend struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

func newLocalBackend(t *testing.T) *localBackend {
	b := &localBackend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.hits = append(b.hits, r.Method+" "+r.URL.RequestURI()+" "+string(body))
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"from":"local backend"}`)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *localBackend) Hits() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.hits...)
}

func TestUpstreamForwarding(t *testing.T) {
	skipped := Exchange{Seq: 1, Method: "POST", URL: "/api/skipped?q=1", Status: 200,
		ResponseHeaders: jsonHeader(), Missing: []string{MissingResponseBody}}
	recorded := ex(2, "GET", "/api/recorded", "", 200, `"from recording"`)
	cases := []struct {
		name             string
		forwardUnmatched bool
		method, url      string
		body             string
		wantStatus       int
		wantBody         string
		wantHit          string // "" = the backend must not be called
		wantOutcome      Outcome
		wantExchange     int
	}{
		{
			name: "a body that was not recorded comes from the local backend", method: "POST",
			url: "/api/skipped?q=1", body: `{"x":1}`, wantStatus: 202, wantBody: `{"from":"local backend"}`,
			wantHit: `POST /api/skipped?q=1 {"x":1}`, wantOutcome: OutcomeUpstream, wantExchange: 1,
		},
		{
			name: "a recorded body is still served from the recording", method: "GET", url: "/api/recorded",
			wantStatus: 200, wantBody: `"from recording"`, wantOutcome: OutcomeRecorded, wantExchange: 2,
		},
		{
			name: "unmatched requests still fail closed unless asked", method: "GET", url: "/api/other",
			wantStatus: 501, wantOutcome: OutcomeUnmatched, wantExchange: -1,
		},
		{
			name: "unmatched requests are forwarded when asked", forwardUnmatched: true, method: "GET",
			url: "/api/other", wantStatus: 202, wantBody: `{"from":"local backend"}`,
			wantHit: "GET /api/other ", wantOutcome: OutcomeUpstream, wantExchange: -1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			backend := newLocalBackend(t)
			m := New([]Exchange{skipped, recorded}, WithLatency(LatencyNone), WithUpstream(backend.URL, tc.forwardUnmatched))
			got := call(t, startMock(t, m).URL, tc.method, tc.url, tc.body)
			if got.status != tc.wantStatus || (tc.wantBody != "" && got.body != tc.wantBody) {
				t.Errorf("got %d %s, want %d %s", got.status, got.body, tc.wantStatus, tc.wantBody)
			}
			hits := backend.Hits()
			if tc.wantHit == "" && len(hits) != 0 {
				t.Errorf("backend was called: %v", hits)
			}
			if tc.wantHit != "" && (len(hits) != 1 || hits[0] != tc.wantHit) {
				t.Errorf("backend hits = %q, want [%q]", hits, tc.wantHit)
			}
			j := m.Journal()
			if len(j) != 1 || j[0].Outcome != tc.wantOutcome || j[0].Exchange != tc.wantExchange {
				t.Fatalf("journal = %+v, want outcome %s exchange %d", j, tc.wantOutcome, tc.wantExchange)
			}
			if tc.forwardUnmatched && j[0].Mismatch == nil {
				t.Error("a forwarded unmatched request lost its mismatch report")
			}
		})
	}
}

func TestUpstreamMustBeLoopback(t *testing.T) {
	cases := []struct {
		name    string
		url     string
		opts    []Option
		wantErr string
	}{
		{"loopback IP is accepted", "http://127.0.0.1:8080", nil, ""},
		{"localhost is accepted", "http://localhost:3000/base", nil, ""},
		{"IPv6 loopback is accepted", "http://[::1]:3000", nil, ""},
		{"a remote host is refused", "https://api.example.com", nil, "not on loopback"},
		{"a LAN address is refused", "http://192.168.1.20:80", nil, "not on loopback"},
		{"a remote host is allowed when insisted", "https://api.example.com", []Option{AllowRemoteUpstream()}, ""},
		{"a URL without scheme is refused", "localhost:3000", nil, "http:// or https://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := New(nil, append([]Option{WithUpstream(tc.url, false)}, tc.opts...)...)
			err := m.Err()
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Err() = %v, want nil", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Err() = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestUpstreamDownIsA502NotASilentFallback(t *testing.T) {
	// A backend that hangs up without answering. (A closed port is not
	// used: another process may take it over.)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(backend.Close)
	dead := backend.URL
	skipped := Exchange{Seq: 1, Method: "GET", URL: "/api/skipped", Status: 200, Missing: []string{MissingResponseBody}}
	m := New([]Exchange{skipped}, WithLatency(LatencyNone), WithUpstream(dead, false))
	got := call(t, startMock(t, m).URL, "GET", "/api/skipped", "")
	if got.status != http.StatusBadGateway || !strings.Contains(got.body, "upstream") {
		t.Errorf("got %d %s, want 502 naming the upstream", got.status, got.body)
	}
	if j := m.Journal(); j[0].Note != NoteUpstreamError || j[0].Outcome != OutcomeUpstream {
		t.Errorf("journal = %+v, want upstream with note %s", j[0], NoteUpstreamError)
	}
}
