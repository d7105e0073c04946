package reproduce

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// pageEnv is what testdata/runner/determinism reports.
type pageEnv struct {
	Now        float64   `json:"now"`
	NewDate    float64   `json:"newDate"`
	Randoms    []float64 `json:"randoms"`
	Timezone   string    `json:"timezone"`
	Language   string    `json:"language"`
	Width      int       `json:"width"`
	Height     int       `json:"height"`
	DPR        float64   `json:"dpr"`
	UserAgent  string    `json:"userAgent"`
	DateIsDate bool      `json:"dateIsDate"`
}

func runDeterminismPage(t *testing.T, seed int64, start time.Time) pageEnv {
	t.Helper()
	b := testBrowser(t)
	plan := Plan{
		StartURL:  "https://app.example.test/determinism/",
		Viewport:  Viewport{Width: 800, Height: 600, DeviceScaleFactor: 2},
		UserAgent: "Mozilla/5.0 (repro test) Chrome/120",
		Locale:    "de-DE",
		Timezone:  "Asia/Tokyo",
		StartTime: start,
		Seed:      seed,
		Steps:     []Step{{Index: 0, Kind: StepNavigate, URL: "https://app.example.test/determinism/"}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	obs, err := Execute(ctx, plan, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")},
		Settle: SettlePolicy{Final: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range obs.Console {
		if rest, ok := strings.CutPrefix(c.Text, "env "); ok {
			var env pageEnv
			if err := json.Unmarshal([]byte(rest), &env); err != nil {
				t.Fatal(err)
			}
			return env
		}
	}
	t.Fatalf("the page reported no env; console = %+v, stopped: %s", obs.Console, obs.StopReason)
	return pageEnv{}
}

func TestPageClockStartsAtTheRecordedTime(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	env := runDeterminismPage(t, 42, start)
	for name, ms := range map[string]float64{"Date.now()": env.Now, "new Date()": env.NewDate} {
		got := time.UnixMilli(int64(ms))
		if d := got.Sub(start); d < 0 || d > 10*time.Second {
			t.Errorf("%s = %s, want within 10s after %s", name, got.UTC(), start)
		}
	}
	if !env.DateIsDate {
		t.Error("new Date() instanceof Date is false")
	}
}

func TestEnvironmentIsEmulated(t *testing.T) {
	env := runDeterminismPage(t, 1, time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC))
	if env.Timezone != "Asia/Tokyo" {
		t.Errorf("timezone = %q", env.Timezone)
	}
	if env.Language != "de-DE" {
		t.Errorf("navigator.language = %q", env.Language)
	}
	if env.Width != 800 || env.Height != 600 || env.DPR != 2 {
		t.Errorf("viewport = %dx%d@%v, want 800x600@2", env.Width, env.Height, env.DPR)
	}
	if env.UserAgent != "Mozilla/5.0 (repro test) Chrome/120" {
		t.Errorf("user agent = %q", env.UserAgent)
	}
}

func TestMathRandomFollowsTheSeed(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	a := runDeterminismPage(t, 42, start).Randoms
	b := runDeterminismPage(t, 42, start).Randoms
	c := runDeterminismPage(t, 7, start).Randoms
	if len(a) != 5 {
		t.Fatalf("randoms = %v", a)
	}
	if !slices.Equal(a, b) {
		t.Errorf("same seed gave %v then %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 7 gave the same sequence %v", a)
	}
	for _, v := range a {
		if v < 0 || v >= 1 {
			t.Errorf("Math.random() = %v, out of [0,1)", v)
		}
	}
}

func TestInitScriptSeedsAndShiftsTheClock(t *testing.T) {
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	session := start.Add(3 * time.Hour)
	cases := []struct {
		name string
		js   string
		want string
	}{
		{"offset is start minus session start", initScript(start, session, 1), "const OFFSET = -10800000;"},
		{"zero start time keeps the real clock", initScript(time.Time{}, session, 1), "const OFFSET = 0;"},
		{"seed is inlined", initScript(start, session, 42), "let s = 42 >>> 0;"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.js, tc.want) {
				t.Errorf("script lacks %q", tc.want)
			}
		})
	}
}
