package sentryapi_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

// TestTokenNeverLeaks runs successes and every fault with debug logging on,
// then greps every output for the token: error strings, logs, printed
// config, fetch.json and every file under the cache.
func TestTokenNeverLeaks(t *testing.T) {
	tok := sentrytest.DefaultToken
	echo := `{"detail":"bad credentials: Bearer ` + tok + `"}` // a server that echoes the token back
	scenarios := [][]sentrytest.Option{
		nil,
		{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Status: 403, Body: echo})},
		{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteReplayDetails, Status: 404})},
		{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Status: 429, RetryAfter: "1", Body: echo})},
		{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Status: 500, Body: echo})},
		{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteEvent, Status: 401, Body: echo})},
		{sentrytest.WithTruncatedSegments(1)},
		{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteSegments, Times: 1, Delay: 600e9})},
		{sentrytest.WithFault(sentrytest.Fault{Route: sentrytest.RouteComments, Status: 403, Body: echo})},
	}
	cacheDir := t.TempDir()
	var outputs []string
	ctx := context.Background()
	for i, fake := range scenarios {
		for _, partial := range []bool{false, true} {
			h := newHarness(t, append([]sentrytest.Option{sentrytest.WithBundle(realBundle), sentrytest.WithPerPage(1),
				sentrytest.WithEvent(feedbackEvent(realReplayID))}, fake...),
				sentryapi.WithAllowPartial(partial), sentryapi.WithTimeout(100e6))
			cache := sentryapi.Cache{Dir: filepath.Join(cacheDir, fmt.Sprint(i, partial))}
			for _, ref := range []string{realReplayID, feedbackID, "ffffffffffffffffffffffffffffffff"} {
				_, err := h.client.Bundle(ctx, mustRef(t, ref), cache, true)
				outputs = append(outputs, fmt.Sprint(err), fmt.Sprintf("%+v %#v", err, err))
			}
			_, err := h.client.LinkedIssues(ctx, mustRef(t, realReplayID))
			outputs = append(outputs, fmt.Sprint(err))
			_, err = h.client.ResolveIssue(ctx, "", "FRONTEND-1")
			outputs = append(outputs, fmt.Sprint(err))
			err = h.client.PostIssueComment(ctx, "", "4001", "verdict")
			outputs = append(outputs, fmt.Sprint(err))
			outputs = append(outputs, h.logs.String(), fmt.Sprintf("%v %+v", h.client.Config(), h.cfg))
			// The fake must never keep the token either.
			outputs = append(outputs, fmt.Sprintf("%+v", h.srv.Requests()))
		}
	}
	err := filepath.WalkDir(cacheDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		outputs = append(outputs, path+": "+string(b))
		return err
	})
	require.NoError(t, err)

	all := strings.Join(outputs, "\n")
	assert.True(t, strings.Contains(all, "fetch.json"), "the walk saw fetched bundles")
	assert.True(t, strings.Contains(all, "[redacted]"), "the echoed token was scrubbed, not absent by luck")
	if strings.Contains(all, tok) {
		i := strings.Index(all, tok)
		t.Fatalf("token leaked: …%s…", all[max(0, i-200):i])
	}
	// A wrong token in errors and logs: also never printed.
	h := newHarness(t, []sentrytest.Option{sentrytest.WithBundle(realBundle)})
	const wrong = "sntrys_WRONG_token_0042"
	wrongClient := sentryapi.NewClient(sentryapi.Config{URL: h.srv.URL, Token: wrong, Org: "acme"}, sentryapi.WithLogger(newDebugLogger(h)))
	_, err = wrongClient.FetchBundle(ctx, mustRef(t, realReplayID), filepath.Join(t.TempDir(), "b"))
	assert.ErrorIs(t, err, sentryapi.ErrUnauthorized)
	assert.NotContains(t, err.Error()+h.logs.String(), wrong)
}
