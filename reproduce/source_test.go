package reproduce

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

// TestSourceResolvesEachKindOfReplayArgument checks the facade's <replay>
// resolution: a bundle on disk is read as it is, a replay id is fetched
// from Sentry into the cache (and read from it the next time, with no
// request), and a source naming both or neither, or no reference at all,
// is the user's mistake (a SourceError).
func TestSourceResolvesEachKindOfReplayArgument(t *testing.T) {
	local := filepath.Join(bundles, "imagechat-bug")
	dir, err := (&Source{Arg: local}).Bundle(t.Context())
	require.NoError(t, err)
	assert.Equal(t, local, dir, "a bundle on disk is read where it is")

	srv := sentrytest.New(t, sentrytest.WithBundle(local))
	r := openBundle(t, "imagechat-bug")
	cache := t.TempDir()
	src := &Source{Arg: r.Timeline.ReplayID, CacheDir: cache,
		Sentry: sentryapi.Config{URL: srv.URL, Token: sentrytest.DefaultToken, Org: srv.Org}}
	got, err := src.Open(t.Context())
	require.NoError(t, err)
	assert.Equal(t, r.Timeline.ReplayID, got.Timeline.ReplayID)
	assert.Len(t, got.Timeline.Events, len(r.Timeline.Events), "the fetched replay reads as the bundle it came from")
	srv.ResetRequests()
	again := &Source{Arg: src.Arg, CacheDir: cache, Sentry: src.Sentry}
	dir, err = again.Bundle(t.Context())
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(dir, cache), "fetched into the cache: %s", dir)
	for _, req := range srv.Requests() {
		assert.NotContains(t, req.Path, "recording-segments", "the cached replay is not downloaded again")
	}

	for name, bad := range map[string]*Source{
		"both":          {Arg: local, Issue: "FRONTEND-1"},
		"neither":       {},
		"not a replay":  {Arg: "not-a-replay-id"},
		"not an issue ": {Issue: "??"},
	} {
		_, err := bad.Bundle(t.Context())
		var se *SourceError
		assert.ErrorAs(t, err, &se, name)
	}
}
