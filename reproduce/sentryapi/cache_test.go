package sentryapi_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

const feedbackID = "f00dbacc0ffee0000000000000000001"

func feedbackEvent(replayID string) []byte {
	return []byte(`{"eventID":"` + feedbackID + `","id":"` + feedbackID + `","title":"User Feedback","type":"generic",` +
		`"contexts":{"feedback":{"message":"Generate does nothing","contact_email":"dana.lee@example.com","replay_id":"` + replayID + `","source":"widget"}}}`)
}

func TestBundleCache(t *testing.T) {
	tests := []struct {
		name string
		ref  string
	}{
		{"replay id", realReplayID},
		{"replay URL", "http://HOST/organizations/acme/replays/" + realReplayID + "/"},
		{"feedback event id (remembered as an alias)", feedbackID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithEvent(feedbackEvent(realReplayID))})
			cache := sentryapi.Cache{Dir: filepath.Join(t.TempDir(), "cache")}
			ref := mustRef(t, strings.Replace(tc.ref, "http://HOST", h.srv.URL, 1))
			ctx := context.Background()

			dir, err := h.client.Bundle(ctx, ref, cache, false)
			require.NoError(t, err)
			assert.Equal(t, cache.Path(realReplayID), dir)
			assert.True(t, len(h.srv.Requests()) > 0)

			h.srv.ResetRequests()
			again, err := h.client.Bundle(ctx, ref, cache, false)
			require.NoError(t, err)
			assert.Equal(t, dir, again)
			assert.Len(t, h.srv.Requests(), 0, "a cached replay is served offline")

			again, err = h.client.Bundle(ctx, ref, cache, true)
			require.NoError(t, err)
			assert.Equal(t, dir, again)
			assert.True(t, countPath(h.srv.Requests(), "/recording-segments/") > 0, "refresh refetches")
			assertNoTempDirs(t, cache.Dir)
		})
	}
}

func TestBundleOfALocalDirectoryIsTheDirectory(t *testing.T) {
	client := sentryapi.NewClient(sentryapi.Config{}) // no token: must not be needed
	ref := mustRef(t, realBundle)
	dir, err := client.Bundle(context.Background(), ref, sentryapi.Cache{}, false)
	require.NoError(t, err)
	assert.Equal(t, ref.Dir, dir)
}

func TestCacheIgnoresPartialBundles(t *testing.T) {
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithTruncatedSegments(1)},
		sentryapi.WithAllowPartial(true))
	cache := sentryapi.Cache{Dir: t.TempDir()}
	_, err := h.client.Bundle(context.Background(), mustRef(t, realReplayID), cache, false)
	require.NoError(t, err)
	_, ok := cache.Lookup(realReplayID)
	assert.False(t, ok, "a partial bundle is not a cache hit")

	h.srv.ResetRequests()
	_, err = h.client.Bundle(context.Background(), mustRef(t, realReplayID), cache, false)
	require.NoError(t, err)
	assert.True(t, len(h.srv.Requests()) > 0, "the next run tries again")
}

func TestFailedRefetchKeepsTheOldBundle(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "bundle")
	good := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle)})
	_, err := good.client.FetchBundle(ctx, mustRef(t, realReplayID), dir)
	require.NoError(t, err)
	before, _ := os.ReadFile(filepath.Join(dir, "recording-segments.json"))

	bad := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithPerPage(1),
		sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Skip: 2, Status: 500})})
	_, err = bad.client.FetchBundle(ctx, mustRef(t, realReplayID), dir)
	assert.ErrorIs(t, err, sentryapi.ErrIncomplete)

	after, err := os.ReadFile(filepath.Join(dir, "recording-segments.json"))
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after))
	assertNoTempDirs(t, filepath.Dir(dir))
}

func TestDefaultCacheHonoursXDG(t *testing.T) {
	x := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", x)
	c, err := sentryapi.DefaultCache()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(x, "repro", "replays"), c.Dir)
	assert.Equal(t, filepath.Join(x, "repro", "replays", realReplayID), c.Path(realReplayID))
}
