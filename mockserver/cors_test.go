package mockserver

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The tests below talk to a real loopback server started with Start, as
// `repro serve` does, with the headers a browser sends: a page on another
// origin can read an answer only if Access-Control-Allow-Origin names it.

// startServed serves m with Start (the Host check included).
func startServed(t *testing.T, m *Mock) string {
	t.Helper()
	srv, err := Start(context.Background(), m, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.URL()
}

// corsRecording is a POST with a recorded JSON request header set and a GET.
func corsRecording() []Exchange {
	post := ex(1, "POST", "/api/chat", `{"p":"x"}`, 500, `{"error":"generation_failed","email":"dana@corp.test"}`)
	post.RequestHeaders = http.Header{"Content-Type": {"application/json"}, "X-Requested-With": {"fetch"}}
	return []Exchange{post, ex(2, "GET", "/api/me", "", 200, `{"email":"dana@corp.test"}`)}
}

func preflight(t *testing.T, base, origin, method, headers string) response {
	t.Helper()
	hdr := []string{"Origin", origin, "Access-Control-Request-Method", method}
	if headers != "" {
		hdr = append(hdr, "Access-Control-Request-Headers", headers)
	}
	return call(t, base, http.MethodOptions, "/api/chat", "", hdr...)
}

func TestCORSPreflightIsAnsweredOnlyForAllowedOriginsWithRecordedMethodsAndHeaders(t *testing.T) {
	cases := []struct {
		name             string
		cors             CORS
		origin, method   string
		headers          string
		wantStatus       int
		wantAllowOrigin  string
		wantAllowMethods string
		wantAllowHeaders string
	}{
		{"loopback dev server by name", CORS{}, "http://localhost:3000", "POST", "content-type",
			http.StatusNoContent, "http://localhost:3000", "GET, POST", "content-type, x-requested-with"},
		{"loopback by IPv4", CORS{}, "http://127.0.0.1:5173", "POST", "", http.StatusNoContent, "http://127.0.0.1:5173", "GET, POST", "content-type, x-requested-with"},
		{"loopback by IPv6 over https", CORS{}, "https://[::1]:8443", "GET", "", http.StatusNoContent, "https://[::1]:8443", "GET, POST", "content-type, x-requested-with"},
		{"a foreign website", CORS{}, "https://evil.example", "POST", "content-type", http.StatusForbidden, "", "", ""},
		{"a site named like localhost", CORS{}, "http://localhost.evil.example", "POST", "", http.StatusForbidden, "", "", ""},
		{"the null origin of a sandboxed frame or file page", CORS{}, "null", "POST", "", http.StatusForbidden, "", "", ""},
		{"an origin added explicitly", CORS{Origins: []string{"https://App.Dev.Example:8443/"}}, "https://app.dev.example:8443", "POST", "",
			http.StatusNoContent, "https://app.dev.example:8443", "GET, POST", "content-type, x-requested-with"},
		{"another port of an added origin is still foreign", CORS{Origins: []string{"https://app.dev.example:8443"}}, "https://app.dev.example:8444", "POST", "",
			http.StatusForbidden, "", "", ""},
		{"a method the recording never used", CORS{}, "http://localhost:3000", "DELETE", "", http.StatusForbidden, "", "", ""},
		{"a header the recording never carried", CORS{}, "http://localhost:3000", "POST", "content-type, x-admin", http.StatusForbidden, "", "", ""},
		{"a header added explicitly", CORS{Headers: []string{"Authorization"}}, "http://localhost:3000", "POST", "authorization",
			http.StatusNoContent, "http://localhost:3000", "GET, POST", "authorization, content-type, x-requested-with"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := New(corsRecording(), WithLatency(LatencyNone), WithCORS(tc.cors))
			base := startServed(t, m)
			got := preflight(t, base, tc.origin, tc.method, tc.headers)
			if got.status != tc.wantStatus {
				t.Fatalf("preflight = %d %s, want %d", got.status, got.body, tc.wantStatus)
			}
			for name, want := range map[string]string{
				"Access-Control-Allow-Origin":      tc.wantAllowOrigin,
				"Access-Control-Allow-Methods":     tc.wantAllowMethods,
				"Access-Control-Allow-Headers":     tc.wantAllowHeaders,
				"Access-Control-Allow-Credentials": "",
			} {
				if g := got.header.Get(name); g != want {
					t.Errorf("%s = %q, want %q", name, g, want)
				}
			}
			if n := len(m.Journal()); n != 0 {
				t.Errorf("a preflight was journaled as an app call (%d entries)", n)
			}
		})
	}
}

