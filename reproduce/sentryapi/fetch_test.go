package sentryapi_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

func TestFetchBundleFollowsOneSegmentPagesAndWritesTheBundle(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithPerPage(1)},
		sentryapi.WithUserAgent("repro/v1.2.3"))
	dir := filepath.Join(t.TempDir(), "out", realReplayID)

	res, err := h.client.FetchBundle(context.Background(), mustRef(t, realReplayID), dir)
	require.NoError(t, err)

	assert.Equal(t, dir, res.Dir)
	assert.Equal(t, 3, res.SegmentsExpected)
	assert.Equal(t, 3, res.SegmentsFetched)
	assert.Equal(t, 1, res.ErrorsFetched)
	assert.False(t, res.Partial)

	// replay.json is the details response byte for byte.
	want, _ := os.ReadFile(filepath.Join(realBundle, "replay.json"))
	got, _ := os.ReadFile(filepath.Join(dir, "replay.json"))
	assert.Equal(t, string(want), string(got))

	// recording-segments.json is the flattened pages, in segment order.
	var wantSegs, gotSegs any
	readJSON(t, filepath.Join(realBundle, "recording-segments.json"), &wantSegs)
	readJSON(t, filepath.Join(dir, "recording-segments.json"), &gotSegs)
	assert.Equal(t, wantSegs, gotSegs)

	var evs []map[string]any
	readJSON(t, filepath.Join(dir, "errors.json"), &evs)
	require.Len(t, evs, 1)
	assert.Equal(t, realErrorID, evs[0]["event_id"])

	var info map[string]any
	readJSON(t, filepath.Join(dir, "fetch.json"), &info)
	assert.Equal(t, realReplayID, info["replay_id"])
	assert.Equal(t, "acme", info["org"])
	assert.Equal(t, h.srv.URL+"/api/0/organizations/acme/replays/"+realReplayID+"/", info["source_url"])
	assert.Equal(t, false, info["partial"])
	assert.Equal(t, float64(3), info["segments_expected"])
	assert.Equal(t, float64(3), info["segments_fetched"])
	assert.Equal(t, []any{}, info["warnings"])
	assert.Equal(t, "2026-11-25T14:00:00Z", info["fetched_at"])

	reqs := h.srv.Requests()
	var cursors []string
	for _, r := range reqs {
		assert.True(t, r.AuthOK, "%s sent the Bearer token", r.Path)
		assert.Equal(t, "repro/v1.2.3", r.UserAgent)
		if strings.HasSuffix(r.Path, "/recording-segments/") {
			assert.Equal(t, "/api/0/projects/acme/1/replays/"+realReplayID+"/recording-segments/", r.Path)
			assert.Equal(t, "true", r.Query.Get("download"))
			assert.Equal(t, "100", r.Query.Get("per_page"))
			cursors = append(cursors, r.Query.Get("cursor"))
		}
		if strings.HasSuffix(r.Path, "/replays-events-meta/") {
			assert.Equal(t, "replayId:["+realReplayID+"]", r.Query.Get("query"))
			assert.Equal(t, "2026-11-25T13:11:22.757Z", r.Query.Get("start"))
			assert.Equal(t, "2026-11-25T13:11:42.000Z", r.Query.Get("end"), "finished_at truncated to seconds, plus one")
			assert.Equal(t, "discover", r.Query.Get("dataset"))
			assert.Equal(t, "-1", r.Query.Get("project"))
		}
	}
	assert.Equal(t, []string{"", "0:1:0", "0:2:0"}, cursors, "one page per segment, following Link next cursors")
	assert.Equal(t, 1, countPath(reqs, "/events/"+realErrorID+"/"))
	assert.Empty(t, h.sleep.all(), "no retries on a healthy server")
	assertNoTempDirs(t, filepath.Dir(dir))
}

func assertNoTempDirs(t *testing.T, parent string) {
	t.Helper()
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), ".repro-fetch-"), "leftover temp dir %s", e.Name())
	}
}

