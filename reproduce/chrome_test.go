package reproduce

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The Chromium tests share one browser (launching costs ~0.5s); each test
// gets its own tab in a fresh browser context through its Session.
var (
	browserOnce sync.Once
	browser     *Browser
	browserErr  error
)

// testBrowser returns the shared browser, skipping loudly under -short.
func testBrowser(t *testing.T) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	browserOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		browser, browserErr = NewBrowser(ctx, ChromeConfig{})
	})
	if browserErr != nil {
		t.Fatalf("launch chromium: %v", browserErr)
	}
	return browser
}

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
	_, err := Execute(context.Background(), Plan{StartURL: "http://app.example.test/"}, RunConfig{
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