func TestCORSForeignOriginCannotReadOrDriveTheMock(t *testing.T) {
	backend := newLocalBackend(t)
	m := New(corsRecording(), WithLatency(LatencyNone), WithCORS(CORS{}), WithUpstream(backend.URL, true))
	base := startServed(t, m)
	for _, tc := range []struct{ method, target, body string }{
		{"GET", "/api/me", ""},                         // recorded: would leak the user's email
		{"POST", "/api/chat", `{"p":"x"}`},             // recorded
		{"POST", "/api/transfer", `{"to":"attacker"}`}, // unmatched: would be forwarded upstream
	} {
		got := call(t, base, tc.method, tc.target, tc.body, "Origin", "https://evil.example", "Content-Type", "text/plain")
		if got.status != http.StatusForbidden || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s %s from a foreign origin = %d (ACAO %q), want 403 without ACAO", tc.method, tc.target, got.status, got.header.Get("Access-Control-Allow-Origin"))
		}
		if strings.Contains(got.body, "dana@corp.test") {
			t.Errorf("%s %s leaked the recording: %s", tc.method, tc.target, got.body)
		}
		if !strings.Contains(got.body, "--allow-origin") {
			t.Errorf("the refusal does not say how to allow an origin: %s", got.body)
		}
	}
	if hits := backend.Hits(); len(hits) != 0 {
		t.Errorf("a foreign page drove the local backend: %v", hits)
	}
	if n := len(m.Journal()); n != 0 {
		t.Errorf("refused requests were matched (%d journal entries)", n)
	}
}

func TestCORSAllowedOriginReadsTheAnswerWithCredentialsOnlyWhenAsked(t *testing.T) {
	for _, creds := range []bool{false, true} {
		m := New(corsRecording(), WithLatency(LatencyNone), WithCORS(CORS{Credentials: creds}))
		base := startServed(t, m)
		got := call(t, base, "POST", "/api/chat", `{"p":"x"}`, "Origin", "http://localhost:3000", "Content-Type", "application/json")
		if got.status != 500 || !strings.Contains(got.body, "generation_failed") {
			t.Fatalf("recorded answer = %d %s", got.status, got.body)
		}
		if g := got.header.Get("Access-Control-Allow-Origin"); g != "http://localhost:3000" {
			t.Errorf("Access-Control-Allow-Origin = %q", g)
		}
		want := ""
		if creds {
			want = "true"
		}
		if g := got.header.Get("Access-Control-Allow-Credentials"); g != want {
			t.Errorf("credentials %v: Access-Control-Allow-Credentials = %q, want %q", creds, g, want)
		}
		if !strings.Contains(strings.Join(got.header.Values("Vary"), ","), "Origin") {
			t.Errorf("Vary = %q, want Origin (caches must not mix origins)", got.header.Values("Vary"))
		}
	}
}

func TestCORSWithoutTheOptionLeavesOriginsAlone(t *testing.T) {
	// The rerun answers CORS itself in-process; the Mock then neither
	// answers preflights (fail-closed 501) nor refuses an Origin.
	m := New(corsRecording(), WithLatency(LatencyNone))
	base := startMock(t, m).URL
	if got := preflight(t, base, "http://localhost:3000", "POST", ""); got.status != http.StatusNotImplemented {
		t.Errorf("preflight without WithCORS = %d, want 501 (fail closed)", got.status)
	}
	if got := call(t, base, "GET", "/api/me", "", "Origin", "https://shop.example.test"); got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET with an Origin = %d, ACAO %q", got.status, got.header.Get("Access-Control-Allow-Origin"))
	}
}

func TestCORSOriginsAreCheckedWhenTheMockIsBuilt(t *testing.T) {
	for _, bad := range []string{"*", "null", "evil.example", "https://app.test/path", "ftp://app.test", "https://user@app.test"} {
		if _, err := ParseOrigin(bad); err == nil {
			t.Errorf("ParseOrigin(%q) accepted it", bad)
		}
		if m := New(nil, WithCORS(CORS{Origins: []string{bad}})); m.Err() == nil {
			t.Errorf("New accepted origin %q", bad)
		}
	}
	for in, want := range map[string]string{"HTTPS://App.Test:443": "https://app.test", "http://app.test:8080/": "http://app.test:8080", "http://[::1]:80": "http://[::1]"} {
		if got, err := ParseOrigin(in); err != nil || got != want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestServerRefusesHostsThatAreNotLoopback(t *testing.T) {
	m := New(corsRecording(), WithLatency(LatencyNone))
	base := startServed(t, m)
	port := base[strings.LastIndexByte(base, ':')+1:]
	cases := []struct {
		host string
		want int
	}{
		{"127.0.0.1:" + port, http.StatusOK},
		{"localhost:" + port, http.StatusOK},
		{"app.localhost:" + port, http.StatusOK},
		{"[::1]:" + port, http.StatusOK},
		{"evil.example:" + port, http.StatusMisdirectedRequest}, // DNS rebound to 127.0.0.1
		{"evil.example", http.StatusMisdirectedRequest},
		{"127.0.0.1.evil.example:" + port, http.StatusMisdirectedRequest},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", base+"/api/me", nil)
		req.Host = tc.host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Host %s: %d %s, want %d", tc.host, resp.StatusCode, body, tc.want)
		}
		if tc.want != http.StatusOK && (strings.Contains(string(body), "dana@corp.test") || !strings.Contains(string(body), "is not loopback")) {
			t.Errorf("Host %s: body %s", tc.host, body)
		}
	}
	if n := len(m.Journal()); n != 4 {
		t.Errorf("journal has %d entries, want only the 4 loopback requests", n)
	}
}
