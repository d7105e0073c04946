package sentryapi_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

// Sentry's answers about a replay are untrusted too: a misbehaving server
// (or one a proxy rewrites) must not make the client page forever, read
// without bound, send the token somewhere else or in clear, or build paths
// from ids that are not ids.

// recorder is a plain-HTTP listener that must receive nothing.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits []string
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits = append(r.hits, req.Host+req.URL.Path+" auth="+req.Header.Get("Authorization"))
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.hits...)
}

// splitDialer sends https (port 443) to the TLS fake and plain http (port
// 80) to rec, for any host name.
func splitDialer(srv *sentrytest.Server, rec *recorder) *http.Client {
	tlsAddr, _ := url.Parse(srv.URL)
	plainAddr, _ := url.Parse(rec.srv.URL)
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		to := tlsAddr.Host
		if strings.HasSuffix(addr, ":80") {
			to = plainAddr.Host
		}
		return (&net.Dialer{}).DialContext(ctx, network, to)
	}
	tr.TLSClientConfig.ServerName = "example.com" // httptest's certificate
	return &http.Client{Transport: tr}
}

func TestRedirectsAreFollowedOnlyWhereTheTokenMayGo(t *testing.T) {
	detailsPath := "/api/0/organizations/acme/replays/" + realReplayID + "/"
	tests := []struct {
		name     string
		location string
		follow   bool
	}{
		{"https to http on the same host is refused", "http://sentry.test" + detailsPath, false},
		{"to another host over http is refused", "http://evil.test" + detailsPath, false},
		{"to another host over https is refused", "https://evil.test" + detailsPath, false},
		{"to a subdomain over https is followed", "https://us.sentry.test" + detailsPath, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := sentrytest.New(t, sentrytest.WithTLS(), sentrytest.WithBundle(realBundle),
				sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteReplayDetails, Times: 1, Status: http.StatusFound, Location: tc.location}))
			rec := newRecorder(t)
			client := sentryapi.NewClient(sentryapi.Config{URL: "https://sentry.test", Token: srv.Token, Org: srv.Org},
				sentryapi.WithHTTPClient(splitDialer(srv, rec)), sentryapi.WithSleep((&sleeper{}).sleep))
			_, err := client.FetchBundle(context.Background(), mustRef(t, realReplayID), filepath.Join(t.TempDir(), "b"))
			assert.Empty(t, rec.all(), "nothing reaches a plain-HTTP listener")
			if tc.follow {
				require.NoError(t, err)
				assert.Equal(t, 2, countPath(srv.Requests(), detailsPath), "the redirect was followed")
				return
			}
			assert.ErrorIs(t, err, sentryapi.ErrConfig)
			assert.Contains(t, err.Error(), "refused a redirect")
			assert.Equal(t, 1, countPath(srv.Requests(), detailsPath), "refused at once, not retried")
			for _, r := range srv.Requests() {
				assert.True(t, strings.HasSuffix(r.Host, "sentry.test"), "request to %s", r.Host)
			}
		})
	}
}

func TestHTTPSentryMayRedirectOnlyWithinItsOwnHost(t *testing.T) {
	detailsPath := "/api/0/organizations/acme/replays/" + realReplayID + "/"
	for _, tc := range []struct {
		location string
		follow   bool
	}{{"http://sentry.test" + detailsPath + "?again=1", true}, {"http://us.sentry.test" + detailsPath, false}} {
		srv := sentrytest.New(t, sentrytest.WithBundle(realBundle),
			sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteReplayDetails, Times: 1, Status: http.StatusFound, Location: tc.location}))
		client := sentryapi.NewClient(sentryapi.Config{URL: "http://sentry.test", Token: srv.Token, Org: srv.Org},
			sentryapi.WithHTTPClient(hostDialer(srv)))
		_, err := client.FetchBundle(context.Background(), mustRef(t, realReplayID), filepath.Join(t.TempDir(), "b"))
		if tc.follow {
			assert.NoError(t, err, tc.location)
			continue
		}
		assert.ErrorIs(t, err, sentryapi.ErrConfig, tc.location)
		for _, r := range srv.Requests() {
			assert.Equal(t, "sentry.test", r.Host, "%s", tc.location)
		}
	}
}

