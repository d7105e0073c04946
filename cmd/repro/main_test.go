package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
	"github.com/repro-dev/repro/reproduce/session"
)

var (
	imagechatBug   = mustAbs("../../testdata/replays/imagechat-bug")
	imagechatBuggy = mustAbs("../../testdata/apps/imagechat/buggy")
	imagechatFixed = mustAbs("../../testdata/apps/imagechat/fixed")
)

func mustAbs(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return abs
}

// runCLI runs the CLI in memory, in the test's own environment (envOf),
// and returns its exit code and streams.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, envOf(t).env(), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// cliEnv is the environment a test runs the CLI in: none of the
// developer's (no SENTRY_* or tracker tokens, no ~/.sentryclirc or
// ./.sentryclirc, not the user cache), a HOME, cache and working directory
// of the test's own, and what the test sets. The process's environment is
// never changed, so the tests run in parallel.
type cliEnv struct {
	mu   sync.Mutex
	vars map[string]string
	wd   string
}

// envs holds each test's cliEnv (test support only: run itself has no
// global state).
var envs sync.Map // *testing.T → *cliEnv

// envOf returns t's environment, made on first use.
func envOf(t *testing.T) *cliEnv {
	if e, ok := envs.Load(t); ok {
		return e.(*cliEnv)
	}
	e := &cliEnv{vars: map[string]string{"HOME": t.TempDir(), "XDG_CACHE_HOME": t.TempDir()}, wd: t.TempDir()}
	envs.Store(t, e)
	t.Cleanup(func() { envs.Delete(t) })
	return e
}

// setenv sets a variable of t's environment.
func setenv(t *testing.T, k, v string) {
	e := envOf(t)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.vars[k] = v
}

func (e *cliEnv) env() Env {
	e.mu.Lock()
	home := e.vars["HOME"]
	e.mu.Unlock()
	return Env{WorkDir: e.wd, Home: home, Getenv: func(k string) string {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.vars[k]
	}, browser: sharedBrowser()}
}

// TestMain gives the in-memory CLI runs one browser (sharedBrowser),
// launched into a temporary directory of its own, and at the end closes it
// and checks that no Chromium process of the tests is left.
func TestMain(m *testing.M) { chrometest.Main(m, browser.Close) }

// The CLI runs in memory (runCLI) share one browser: each rerun gets a
// fresh browser context in it, as the runs of --runs N and repro batch
// do, rather than a launch of its own (about 2.4 CPU-seconds here, more
// than a short rerun). What a launch of the CLI's own does — the fail-closed
// network from launch to exit, no process left behind — is tested on the
// built binary (TestRunLeaksNothingOnAnyBundle, the batch tests).
var browser = chrometest.NewShared(func(ctx context.Context) (*session.Browser, error) {
	b, err := session.NewBrowser(ctx, session.ChromeConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "the tests' shared browser did not launch; each run launches its own:", err)
	}
	return b, err
})

// sharedBrowser is the shared browser, launched on first use; nil under
// -short or when it cannot be launched (a command then launches its own,
// and says why it cannot).
func sharedBrowser() *session.Browser {
	if testing.Short() {
		return nil
	}
	b, err := browser.Get()
	if err != nil {
		return nil
	}
	return b
}

// isolateSentryConfig keeps the developer's own ~/.sentryclirc and SENTRY_*
// variables out of a test: every test's environment does, this makes it
// explicit where a test depends on it.
func isolateSentryConfig(t *testing.T) { envOf(t) }

// useFakeSentry starts the fake Sentry API and points the CLI's SENTRY_*
// configuration at it, with the given token.
func useFakeSentry(t *testing.T, token string, opts ...sentrytest.Option) *sentrytest.Server {
	t.Helper()
	isolateSentryConfig(t)
	srv := sentrytest.New(t, opts...)
	setenv(t, "SENTRY_URL", srv.URL)
	setenv(t, "SENTRY_AUTH_TOKEN", token)
	setenv(t, "SENTRY_ORG", srv.Org)
	return srv
}

func TestInspectBundleTellsTheImagechatStory(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, "inspect", imagechatBug)
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"clicked button#generate", "POST /api/chat → 500 after 4.5s", "console warning:", "uncaught TypeError", "Broken (in between)"} {
		assert.Contains(t, out, want)
	}
}

