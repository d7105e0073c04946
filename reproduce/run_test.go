package reproduce

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// -repeat and -repeat-slow set how many times each bundle is re-run to show
// the verdict is stable. Runs of one bundle go in parallel and a run takes
// a few seconds, so CI uses a few; the acceptance bar of 20 runs each is
// checked with
//
//	go test ./reproduce -run TestBugBundlesReproduceOnBuggyAndNotOnFixed -repeat 20 -repeat-slow 20
var (
	repeat     = flag.Int("repeat", 2, "runs of each bug bundle against its buggy app")
	repeatSlow = flag.Int("repeat-slow", 1, "runs of each bundle against its fixed app, and of healthy bundles")
)

const bundles = "../testdata/replays"

type manifest struct {
	App             string            `json:"app"`
	ExpectedVerdict map[string]string `json:"expected_verdict"`
	Options         struct {
		AllowURLs []string `json:"network_detail_allow_urls"`
	} `json:"options"`
}

func readManifest(t *testing.T, dir string) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	var m manifest
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func openBundle(t *testing.T, name string) *Replay {
	t.Helper()
	r, err := Open(filepath.Join(bundles, name))
	require.NoError(t, err)
	return r
}

func appDir(t *testing.T, app, variant string) session.AppUnderTest {
	t.Helper()
	a, err := session.ParseApp(filepath.Join("..", "testdata", "apps", app, variant))
	require.NoError(t, err)
	return a
}

// accountBackend is the account app's backend as an engineer would run it
// locally: the replay recorded no bodies for it (URL_SKIPPED), so a faithful
// rerun needs --upstream.
func accountBackend(t *testing.T) string {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"user":{"id":"u_1","name":"Test User"},"settings":{"region":"eu-west","plan":"team","newsletter":false}}`))
	})
	mux.HandleFunc("PUT /api/settings", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"saved":true}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func fast() *mockserver.LatencyPolicy { l := mockserver.LatencyNone; return &l }

// TestBugBundlesReproduceOnBuggyAndNotOnFixed is the engine's acceptance
// test, and its stability test: every recorded bug reproduces against its
// buggy app and not against its fixed app, a healthy recording is
// inconclusive against both, every run follows the user's whole path, and
// re-runs in fresh browser contexts never change the verdict (-repeat
// runs of each bug against its buggy app, -repeat-slow of the rest). Each
// bug's rerun against its buggy app also writes report.html, with the
// recorded frames, and opens it (assertReportHTMLOfAReproducedBug): the
// report of every reproduced bug is checked on the very run that decided
// it.
func TestBugBundlesReproduceOnBuggyAndNotOnFixed(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	entries, err := os.ReadDir(bundles)
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(bundles, e.Name())
		m := readManifest(t, dir)
		for _, variant := range []string{"buggy", "fixed"} {
			want := m.ExpectedVerdict[variant]
			runs := *repeatSlow
			if variant == "buggy" && want == verdict.Reproduced {
				runs = *repeat
			}
			t.Run(e.Name()+"/"+variant, func(t *testing.T) {
				t.Parallel()
				r := openBundle(t, e.Name())
				opts := RunOptions{App: appDir(t, m.App, variant), Browser: b, Runs: runs}
				if e.Name() != "imagechat-bug" {
					// Only the image chat keeps the recorded latency (its
					// 4.5 s answer is the slow backend case); the verdicts
					// do not depend on it.
					opts.Latency = fast()
				}
				if len(m.Options.AllowURLs) == 0 {
					// No bodies were recorded: without a backend the app is
					// fed synthetic bodies and the honest verdict is
					// inconclusive (TestUncapturedBodies…); with one it is
					// decisive.
					opts.Upstream = accountBackend(t)
				}
				report := variant == "buggy" && want == verdict.Reproduced
				if report {
					opts.ArtifactsDir, opts.RecordedFrames = t.TempDir(), true
				}
				rep, err := Run(context.Background(), r, opts)
				require.NoError(t, err)
				assert.Equal(t, want, rep.Verdict.Value, "%s\n%v", rep.Verdict.Summary, rep.Verdict.Evidence)
				if want == verdict.Inconclusive {
					assert.Contains(t, rep.Verdict.Summary, "nothing failed in the recording")
				}
				assert.False(t, rep.Flaky, rep.Verdict.Summary)
				assert.Equal(t, fmt.Sprintf("%d/%d", runs, runs), rep.Agreement)
				// The user's whole path, on every app and in every run: a
				// verdict on half a path would not say what it seems to.
				for i, run := range rep.Runs {
					assert.True(t, run.Verdict.Path.Completed, "run %d: %s", i+1, run.Verdict.Summary)
				}
				if report && rep.Verdict.Value == want {
					assertReportHTMLOfAReproducedBug(t, e.Name(), r, rep, opts.ArtifactsDir)
				}
			})
		}
	}
}

func TestUncapturedBodiesMakeTheVerdictInconclusive(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	r := openBundle(t, "account-bug")
	rep, err := Run(context.Background(), r, RunOptions{App: appDir(t, "account", "buggy"), Browser: b})
	require.NoError(t, err)
	assert.Equal(t, verdict.Inconclusive, rep.Verdict.Value, rep.Verdict.Summary)
	assert.Contains(t, rep.Verdict.Summary, "POST /api/login")
	assert.Contains(t, rep.Verdict.Summary, "URL_SKIPPED")
}

// TestMissingElementIsReportedAsDiverged removes the Generate button from
// the buggy app: the rerun cannot follow the user to the failure and must
// say where it lost the path, not guess at coordinates.
func TestMissingElementIsReportedAsDiverged(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	dir := t.TempDir()
	src := filepath.Join("..", "testdata", "apps", "imagechat", "buggy")
	files, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, f.Name()))
		require.NoError(t, err)
		if f.Name() == "app.js" {
			s := string(data)
			button := `'    <button type="button" class="btn" id="generate" data-testid="generate-button">Generate</button>' +`
			require.Contains(t, s, button, "the demo app changed: update this test")
			s = strings.Replace(s, button, "", 1)
			s = strings.Replace(s, "document.getElementById('generate').addEventListener(", "(document.getElementById('generate') || document.createElement('i')).addEventListener(", 1)
			data = []byte(s)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, f.Name()), data, 0o644))
	}
	app, err := session.ParseApp(dir)
	require.NoError(t, err)
	r := openBundle(t, "imagechat-bug")
	rep, err := Run(context.Background(), r, RunOptions{App: app, Browser: b, Latency: fast(), StepTimeout: 2 * time.Second})
	require.NoError(t, err)
	require.Equal(t, verdict.Diverged, rep.Verdict.Value, rep.Verdict.Summary)
	require.NotNil(t, rep.Verdict.DivergedAt)
	step := rep.Plan.Steps[*rep.Verdict.DivergedAt]
	assert.Equal(t, plan.StepClick, step.Kind)
	assert.Contains(t, step.Selectors, "#generate", "diverged at the Generate click")
}
