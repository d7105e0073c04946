package session

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/plan"
)

// standIn is a real loopback server standing in for a place the rerun must
// never reach (the recorded API origin, the app's real backend, a Sentry
// ingest). It counts every request and every connection, WebSocket
// handshakes included.
type standIn struct {
	name string
	srv  *httptest.Server
	mu   sync.Mutex
	hits []string
	conn int
}

func newStandIn(t *testing.T, name string) *standIn { return newStandInOn(t, name, "127.0.0.1") }

// newStandInOn is a stand-in listening on host.
func newStandInOn(t *testing.T, name, host string) *standIn {
	s := &standIn{name: name}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.Method+" "+r.URL.String())
		s.mu.Unlock()
		_, _ = io.WriteString(w, "LEAKED to "+name)
	}))
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.conn++
			s.mu.Unlock()
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	require.NoError(t, err)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// seen is what reached the stand-in: requests, and connections (a
// connection with no request is a leak too: a preconnect, a socket).
func (s *standIn) seen() (hits []string, conns int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...), s.conn
}

// slowAPI is the mock backend of the leak page: it holds /slow until the
// request is cancelled (a request still in flight when the run ends).
type slowAPI struct{ apiRecorder }

func (a *slowAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/slow") {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		return
	}
	a.apiRecorder.ServeHTTP(w, r)
}

// leakRun runs the leak page (testdata/runner/leaks) through every way out
// of the sandbox and returns the stand-ins, counted 2 s after the session
// closed, and the observation.
func leakRun(t *testing.T, layers guardLayers) (map[string]*standIn, *Observation) {
	t.Helper()
	return leakRunOn(t, testBrowser(t), "127.0.0.1", layers)
}

// leakStandIns starts the stand-ins of the leak pages on host, and returns
// them with the query that tells a leak page where they are.
func leakStandIns(t *testing.T, host string) (map[string]*standIn, url.Values) {
	t.Helper()
	ins := map[string]*standIn{}
	for _, n := range []string{"recorded", "api", "backend", "ingest"} {
		ins[n] = newStandInOn(t, n, host)
	}
	q := url.Values{}
	for n, s := range ins {
		q.Set(n, s.srv.URL)
	}
	q.Set("ingest", ins["ingest"].srv.URL+"/api/1/envelope/?sentry_key=k")
	return ins, q
}

// leakPlan is a plan that opens start, a leak page on the recorded
// stand-in, and then takes steps; the API stand-in is the recorded API.
func leakPlan(ins map[string]*standIn, start string, steps ...plan.Step) plan.Plan {
	return plan.Plan{
		StartURL:       start,
		RecordedOrigin: ins["recorded"].srv.URL,
		APIOrigins:     []string{ins["api"].srv.URL},
		APIPaths:       []string{"/api/"},
		Steps:          append([]plan.Step{{Index: 0, Kind: plan.StepNavigate, URL: start}}, steps...),
	}
}

// leakRunOn is leakRun on browser b, with the stand-ins listening on host
// (where b's host reaches this machine).
func leakRunOn(t *testing.T, b *Browser, host string, layers guardLayers) (map[string]*standIn, *Observation) {
	t.Helper()
	ins, q := leakStandIns(t, host)
	recorded := ins["recorded"].srv.URL
	start := recorded + "/leaks/?" + q.Encode()
	pl := leakPlan(ins, start,
		plan.Step{Index: 1, Kind: plan.StepWait, Selectors: []string{"#done"}, Duration: 20 * time.Second},
		plan.Step{Index: 2, Kind: plan.StepClick, Selectors: []string{"#popup"}},
		plan.Step{Index: 3, Kind: plan.StepNavigate, URL: recorded + "/leaks/second.html?" + q.Encode()},
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// Short settles: the page's /slow call is never answered, so every
	// step after it waits its settle out (NetworkIdle, then QuietMax and
	// NetworkIdle again, up to four times); what the test counts does not
	// depend on them (the page says when it is done: #done).
	obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, API: &slowAPI{},
		Settle: SettlePolicy{Final: 300 * time.Millisecond, DeadClickWindow: 300 * time.Millisecond, NetworkIdle: 300 * time.Millisecond, QuietMax: 500 * time.Millisecond}, layers: layers})
	require.NoError(t, err)
	time.Sleep(2 * time.Second) // what a page sends late still counts
	return ins, obs
}

// TestNothingLeavesTheSandbox runs the leak page with both layers of the
// fail-closed network, then with each layer alone (the other one broken:
// layer 1 continuing every request, or layer 2 forwarding every request),
// and checks that no stand-in server received a request or even a
// connection: each layer alone is enough.
func TestNothingLeavesTheSandbox(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		layers guardLayers
	}{
		{"both layers", guardLayers{}},
		{"interception alone (the proxy forwards everything)", guardLayers{proxyOpen: true}},
		{"the proxy alone (interception continues everything)", guardLayers{interceptionOpen: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each has its stand-ins and session; most of a run is settle waits
			ins, obs := leakRun(t, tc.layers)
			requireNoLeak(t, ins, obs)
		})
	}
}