func TestLinkURLsAreNeverFollowedOnlyTheirCursor(t *testing.T) {
	rec := newRecorder(t)
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithPerPage(1),
		sentrytest.WithLinkBase(rec.srv.URL)})
	res, err := h.client.FetchBundle(context.Background(), mustRef(t, realReplayID), filepath.Join(t.TempDir(), "b"))
	require.NoError(t, err)
	assert.Equal(t, 3, res.SegmentsFetched)
	assert.Equal(t, 3, countPath(h.srv.Requests(), "/recording-segments/"), "every page asked of the configured server")
	assert.Empty(t, rec.all(), "the Link URLs' host got nothing")
}

func TestFetchLimitsAreNamedWhenHit(t *testing.T) {
	noCount := func(t *testing.T) string {
		return copyBundle(t, func(d map[string]any) { delete(d, "count_segments") })
	}
	hugeCount := func(t *testing.T) string {
		return copyBundle(t, func(d map[string]any) { d["count_segments"] = 1_000_000_000 })
	}
	tests := []struct {
		name     string
		bundle   func(t *testing.T) string
		fake     []sentrytest.Option
		client   []sentryapi.Option
		limit    string
		msg      string
		segCalls int // recording-segments requests made; 0: not checked
	}{
		{"endless pages without count_segments stop at the default page cap", noCount,
			[]sentrytest.Option{sentrytest.WithEndlessPages(), sentrytest.WithPerPage(1)}, nil,
			sentryapi.LimitPages, "Sentry kept paging past 100 pages, the page cap", 100},
		{"an absurd count_segments stops at the page cap", hugeCount,
			[]sentrytest.Option{sentrytest.WithEndlessPages(), sentrytest.WithPerPage(1)}, []sentryapi.Option{sentryapi.WithMaxPages(7)},
			sentryapi.LimitPages, "past 7 pages, the page cap", 7},
		{"endless error listing stops at the page cap", nil,
			[]sentrytest.Option{sentrytest.WithEndlessPages()}, []sentryapi.Option{sentryapi.WithMaxPages(5)},
			sentryapi.LimitPages, "errors of replay " + realReplayID + ": Sentry kept paging past 5 pages", 0},
		{"the fetch size cap counts every response of the fetch", nil, nil, []sentryapi.Option{sentryapi.WithMaxFetchBytes(20_000)},
			sentryapi.LimitFetchBytes, "Sentry sent more than 20000 bytes, the fetch size cap", 0},
		{"one response larger than the cap is refused", nil, nil, []sentryapi.Option{sentryapi.WithMaxFetchBytes(1 << 10)},
			sentryapi.LimitFetchBytes, "more than 1024 bytes, the fetch size cap", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bundle := realBundle
			if tc.bundle != nil {
				bundle = tc.bundle(t)
			}
			h := newHarness(t, append([]sentrytest.Option{sentrytest.WithBundle(bundle)}, tc.fake...), tc.client...)
			dir := filepath.Join(t.TempDir(), "b")
			_, err := h.client.FetchBundle(context.Background(), mustRef(t, realReplayID), dir)
			var le *sentryapi.LimitError
			require.True(t, errors.As(err, &le), "FetchBundle = %v, want a LimitError", err)
			assert.Equal(t, tc.limit, le.Limit)
			assert.ErrorIs(t, err, sentryapi.ErrTooLarge)
			assert.Contains(t, err.Error(), tc.msg)
			if tc.segCalls > 0 {
				assert.Equal(t, tc.segCalls, countPath(h.srv.Requests(), "/recording-segments/"))
			}
			_, statErr := os.Stat(dir)
			assert.True(t, errors.Is(statErr, fs.ErrNotExist), "nothing is written")
		})
	}
}

