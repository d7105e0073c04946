package reproduce

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/session"
)

// TestMain gives the package's Chromium tests one browser (testBrowser),
// launched into a temporary directory of its own, and at the end closes it
// and checks that no Chromium process of it is left.
func TestMain(m *testing.M) {
	chrometest.Main(m, func() error {
		if browser == nil {
			return nil
		}
		return browser.Close()
	})
}

// The Chromium tests share one browser (launching costs ~0.5s); each run
// gets its own tab in a fresh browser context.
var (
	browserOnce sync.Once
	browser     *session.Browser
	browserErr  error
)

// testBrowser returns the shared browser, skipping loudly under -short.
func testBrowser(t *testing.T) *session.Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	browserOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		browser, browserErr = session.NewBrowser(ctx, session.ChromeConfig{})
	})
	if browserErr != nil {
		t.Fatalf("launch chromium: %v", browserErr)
	}
	return browser
}
