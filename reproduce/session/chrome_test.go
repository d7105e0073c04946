package session

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce/plan"
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
	ws := startDevToolsChrome(t, path)
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

// startDevToolsChrome starts Chromium with a DevTools port, as a user would
// for --remote-chrome, and returns its websocket URL.
func startDevToolsChrome(t *testing.T, path string) string {
	t.Helper()
	// Not t.TempDir: Chromium's helper processes may still be writing into
	// the profile when the test ends, which makes its cleanup fail.
	profile, err := os.MkdirTemp("", "repro-remote-chrome-")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--headless", "--remote-debugging-port=0", "--user-data-dir=" + profile,
		"--disable-background-networking", "--no-first-run", "about:blank"}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox")
	}
	cmd := exec.Command(path, args...)
	// Its own process group, so the cleanup stops Chromium's helper
	// processes too (/usr/bin/chromium is a wrapper script).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, ws, ok := strings.Cut(sc.Text(), "DevTools listening on "); ok {
				found <- strings.TrimSpace(ws)
			}
		}
	}()
	select {
	case ws := <-found:
		return ws
	case <-time.After(20 * time.Second):
		t.Fatal("chromium printed no DevTools endpoint")
	}
	return ""
}
