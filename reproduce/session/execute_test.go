package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/plan"
)

// execPlan drives every control of testdata/runner/exec once.
func execPlan() plan.Plan {
	on := true
	const page = "http://app.example.test/exec/"
	return plan.Plan{
		StartURL: page,
		Steps: []plan.Step{
			{Index: 0, Kind: plan.StepNavigate, URL: page},
			{Index: 1, Kind: plan.StepInput, Selectors: []string{"#name"}, Value: "Ada"},
			{Index: 2, Kind: plan.StepSelect, Selectors: []string{"#color"}, Value: "green"},
			{Index: 3, Kind: plan.StepCheck, Selectors: []string{"#agree"}, Checked: &on},
			{Index: 4, Kind: plan.StepClick, Selectors: []string{"#nope", "#live"}, JudgeDeadClick: true},
			{Index: 5, Kind: plan.StepClick, Selectors: []string{"#dead"}, JudgeDeadClick: true},
			{Index: 6, Kind: plan.StepClick, Selectors: []string{"#boom"}},
			{Index: 7, Kind: plan.StepScroll, Selectors: []string{"#list"}, ScrollY: 200},
			{Index: 8, Kind: plan.StepClick, Selectors: []string{"#push"}, JudgeDeadClick: true},
			{Index: 9, Kind: plan.StepBack},
			{Index: 10, Kind: plan.StepClick, Selectors: []string{"#nope2"}, X: 60, Y: 420, HasPoint: true},
			{Index: 11, Kind: plan.StepKey, Selectors: []string{"#name"}, Key: "Escape"},
			{Index: 12, Kind: plan.StepClick, Selectors: []string{"#missing"}},
			{Index: 13, Kind: plan.StepClick, Selectors: []string{"#live"}},
		},
	}
}

type execState struct {
	Name      string   `json:"name"`
	Color     string   `json:"color"`
	Agree     bool     `json:"agree"`
	ScrollTop float64  `json:"scrollTop"`
	Path      string   `json:"path"`
	Point     bool     `json:"point"`
	Live      int      `json:"live"`
	Keys      []string `json:"keys"`
}