func TestInspectJSONHasStoryAndTimeline(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, "inspect", imagechatBug, "--json")
	require.Equal(t, 0, code, stderr)
	var doc struct {
		Replay   struct{ ID string }                                    `json:"replay"`
		Story    struct{ Classification struct{ Class, Where string } } `json:"story"`
		Timeline struct{ Events []json.RawMessage }                     `json:"timeline"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, "broken", doc.Story.Classification.Class)
	assert.Equal(t, "in_between", doc.Story.Classification.Where)
	assert.NotEmpty(t, doc.Timeline.Events)
}

// bundleWith copies the image-chat bug bundle and replaces one of its files.
func bundleWith(t *testing.T, name, content string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	require.NoError(t, os.CopyFS(dir, os.DirFS(imagechatBug)))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	return dir
}

func TestBadInputGetsOneLineErrorAndExitCode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notReplay := filepath.Join(dir, "x.json")
	require.NoError(t, os.WriteFile(notReplay, []byte(`{"hello":"world"}`), 0o644))
	truncated := filepath.Join(dir, "segments.json")
	require.NoError(t, os.WriteFile(truncated, []byte(`[[{"type":4,"timestamp":1700000000000,"data":{"href":"http://a/"`), 0o644))
	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, []byte(`[]`), 0o644))
	// Bundles whose JSON is malformed, file by file: README promises 65.
	truncatedSegments := bundleWith(t, "recording-segments.json", `[[{"type":4,"timestamp":1700000000000,"data":{"href":"http://a/"`)
	syntaxSegments := bundleWith(t, "recording-segments.json", `[[{"type":4,}]]`)
	badDetails := bundleWith(t, "replay.json", `{"data":{"id":`)
	badErrors := bundleWith(t, "errors.json", `[{"event_id":"634c719580784376baf1eed8e7cb09cc",]`)
	badManifest := bundleWith(t, "manifest.json", `{"app":`)

	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"not a replay", []string{"inspect", notReplay}, exitBadReplay, "not a replay"},
		{"truncated JSON", []string{"inspect", truncated}, exitBadReplay, "segments.json"},
		{"empty replay", []string{"inspect", empty}, exitBadReplay, "no recorded events"},
		{"bundle with a truncated segments file", []string{"inspect", truncatedSegments}, exitBadReplay, "recording-segments.json"},
		{"bundle with a JSON syntax error in its segments", []string{"inspect", syntaxSegments}, exitBadReplay, "recording-segments.json"},
		{"run on a bundle with a malformed segments file", []string{"run", syntaxSegments, "--app", imagechatBuggy}, exitBadReplay, "recording-segments.json"},
		{"bundle with malformed details", []string{"inspect", badDetails}, exitBadReplay, "replay.json"},
		{"bundle with malformed errors", []string{"inspect", badErrors}, exitBadReplay, "errors.json"},
		{"bundle with a malformed manifest", []string{"inspect", badManifest}, exitBadReplay, "manifest.json"},
		{"unknown command or replay", []string{"frobnicate"}, exitUsage, "not a 32-hex id"},
		{"missing argument", []string{"inspect"}, exitUsage, "needs a <replay>"},
		{"run without --app", []string{"run", imagechatBug}, exitUsage, "app"},
		{"bad --runs", []string{"run", imagechatBug, "--app", dir, "--runs", "0"}, exitUsage, "--runs"},
		{"--remote-proxy-host without a remote browser", []string{"run", imagechatBug, "--app", dir, "--remote-proxy-host", "10.0.0.5"}, exitUsage, "give --remote-chrome too"},
		{"--remote-proxy-host with a port", []string{"batch", dir, "--app", dir, "--remote-chrome", "ws://10.0.0.9:3000", "--remote-proxy-host", "10.0.0.5:8080"}, exitUsage, "without scheme or port"},
		// An app that cannot be reached is found before the replay starts,
		// not reported as a divergence (a finding about the app).
		{"app refuses connections", []string{"run", imagechatBug, "--app", "http://127.0.0.1:9"}, exitAppUnreachable, "cannot be reached"},
		{"app host unknown", []string{"run", imagechatBug, "--app", "http://no-such-host.invalid:3000"}, exitAppUnreachable, "cannot be reached"},
		{"app with an unsupported scheme", []string{"run", imagechatBug, "--app", "ftp://127.0.0.1/app"}, exitAppUnreachable, "ftp"},
		{"bare pipeline, app refuses connections", []string{imagechatBug, "--app", "http://127.0.0.1:9"}, exitAppUnreachable, "cannot be reached"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isolateSentryConfig(t)
			code, _, stderr := runCLI(t, tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stderr, tc.msg)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
		})
	}
}

func TestInspectByReplayIDFromSentryOneSegmentPerPage(t *testing.T) {
	t.Parallel()
	srv := useFakeSentry(t, sentrytest.DefaultToken, sentrytest.WithBundle(imagechatBug), sentrytest.WithPerPage(1))
	setenv(t, "SENTRY_PROJECT", srv.Project)
	cache := t.TempDir()

	code, out, stderr := runCLI(t, "inspect", "aad5acad-5eac-456d-9c14-78f10cb6584b", "--cache-dir", cache, "-v")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "uncaught TypeError")
	pages := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/recording-segments/") {
			pages++
		}
		assert.Equal(t, userAgent(), r.UserAgent, "%s names repro and its version", r.Path)
	}
	assert.Equal(t, 3, pages, "one request per segment page")
	assert.Regexp(t, `^repro/[^()\s]+$`, userAgent())
	assert.Contains(t, stderr, "level=DEBUG msg=\"sentry request\"", "-v shows the client's diagnostics")

	// The second run is offline: served from the cache.
	srv.ResetRequests()
	code, _, stderr = runCLI(t, "inspect", "aad5acad5eac456d9c1478f10cb6584b", "--cache-dir", cache)
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stderr, "level=DEBUG", "without -v, no diagnostics")
	assert.Empty(t, srv.Requests())

	// The token never leaves: not in output, logs or cache files.
	assert.NotContains(t, out+stderr, sentrytest.DefaultToken)
	require.NoError(t, filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.NotContains(t, string(b), sentrytest.DefaultToken, p)
		}
		return nil
	}))
}

func TestSentryFaultsMapToDocumentedExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		token string
		id    string
		code  int
		msg   string
	}{
		{"wrong token", "wrong", "aad5acad5eac456d9c1478f10cb6584b", exitSentryAuth, "org:read"},
		{"unknown replay", sentrytest.DefaultToken, "00000000000000000000000000000001", exitNotFound, "not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			useFakeSentry(t, tc.token, sentrytest.WithBundle(imagechatBug))
			code, out, stderr := runCLI(t, "inspect", tc.id, "--cache-dir", t.TempDir())
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stderr, tc.msg)
			assert.NotContains(t, out+stderr, tc.token)
		})
	}
}

func TestReportPostsTheVerdictToTheIssueAndRecordsAnEvent(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the replay); run without -short")
	}
	srv := useFakeSentry(t, sentrytest.DefaultToken, sentrytest.WithBundle(imagechatBug), sentrytest.WithIssue("4711", "FRONTEND-1A3"))

	// A fake ingest for the team's own project: sentry-go posts the verdict
	// event there.
	var envelopes []string
	var mu sync.Mutex
	ingest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		envelopes = append(envelopes, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer ingest.Close()
	dsn := "http://publickey@" + strings.TrimPrefix(ingest.URL, "http://") + "/42"

	app := imagechatBuggy
	code, out, stderr := runCLI(t, "report", imagechatBug, "--app", app, "--post", "--to-issue", "4711", "--dsn", dsn, "--latency", "none", "--artifacts", t.TempDir())
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Posted the verdict (reproduced) to issue 4711")

	comments := srv.Comments()
	require.Len(t, comments, 1)
	assert.Equal(t, "4711", comments[0].IssueID)
	assert.Contains(t, comments[0].Text, "repro: **reproduced**")
	assert.Contains(t, comments[0].Text, "TypeError")
	assert.Contains(t, comments[0].Text, "are attached to the verdict event", "the comment says where the report is")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, envelopes, 1)
	assert.Contains(t, envelopes[0], `"verdict":"reproduced"`)
	assert.Contains(t, envelopes[0], `"replay_id":"`)
	assert.NotContains(t, out+stderr+envelopes[0], sentrytest.DefaultToken)

	// The event carries report.html and the failing step's two frames.
	env, err := replay.DecodeEnvelope([]byte(envelopes[0]))
	require.NoError(t, err)
	attached := map[string][]byte{}
	for _, it := range env.Items {
		if it.Type == "attachment" {
			name, _ := it.Header["filename"].(string)
			attached[name] = it.Payload
		}
	}
	require.Contains(t, attached, "report.html")
	assert.Contains(t, string(attached["report.html"]), "<section class=\"banner v-reproduced\">")
	for _, name := range []string{"step-05-recorded.jpg", "step-05-rerun.jpg"} {
		require.Contains(t, attached, name)
		_, err := jpeg.Decode(bytes.NewReader(attached[name]))
		assert.NoError(t, err, "%s is a JPEG", name)
	}
}

// TestReportReadsTheIssuesOfALocalBundle: report finds a local bundle's
// issues in errors.json in the shapes the bundle loader reads, and a group
// id it cannot use makes the bundle unreadable (65), not a bare failure.
func TestReportReadsTheIssuesOfALocalBundle(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the replay); run without -short")
	}
	raw, err := os.ReadFile(filepath.Join(imagechatBug, "errors.json"))
	require.NoError(t, err)
	var events []map[string]any
	require.NoError(t, json.Unmarshal(raw, &events))
	withGroup := func(group any) []map[string]any {
		out := make([]map[string]any, len(events))
		for i, ev := range events {
			out[i] = map[string]any{"groupID": group}
			for k, v := range ev {
				out[i][k] = v
			}
		}
		return out
	}
	encode := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	cases := []struct {
		name   string
		errors string
		code   int
		out    string // on stdout, or the one-line error on stderr
	}{
		{"the API's data wrapper", encode(map[string]any{"data": withGroup("4711")}), exitOK, "Would post to issue 4711"},
		{"a group id that is an object", encode(withGroup(map[string]any{"id": 4711})), exitBadReplay, "errors.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			isolateSentryConfig(t)
			bundle := bundleWith(t, "errors.json", tc.errors)
			code, out, stderr := runCLI(t, "report", bundle, "--app", imagechatBuggy, "--dry-run", "--latency", "none", "--artifacts", t.TempDir())
			require.Equal(t, tc.code, code, stderr)
			if tc.code == exitOK {
				assert.Contains(t, out, tc.out)
				return
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			assert.Contains(t, lines[len(lines)-1], tc.out)
			assert.True(t, strings.HasPrefix(lines[len(lines)-1], "repro: "), "the error is one line of its own: %q", stderr)
		})
	}
}

func TestReportDryRunPostsNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the replay); run without -short")
	}
	srv := useFakeSentry(t, sentrytest.DefaultToken, sentrytest.WithBundle(imagechatBug))
	app := imagechatFixed
	var sent atomic.Int32
	ingest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1) }))
	defer ingest.Close()
	dsn := "http://publickey@" + strings.TrimPrefix(ingest.URL, "http://") + "/42"
	code, out, stderr := runCLI(t, "report", imagechatBug, "--app", app, "--dry-run", "--to-issue", "4711", "--dsn", dsn, "--latency", "none", "--artifacts", t.TempDir())
	require.Equal(t, exitNotReproduced, code, stderr)
	assert.Contains(t, out, "Would post to issue 4711")
	assert.Contains(t, out, "repro: **not reproduced**")
	assert.Regexp(t, `report\.html \(text/html, \d+ bytes\)`, out, "--dry-run lists the attachments and their sizes")
	assert.Regexp(t, `step-05-rerun\.jpg \(image/jpeg, \d+ bytes\)`, out)
	assert.Empty(t, srv.Comments())
	assert.Zero(t, sent.Load(), "--dry-run sends no event")
}

func TestInspectHealthyBundleSaysNothingWentWrong(t *testing.T) {
	t.Parallel()
	code, out, stderr := runCLI(t, "inspect", mustAbs("../../testdata/replays/feed-healthy"))
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "Nothing went wrong")
	assert.NotContains(t, out, "←", "no breakdown is marked")
}

func TestPipelineWritesARegressionTestOnlyWhenReproduced(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the replay); run without -short")
	}
	cases := []struct {
		app      string
		code     int
		wantTest bool
	}{
		{imagechatBuggy, exitOK, true},
		{imagechatFixed, exitNotReproduced, false},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.app), func(t *testing.T) {
			artifacts := t.TempDir()
			code, out, stderr := runCLI(t, imagechatBug, "--app", tc.app, "--artifacts", artifacts, "--latency", "none", "--frames=false")
			require.Equal(t, tc.code, code, stderr)
			assert.Contains(t, out, "Verdict:")
			assert.FileExists(t, filepath.Join(artifacts, "report.md"))
			assert.FileExists(t, filepath.Join(artifacts, "report.json"))
			for _, name := range []string{"report.txt", "report.md", "report.json"} {
				st, err := os.Stat(filepath.Join(artifacts, name))
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "%s is readable by all, as the screenshots are", name)
			}
			temps, _ := filepath.Glob(filepath.Join(artifacts, ".*.tmp"))
			assert.Empty(t, temps, "no temporary file is left")
			tests, _ := filepath.Glob(filepath.Join(artifacts, "regression", "*_test.go"))
			if tc.wantTest {
				require.Len(t, tests, 1, stderr)
				assert.Contains(t, stderr, tests[0])
				assert.FileExists(t, filepath.Join(artifacts, "regression", "testdata", "replay_aad5ac", "cassette.json"))
			} else {
				assert.Empty(t, tests)
				assert.Contains(t, stderr, "no regression test written")
			}
		})
	}
}

