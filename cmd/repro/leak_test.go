package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leakRuns is how many times each bundle is re-run by
// TestRunLeaksNothingOnAnyBundle. CI runs each once; the closing figures
// come from -leak-runs 20. leakAll runs it on every bundle rather than on
// one per kind of app (every bundle goes through the same stand-ins in
// TestBatchOfEveryBundleGivesRunsVerdictsAndLeaksNothing).
var (
	leakRuns = flag.Int("leak-runs", 1, "runs per bundle of TestRunLeaksNothingOnAnyBundle")
	leakAll  = flag.Bool("leak-all", false, "TestRunLeaksNothingOnAnyBundle on every bundle, not one per kind of app")
)

// leakBundles are the bundles TestRunLeaksNothingOnAnyBundle runs without
// -leak-all: the plain app with its slow backend and a request in flight
// when the run ends (with --runs 4: four browser contexts at once), the
// React app (history routes, a form) and the Vue
// app (hash routes), each with report.html's recorded frames rendered after
// the verdict.
var leakBundles = map[string]bool{"imagechat-bug": true, "studio-bug": true, "tasks-healthy": true}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// reproBinary builds the repro command once per test binary: the leak test
// counts what reaches the network until after the process has exited.
func reproBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "repro-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "repro")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

// counter is a real loopback server standing in for a place a rerun must
// never reach. It counts requests (and, through countIf, only those that
// are leaks: the app server serves its own assets too).
type counter struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hits  []string
	conns int
}

func newCounter(t *testing.T, handler http.Handler, countIf func(*http.Request) bool) *counter {
	return newCounterOn(t, "127.0.0.1", handler, countIf)
}

// newCounterOn is newCounter listening on host.
func newCounterOn(t *testing.T, host string, handler http.Handler, countIf func(*http.Request) bool) *counter {
	c := &counter{}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if countIf == nil || countIf(r) {
			c.mu.Lock()
			c.hits = append(c.hits, r.Method+" "+r.URL.RequestURI())
			c.mu.Unlock()
		}
		if handler != nil {
			handler.ServeHTTP(w, r)
			return
		}
		_, _ = io.WriteString(w, `{"leaked":true}`)
	}))
	if countIf == nil {
		c.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				c.mu.Lock()
				c.conns++
				c.mu.Unlock()
			}
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	require.NoError(t, err)
	c.srv.Listener.Close()
	c.srv.Listener = ln
	c.srv.Start()
	t.Cleanup(c.srv.Close)
	return c
}

func (c *counter) seen() ([]string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.hits...), c.conns
}

// leakApp serves a demo app as a running URL app whose server is also the
// app's real backend (its /api/ answers, and every /api/ request reaching
// it is a leak), with the real Sentry SDK and a config whose DSN points at
// the ingest stand-in, replays on: the SDK flushes replay segments as the
// page goes away.
func leakApp(t *testing.T, appDir, dsn string) *counter {
	return leakAppOn(t, "127.0.0.1", appDir, dsn)
}

