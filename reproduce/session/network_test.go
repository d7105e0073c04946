package session

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce/plan"
)

func TestRouterSendsEachRequestWhereItBelongs(t *testing.T) {
	r := router{
		appBase:        &url.URL{Scheme: "http", Host: "127.0.0.1:4000"},
		recordedOrigin: "http://imagechat.example.test:8080",
		apiOrigins:     []string{"https://api.example.test"},
		apiPaths:       []string{"/api/"},
	}
	cases := []struct {
		name    string
		url     string
		want    Disposition
		rewrite string
	}{
		{"app asset on the app origin", "http://127.0.0.1:4000/main.js", DispositionApp, ""},
		{"app api path is mocked", "http://127.0.0.1:4000/api/chat", DispositionMock, ""},
		{"recorded origin asset is mapped onto the app", "http://imagechat.example.test:8080/img/a.png?v=1", DispositionApp, "http://127.0.0.1:4000/img/a.png?v=1"},
		{"recorded origin api path is mocked", "http://imagechat.example.test:8080/api/chat", DispositionMock, ""},
		{"listed api origin is mocked", "https://api.example.test/v1/x", DispositionMock, ""},
		{"sentry envelope by path", "http://127.0.0.1:4000/api/42/envelope/", DispositionIngest, ""},
		{"sentry store by path", "https://o1.example.net/api/7/store/", DispositionIngest, ""},
		{"sentry ingest by host", "https://o1.ingest.sentry.io/api/42/envelope/?sentry_key=k", DispositionIngest, ""},
		{"external host is blocked", "https://example.com/x", DispositionBlocked, ""},
		{"another loopback port is blocked", "http://127.0.0.1:4001/v1/secret", DispositionBlocked, ""},
		{"websocket scheme is blocked", "ws://127.0.0.1:4000/live", DispositionBlocked, ""},
		{"https to the app's http origin is blocked", "https://127.0.0.1:4000/main.js", DispositionBlocked, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, rewrite := r.route(u)
			if got != tc.want || rewrite != tc.rewrite {
				t.Errorf("route(%s) = %s %q, want %s %q", tc.url, got, rewrite, tc.want, tc.rewrite)
			}
		})
	}
}

