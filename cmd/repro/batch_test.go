package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/batch"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

// accountBackend is the account app's backend as an engineer runs it
// locally: its replay recorded no bodies (URL_SKIPPED), so a faithful
// rerun needs --upstream (as in reproduce's acceptance test).
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

// TestBatchOfEveryBundleGivesRunsVerdictsAndLeaksNothing: a batch of every
// bundle in testdata/replays, one `repro batch` process per app against its
// buggy build, gives each replay the manifest's verdict, which is the one
// `repro run` gives it alone with the same flags (checked here for
// imagechat-bug, and for every bundle by reproduce's acceptance test),
// writes its report under DIR/<replay_id>/, and exits 0.
//
// It is also the leak test of every bundle (TestRunLeaksNothingOnAnyBundle
// runs `repro run` processes on a few): the app is served as a URL app
// that is its own real backend, with the real Sentry SDK sending to an
// ingest stand-in, and the bundles' recorded origin is moved onto another
// stand-in. Counted until 2 s after the batch exited, none of them gets a
// request (the ingest and the recorded origin not even a connection), and
// no Chromium process of the batch is left.
func TestBatchOfEveryBundleGivesRunsVerdictsAndLeaksNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	bin := reproBinary(t)
	const replays = "../../testdata/replays"
	entries, err := os.ReadDir(replays)
	require.NoError(t, err)
	type bundleInfo struct{ name, origin, want string }
	byApp := map[string][]bundleInfo{}
	for _, e := range entries {
		var m struct {
			App             string            `json:"app"`
			Origin          string            `json:"origin"`
			ExpectedVerdict map[string]string `json:"expected_verdict"`
		}
		b, err := os.ReadFile(filepath.Join(replays, e.Name(), "manifest.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &m))
		byApp[m.App] = append(byApp[m.App], bundleInfo{e.Name(), m.Origin, m.ExpectedVerdict["buggy"]})
	}
	require.Len(t, byApp, 5, "one batch per app")
	var mu sync.Mutex
	groups := map[string]string{} // group id → app
	t.Cleanup(func() {
		// Each app's bug is its own group: five bugs, five ids.
		if !t.Failed() {
			assert.Len(t, groups, 5, "bug groups over the five apps: %v", groups)
		}
	})
	for app, bundles := range byApp {
		t.Run(app, func(t *testing.T) {
			t.Parallel()
			ingest := newCounter(t, nil, nil)
			recorded := newCounter(t, nil, nil)
			served := leakApp(t, mustAbs(filepath.Join("../../testdata/apps", app, "buggy")), "http://publickey@"+strings.TrimPrefix(ingest.srv.URL, "http://")+"/1")
			dir := t.TempDir()
			for _, b := range bundles {
				require.NoError(t, os.Rename(relocated(t, filepath.Join(replays, b.name), b.origin, recorded.srv.URL), filepath.Join(dir, b.name)))
			}
			// A long step timeout: the verdicts must not depend on how loaded
			// the machine is (batch and run get the same flags).
			// No recorded frames in report.html: this test is about verdicts,
			// groups and leaks (report.html's frames have tests of their
			// own, and the `repro run` leak test renders them).
			flags := []string{"--app", served.srv.URL, "--latency", "none", "--step-timeout", "30s", "--frames=false"}
			if app == "account" {
				// Its replay recorded no bodies: the engineer's local backend
				// answers (a server of its own, not the app's counted one).
				flags = append(flags, "--upstream", accountBackend(t))
			}
			tmp := shortTempDir(t, "rb")
			out := filepath.Join(tmp, "batch")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			cmd := exec.CommandContext(ctx, bin, append([]string{"batch", dir, "--out", out, "--json", "-j", "2", "--generate"}, flags...)...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HOME="+tmp)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			cancel()
			require.NoError(t, err, stderr.String())
			// imagechat-bug alone through `repro run`, with the same flags
			// and under the same counting.
			single := ""
			for _, b := range bundles {
				if b.name != "imagechat-bug" {
					continue
				}
				code, stdout, stderr := runCLI(t, append([]string{"run", filepath.Join(dir, b.name), "--json", "--artifacts", t.TempDir()}, flags...)...)
				require.Contains(t, []int{exitOK, exitNotReproduced, exitDiverged, exitInconclusive}, code, stderr)
				var rep struct {
					Verdict string `json:"verdict"`
				}
				require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
				single = rep.Verdict
			}
			time.Sleep(2 * time.Second) // what a page or a child process sends late still counts
			for name, c := range map[string]*counter{"the Sentry ingest": ingest, "the recorded origin": recorded, "the app's real backend": served} {
				hits, conns := c.seen()
				assert.Empty(t, hits, "requests reached %s", name)
				assert.Zero(t, conns, "connections reached %s", name)
			}
			assert.Empty(t, chromiumLeftovers(tmp), "Chromium processes outlived repro batch")

			var sum batch.Summary
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &sum), stdout.String())
			assert.Equal(t, len(bundles), sum.Done)
			assert.False(t, sum.Interrupted)
			// --generate: one test per group, the representative's.
			require.Len(t, sum.Groups, 1, "%s has one bug", app)
			mu.Lock()
			groups[sum.Groups[0].ID] = app
			mu.Unlock()
			tests, _ := filepath.Glob(filepath.Join(out, "regression", "replay_*_test.go"))
			assert.Len(t, tests, 1)
			for _, f := range tests {
				assert.Contains(t, filepath.Base(f), sum.Groups[0].Representative[:6])
			}
			got := map[string]batch.Result{}
			for _, r := range readResults(t, out) {
				got[filepath.Base(r.Input)] = r
			}
			for _, b := range bundles {
				r := got[b.name]
				// The manifest's verdict is the one `repro run` gives alone
				// (reproduce's TestBugBundlesReproduceOnBuggyAndNotOnFixed
				// holds Run to it, 20 runs each for the acceptance bar); one
				// bundle is also run here, through the CLI, with the same
				// flags.
				assert.Equal(t, b.want, r.Verdict, "%s: batch says %q (%s), the manifest %q", b.name, r.Verdict, r.Error, b.want)
				html, err := os.ReadFile(filepath.Join(out, r.ReplayID, "report.html"))
				require.NoError(t, err)
				// --frames=false: a row per step, without the recorded frames.
				assert.Contains(t, string(html), "what the user saw was not rendered for this report")
				assert.NotContains(t, string(html), `<img alt="recorded page at step`)
				assert.Equal(t, filepath.ToSlash(filepath.Join(r.ReplayID, "report.json")), r.Report)
				if b.name == "imagechat-bug" {
					assert.Equal(t, single, r.Verdict, "%s: batch says %q (%s), repro run says %q", b.name, r.Verdict, r.Error, single)
				}
			}
		})
	}
}

