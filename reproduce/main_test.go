package reproduce

import (
	"context"
	"testing"

	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/session"
)

// TestMain gives the package's Chromium tests one browser (testBrowser),
// launched into a temporary directory of its own, and at the end closes it
// and checks that no Chromium process of it is left.
func TestMain(m *testing.M) { chrometest.Main(m, browser.Close) }

// The Chromium tests share one browser (launching costs ~0.5s); each run
// gets its own tab in a fresh browser context.
var browser = chrometest.NewShared(func(ctx context.Context) (*session.Browser, error) {
	return session.NewBrowser(ctx, session.ChromeConfig{})
})

// testBrowser returns the shared browser, skipping loudly under -short.
func testBrowser(t *testing.T) *session.Browser { return browser.For(t) }