// leakAppOn is leakApp listening on host.
func leakAppOn(t *testing.T, host, appDir, dsn string) *counter {
	sdk, err := os.ReadFile("../../testdata/recorder/sdk/dist/sentry.js")
	require.NoError(t, err, "the real Sentry SDK bundle is missing: run .ci/test")
	config := fmt.Sprintf(`if (window.Sentry) { Sentry.init({ dsn: %q, environment: 'rerun', replaysSessionSampleRate: 1.0,
  integrations: [Sentry.replayIntegration({ minReplayDuration: 0, flushMinDelay: 200, flushMaxDelay: 400 })] }); }`, dsn)
	files := http.FileServer(http.Dir(appDir))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := path.Clean(r.URL.Path); {
		case p == "/__sentry/sdk.js":
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write(sdk)
		case p == "/__sentry/config.js":
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = io.WriteString(w, config)
		case strings.HasPrefix(p, "/api/"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"from":"the real backend"}`)
		default:
			if _, err := os.Stat(filepath.Join(appDir, filepath.FromSlash(p))); err != nil || p == "/" {
				http.ServeFile(w, r, filepath.Join(appDir, "index.html"))
				return
			}
			files.ServeHTTP(w, r)
		}
	})
	return newCounterOn(t, host, h, func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") })
}

// relocated copies a bundle with its recorded origin moved onto a loopback
// stand-in, so a request to the recorded origin would really arrive
// somewhere countable. (The raw envelopes are left out: the segments file
// holds the same recording.)
func relocated(t *testing.T, bundle, from, to string) string {
	dir := t.TempDir()
	for _, name := range []string{"replay.json", "recording-segments.json", "errors.json", "manifest.json"} {
		b, err := os.ReadFile(filepath.Join(bundle, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		b = []byte(strings.ReplaceAll(string(b), from, to))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}

// chromiumLeftovers lists the processes whose command line names dir (the
// temporary directory the run's Chromium profile lives in).
func chromiumLeftovers(dir string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if s := strings.ReplaceAll(string(cmd), "\x00", " "); strings.Contains(s, dir) {
			out = append(out, e.Name()+": "+s[:min(len(s), 120)])
		}
	}
	return out
}

// TestRunLeaksNothingOnAnyBundle re-runs recorded bundles (leakBundles;
// every one with -leak-all) with `repro run` as its own process, against its app served as a URL app that is
// also the app's real backend, with the real Sentry SDK configured to send
// to an ingest stand-in, and the recorded origin moved onto a third
// stand-in. Counted until 2 s after the process exited, none of them gets
// a request (the ingest and the recorded origin not even a connection),
// and no Chromium process of the run is left.
func TestRunLeaksNothingOnAnyBundle(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: re-runs every bundle in Chromium; -short is set")
	}
	bin := reproBinary(t)
	bundles, err := filepath.Glob("../../testdata/replays/*/manifest.json")
	require.NoError(t, err)
	require.NotEmpty(t, bundles)
	for _, mf := range bundles {
		dir := filepath.Dir(mf)
		if !*leakAll && !leakBundles[filepath.Base(dir)] {
			continue
		}
		var m struct {
			Origin  string `json:"origin"`
			App     string `json:"app"`
			Variant string `json:"variant"`
		}
		b, err := os.ReadFile(mf)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &m))
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			for run := 1; run <= *leakRuns; run++ {
				ingest := newCounter(t, nil, nil)
				recorded := newCounter(t, nil, nil)
				app := leakApp(t, mustAbs(filepath.Join("../../testdata/apps", m.App, m.Variant)), "http://publickey@"+strings.TrimPrefix(ingest.srv.URL, "http://")+"/1")
				bundle := relocated(t, dir, m.Origin, recorded.srv.URL)
				tmp := shortTempDir(t, "rl")
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				args := []string{"run", bundle, "--app", app.srv.URL, "--latency", "none", "--artifacts", filepath.Join(tmp, "artifacts")}
				if filepath.Base(dir) == "imagechat-bug" {
					// Its request still in flight at the end, in four
					// browser contexts at once (--runs goes twice the
					// cores at a time).
					args = append(args, "--runs", "4")
				}
				cmd := exec.CommandContext(ctx, bin, args...)
				cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HOME="+tmp)
				out, err := cmd.CombinedOutput()
				cancel()
				if code := cmd.ProcessState.ExitCode(); code != 0 && code != 3 && code != 4 && code != 5 {
					t.Fatalf("run %d: repro run exited %d (%v): %s", run, code, err, out)
				}
				time.Sleep(2 * time.Second) // what a page or a child process sends late still counts
				for name, c := range map[string]*counter{"the Sentry ingest": ingest, "the recorded origin": recorded, "the app's real backend": app} {
					hits, conns := c.seen()
					assert.Empty(t, hits, "run %d: requests reached %s", run, name)
					assert.Zero(t, conns, "run %d: connections reached %s", run, name)
				}
				assert.Empty(t, chromiumLeftovers(tmp), "run %d: Chromium processes outlived repro", run)
			}
		})
	}
}

// TestARunThatCannotStartLeavesNoBrowser: `repro run` launches Chrome
// while it reads the replay and checks the app. A replay that cannot be
// read stops the launch, and an app that fails its check once the launch
// is done closes the browser: each exits with its own error and code, and
// no Chromium process of it is left.
func TestARunThatCannotStartLeavesNoBrowser(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	bin := reproBinary(t)
	// An app that answers its check only after a launch is done (2.5 s),
	// and then by dropping the connection.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2500 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
	}))
	t.Cleanup(slow.Close)
	broken := bundleWith(t, "recording-segments.json", `[[{"type":4,}]]`)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"a replay that cannot be read", []string{"run", broken, "--app", imagechatBuggy}, exitBadReplay, "recording-segments.json"},
		{"an app that fails its check after the launch", []string{"run", imagechatBug, "--app", slow.URL}, exitAppUnreachable, slow.URL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := shortTempDir(t, "rb")
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HOME="+tmp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, stderr.String())
			assert.Equal(t, tc.code, exit.ExitCode(), stderr.String())
			assert.Contains(t, stderr.String(), tc.msg)
			assert.Empty(t, chromiumLeftovers(tmp), "Chromium processes outlived repro run")
		})
	}
}

// shortTempDir is a new directory for a repro process's TMPDIR and HOME,
// removed after the test: a short one, as Chrome's profile socket path
// must stay under the Unix limit (108 bytes).
func shortTempDir(t *testing.T, prefix string) string {
	t.Helper()
	tmp, err := os.MkdirTemp("", prefix)
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(tmp) })
	return tmp
}
