package main

import "slices"

// scenario is one recorded session: which app variant, how the SDK is
// configured, what the user does and what the bundle is expected to show.
type scenario struct {
	Name        string
	App         string
	Variant     string // "buggy" or "fixed"
	Description string
	// Compression turns on the SDK's zlib worker (useCompression).
	Compression bool
	// CaptureBodies allow-lists origin + "/api/" in networkDetailAllowUrls.
	CaptureBodies bool
	Expected      expectedVerdict
	Bug           bugInfo
	Seed          int64
	Drive         func(p *person) error
	// Batch bundles go to -batch-out (testdata/batch), not -out: they are
	// replays for repro batch's grouping test (several of one bug by other
	// paths, one of another bug), kept out of the every-bundle tests.
	Batch bool
}

type expectedVerdict struct {
	Buggy string `json:"buggy"`
	Fixed string `json:"fixed"`
}

type bugInfo struct {
	Summary   string `json:"summary"`
	Breakdown string `json:"breakdown"`
}

// scenarios lists every bundle the recorder writes, in order: the plain-JS
// apps here, the framework apps in scenarios_studio.go and scenarios_tasks.go.
var scenarios = slices.Concat(plainScenarios, studioScenarios, tasksScenarios, tasksBatchScenarios)

var plainScenarios = []scenario{
	{
		Name: "imagechat-bug", App: "imagechat", Variant: "buggy", CaptureBodies: true, Seed: 42,
		Description: "User opens shot 42, opens Image chat, types a prompt and clicks Generate; POST /api/chat answers 500 after ~4.5 s, the app reads data.image.url and throws; nothing changes on screen, so the click is dead.",
		Expected:    expectedVerdict{Buggy: "reproduced", Fixed: "not_reproduced"},
		Bug:         bugInfo{Summary: "Generate shows nothing when /api/chat fails: the app ignores the HTTP 500 and throws TypeError reading data.image.url", Breakdown: "in_between"},
		Drive: func(p *person) error {
			return run(
				func() error { return p.navigate("/shots") },
				func() error { return p.wait(1500) },
				func() error { return p.click("#shot-42") },
				func() error { return p.wait(1200) },
				func() error { return p.click("#open-chat") },
				func() error { return p.wait(800) },
				func() error { return p.click("#prompt") },
				func() error { return p.typeText("#prompt", "make the sky warmer at sunset", true) },
				func() error { return p.wait(2500) },
				func() error { return p.click("#generate") },
				func() error { return p.wait(9000) },
			)
		},
	},
	{
		Name: "account-bug", App: "account", Variant: "buggy", CaptureBodies: false, Seed: 7,
		Description: "User signs in (XHR POST /api/login, clicking Sign in three times while it is slow), changes region and plan, ticks the newsletter box, opens Help, goes Back, then clicks Save, which does nothing; they click it again rapidly (rage click) and give up.",
		Expected:    expectedVerdict{Buggy: "reproduced", Fixed: "not_reproduced"},
		Bug:         bugInfo{Summary: "Save does nothing after sign-in: the login flow never clears the busy flag, so the save handler returns silently (no request, no message)", Breakdown: "confusing"},
		Drive: func(p *person) error {
			return run(
				func() error { return p.navigate("/login") },
				func() error { return p.wait(1200) },
				func() error { return p.click("#email") },
				func() error { return p.typeText("#email", "dana.lee@example.com", true) },
				func() error { return p.click("#password") },
				func() error { return p.typeText("#password", "correct-horse-42", true) },
				func() error { return p.wait(600) },
				func() error { return p.clickTimes("#login", 3, 200, 280) },
				func() error { return p.wait(2500) },
				func() error { return p.selectOption("#region", "ap-south") },
				func() error { return p.wait(700) },
				func() error { return p.selectOption("#plan", "enterprise") },
				func() error { return p.wait(600) },
				func() error { return p.check("#newsletter") },
				func() error { return p.wait(900) },
				func() error { return p.click(".settings-footer a") },
				func() error { return p.wait(2500) },
				func() error { return p.back() },
				func() error { return p.wait(1500) },
				func() error { return p.click("#save") },
				func() error { return p.wait(1400) },
				func() error { return p.clickRepeatedly("#save", 6) },
				func() error { return p.wait(8500) },
			)
		},
	},
	{
		Name: "feed-bug", App: "feed", Variant: "buggy", CaptureBodies: true, Compression: true, Seed: 3,
		Description: "User expands an update, then scrolls the feed with the mouse wheel; page 2 loads, page 3 holds an update whose author is null and the feed throws TypeError while rendering it; further scrolling loads nothing.",
		Expected:    expectedVerdict{Buggy: "reproduced", Fixed: "not_reproduced"},
		Bug:         bugInfo{Summary: "Infinite scroll stops at page 3: rendering an item with author null throws TypeError (the API answered 200)", Breakdown: "frontend"},
		Drive: func(p *person) error {
			return run(
				func() error { return p.navigate("/") },
				func() error { return p.wait(1500) },
				func() error { return p.click("#feed-list article:nth-of-type(2) h3") },
				func() error { return p.wait(1200) },
				func() error { return p.scroll("#feed-list", 100, 6) },
				func() error { return p.wait(1500) },
				func() error { return p.scroll("#feed-list", 100, 10) },
				func() error { return p.wait(1500) },
				func() error { return p.scroll("#feed-list", 100, 6) },
				func() error { return p.wait(2000) },
				func() error { return p.scroll("#feed-list", 100, 4) },
				func() error { return p.wait(2500) },
			)
		},
	},
	{
		Name: "feed-healthy", App: "feed", Variant: "fixed", CaptureBodies: true, Seed: 5,
		Description: "User scrolls the fixed feed to page 2 only and reads; every request succeeds and nothing fails, so the recording holds no failure signal.",
		Expected:    expectedVerdict{Buggy: "inconclusive", Fixed: "inconclusive"},
		Bug:         bugInfo{Summary: "No bug in this session: page 1 and 2 load and render", Breakdown: "none"},
		Drive: func(p *person) error {
			return run(
				func() error { return p.navigate("/") },
				func() error { return p.wait(1500) },
				func() error { return p.scroll("#feed-list", 100, 6) },
				func() error { return p.wait(1500) },
				func() error { return p.scroll("#feed-list", 100, 3) },
				func() error { return p.wait(2500) },
			)
		},
	},
}

// run calls each step in order and stops at the first error.
func run(steps ...func() error) error {
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}