func readResults(t *testing.T, out string) []batch.Result {
	t.Helper()
	rs, err := batch.ReadResults(out)
	require.NoError(t, err)
	return rs
}

// TestBatchFlagsAndExitStatus covers what needs no browser: the replay
// list from stdin (comments and blank lines skipped), refusing a bad
// --fail-on, and the exit status of a batch whose replays could not be
// read (1: some replay got no verdict).
func TestBatchFlagsAndExitStatus(t *testing.T) {
	t.Parallel()
	app := mustAbs("../../testdata/apps/imagechat/buggy")
	code, _, stderr := runCLI(t, "batch", imagechatBug, "--app", app, "--fail-on", "broken")
	assert.Equal(t, exitUsage, code, stderr)
	code, _, stderr = runCLI(t, "batch", "--app", app)
	assert.Equal(t, exitUsage, code, stderr)
	// A mistyped pool URL is refused without its token being printed.
	code, _, stderr = runCLI(t, "batch", imagechatBug, "--app", app, "--remote-chrome", "wss//pool.example.test:3000?token=tok-SECRET-1")
	assert.Equal(t, exitUsage, code, stderr)
	assert.NotContains(t, stderr, "SECRET", "the usage error prints the token")

	list, err := readReplayList(strings.NewReader("# the ticket's replays\n\n  ./a  \nb\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"./a", "b"}, list)

	// Two files that are not replays: each gets an error result, the batch
	// goes on to the end and exits 1 with a summary.
	dir := t.TempDir()
	bad := filepath.Join(dir, "not-a-replay.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"nope":1}`), 0o644))
	listFile := filepath.Join(dir, "list.txt")
	require.NoError(t, os.WriteFile(listFile, []byte(bad+"\n"+filepath.Join(dir, "missing")+"\n"), 0o644))
	out := filepath.Join(dir, "out")
	var stdout, errb bytes.Buffer
	code = run(context.Background(), []string{"batch", listFile, "--app", app, "--out", out, "--json"}, envOf(t).env(), strings.NewReader(""), &stdout, &errb)
	assert.Equal(t, exitError, code, errb.String())
	var sum batch.Summary
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &sum), stdout.String())
	assert.Equal(t, 2, sum.Errors)
	assert.Equal(t, 2, sum.Done)
	rs := readResults(t, out)
	require.Len(t, rs, 2)
	for _, r := range rs {
		assert.NotEmpty(t, r.Error)
		assert.Empty(t, r.Verdict)
	}
}

// TestBatchExitStatus: a stopped batch and one with errors exit 1; a
// complete batch exits 0 unless --fail-on names a verdict it holds (6).
func TestBatchExitStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		sum    batch.Summary
		failOn []string
		want   int
	}{
		{"every replay got a verdict", batch.Summary{Total: 2, Done: 2, Verdicts: map[string]int{"reproduced": 2}}, nil, exitOK},
		{"an error is exit 1", batch.Summary{Total: 2, Done: 2, Errors: 1, Verdicts: map[string]int{"reproduced": 1}}, []string{"reproduced"}, exitError},
		{"stopped is exit 1", batch.Summary{Total: 2, Done: 1, Interrupted: true, Verdicts: map[string]int{"not_reproduced": 1}}, nil, exitError},
		{"--fail-on a verdict present", batch.Summary{Total: 2, Done: 2, Verdicts: map[string]int{"reproduced": 1, "diverged": 1}}, []string{"diverged"}, exitFailOn},
		{"--fail-on a verdict absent", batch.Summary{Total: 2, Done: 2, Verdicts: map[string]int{"reproduced": 2}}, []string{"diverged", "inconclusive"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.sum
			assert.Equal(t, tc.want, exitStatus(batchResult(t.TempDir(), &s, tc.failOn), new(bytes.Buffer)))
		})
	}
}

