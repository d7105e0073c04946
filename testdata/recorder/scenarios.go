package main

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
}

type expectedVerdict struct {
	Buggy string `json:"buggy"`
	Fixed string `json:"fixed"`
}

type bugInfo struct {
	Summary   string `json:"summary"`
	Breakdown string `json:"breakdown"`
}

// scenarios lists every bundle the recorder writes, in order.
var scenarios = []scenario{
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
