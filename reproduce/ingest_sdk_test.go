package reproduce

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// sdkBundle is the real @sentry/browser SDK bundled by the fixture
// recorder's npm package (.ci/test builds it when it is missing).
const sdkBundle = "../testdata/recorder/sdk/dist/sentry.js"

// appWithSentry copies a demo app and gives it what the recorder served
// beside it: the real SDK and a config whose DSN points at an ingest host.
func appWithSentry(t *testing.T, app, variant string) session.AppUnderTest {
	t.Helper()
	sdk, err := os.ReadFile(sdkBundle)
	require.NoError(t, err, "the real Sentry SDK bundle is missing: run .ci/test, or build it with "+
		"(cd testdata/recorder/sdk && npm ci && npx esbuild entry.js --bundle --format=iife --global-name=Sentry --outfile=dist/sentry.js)")
	dir := t.TempDir()
	src := filepath.Join("..", "testdata", "apps", app, variant)
	files, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(src, f.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f.Name()), b, 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "__sentry"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "__sentry", "sdk.js"), sdk, 0o644))
	config := `if (window.Sentry) { Sentry.init({ dsn: 'http://publickey@ingest.example.test/1', environment: 'rerun' }); }`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "__sentry", "config.js"), []byte(config), 0o644))
	a, err := session.ParseApp(dir)
	require.NoError(t, err)
	return a
}

// TestAppSentryEventsAreCapturedAsEvidence runs the image-chat bug against
// the app with its real Sentry SDK loaded: the SDK's error event is caught
// at the (blocked) ingest, decoded, and matches the recorded error — and
// the fixed app reports nothing.
func TestAppSentryEventsAreCapturedAsEvidence(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	r := openBundle(t, "imagechat-bug")
	for _, tc := range []struct {
		variant string
		want    int
	}{{"buggy", 1}, {"fixed", 0}} {
		t.Run(tc.variant, func(t *testing.T) {
			rep, err := Run(context.Background(), r, RunOptions{App: appWithSentry(t, "imagechat", tc.variant), Browser: b, Latency: fast()})
			require.NoError(t, err)
			obs := rep.Runs[0].Observation
			var typeErrors []session.IngestEvent
			for _, ev := range obs.IngestEvents {
				if ev.Type == "TypeError" {
					typeErrors = append(typeErrors, ev)
				}
			}
			require.Len(t, typeErrors, tc.want, "ingest events: %+v", obs.IngestEvents)
			if tc.want > 0 {
				assert.Contains(t, typeErrors[0].Value, "Cannot read properties of undefined (reading 'url')")
				// The app's own report is evidence on its own, even where the
				// browser's exception is not observed.
				onlyIngest := *obs
				onlyIngest.Exceptions = nil
				for _, sig := range rep.Signature.Signals {
					if sig.Kind == verdict.SignalError {
						how := onlyIngest.UncaughtError(sig.Step, sig.Type, sig.Message)
						assert.Contains(t, how, "reported to Sentry")
					}
				}
			}
			for _, n := range obs.Network {
				if n.Disposition == session.DispositionIngest {
					assert.Contains(t, n.URL, "/api/1/envelope/", "only ingest traffic is captured as ingest")
				}
			}
		})
	}
}