// apiRecorder is the stand-in mock backend: it answers everything 200 and
// remembers what it was asked.
type apiRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (a *apiRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.seen = append(a.seen, r.Method+" "+r.Host+r.URL.RequestURI()+" "+string(body))
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (a *apiRecorder) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

func TestNetworkIsFailClosed(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	var realHits sync.Map
	var realCount int
	var mu sync.Mutex
	real := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		realCount++
		mu.Unlock()
		realHits.Store(r.URL.Path, true)
		_, _ = io.WriteString(w, "LEAKED")
	}))
	defer real.Close()
	api := &apiRecorder{}
	pl := plan.Plan{
		StartURL:       "http://imagechat.example.test:8080/isolation/?real=" + url.QueryEscape(real.URL),
		RecordedOrigin: "http://imagechat.example.test:8080",
		APIOrigins:     []string{"https://api.example.test"},
		APIPaths:       []string{"/api/"},
		Steps: []plan.Step{
			{Index: 0, Kind: plan.StepNavigate, URL: "http://imagechat.example.test:8080/isolation/?real=" + url.QueryEscape(real.URL)},
			{Index: 1, Kind: plan.StepWait, Selectors: []string{"#done"}},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, API: api,
		Settle: SettlePolicy{Final: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Completed {
		t.Fatalf("run stopped at %d: %s", obs.StoppedAt, obs.StopReason)
	}

	mu.Lock()
	if realCount != 0 {
		t.Errorf("the real API server received %d requests; want 0", realCount)
	}
	mu.Unlock()

	got := api.requests()
	wantAPI := []string{
		"GET api.example.test/v1/ping ",
		`PUT api.example.test/v1/put {"b":2}`,
		"GET imagechat.example.test:8080/api/abs ",
		`POST 127.0.0.1`, // host varies: the loopback app server
	}
	if len(got) != len(wantAPI) {
		t.Fatalf("mock saw %d requests, want %d: %q", len(got), len(wantAPI), got)
	}
	for i, w := range wantAPI {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("mock request %d = %q, want prefix %q", i, got[i], w)
		}
	}
	if !strings.HasSuffix(got[3], `/api/items?x=1 {"a":1}`) {
		t.Errorf("own API call = %q, want the path, query and POST body", got[3])
	}

	byURL := map[string]NetworkRecord{}
	for _, r := range obs.Network {
		byURL[r.URL] = r
	}
	wantDisp := map[string]Disposition{
		"https://example.com/x":                                      DispositionBlocked,
		real.URL + "/v1/secret":                                      DispositionBlocked,
		"https://api.example.test/v1/ping":                           DispositionMock,
		"http://imagechat.example.test:8080/api/abs":                 DispositionMock,
		"https://o1.ingest.sentry.io/api/42/envelope/?sentry_key=k":  DispositionIngest,
		obs.AppURL + "/api/items?x=1":                                DispositionMock,
		obs.AppURL + "/isolation/?real=" + url.QueryEscape(real.URL): DispositionApp,
		"http://imagechat.example.test:8080/isolation/mapped.js":     DispositionApp,
	}
	for u, want := range wantDisp {
		r, ok := byURL[u]
		if !ok {
			t.Errorf("no network record for %s; have %v", u, keys(byURL))
			continue
		}
		if r.Disposition != want {
			t.Errorf("%s: disposition %s, want %s", u, r.Disposition, want)
		}
		if want == DispositionMock && r.Status != 200 {
			t.Errorf("%s: status %d, want 200", u, r.Status)
		}
	}
	if r := byURL[obs.AppURL+"/isolation/?real="+url.QueryEscape(real.URL)]; r.Status != 200 || r.Step != 0 {
		t.Errorf("document record = %+v, want status 200 at step 0", r)
	}

	if r := byURL["http://imagechat.example.test:8080/isolation/mapped.js"]; r.Status != 200 {
		t.Errorf("recorded-origin asset record = %+v, want it mapped onto the app and answered 200", r)
	}
	if !hasConsole(obs, "mapped asset loaded") {
		t.Error("the script on the recorded origin did not run from the app under test")
	}

	if len(obs.IngestEvents) != 1 {
		t.Fatalf("ingest events = %+v, want 1", obs.IngestEvents)
	}
	if ev := obs.IngestEvents[0]; ev.Type != "TypeError" || !strings.Contains(ev.Value, "reading 'url'") {
		t.Errorf("ingest event = %+v", ev)
	}

	// What the page itself saw: blocked calls fail, the others are answered.
	results := pageResults(t, obs)
	for name, want := range map[string]string{
		"external": "error ", "real_api": "error ", "listed_api": "200 ", "preflighted": "200 ", "recorded_abs": "200 ", "ingest": "200 {}", "own": "200 ",
	} {
		if !strings.HasPrefix(results[name], want) {
			t.Errorf("page saw %s = %q, want prefix %q", name, results[name], want)
		}
	}
}

// pageResults reads what a runner page logged as "results {json}": each
// attempt's name and what it got.
func pageResults(t *testing.T, obs *Observation) map[string]string {
	t.Helper()
	var results map[string]string
	for _, c := range obs.Console {
		if rest, ok := strings.CutPrefix(c.Text, "results "); ok {
			if err := json.Unmarshal([]byte(rest), &results); err != nil {
				t.Fatal(err)
			}
		}
	}
	return results
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func hasConsole(obs *Observation, text string) bool {
	for _, c := range obs.Console {
		if c.Text == text {
			return true
		}
	}
	return false
}

func TestURLAppIsReachedThroughTheRecordedOrigin(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	app := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("testdata", "runner"))))
	defer app.Close()
	page := "https://shop.example.test/determinism/?q=1#frag"
	pl := plan.Plan{StartURL: page, Steps: []plan.Step{{Index: 0, Kind: plan.StepNavigate, URL: page}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{URL: app.URL}, Settle: SettlePolicy{Final: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Completed {
		t.Fatalf("stopped: %s", obs.StopReason)
	}
	if want := app.URL + "/determinism/?q=1#frag"; obs.FinalURL != want {
		t.Errorf("final URL = %q, want %q", obs.FinalURL, want)
	}
	if len(obs.Network) == 0 || obs.Network[0].Disposition != DispositionApp || obs.Network[0].Status != 200 {
		t.Errorf("network = %+v, want the document served by the app", obs.Network)
	}
}

// TestARecordedRedirectOfACrossOriginCallIsFollowed: a recorded API on
// another origin that answered with a redirect (307, method and body kept)
// is answered so by the mock, and the page's fetch follows it to the
// recorded answer, preflighted or not. (Playwright turns Chromium's
// AvoidCorsURLLoaderRestartOnRedirect off because Chromium 155+ aborts
// such redirects under its Fetch interception, microsoft/playwright#43242;
// under repro's, which answers preflights itself, they are followed with
// the feature on, as this test shows on Chromium 156.)
func TestARecordedRedirectOfACrossOriginCallIsFollowed(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/moved":
			w.Header().Set("Location", "https://api.example.test/v1/here")
			w.WriteHeader(http.StatusTemporaryRedirect)
		case "/v1/here":
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"method":"`+r.Method+`","body":"`+strings.ReplaceAll(string(body), `"`, `'`)+`"}`)
		default:
			http.NotFound(w, r)
		}
	})
	pl := plan.Plan{
		StartURL:       "http://imagechat.example.test:8080/redirect/",
		RecordedOrigin: "http://imagechat.example.test:8080",
		APIOrigins:     []string{"https://api.example.test"},
		Steps: []plan.Step{
			{Index: 0, Kind: plan.StepNavigate, URL: "http://imagechat.example.test:8080/redirect/"},
			{Index: 1, Kind: plan.StepWait, Selectors: []string{"#done"}},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, API: api})
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Completed {
		t.Fatalf("run stopped at %d: %s", obs.StoppedAt, obs.StopReason)
	}
	results := pageResults(t, obs)
	for name, want := range map[string]string{
		"simple":      `200 /v1/here {"method":"GET","body":""}`,
		"preflighted": `200 /v1/here {"method":"PUT","body":"{'b':2}"}`,
	} {
		if results[name] != want {
			t.Errorf("page saw %s = %q, want %q", name, results[name], want)
		}
	}
}