func TestUserAgentWithoutWithUserAgentIsRepro(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle)})
	_, err := h.client.FetchBundle(context.Background(), mustRef(t, realReplayID), filepath.Join(t.TempDir(), realReplayID))
	require.NoError(t, err)
	reqs := h.srv.Requests()
	require.True(t, len(reqs) > 0, "the fetch made requests")
	for _, r := range reqs {
		assert.Equal(t, "repro", r.UserAgent, r.Path)
	}
}

func TestFetchBundleFaults(t *testing.T) {
	archived := func(t *testing.T) string {
		return copyBundle(t, func(d map[string]any) { d["is_archived"] = true; d["count_segments"] = nil })
	}
	tests := []struct {
		name       string
		bundle     func(t *testing.T) string
		fake       []sentrytest.Option
		client     []sentryapi.Option
		token      string // client token; "" is the right one
		ref        string
		wantErr    []error
		wantMsg    []string
		wantSleeps []string // time.Duration.String() of each wait
		partial    bool     // the bundle is written and flagged partial
		warning    string
	}{
		{
			name: "wrong token is unauthorized and names the scope", token: "wrong-token",
			wantErr: []error{sentryapi.ErrUnauthorized}, wantMsg: []string{"HTTP 401", "Invalid token", "SENTRY_AUTH_TOKEN", "org:read"},
		},
		{
			name:    "403 on segments names project:read",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Status: 403})},
			wantErr: []error{sentryapi.ErrUnauthorized}, wantMsg: []string{"HTTP 403", "lacks the project:read scope"},
		},
		{
			name:    "404 replay says not found or past retention",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteReplayDetails, Status: 404})},
			ref:     "http://HOST/organizations/acme/replays/" + realReplayID + "/",
			wantErr: []error{sentryapi.ErrNotFound}, wantMsg: []string{"HTTP 404", "not found", "retention"},
		},
		{
			name:    "unknown bare id is neither a replay nor an event",
			ref:     strings.Repeat("ab", 16),
			wantErr: []error{sentryapi.ErrNotFound}, wantMsg: []string{"no replay and no event", "retention"},
		},
		{
			name:       "429 with Retry-After is honoured then succeeds",
			fake:       []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Times: 2, Status: 429, RetryAfter: "7"})},
			wantSleeps: []string{"7s", "7s"},
		},
		{
			name:       "429 with X-Sentry-Rate-Limit-Reset waits until the reset",
			fake:       []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteReplayDetails, Times: 1, Status: 429, RateLimitReset: "1795615205"})},
			wantSleeps: []string{"5s"},
		},
		{
			name:    "429 forever gives up after bounded retries",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Status: 429, RetryAfter: "2"})},
			wantErr: []error{sentryapi.ErrRateLimited}, wantMsg: []string{"HTTP 429", "wait"},
			wantSleeps: []string{"2s", "2s", "2s"},
		},
		{
			name:    "429 asking to wait beyond the cap fails at once",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Status: 429, RetryAfter: "3600"})},
			wantErr: []error{sentryapi.ErrRateLimited}, wantMsg: []string{"asks to wait 1h0m0s"},
		},
		{
			name:       "500 then OK retries with jittered exponential backoff",
			fake:       []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Skip: 1, Times: 2, Status: 500})},
			wantSleeps: []string{"75ms", "150ms"},
		},
		{
			name:    "500 forever is unavailable",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteReplayDetails, Status: 502})},
			wantErr: []error{sentryapi.ErrUnavailable}, wantMsg: []string{"HTTP 502", "try again later"},
			wantSleeps: []string{"75ms", "150ms", "300ms"},
		},
		{
			name:       "timeout then OK",
			fake:       []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Times: 1, Delay: 10 * 60e9})},
			client:     []sentryapi.Option{sentryapi.WithTimeout(200e6)},
			wantSleeps: []string{"75ms"},
		},
		{
			name:    "truncated pagination is incomplete",
			fake:    []sentrytest.Option{sentrytest.WithTruncatedSegments(2)},
			wantErr: []error{sentryapi.ErrIncomplete}, wantMsg: []string{"got 2 of 3 recording segments", "--allow-partial"},
		},
		{
			name:    "truncated pagination with AllowPartial is flagged partial",
			fake:    []sentrytest.Option{sentrytest.WithTruncatedSegments(2)},
			client:  []sentryapi.Option{sentryapi.WithAllowPartial(true)},
			partial: true, warning: "got 2 of 3 recording segments",
		},
		{
			name:    "a missing page is incomplete",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Skip: 1, Status: 404})},
			wantErr: []error{sentryapi.ErrIncomplete, sentryapi.ErrNotFound}, wantMsg: []string{"page 1 failed"},
		},
		{
			name:    "a missing page with AllowPartial is flagged partial",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Skip: 2, Status: 404})},
			client:  []sentryapi.Option{sentryapi.WithAllowPartial(true)},
			partial: true, warning: "got 2 of 3",
		},
		{
			name:    "a lost segment blob is incomplete",
			fake:    []sentrytest.Option{sentrytest.WithEmptySegment(1)},
			wantErr: []error{sentryapi.ErrIncomplete}, wantMsg: []string{"got 2 of 3"},
		},
		{
			name:    "a linked error that cannot be fetched is incomplete",
			fake:    []sentrytest.Option{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteEvent, Status: 403})},
			wantErr: []error{sentryapi.ErrIncomplete, sentryapi.ErrUnauthorized}, wantMsg: []string{"error event " + realErrorID},
		},
		{
			name:    "archived replay says the recording is gone",
			bundle:  archived,
			wantErr: []error{sentryapi.ErrArchived}, wantMsg: []string{"deleted its recording"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bundle := realBundle
			if tc.bundle != nil {
				bundle = tc.bundle(t)
			}
			fake := append([]sentrytest.Option{sentrytest.WithBundle(bundle), sentrytest.WithPerPage(1)}, tc.fake...)
			h := newHarness(t, fake, tc.client...)
			client := h.client
			if tc.token != "" {
				cfg := h.cfg
				cfg.Token = tc.token
				client = sentryapi.NewClient(cfg, append([]sentryapi.Option{sentryapi.WithSleep(h.sleep.sleep),
					sentryapi.WithJitter(func() float64 { return 0.5 }), sentryapi.WithRetry(3, 100e6)}, tc.client...)...)
			}
			ref := realReplayID
			if tc.ref != "" {
				ref = strings.Replace(tc.ref, "http://HOST", h.srv.URL, 1)
			}
			dir := filepath.Join(t.TempDir(), "bundle")

			res, err := client.FetchBundle(context.Background(), mustRef(t, ref), dir)

			var sleeps []string
			for _, d := range h.sleep.all() {
				sleeps = append(sleeps, d.String())
			}
			assert.Equal(t, tc.wantSleeps, sleeps, "waits between attempts")
			assertNoTempDirs(t, filepath.Dir(dir))
			if len(tc.wantErr) > 0 {
				require.Error(t, err)
				t.Logf("message: %v", err)
				for _, want := range tc.wantErr {
					assert.ErrorIs(t, err, want)
				}
				for _, m := range tc.wantMsg {
					assert.Contains(t, err.Error(), m)
				}
				assert.NotContains(t, err.Error(), "\n", "one-line message")
				_, statErr := os.Stat(dir)
				assert.True(t, os.IsNotExist(statErr), "a failed fetch leaves no bundle dir")
				return
			}
			require.NoError(t, err)
			var info sentryapi.FetchInfo
			readJSON(t, filepath.Join(dir, "fetch.json"), &info)
			assert.Equal(t, tc.partial, info.Partial)
			assert.Equal(t, tc.partial, res.Partial)
			if tc.warning != "" {
				assert.Contains(t, strings.Join(info.Warnings, "|"), tc.warning)
			}
			if !tc.partial {
				var segs []json.RawMessage
				readJSON(t, filepath.Join(dir, "recording-segments.json"), &segs)
				assert.Len(t, segs, 3)
			}
		})
	}
}