func TestServePrintsItsAddressServesTheRecordingAndStopsCleanly(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", imagechatBug, "--latency", "none"}, envOf(t).env(), strings.NewReader(""), &out, io.Discard)
	}()
	var base string
	require.Eventually(t, func() bool {
		_, rest, ok := strings.Cut(out.String(), " on http://")
		if !ok {
			return false
		}
		base = "http://" + strings.Fields(rest)[0]
		return true
	}, 10*time.Second, 20*time.Millisecond)
	assert.Contains(t, out.String(), "POST   /api/chat")

	resp, err := http.Post(base+"/api/chat", "application/json", strings.NewReader(`{"shot_id":42,"prompt":"*****************************"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 500, resp.StatusCode, string(body))
	assert.Contains(t, string(body), "generation_failed")

	resp, err = http.Get(base + "/api/unknown")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode, "unmatched requests fail closed")

	cancel() // Ctrl-C
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	assert.Contains(t, out.String(), "Stopped. 2 request(s): 1 recorded")
	assert.Contains(t, out.String(), "GET /api/unknown")
}

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestReportByReplayIDPostsToTheIssuesLinkedInSentry(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (re-runs the replay); run without -short")
	}
	srv := useFakeSentry(t, sentrytest.DefaultToken, sentrytest.WithBundle(imagechatBug))
	code, out, stderr := runCLI(t, "report", "aad5acad5eac456d9c1478f10cb6584b", "--app", imagechatBuggy, "--post",
		"--latency", "none", "--cache-dir", t.TempDir(), "--artifacts", t.TempDir())
	require.Equal(t, exitOK, code, stderr)
	comments := srv.Comments()
	require.Len(t, comments, 1, "one comment on the one issue the replay's error belongs to")
	orgLookups := 0
	for _, r := range srv.Requests() {
		if r.Path == "/api/0/organizations/"+srv.Org+"/" {
			orgLookups++
		}
	}
	assert.Equal(t, 1, orgLookups, "fetching, finding the issues and posting share one client: the region is discovered once")
	assert.Contains(t, out, "Posted the verdict (reproduced) to issue FRONTEND-1 ("+comments[0].IssueID+")")
	assert.Contains(t, comments[0].Text, "TypeError")
}

// TestInspectHTMLWritesTheRecordingReport checks inspect --html: the
// recording's report is written (one row per step, a recorded frame in
// each) and the story still goes to stdout.
func TestInspectHTMLWritesTheRecordingReport(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs Chromium (renders the recorded frames); run without -short")
	}
	path := filepath.Join(t.TempDir(), "recording.html")
	code, out, stderr := runCLI(t, "inspect", imagechatBug, "--html", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, out, "Broken")
	assert.Contains(t, stderr, "report: "+path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), "the recording: broken")
	assert.Equal(t, 6, strings.Count(string(b), `<img alt="recorded page at step`), "a recorded frame per step")
}