func TestExecuteRunsAPlanAndObservesIt(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	artifacts := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	pl := execPlan()
	obs, err := Execute(ctx, pl, RunConfig{
		Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")},
		StepTimeout: time.Second, ArtifactsDir: artifacts, EvidenceSteps: []int{4},
		Settle: SettlePolicy{Final: 200 * time.Millisecond, DeadClickWindow: 500 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("element gone stops the run with a reason", func(t *testing.T) {
		if obs.Completed || obs.StoppedAt != 12 {
			t.Fatalf("completed=%v stoppedAt=%d (%s), want stopped at 12", obs.Completed, obs.StoppedAt, obs.StopReason)
		}
		if want := "no element matched any of [#missing]"; !strings.Contains(obs.StopReason, want) {
			t.Errorf("reason %q lacks %q", obs.StopReason, want)
		}
		// Where the page was: step 9 went back to the page the run opened.
		if want := "(the page was at /exec/)"; !strings.HasSuffix(obs.StopReason, want) {
			t.Errorf("reason %q does not end with %q", obs.StopReason, want)
		}
		if len(obs.Steps) != 13 {
			t.Errorf("%d step results, want 13 (step 13 must not run)", len(obs.Steps))
		}
		for _, s := range obs.Steps[:12] {
			if s.Status != StepOK {
				t.Errorf("step %d (%s) = %s: %s", s.Index, s.Kind, s.Status, s.Reason)
			}
		}
	})

	t.Run("controls reached the recorded state", func(t *testing.T) {
		var st execState
		for _, c := range obs.Console {
			if rest, ok := strings.CutPrefix(c.Text, "state "); ok {
				if err := json.Unmarshal([]byte(rest), &st); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := execState{Name: "Ada", Color: "green", Agree: true, ScrollTop: 200, Path: "/exec/", Point: true, Live: 1, Keys: []string{"Escape"}}
		if st.Name != want.Name || st.Color != want.Color || st.Agree != want.Agree || st.ScrollTop != want.ScrollTop ||
			st.Path != want.Path || st.Point != want.Point || st.Live != want.Live || strings.Join(st.Keys, ",") != "Escape" {
			t.Errorf("final state = %+v, want %+v", st, want)
		}
	})

	t.Run("selector fallback and coordinate fallback are recorded", func(t *testing.T) {
		if len(obs.Steps) < 11 {
			t.Fatalf("only %d steps ran", len(obs.Steps))
		}
		if s := obs.Steps[4]; s.Selector != "#live" || s.UsedPoint {
			t.Errorf("step 4 used %q (point %v), want the second candidate #live", s.Selector, s.UsedPoint)
		}
		if s := obs.Steps[10]; !s.UsedPoint || s.Selector != "" {
			t.Errorf("step 10 used %q (point %v), want the recorded point", s.Selector, s.UsedPoint)
		}
	})

	t.Run("exception is tied to the click that threw it", func(t *testing.T) {
		if len(obs.Exceptions) != 1 {
			t.Fatalf("exceptions = %+v, want 1", obs.Exceptions)
		}
		e := obs.Exceptions[0]
		if e.Step != 6 || e.Type != "TypeError" || e.Message != "Cannot read properties of null (reading 'x')" || e.Stack == "" {
			t.Errorf("exception = %+v", e)
		}
	})

	t.Run("dead click is flagged on the dead button only", func(t *testing.T) {
		dead := map[int]bool{}
		for _, d := range obs.DeadClicks {
			dead[d.Step] = true
		}
		if !dead[5] {
			t.Errorf("dead clicks %+v lack step 5 (#dead)", obs.DeadClicks)
		}
		for _, live := range []int{4, 8, 10} {
			if dead[live] {
				t.Errorf("step %d changed the page but was flagged dead", live)
			}
		}
	})

	t.Run("console messages keep their level and step", func(t *testing.T) {
		has := func(level, text string, step int) bool {
			for _, c := range obs.Console {
				if c.Level == level && c.Text == text && c.Step == step {
					return true
				}
			}
			return false
		}
		if !has("info", "loaded", 0) {
			t.Error("no info 'loaded' at step 0")
		}
		if !has("warning", "live clicked", 4) {
			t.Error("no warning 'live clicked' at step 4")
		}
	})

	t.Run("screenshots are taken where they are evidence", func(t *testing.T) {
		// The default policy: the first step, the step the recording names
		// (EvidenceSteps: 4), the click that threw (6) and the step that
		// could not be done (12, where the run stopped); none elsewhere.
		var shot []int
		for _, s := range obs.Steps {
			if s.Screenshot == "" {
				continue
			}
			shot = append(shot, s.Index)
			fi, err := os.Stat(filepath.Join(artifacts, s.Screenshot))
			if err != nil || fi.Size() == 0 {
				t.Errorf("step %d screenshot %s: %v", s.Index, s.Screenshot, err)
			}
		}
		assert.Equal(t, []int{0, 4, 6, 12}, shot)
		assert.Equal(t, ScreenshotsEvidence, obs.Screenshots)
		_, err := os.Stat(filepath.Join(artifacts, "step-03-check.jpg"))
		assert.ErrorIs(t, err, os.ErrNotExist, "a step with no failure gets no screenshot")
	})
}

// TestScreenshotsAllTakesOneAfterEveryStep: with ScreenshotsAll every step
// gets its screenshot, named by its index and kind.
func TestScreenshotsAllTakesOneAfterEveryStep(t *testing.T) {
	t.Parallel()
	artifacts := t.TempDir()
	steps := execPlan().Steps[1:4] // input, select, check: no failure among them
	obs := runOnPage(t, "exec", RunConfig{ArtifactsDir: artifacts, Screenshots: ScreenshotsAll}, steps...)
	require.Len(t, obs.Steps, 4)
	for _, s := range obs.Steps {
		require.NotEmpty(t, s.Screenshot, "step %d", s.Index)
		fi, err := os.Stat(filepath.Join(artifacts, s.Screenshot))
		require.NoError(t, err)
		assert.NotZero(t, fi.Size(), "step %d", s.Index)
	}
	_, err := os.Stat(filepath.Join(artifacts, "step-03-check.jpg"))
	assert.NoError(t, err)
	assert.Equal(t, ScreenshotsAll, obs.Screenshots)
}

func TestSessionDrivesOneStepPerStatement(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pl := execPlan()
	s, err := NewSession(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, StepTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, st := range pl.Steps[:2] {
		if err := s.Do(ctx, st); err != nil {
			t.Fatalf("step %d: %v", st.Index, err)
		}
	}
	err = s.Do(ctx, plan.Step{Index: 2, Kind: plan.StepClick, Selectors: []string{"#missing"}})
	var se *StepError
	if !errors.As(err, &se) || se.Index != 2 || !IsStepFailure(err) {
		t.Fatalf("missing element: err = %v, want a *StepError for step 2", err)
	}
	obs := s.Finish(ctx)
	if obs.StoppedAt != 2 || obs.Completed {
		t.Errorf("observation stopped at %d (completed %v), want 2", obs.StoppedAt, obs.Completed)
	}
	if obs.FinalURL != obs.AppURL+"/exec/" {
		t.Errorf("final URL = %q", obs.FinalURL)
	}
}

func TestCancelledContextIsAnInfrastructureError(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pl := execPlan()
	s, err := NewSession(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Do(ctx, pl.Steps[0]); err != nil {
		t.Fatal(err)
	}
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	err = s.Do(cctx, plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#missing"}})
	if err == nil || IsStepFailure(err) {
		t.Errorf("err = %v, want a non-step (context) error", err)
	}
}

func TestStepValidateNamesTheMissingField(t *testing.T) {
	on := true
	cases := []struct {
		name string
		step plan.Step
		want string
	}{
		{"navigate needs a url", plan.Step{Kind: plan.StepNavigate}, "no URL"},
		{"click needs a selector or a point", plan.Step{Kind: plan.StepClick}, "no selector and no point"},
		{"click with a point is fine", plan.Step{Kind: plan.StepClick, HasPoint: true}, ""},
		{"input needs a selector", plan.Step{Kind: plan.StepInput, Value: "x"}, "no selector"},
		{"check needs a state", plan.Step{Kind: plan.StepCheck, Selectors: []string{"#a"}}, "no checked state"},
		{"check with state is fine", plan.Step{Kind: plan.StepCheck, Selectors: []string{"#a"}, Checked: &on}, ""},
		{"key needs a key", plan.Step{Kind: plan.StepKey}, "no key"},
		{"scroll needs a target", plan.Step{Kind: plan.StepScroll}, "neither the window nor a selector"},
		{"resize needs a size", plan.Step{Kind: plan.StepResize}, "bad size"},
		{"unknown kind", plan.Step{Kind: "hover"}, "unknown kind"},
		{"back needs nothing", plan.Step{Kind: plan.StepBack}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.step.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkExecuteTenSteps measures a 10-step plan (navigate, input, select,
// check, clicks, scroll, pushState, back) in a fresh browser context of a
// shared browser, with the default settle policy.
func BenchmarkExecuteTenSteps(b *testing.B) {
	if testing.Short() {
		b.Skip("SKIPPED: needs a real Chromium; -short is set")
	}
	ctx := context.Background()
	br, err := NewBrowser(ctx, ChromeConfig{})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	pl := execPlan()
	pl.Steps = append(pl.Steps[:5], pl.Steps[7:12]...) // no dead click, no throw: the happy path
	for i := range pl.Steps {
		pl.Steps[i].Index = i
	}
	app := AppUnderTest{Dir: filepath.Join("testdata", "runner")}
	for b.Loop() {
		obs, err := Execute(ctx, pl, RunConfig{Browser: br, App: app})
		if err != nil {
			b.Fatal(err)
		}
		if !obs.Completed {
			b.Fatalf("stopped at %d: %s", obs.StoppedAt, obs.StopReason)
		}
	}
	b.ReportMetric(br.Launch.Seconds(), "launch-s") // after the loop: b.Loop resets metrics
}

// TestRecordedTimingKeepsTheUserPauses protects --timing recorded: a step
// waits at least its recorded gap before it starts (fast timing does not),
// for bugs that depend on the user's pace.
func TestRecordedTimingKeepsTheUserPauses(t *testing.T) {
	t.Parallel()
	b := testBrowser(t)
	const gap = 1200 * time.Millisecond
	for _, tc := range []struct {
		timing   Timing
		waitsGap bool
	}{{TimingRecorded, true}, {TimingFast, false}} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		pl := execPlan()
		s, err := NewSession(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, Timing: tc.timing})
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		first := pl.Steps[0]
		second := plan.Step{Index: 1, Kind: plan.StepWait, Gap: gap, Duration: 10 * time.Millisecond}
		if err := s.Do(ctx, first); err != nil {
			t.Fatal(err)
		}
		firstDone := time.Now()
		if err := s.Do(ctx, second); err != nil {
			t.Fatal(err)
		}
		obs := s.Finish(ctx)
		s.Close()
		cancel()
		started := obs.Steps[1].StartedAt
		if waited := started.Sub(firstDone); (waited >= gap) != tc.waitsGap {
			t.Errorf("timing %v: step 2 started %v after step 1 ended; waits the %v gap = %v, want %v", tc.timing, waited, gap, waited >= gap, tc.waitsGap)
		}
	}
}

// TestNoFalseDeadClick: the dead-click judgement follows the SDK's rule.
// A click on a text field or a new-window link is never judged (the SDK
// judges only links, buttons and submit inputs); a button whose page
// reacts late, without any request, is alive; the button after which
// nothing happens within the window is dead, even though a toast an
// earlier step opened closes during that window (the user, at their pace,
// clicked after it had closed).
func TestNoFalseDeadClick(t *testing.T) {
	t.Parallel()
	obs := runOnPage(t, "deadclick", RunConfig{Settle: SettlePolicy{DeadClickWindow: 2500 * time.Millisecond}},
		plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#email"}, JudgeDeadClick: true},
		plan.Step{Index: 2, Kind: plan.StepClick, Selectors: []string{"#slow"}, JudgeDeadClick: true},
		plan.Step{Index: 3, Kind: plan.StepClick, Selectors: []string{"#away"}, JudgeDeadClick: true},
		plan.Step{Index: 4, Kind: plan.StepClick, Selectors: []string{"#toast"}},
		plan.Step{Index: 5, Kind: plan.StepClick, Selectors: []string{"#dead"}, JudgeDeadClick: true},
	)
	for step, want := range map[int]bool{1: false, 2: false, 3: false, 5: true} {
		dead, what := obs.DeadClick(step)
		assert.Equal(t, want, dead, "step %d: %s", step, what)
	}
}

// TestClickEffectsCountOnABusyPage: on a page whose own timer chain, begun
// before the clicks, fires every few milliseconds, a click whose effect
// comes with the answer to its request, or from a timer it set, is alive
// (the old chain firing just before is not the cause), and a click with no
// effect is still dead.
func TestClickEffectsCountOnABusyPage(t *testing.T) {
	t.Parallel()
	obs := runOnPage(t, "busy", RunConfig{Settle: SettlePolicy{DeadClickWindow: 2 * time.Second}},
		plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#fetch"}, JudgeDeadClick: true},
		plan.Step{Index: 2, Kind: plan.StepClick, Selectors: []string{"#later"}, JudgeDeadClick: true},
		plan.Step{Index: 3, Kind: plan.StepClick, Selectors: []string{"#dead"}, JudgeDeadClick: true},
	)
	for step, want := range map[int]bool{1: false, 2: false, 3: true} {
		dead, what := obs.DeadClick(step)
		assert.Equal(t, want, dead, "step %d: %s", step, what)
	}
}

// TestDecidedEndsTheDeadClickWatch: once RunConfig.Decided says the
// outcome is settled (a recorded error recurred), the dead-click watch of
// a click that throws and changes nothing ends without a judgement; with
// no Decided the same click is judged dead after its window.
func TestDecidedEndsTheDeadClickWatch(t *testing.T) {
	t.Parallel()
	errorSeen := func(o *Observation) bool { return len(o.Exceptions) > 0 }
	for _, decided := range []func(*Observation) bool{errorSeen, nil} {
		obs := runOnPage(t, "deadclick", RunConfig{Settle: SettlePolicy{DeadClickWindow: 2 * time.Second}, Decided: decided},
			plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#throws"}, JudgeDeadClick: true})
		require.NotEmpty(t, obs.Exceptions, "the click throws")
		dead, what := obs.DeadClick(1)
		if decided != nil {
			assert.False(t, dead, what)
			assert.Contains(t, obs.Undecided, 1, "the watch ended undecided once the error was seen")
		} else {
			assert.True(t, dead, "with nothing decided the click is judged to the end: %s", what)
			assert.NotContains(t, obs.Undecided, 1)
		}
	}
}

// TestTypingIntoTheFieldJustClickedDoesNotClickItAgain: the user clicked a
// field, then typed: the rerun clicks it once, as the user did (a second
// click would shut the picker the first opened), and types into it; a field
// nobody clicked first is clicked once to focus it.
func TestTypingIntoTheFieldJustClickedDoesNotClickItAgain(t *testing.T) {
	t.Parallel()
	obs := runOnPage(t, "focus", RunConfig{},
		plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#picker"}},
		plan.Step{Index: 2, Kind: plan.StepInput, Selectors: []string{"#picker"}, Value: "abc"},
		plan.Step{Index: 3, Kind: plan.StepInput, Selectors: []string{"#other"}, Value: "xy"},
	)
	var logged []string
	for _, c := range obs.Console {
		logged = append(logged, c.Text)
	}
	assert.Contains(t, logged, "clicks picker 1")
	assert.NotContains(t, logged, "clicks picker 2", "the field the user had just clicked was clicked again")
	assert.Contains(t, logged, "value picker abc")
	assert.Contains(t, logged, "clicks other 1", "a field nobody clicked is clicked to focus it")
	assert.Contains(t, logged, "value other xy")
}

// TestTypedKeysGoOutInOrderWithoutWaitingForEachReply: typing sends each
// key's events as soon as the one before is written to the browser, not
// after the page has answered it (a round trip per event), and the page
// still gets every key in order: its keydown, the input that adds exactly
// that character, its keyup. The field keeps the page busy on each key, so
// keys queue up in the browser while the next ones are sent.
func TestTypedKeysGoOutInOrderWithoutWaitingForEachReply(t *testing.T) {
	t.Parallel()
	const text = "Quick brown foxes: 0123456789 jump over The Lazy Dog! ~`@#$%^&*()-_=+[]{}|;:',.<>/?\\\""
	var logs syncBuffer
	obs := runOnPage(t, "typing", RunConfig{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))},
		plan.Step{Index: 1, Kind: plan.StepInput, Selectors: []string{"#field"}, Value: text})
	var typed []string
	for _, c := range obs.Console {
		if strings.HasPrefix(c.Text, "typed ") {
			typed = append(typed, c.Text)
		}
	}
	assert.Equal(t, []string{fmt.Sprintf("typed in order %d", len([]rune(text)))}, typed)

	m := regexp.MustCompile(`msg="keys: sent" events=(\d+) sent_before_the_reply_before=(\d+)`).FindStringSubmatch(logs.String())
	require.NotNil(t, m, "no keys: sent line in the log:\n%s", logs.String())
	assert.Equal(t, strconv.Itoa(2*len([]rune(text))), m[1], "a keyDown and a keyUp per character")
	ahead, _ := strconv.Atoi(m[2])
	assert.Positive(t, ahead, "every key waited for the page's reply to the one before")
}

// syncBuffer is a bytes.Buffer that goroutines may write at once (a log
// handler's writer).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestAWheelPastTheEndOfAGrowingListGoesOnAsTheUserDid: the user scrolled
// an infinite list past the end it first had; the list loaded more as its
// end came into view and the user went on scrolling. The rerun's wheel
// stops at that first end; once the list has grown, a second wheel takes
// it the rest of the way (not a scrollTo after a wait), as the user's did.
func TestAWheelPastTheEndOfAGrowingListGoesOnAsTheUserDid(t *testing.T) {
	t.Parallel()
	obs := runOnPage(t, "growing", RunConfig{},
		plan.Step{Index: 1, Kind: plan.StepScroll, Selectors: []string{"#list"}, ScrollY: 900})
	var logged []string
	for _, c := range obs.Console {
		if c.Level == "log" {
			logged = append(logged, c.Text)
		}
	}
	assert.Equal(t, []string{"wheel 900", "at 600", "loaded 20", "wheel 300", "at 900"}, logged,
		"one wheel to the list's first end, the next page loaded, a second wheel for the rest")
}

// runOnPage opens the hand-written page testdata/runner/<page>/ (as
// http://app.example.test/<page>/) on the test browser, runs steps there
// with cfg, and requires the run to follow them all.
func runOnPage(t *testing.T, page string, cfg RunConfig, steps ...plan.Step) *Observation {
	t.Helper()
	url := "http://app.example.test/" + page + "/"
	pl := plan.Plan{StartURL: url, Steps: append([]plan.Step{{Index: 0, Kind: plan.StepNavigate, URL: url}}, steps...)}
	cfg.Browser, cfg.App = testBrowser(t), AppUnderTest{Dir: filepath.Join("testdata", "runner")}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	obs, err := Execute(ctx, pl, cfg)
	require.NoError(t, err)
	require.True(t, obs.Completed, obs.StopReason)
	return obs
}

// TestAStepsScreenshotShowsThePageAsTheStepLeftIt: the page keeps changing
// colour for 60 ms after the click, without a request, so the step's
// screenshot is begun before its DOM is quiet (Session.beginEarlyShot);
// the step's screenshot must show the colour the page settled on (or a
// later one), not one on the way (keeping the early capture regardless
// fails all three runs).
func TestAStepsScreenshotShowsThePageAsTheStepLeftIt(t *testing.T) {
	t.Parallel()
	for try := range 3 {
		artifacts := t.TempDir()
		obs := runOnPage(t, "shots", RunConfig{ArtifactsDir: artifacts},
			plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#go"}})
		require.Len(t, obs.Steps, 2)
		f, err := os.Open(filepath.Join(artifacts, obs.Steps[1].Screenshot))
		require.NoError(t, err)
		img, err := jpeg.Decode(f)
		f.Close()
		require.NoError(t, err, "try %d", try)
		b := img.Bounds()
		r, g, bl, _ := img.At(b.Dx()/2, b.Dy()/2).RGBA()
		r, g, bl = r>>8, g>>8, bl>>8
		// Each change is one mutation, colour k = rgb(255-20k, 20k, 0) up
		// to the last, blue: the step's count says which colour the page
		// showed when it settled (the last, unless a starved machine held
		// a timer past the quiet period). The screenshot may show a later
		// one (the page's timers go on once the step is done), never an
		// earlier one.
		n := obs.Steps[1].Mutations
		shown := 12
		if bl < 128 {
			shown = int((g + 10) / 20)
		}
		assert.GreaterOrEqual(t, shown, min(n, 12),
			"try %d: the screenshot's centre is rgb(%d,%d,%d), the page after %d changes; the step ended after %d", try, r, g, bl, shown, n)
	}
}

// TestAClickWaitsUntilNothingCoversItsTarget: a click waits until a click
// at its target's centre reaches the target (as Playwright's "receives
// events"), rather than clicking whatever lies on top: the toast over
// #save goes after 800 ms and the click then reaches #save, never the
// toast. An element that stays covered stops the run with a reason naming
// what covers it, even with a recorded point to fall back on (the point
// would reach the cover too).
func TestAClickWaitsUntilNothingCoversItsTarget(t *testing.T) {
	t.Parallel()
	obs := runOnPage(t, "covered", RunConfig{},
		plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#save"}})
	assert.Equal(t, []string{"save clicked"}, logged(obs), "the click waited for the toast to go and reached #save")

	obs = runStoppingOnPage(t, "covered", 2500*time.Millisecond,
		plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#stuck"}, X: 100, Y: 220, HasPoint: true})
	assert.Equal(t, 1, obs.StoppedAt)
	assert.Contains(t, obs.StopReason, "element covered within 2.5s: #stuck (a click at its centre reaches div#banner.cookie-banner)")
	assert.Empty(t, logged(obs), "nothing was clicked through the banner")
}

// runStoppingOnPage runs steps on a page of testdata/runner, as runOnPage
// does, with a step timeout, for a run that must stop before its end.
func runStoppingOnPage(t *testing.T, page string, stepTimeout time.Duration, steps ...plan.Step) *Observation {
	t.Helper()
	url := "http://app.example.test/" + page + "/"
	pl := plan.Plan{StartURL: url, Steps: append([]plan.Step{{Index: 0, Kind: plan.StepNavigate, URL: url}}, steps...)}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	obs, err := Execute(ctx, pl, RunConfig{Browser: testBrowser(t), App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, StepTimeout: stepTimeout})
	require.NoError(t, err)
	assert.False(t, obs.Completed, "the run went to its end")
	return obs
}

// logged is what the page logged with console.log, in order.
func logged(obs *Observation) []string {
	var out []string
	for _, c := range obs.Console {
		if c.Level == "log" {
			out = append(out, c.Text)
		}
	}
	return out
}

// TestAClickThatThePageMovesAwayFromIsPressedAgain: a click measures its
// target and presses at its centre in two exchanges with the page; a page
// that moves between them (a layout shift) must not get the press on
// whatever now lies there. The press that missed is stopped before any of
// the page's listeners sees it, and the click is measured and pressed
// again: #go gets exactly one click, the shim that took its place none,
// and the only mousedown the page saw is #go's. A target the page moves
// before every press stops the step naming what the press reached.
func TestAClickThatThePageMovesAwayFromIsPressedAgain(t *testing.T) {
	t.Parallel()
	obs := runOnPage(t, "jumpy", RunConfig{},
		plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#go"}})
	assert.Equal(t, []string{"mousedown on go", "go clicked"}, logged(obs), "the press that the shift sent to the shim was stopped; the second reached #go")

	obs = runStoppingOnPage(t, "jumpy", 1500*time.Millisecond,
		plan.Step{Index: 1, Kind: plan.StepClick, Selectors: []string{"#restless"}})
	assert.Equal(t, 1, obs.StoppedAt)
	assert.Contains(t, obs.StopReason, "click #restless: missed: a click at its centre reached ")
	assert.Empty(t, logged(obs), "no press that missed reached the page")
}
