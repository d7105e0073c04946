package session

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/plan"
)

// sdkBundle is the real @sentry/browser SDK bundled by the fixture
// recorder's npm package (.ci/test builds it when it is missing).
const sdkBundle = "../../testdata/recorder/sdk/dist/sentry.js"

// withSDK is an app directory serving testdata/runner/<page>/index.html
// and the real SDK bundle at /__sentry/sdk.js.
func withSDK(t *testing.T, page string) string {
	t.Helper()
	sdk, err := os.ReadFile(sdkBundle)
	require.NoError(t, err, "the real Sentry SDK bundle is missing: run .ci/test")
	dir := t.TempDir()
	html, err := os.ReadFile(filepath.Join("testdata", "runner", page, "index.html"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), html, 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "__sentry"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "__sentry", "sdk.js"), sdk, 0o644))
	return dir
}

// TestConsoleCallsAreWrittenAsTheSDKRecordsThem makes console calls of
// every argument shape with the real Sentry SDK loaded and checks that
// each console entry's SDK form is exactly the message of the SDK's own
// console breadcrumb for that call.
func TestConsoleCallsAreWrittenAsTheSDKRecordsThem(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	dir := withSDK(t, "console")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pl := plan.Plan{StartURL: "http://app.example.test/", Steps: []plan.Step{{Index: 0, Kind: plan.StepNavigate, URL: "http://app.example.test/"}}}
	s, err := NewSession(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: dir}, Settle: SettlePolicy{Final: 100 * time.Millisecond}})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Do(ctx, pl.Steps[0]))
	obs := s.Finish(ctx)
	raw, err := run(s, ctx, 5*time.Second, chromedp.Evaluate[string](`JSON.stringify(window.__crumbs)`))
	require.NoError(t, err)
	var crumbs []string
	require.NoError(t, json.Unmarshal([]byte(raw), &crumbs))

	var ours []string
	for _, c := range obs.Console {
		if c.Source == "" {
			ours = append(ours, c.SDK)
		}
	}
	require.Len(t, crumbs, 11, "the SDK recorded %q", crumbs)
	assert.Equal(t, crumbs, ours, "the rerun's SDK form differs from the SDK's breadcrumbs")
	assert.Contains(t, crumbs, "[object Response]", "the case the issue names")
}

// TestExceptionsAreNamedAsTheSDKNamesThem throws uncaught errors and
// rejects a promise with the real Sentry SDK loaded, and checks that each
// exception's type and message are the SDK's (its error.name and
// error.message), not the constructor's name: a minified bundle renames a
// custom error class (here Nl) but not the name its instances report.
func TestExceptionsAreNamedAsTheSDKNamesThem(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	dir := withSDK(t, "exceptions")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pl := plan.Plan{StartURL: "http://app.example.test/", Steps: []plan.Step{
		{Index: 0, Kind: plan.StepNavigate, URL: "http://app.example.test/"},
		{Index: 1, Kind: plan.StepWait, Selectors: []string{"#done"}, Duration: 20 * time.Second},
	}}
	s, err := NewSession(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: dir}, Settle: SettlePolicy{Final: 100 * time.Millisecond}})
	require.NoError(t, err)
	defer s.Close()
	for _, st := range pl.Steps {
		require.NoError(t, s.Do(ctx, st))
	}
	obs := s.Finish(ctx)
	raw, err := run(s, ctx, 5*time.Second, chromedp.Evaluate[string](`JSON.stringify(window.__events)`))
	require.NoError(t, err)
	var sdkSaw [][2]string
	require.NoError(t, json.Unmarshal([]byte(raw), &sdkSaw))
	var ours [][2]string
	for _, e := range obs.Exceptions {
		ours = append(ours, [2]string{e.Type, e.Message})
	}
	require.Len(t, sdkSaw, 4, "the SDK captured %q", sdkSaw)
	assert.ElementsMatch(t, sdkSaw, ours, "the rerun names exceptions otherwise than the SDK")
	assert.Contains(t, ours, [2]string{"ApiError", "Task was archived by a teammate"}, "the case of the tasks app's archived task")
}