// TestBatchOfAnIssueFetchesEachReplay: --issue SHORT-ID lists the
// replays Sentry links to the issue; each is fetched into the cache and
// rerun, and one Sentry no longer has gets an error result while the
// batch goes on (exit 1).
func TestBatchOfAnIssueFetchesEachReplay(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	const gone = "ffffffffffffffffffffffffffffffff"
	useFakeSentry(t, sentrytest.DefaultToken, sentrytest.WithBundle(imagechatBug),
		sentrytest.WithIssue("4711", "FRONTEND-1A3", "aad5acad5eac456d9c1478f10cb6584b", gone))
	out := filepath.Join(t.TempDir(), "batch")
	cache := t.TempDir()
	code, stdout, stderr := runCLI(t, "batch", "--issue", "FRONTEND-1A3", "--app", imagechatBuggy, "--latency", "none",
		"--step-timeout", "30s", "--cache-dir", cache, "--out", out, "--json")
	assert.Equal(t, exitError, code, stderr)
	var sum batch.Summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum), stdout)
	assert.Equal(t, 2, sum.Done)
	assert.Equal(t, 1, sum.Verdicts["reproduced"])
	assert.Equal(t, 1, sum.Errors)
	for _, r := range readResults(t, out) {
		switch r.Input {
		case gone:
			assert.Contains(t, r.Error, "not found")
		default:
			assert.Equal(t, "reproduced", r.Verdict)
			assert.DirExists(t, filepath.Join(cache, r.ReplayID), "fetched into the cache")
		}
	}
}

