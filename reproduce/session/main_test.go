package session

import (
	"testing"

	"github.com/repro-dev/repro/reproduce/chrometest"
)

// TestMain gives the package's Chromium tests one browser (testBrowser),
// launched into a temporary directory of its own, and at the end closes it
// and checks that no Chromium process of it is left.
func TestMain(m *testing.M) { chrometest.Main(m, browser.Close) }
