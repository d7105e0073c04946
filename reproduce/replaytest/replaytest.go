// Package replaytest is the harness the regression tests `repro generate`
// writes are built on. One call, Start, gives a test its app under test
// (from REPRO_APP_URL), its fixture (the recorded environment and API
// calls), the mock backend `repro run` would build from them, and a browser
// session with the same fail-closed network; Do then follows the user's
// steps, failing the test with the step's words when one cannot be done.
//
// It sits after the facade in repro's stages: it imports reproduce,
// reproduce/plan and reproduce/session, and nothing imports it but tests.
package replaytest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
)

// V1 is the version of this API that generated tests are written for; each
// references it, so a breaking change to the harness (a V2) fails their
// build with this name in the message rather than at run time.
const V1 = 1

// AppEnv is the environment variable that names the app under test: a base
// URL (http://localhost:3000) or a directory of static files, which the
// session serves on loopback.
const AppEnv = "REPRO_APP_URL"

// Options tune Start. The zero value is what generated tests use.
type Options struct {
	// Decided, when set, reports whether the test's outcome is settled by
	// what has been observed; a wait that could no longer change it (the
	// dead-click watch, once a recorded error has recurred) ends early.
	// See session.RunConfig.Decided.
	Decided func(*session.Observation) bool
	// Timeout bounds the whole session (default 3 minutes).
	Timeout time.Duration
	// Run takes `repro run`'s options: the mock's latency and upstream,
	// settle policy, step timeout, Chrome. Its App is ignored (AppEnv is).
	Run reproduce.RunOptions
}

// A Session is one test's rerun: Do each step, then Finish.
type Session struct {
	t    testing.TB
	ctx  context.Context
	s    *session.Session
	next int
}

// Start opens the fixture directory (fixture.json and cassette.json, as
// `repro generate` writes them), builds the mock backend from it as `repro
// run` does, and starts a browser session against the app named by
// REPRO_APP_URL. The test fails at once, saying what to do, when the
// variable is unset, the app or the fixture cannot be read, or Chrome does
// not start. The session is closed when the test ends.
func Start(t testing.TB, fixtureDir string, opts Options) *Session {
	t.Helper()
	raw := os.Getenv(AppEnv)
	if raw == "" {
		t.Fatalf("%s is not set: set it to the app under test, a base URL (%s=http://localhost:3000) "+
			"or a directory of static files (%s=./web/dist)", AppEnv, AppEnv, AppEnv)
	}
	app, err := session.ParseApp(raw)
	if err != nil {
		t.Fatalf("%s: %v", AppEnv, err)
	}
	fx, err := reproduce.LoadFixture(fixtureDir)
	if err != nil {
		t.Fatalf("%v (regenerate it with repro generate)", err)
	}
	mock, err := opts.Run.NewMock(fx.Exchanges, fx.Mock)
	if err != nil {
		t.Fatal(err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	cfg := opts.Run.Config()
	cfg.App, cfg.API, cfg.Decided = app, mock, opts.Decided
	s, err := session.NewSession(ctx, fx.Plan, cfg)
	if err != nil {
		cancel()
		t.Fatalf("start the browser session: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		cancel()
	})
	return &Session{t: t, ctx: ctx, s: s}
}

// Open loads the recording's first page, for a test whose first step is
// not a navigation.
func (h *Session) Open() {
	h.t.Helper()
	if err := h.s.Open(h.ctx); err != nil {
		h.t.Fatalf("open the first page: %v", err)
	}
}

// Do performs the next user step (steps are numbered in the order they are
// done, from 0) and fails the test, naming the step, when it cannot be
// done: the test could not follow the user's path, so it says nothing
// about the bug.
func (h *Session) Do(st plan.Step) {
	h.t.Helper()
	st.Index = h.next
	h.next++
	if err := h.s.Do(h.ctx, st); err != nil {
		h.t.Fatalf("step %d (%s): the test could not follow the user's path: %v", st.Index, st, err)
	}
}

// Finish waits for the page to settle after the last step and returns what
// the session observed, for the test's assertions.
func (h *Session) Finish() *session.Observation {
	h.t.Helper()
	return h.s.Finish(h.ctx)
}