// TestBatchOfABigIssueListsEveryReplay: an issue with more replays than
// Sentry's replay-count answers (51) is listed whole from its events,
// paged; and a listing the page cap cuts short fails and names
// --allow-partial, with which the batch goes on over what was listed and
// says so. No replay here can be fetched (Sentry has only their ids), so
// each gets an error result and no browser starts.
func TestBatchOfABigIssueListsEveryReplay(t *testing.T) {
	t.Parallel()
	var ids []string
	for i := range 53 {
		ids = append(ids, fmt.Sprintf("%032x", 0xc000+i))
	}
	tests := []struct {
		name       string
		fake       []sentrytest.Option
		args       []string
		wantCode   int
		wantStderr string
		wantPages  int
	}{
		{name: "every replay, past replay-count's 51", fake: []sentrytest.Option{sentrytest.WithPerPage(10)},
			wantCode: exitError, wantPages: 6},
		{name: "a listing past the page cap fails and names --allow-partial",
			fake:     []sentrytest.Option{sentrytest.WithPerPage(10), sentrytest.WithEndlessPages()},
			wantCode: exitBadReplay, wantStderr: "listing its replays stopped with 53 listed (pass --allow-partial to keep them)", wantPages: 100},
		{name: "--allow-partial re-runs what was listed and says it is partial",
			fake: []sentrytest.Option{sentrytest.WithPerPage(10), sentrytest.WithEndlessPages()}, args: []string{"--allow-partial"},
			wantCode: exitError, wantStderr: "warning: issue 4712: listed 53 replays from the first 100 pages of its events, the page cap", wantPages: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := useFakeSentry(t, sentrytest.DefaultToken, append([]sentrytest.Option{sentrytest.WithIssue("4712", "FRONTEND-2B", ids...)}, tc.fake...)...)
			out := filepath.Join(t.TempDir(), "batch")
			code, stdout, stderr := runCLI(t, append([]string{"batch", "--issue", "FRONTEND-2B", "--app", imagechatBuggy,
				"--cache-dir", t.TempDir(), "--out", out, "--json"}, tc.args...)...)
			assert.Equal(t, tc.wantCode, code, stderr)
			assert.Contains(t, stderr, tc.wantStderr)
			assert.Equal(t, tc.wantPages, countRequests(srv, "/api/0/organizations/acme/issues/4712/events/"), "issue-events pages")
			if tc.wantStderr != "" && !strings.Contains(tc.wantStderr, "warning") {
				assert.NoDirExists(t, out, "nothing ran")
				return
			}
			var sum batch.Summary
			require.NoError(t, json.Unmarshal([]byte(stdout), &sum), stdout)
			assert.Equal(t, len(ids), sum.Total)
			assert.Equal(t, len(ids), sum.Errors)
			var got []string
			for _, r := range readResults(t, out) {
				got = append(got, r.Input)
				assert.Contains(t, r.Error, "not found")
			}
			assert.ElementsMatch(t, ids, got)
		})
	}
}

func countRequests(srv *sentrytest.Server, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Path == path {
			n++
		}
	}
	return n
}

// TestBatchProgressLineSaysDoneCountsRateAndETA pins the progress line.
func TestBatchProgressLineSaysDoneCountsRateAndETA(t *testing.T) {
	t.Parallel()
	got := batchProgressLine(batch.Progress{Done: 3, Total: 10, Verdicts: map[string]int{"reproduced": 2, "diverged": 1}, Errors: 1, PerMinute: 4.5, ETA: 93*time.Second + 400*time.Millisecond})
	assert.Equal(t, "repro: batch 3/10 · reproduced 2, diverged 1, error 1 · 4.5/min · ETA 1m33s", got)
}
