package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/plan"
)

// The Chromium tests share one browser (launching costs ~0.5s); each test
// gets its own tab in a fresh browser context through its Session.
var browser = chrometest.NewShared(func(ctx context.Context) (*Browser, error) {
	return NewBrowser(ctx, ChromeConfig{})
})

// testBrowser returns the shared browser, skipping loudly under -short.
func testBrowser(t *testing.T) *Browser { return browser.For(t) }

func TestFindChromeReportsMissingChromeWithInstallCommand(t *testing.T) {
	cases := []struct {
		name string
		cfg  ChromeConfig
		env  string
	}{
		{name: "explicit path that does not exist", cfg: ChromeConfig{Path: "/nonexistent/chromium"}},
		{name: "CHROME_PATH that does not exist", env: "/nonexistent/from-env"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("CHROME_PATH", tc.env)
			}
			_, err := NewBrowser(context.Background(), tc.cfg)
			if !errors.Is(err, ErrChromeNotFound) {
				t.Fatalf("err = %v, want ErrChromeNotFound", err)
			}
			if !strings.Contains(err.Error(), "apt-get install -y chromium") {
				t.Errorf("message %q lacks the install command", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q is not one line", err)
			}
		})
	}
}

func TestExecuteWithoutChromeIsAnInfrastructureError(t *testing.T) {
	_, err := Execute(context.Background(), plan.Plan{StartURL: "http://app.example.test/"}, RunConfig{
		Chrome: ChromeConfig{Path: "/nonexistent/chromium"},
		App:    AppUnderTest{Dir: t.TempDir()},
	})
	if !errors.Is(err, ErrChromeNotFound) {
		t.Fatalf("err = %v, want ErrChromeNotFound", err)
	}
}

func TestFindChromeFindsAnInstalledBrowser(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Skip("SKIPPED: /usr/bin/chromium is not installed")
	}
	t.Setenv("CHROME_PATH", "")
	p, err := FindChrome("")
	if err != nil || p == "" {
		t.Fatalf("FindChrome = %q, %v", p, err)
	}
}

func TestRemoteChromeIsUsedThroughItsDevToolsEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	path, err := FindChrome("")
	if err != nil {
		t.Skip("SKIPPED: no Chromium installed: ", err)
	}
	ws, _ := chrometest.DevTools(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := NewBrowser(ctx, ChromeConfig{RemoteURL: ws})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// The page logs once its iframe and worker have answered (#done): the
	// wait is for that, as the determinism tests do, not for the settle.
	pl := plan.Plan{StartURL: "https://app.example.test/determinism/", Steps: []plan.Step{
		{Index: 0, Kind: plan.StepNavigate, URL: "https://app.example.test/determinism/"},
		{Index: 1, Kind: plan.StepWait, Selectors: []string{"#done"}, Duration: 20 * time.Second},
	}}
	obs, err := Execute(ctx, pl, RunConfig{Browser: b, App: AppUnderTest{Dir: filepath.Join("testdata", "runner")}, Settle: SettlePolicy{Final: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Completed || len(obs.Console) == 0 {
		t.Errorf("remote run: completed=%v console=%d (%s)", obs.Completed, len(obs.Console), obs.StopReason)
	}
}

// TestALostBrowserIsNotAStepFailure: when the connection to the browser
// drops, chromedp fails the call in flight with an error wrapping
// context.Canceled before the tab's context ends. With the run's own
// context live, that is the browser gone (an infrastructure error, which a
// batch retries on another browser), not the step failing — a batch once
// judged such a rerun "diverged" (seen once in a full suite run of
// TestABrowserThatDiesIsRetriedElsewhere). A page's or a step's own error
// stays the step's.
func TestALostBrowserIsNotAStepFailure(t *testing.T) {
	s := &Session{tab: context.Background()}
	lost := fmt.Errorf("lost the connection to the browser: %w: %w", io.EOF, context.Canceled)
	assert.Error(t, s.browserLost(lost), "a dropped connection")
	assert.Error(t, s.browserLost(fmt.Errorf("navigation error: %w", lost)), "wrapped by the action")
	assert.NoError(t, s.browserLost(errors.New("page load error net::ERR_CONNECTION_REFUSED")), "the page's own error")
	assert.NoError(t, s.browserLost(context.DeadlineExceeded), "a step that timed out")

	tab, cancel := context.WithCancel(context.Background())
	cancel()
	s = &Session{tab: tab}
	assert.Error(t, s.browserLost(errors.New("any")), "the tab's context ended")
}