func TestFetchedBundlesAreReadableByTheirOwnerOnly(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithEvent(feedbackEvent(realReplayID))})
	root := t.TempDir()
	cache := sentryapi.Cache{Dir: filepath.Join(root, "cache", "repro", "replays")}
	_, err := h.client.Bundle(context.Background(), mustRef(t, realReplayID), cache, false)
	require.NoError(t, err)
	_, err = h.client.Bundle(context.Background(), mustRef(t, feedbackID), cache, true) // writes a by-event alias
	require.NoError(t, err)
	_, err = h.client.FetchBundle(context.Background(), mustRef(t, realReplayID), filepath.Join(root, "out", "bundle"))
	require.NoError(t, err)

	n := 0
	for _, top := range []string{filepath.Join(root, "cache"), filepath.Join(root, "out")} {
		err = filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			assert.Equal(t, want, info.Mode().Perm(), "%s", path)
			n++
			return nil
		})
		require.NoError(t, err)
	}
	assert.True(t, n >= 12, "walked the cache, the alias and the -o bundle (%d entries)", n)
}

func TestIDsFromSentryAreCheckedBeforeUse(t *testing.T) {
	const evil = "../../../../etc/x"
	t.Run("details naming another replay are refused", func(t *testing.T) {
		h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithFault(sentrytest.Fault{
			Route: sentrytest.RouteReplayDetails, Status: 200, Body: `{"data":{"id":"` + evil + `\n","project_id":"1","count_segments":1}}`})})
		dir := filepath.Join(t.TempDir(), "b")
		_, err := h.client.FetchBundle(context.Background(), mustRef(t, realReplayID), dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `Sentry's details name replay "../../../../etc/x\n" instead`)
		assert.Equal(t, 0, countPath(h.srv.Requests(), "/recording-segments/"))
	})
	t.Run("error rows whose id is not an event id are skipped", func(t *testing.T) {
		h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithFault(sentrytest.Fault{
			Route: sentrytest.RouteEventsMeta, Status: 200, Body: `{"data":[{"id":"` + evil + `","project.name":"frontend"}]}`})})
		res, err := h.client.FetchBundle(context.Background(), mustRef(t, realReplayID), filepath.Join(t.TempDir(), "b"))
		require.NoError(t, err)
		assert.Equal(t, 1, res.ErrorsFetched, "the details' error_ids still find the real error")
		for _, r := range h.srv.Requests() {
			assert.NotContains(t, r.Path, "..")
			assert.NotContains(t, r.Path, "etc")
		}
	})
	t.Run("replay-count ids that are not replay ids are dropped", func(t *testing.T) {
		h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithFault(sentrytest.Fault{
			Route: sentrytest.RouteReplayCount, Status: 200, Body: `{"4001":["` + evil + `","` + realReplayID + `","zz"]}`})})
		got, err := h.client.ResolveIssue(context.Background(), "", "4001")
		require.NoError(t, err)
		assert.Equal(t, []string{realReplayID}, got.ReplayIDs)
	})
	t.Run("a feedback event naming a bad replay id names no replay", func(t *testing.T) {
		h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithEvent(feedbackEvent(evil))})
		_, err := h.client.FetchBundle(context.Background(), mustRef(t, feedbackID), filepath.Join(t.TempDir(), "b"))
		assert.ErrorIs(t, err, sentryapi.ErrNotFound)
		assert.Equal(t, 0, countPath(h.srv.Requests(), "/replays/"+realReplayID))
	})
	t.Run("a replay argument that is not an id is refused before any request", func(t *testing.T) {
		for _, arg := range []string{evil, "aad5acad5eac456d9c1478f10cb6584", "aad5acad5eac456d9c1478f10cb6584b/../x", "https://acme.sentry.io/replays/" + url.PathEscape(evil) + "/"} {
			_, err := sentryapi.ParseRef(arg)
			assert.Error(t, err, "%q", arg)
		}
	})
}