// requireNoLeak checks a leak page run: it followed every step, the page
// tried every way out (its workers ran), and no stand-in got a request or
// a connection.
func requireNoLeak(t *testing.T, ins map[string]*standIn, obs *Observation) {
	t.Helper()
	require.True(t, obs.Completed, "the leak page run stopped at %d: %s", obs.StoppedAt, obs.StopReason)
	var results map[string]json.RawMessage
	for _, c := range obs.Console {
		if rest, ok := strings.CutPrefix(c.Text, "results "); ok {
			require.NoError(t, json.Unmarshal([]byte(rest), &results))
		}
	}
	require.NotEmpty(t, results, "the leak page did not finish (no results line)")
	for _, k := range []string{"worker", "shared", "sw"} {
		assert.NotContains(t, string(results[k]), "error ", "the %s did not run, so it proved nothing", k)
	}
	for n, s := range ins {
		hits, conns := s.seen()
		assert.Empty(t, hits, "requests reached the %s stand-in", n)
		assert.Zero(t, conns, "connections reached the %s stand-in", n)
	}
}

// TestUnloadAndLateRequestsAreJournaled checks, with both layers on, what
// the session saw of the ways out: requests from workers, the service
// worker, iframes and the popup, and the beacons of a page unloading as
// the run navigates on, were attributed to the session and blocked, and
// the page's sockets leaving the app were refused. (A worker's sockets
// are refused too, as TestNothingLeavesTheSandbox shows, but a worker has
// no binding to report them through, so they are not journaled.) The
// beacons the last page sends as its tab closes are
// TestTheClosingPagesBeaconsAreJournaled's.
//
// Chromium drops a page's pagehide beacon now and then when its renderer
// is short of CPU (seen once in CI; the closing page's beacons likewise):
// a run whose journal lacks only that beacon is done again, up to three
// times in all; anything else missing fails at once.
func TestUnloadAndLateRequestsAreJournaled(t *testing.T) {
	t.Parallel()
	want := []string{"/page", "/worker", "/shared", "/sw-install", "/frame", "/popup", "/ws-page", "/api/live", "/beacon-pagehide"}
	for attempt := 1; ; attempt++ {
		_, obs := leakRun(t, guardLayers{})
		blocked := map[string]bool{}
		for _, r := range obs.Network {
			if r.Disposition == DispositionBlocked {
				u, err := url.Parse(r.URL)
				if err == nil {
					blocked[u.Path] = true
				}
			}
		}
		var missing []string
		for _, p := range want {
			if !blocked[p] {
				missing = append(missing, p)
			}
		}
		if len(missing) == 1 && missing[0] == "/beacon-pagehide" && attempt < 3 {
			t.Logf("run %d: no pagehide beacon in the journal (Chromium cut the page's unload short?)", attempt)
			continue
		}
		assert.Empty(t, missing, "no blocked request for these in the journal (run %d); blocked: %v", attempt, blocked)
		return
	}
}

// TestTheClosingPagesBeaconsAreJournaled: the beacons a page sends from its
// pagehide handler as the session closes its tab are answered while the
// session still owns the tab's context, and are in the journal, each with
// its disposition: to the recorded origin the app, to the API origin the
// mock, to the ingest the capture, to anywhere else blocked; none reaches
// a stand-in.
//
// The session unloads the page before it closes the tab, because Chromium
// drops some of a closing tab's beacons when its renderer is short of CPU;
// should a run's journal still lack some, the run is done again, up to
// three times in all: only a session that loses them every time fails.
func TestTheClosingPagesBeaconsAreJournaled(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	ins, q := leakStandIns(t, "127.0.0.1")
	recorded := ins["recorded"].srv.URL
	start := recorded + "/leaks/second.html?" + q.Encode()
	pl := leakPlan(ins, start, plan.Step{Index: 1, Kind: plan.StepWait, Selectors: []string{"#second"}, Duration: 10 * time.Second})
	want := map[string]Disposition{
		ins["recorded"].srv.URL: DispositionApp,
		ins["api"].srv.URL:      DispositionMock,
		ins["backend"].srv.URL:  DispositionBlocked,
		ins["ingest"].srv.URL:   DispositionIngest,
	}
	var missing []string
	for attempt := 1; attempt <= 3; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, API: &apiRecorder{}})
		cancel()
		require.NoError(t, err)
		require.True(t, obs.Completed, "the run stopped at %d: %s", obs.StoppedAt, obs.StopReason)
		got := map[string]Disposition{}
		for _, r := range obs.Network {
			if strings.Contains(r.URL, "/second-beacon") {
				u, err := url.Parse(r.URL)
				require.NoError(t, err)
				got[u.Scheme+"://"+u.Host] = r.Disposition
			}
		}
		missing = missing[:0]
		for origin, d := range want {
			g, ok := got[origin]
			if !ok {
				missing = append(missing, origin)
				continue
			}
			assert.Equal(t, d, g, "the beacon to %s", origin)
		}
		if len(missing) == 0 {
			break
		}
		t.Logf("run %d: no beacon to %v in the journal (Chromium cut the page's unload short?)", attempt, missing)
	}
	assert.Empty(t, missing, "three runs in a row lost the closing page's beacons to %v", missing)
	for n, s := range ins {
		hits, conns := s.seen()
		assert.Empty(t, hits, "requests reached the %s stand-in", n)
		assert.Zero(t, conns, "connections reached the %s stand-in", n)
	}
}
