package session

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce/plan"
)

// probe is what one global scope of testdata/runner/determinism reports.
type probe struct {
	Now           float64   `json:"now"`
	NewDate       float64   `json:"newDate"`
	OriginPlusNow float64   `json:"originPlusNow"`
	OnTimeline    bool      `json:"onTimeline"`
	Randoms       []float64 `json:"randoms"`
	Bytes         []int     `json:"bytes"`
	UUID          string    `json:"uuid"`
	Error         string    `json:"error"`
}

// pageEnv is what testdata/runner/determinism reports: the page's probe,
// its iframe's and its worker's, and the emulated environment.
type pageEnv struct {
	probe
	Frame      probe   `json:"frame"`
	Worker     probe   `json:"worker"`
	Timezone   string  `json:"timezone"`
	Language   string  `json:"language"`
	Width      int     `json:"width"`
	Height     int     `json:"height"`
	DPR        float64 `json:"dpr"`
	UserAgent  string  `json:"userAgent"`
	DateIsDate bool    `json:"dateIsDate"`
}

func runDeterminismPage(t *testing.T, seed int64, start time.Time) pageEnv {
	t.Helper()
	b := testBrowser(t)
	pl := plan.Plan{
		StartURL:  "https://app.example.test/determinism/",
		Viewport:  plan.Viewport{Width: 800, Height: 600, DeviceScaleFactor: 2},
		UserAgent: "Mozilla/5.0 (repro test) Chrome/120",
		Locale:    "de-DE",
		Timezone:  "Asia/Tokyo",
		StartTime: start,
		Seed:      seed,
		Steps: []plan.Step{{Index: 0, Kind: plan.StepNavigate, URL: "https://app.example.test/determinism/"},
			// The iframe and the worker answer when they are ready.
			{Index: 1, Kind: plan.StepWait, Selectors: []string{"#done"}, Duration: 20 * time.Second}},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")},
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
	t.Parallel()
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	env := runDeterminismPage(t, 42, start)
	for scope, p := range map[string]probe{"page": env.probe, "iframe": env.Frame, "worker": env.Worker} {
		if p.Error != "" {
			t.Fatalf("%s: %s", scope, p.Error)
		}
		for name, ms := range map[string]float64{"Date.now()": p.Now, "new Date()": p.NewDate, "performance.timeOrigin + performance.now()": p.OriginPlusNow} {
			got := time.UnixMilli(int64(ms))
			if d := got.Sub(start); d < 0 || d > 10*time.Second {
				t.Errorf("%s: %s = %s, want within 10s after %s", scope, name, got.UTC(), start)
			}
		}
		// One timeline: what the Sentry SDK computes from the performance
		// clock falls between two Date.now() reads around it.
		if !p.OnTimeline {
			t.Errorf("%s: performance.timeOrigin + performance.now() is not on Date's timeline", scope)
		}
	}
	if !env.DateIsDate {
		t.Error("new Date() instanceof Date is false")
	}
}

func TestEnvironmentIsEmulated(t *testing.T) {
	t.Parallel()
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

func TestRandomSourcesFollowTheSeedInEveryScope(t *testing.T) {
	t.Parallel()
	start := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	x, y, z := runDeterminismPage(t, 42, start), runDeterminismPage(t, 42, start), runDeterminismPage(t, 7, start)
	for scope, pick := range map[string]func(pageEnv) probe{
		"page": func(e pageEnv) probe { return e.probe }, "iframe": func(e pageEnv) probe { return e.Frame }, "worker": func(e pageEnv) probe { return e.Worker },
	} {
		a, b, c := pick(x), pick(y), pick(z)
		if len(a.Bytes) != 8 || len(a.UUID) != 36 {
			t.Fatalf("%s: crypto values = %v %q", scope, a.Bytes, a.UUID)
		}
		if !slices.Equal(a.Bytes, b.Bytes) || a.UUID != b.UUID {
			t.Errorf("%s: same seed gave crypto %v %s then %v %s", scope, a.Bytes, a.UUID, b.Bytes, b.UUID)
		}
		if slices.Equal(a.Bytes, c.Bytes) || a.UUID == c.UUID {
			t.Errorf("%s: seeds 42 and 7 gave the same crypto values %v %s", scope, a.Bytes, a.UUID)
		}
		if a.UUID[14] != '4' {
			t.Errorf("%s: randomUUID %s is not a version 4 UUID", scope, a.UUID)
		}
		if !slices.Equal(a.Randoms, b.Randoms) {
			t.Errorf("%s: same seed gave Math.random %v then %v", scope, a.Randoms, b.Randoms)
		}
	}
}

func TestMathRandomFollowsTheSeed(t *testing.T) {
	t.Parallel()
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
		cfg  pageConfig
		want string
	}{
		{"offset is start minus session start", newPageConfig(plan.Plan{StartTime: start, Seed: 1}, session, "http://127.0.0.1:1"), `"offset":-10800000`},
		{"zero start time keeps the real clock", newPageConfig(plan.Plan{Seed: 1}, session, "http://127.0.0.1:1"), `"offset":0`},
		{"seed is inlined", newPageConfig(plan.Plan{StartTime: start, Seed: 42}, session, "http://127.0.0.1:1"), `"seed":42`},
		{"the app origin bounds WebSockets", newPageConfig(plan.Plan{APIPaths: []string{"/api/"}}, session, "http://127.0.0.1:4000"), `"app":"http://127.0.0.1:4000","apiPaths":["/api/"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for name, js := range map[string]string{"page": initScript(tc.cfg), "worker": workerPrelude(tc.cfg)} {
				if !strings.Contains(js, tc.want) {
					t.Errorf("%s script lacks %q", name, tc.want)
				}
			}
		})
	}
}
