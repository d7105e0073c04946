package generate

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/testdata/usermodule"
)

// userModule is a temporary Go module that requires this one through a
// replace directive, as an engineer's repository would.
type userModule struct {
	dir  string
	root string
}

func newUserModule(t *testing.T) *userModule {
	t.Helper()
	m := &userModule{dir: t.TempDir(), root: repoRoot(t)}
	require.NoError(t, usermodule.Write(t.Context(), m.root, m.dir, "example.com/userapp"))
	return m
}

// goCmd runs the go tool in the module, offline, and returns its combined
// output and whether it succeeded.
func (m *userModule) goCmd(t *testing.T, env []string, args ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = m.dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off")
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("go %s timed out:\n%s", strings.Join(args, " "), out.String())
	}
	return out.String(), err == nil
}

func skipUnlessLong(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED under -short: this test runs real Chromium and `go test` in a temporary module (about a minute); run without -short to check the generated test end to end")
	}
	if _, err := session.FindChrome(""); err != nil {
		t.Fatalf("this end-to-end test needs Chromium: %v", err)
	}
}

// TestGeneratedTestFailsOnBuggyAppAndPassesOnFixedApp is the contract of
// repro generate: the emitted test compiles and vets in the user's module,
// fails against the buggy app naming the recorded error (not a lost path),
// passes against the fixed app, and refuses to run without REPRO_APP_URL.
// It holds for the plain-JS app and for the framework apps (React with
// BrowserRouter, Vue with hash routes), one package each in one module.
func TestGeneratedTestFailsOnBuggyAppAndPassesOnFixedApp(t *testing.T) {
	skipUnlessLong(t)
	t.Parallel()
	m := newUserModule(t)
	cases := []struct {
		bundle, app, pkg string
		errType, errText string
	}{
		{"imagechat-bug", "imagechat", "regress", "TypeError", "Cannot read properties of undefined"},
		{"studio-bug", "studio", "regressstudio", "TypeError", "reading 'slug'"},
		{"tasks-bug", "tasks", "regresstasks", "TypeError", "reading 'id'"},
	}
	names := map[string]string{}
	for i, tc := range cases {
		r := openReplay(t, tc.bundle)
		out, err := Generate(r, Options{Package: tc.pkg, Command: "repro generate testdata/replays/" + tc.bundle + " -o ./" + tc.pkg + " --force"})
		require.NoError(t, err)
		pkgDir := filepath.Join(m.dir, tc.pkg)
		require.NoError(t, os.MkdirAll(pkgDir, 0o755))
		_, _, err = out.Write(pkgDir, false)
		require.NoError(t, err)
		if i == 0 {
			_, _, err = out.Write(pkgDir, false)
			require.ErrorContains(t, err, "--force", "an existing test is not overwritten")
		}
		names[tc.pkg] = out.TestName
	}

	start := time.Now()
	vet, ok := m.goCmd(t, nil, "vet", "./...")
	require.True(t, ok, "go vet of the generated tests failed:\n%s", vet)
	t.Logf("go vet (build included): %s", time.Since(start).Round(time.Second))

	for _, tc := range cases {
		t.Run(tc.bundle, func(t *testing.T) {
			// Each package's test waits on its recorded latencies and on
			// its own Chromium: the three run side by side.
			t.Parallel()
			apps := filepath.Join(m.root, "testdata", "apps", tc.app)
			run := func(env ...string) (string, bool) {
				start := time.Now()
				o, ok := m.goCmd(t, env, "test", "-count=1", "-run", names[tc.pkg], "./"+tc.pkg)
				t.Logf("go test %v: ok=%v in %s", env, ok, time.Since(start).Round(100*time.Millisecond))
				return o, ok
			}
			buggy, ok := run("REPRO_APP_URL=" + filepath.Join(apps, "buggy"))
			assert.False(t, ok, "the generated test passed against the buggy app:\n%s", buggy)
			assert.Contains(t, buggy, tc.errType, "the failure names the recorded error")
			assert.Contains(t, buggy, tc.errText)
			assert.NotContains(t, buggy, "no element matched", "the failure is the bug, not a lost path:\n%s", buggy)

			fixed, ok := run("REPRO_APP_URL=" + filepath.Join(apps, "fixed"))
			assert.True(t, ok, "the generated test failed against the fixed app:\n%s", fixed)

			if tc.pkg == "regress" {
				unset, ok := run("REPRO_APP_URL=")
				assert.False(t, ok, "without REPRO_APP_URL the test must fail, not skip")
				assert.Contains(t, unset, "REPRO_APP_URL is not set")
			}
		})
	}
}

// TestMinimizeRemovesIrrelevantStepsAndStillFails plants steps the failure
// does not need into the real feed plan (a click on the first item's title,
// a window scroll), minimizes against the buggy app, and checks that they
// are gone, that the scrolls the failure needs are kept, and that the
// minimized test still fails there. (The feed bundle is the shortest
// recorded bug: a minimization reruns it a dozen times.)
func TestMinimizeRemovesIrrelevantStepsAndStillFails(t *testing.T) {
	skipUnlessLong(t)
	t.Parallel()
	r := openReplay(t, "feed-bug")
	pl, err := plan.Build(r.Timeline, plan.Options{})
	require.NoError(t, err)
	const planted = "#feed-list article:nth-of-type(1) h3"
	var steps []plan.Step
	for i, st := range pl.Steps {
		steps = append(steps, st)
		if i == 0 { // after the page opened: two irrelevant steps
			a := plan.Click(planted).Numbered(0)
			a.Offset = st.Offset + 100*time.Millisecond
			b := plan.ScrollWindow(0, 40)
			b.Offset = st.Offset + 200*time.Millisecond
			steps = append(steps, a, b)
		}
	}
	for i := range steps {
		steps[i].Index = i
	}
	pl.Steps = steps

	app, err := session.ParseApp(filepath.Join(repoRoot(t), "testdata", "apps", "feed", "buggy"))
	require.NoError(t, err)
	// The recorded latency, as the generated test's mock answers: the feed
	// loads its next page on a scroll, so whether a shorter plan still
	// fails depends on how fast the answers come.
	start := time.Now()
	min, err := Minimize(context.Background(), r, pl, MinimizeOptions{Run: reproduce.RunOptions{App: app}, MaxReruns: 40})
	require.NoError(t, err)
	t.Logf("minimize: %s in %s", min, time.Since(start).Round(time.Second))
	for _, st := range min.Plan.Steps {
		assert.NotContains(t, st.Selectors, planted, "the planted click was kept")
		assert.False(t, st.Kind == plan.StepScroll && st.ScrollWindow, "the planted window scroll was kept")
	}
	assert.GreaterOrEqual(t, min.Removed, 2)
	assert.True(t, min.Complete)
	require.Equal(t, min.Removed+len(min.Plan.Steps)-1, min.Considered)
	last := min.Plan.Steps[len(min.Plan.Steps)-1]
	assert.Equal(t, plan.StepScroll, last.Kind, "the scroll that loads the failing page is kept")
	assert.Contains(t, last.Selectors, "#feed-list")

	m := newUserModule(t)
	out, err := Generate(r, Options{Package: "regress", Plan: min.Plan})
	require.NoError(t, err)
	_, _, err = out.Write(filepath.Join(m.dir), false)
	require.NoError(t, err)
	got, ok := m.goCmd(t, []string{"REPRO_APP_URL=" + app.Dir}, "test", "-count=1", "./...")
	assert.False(t, ok, "the minimized test passed against the buggy app:\n%s", got)
	assert.Contains(t, got, "Cannot read properties of null")
}
