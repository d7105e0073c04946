package sentryapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/sentryapi/sentrytest"
)

// realBundle was recorded with the real browser SDK (testdata/replays).
const (
	realBundle   = "../../testdata/replays/imagechat-bug"
	realReplayID = "aad5acad5eac456d9c1478f10cb6584b"
	realErrorID  = "634c719580784376baf1eed8e7cb09cc"
)

// sleeper records the waits the client asks for instead of sleeping.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// harness is a fake Sentry plus a client wired to it with fake sleep and a
// captured debug log.
type harness struct {
	srv    *sentrytest.Server
	client *sentryapi.Client
	sleep  *sleeper
	logs   *bytes.Buffer
	cfg    sentryapi.Config
}

var fixedNow = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

func newHarness(t *testing.T, fakeOpts []sentrytest.Option, clientOpts ...sentryapi.Option) *harness {
	t.Helper()
	srv := sentrytest.New(t, fakeOpts...)
	h := &harness{srv: srv, sleep: &sleeper{}, logs: &bytes.Buffer{}}
	h.cfg = sentryapi.Config{URL: srv.URL, Token: srv.Token, Org: srv.Org}
	opts := append([]sentryapi.Option{
		sentryapi.WithSleep(h.sleep.sleep),
		sentryapi.WithJitter(func() float64 { return 0.5 }),
		sentryapi.WithClock(func() time.Time { return fixedNow }),
		sentryapi.WithRetry(3, 100*time.Millisecond),
		sentryapi.WithTimeout(5 * time.Second),
		sentryapi.WithLogger(slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}, clientOpts...)
	h.client = sentryapi.NewClient(h.cfg, opts...)
	return h
}

func newDebugLogger(h *harness) *slog.Logger {
	return slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// countPath counts recorded requests whose path ends with suffix.
func countPath(reqs []sentrytest.Request, contains string) int {
	n := 0
	for _, r := range reqs {
		if bytes.Contains([]byte(r.Path), []byte(contains)) {
			n++
		}
	}
	return n
}

// copyBundle copies the real bundle into a temp dir and lets edit change the
// replay details' data object.
func copyBundle(t *testing.T, edit func(data map[string]any)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"replay.json", "recording-segments.json", "errors.json"} {
		b, err := os.ReadFile(filepath.Join(realBundle, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "replay.json" && edit != nil {
			var env map[string]map[string]any
			if err := json.Unmarshal(b, &env); err != nil {
				t.Fatal(err)
			}
			edit(env["data"])
			if b, err = json.Marshal(env); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustRef(t *testing.T, s string) sentryapi.Ref {
	t.Helper()
	ref, err := sentryapi.ParseRef(s)
	if err != nil {
		t.Fatalf("ParseRef(%q): %v", s, err)
	}
	return ref
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
