// Package chrometest is what the Chromium tests of repro's packages share
// (a test-support package, as net/http/httptest is): a TestMain that gives
// each test binary a temporary directory for its browsers' profiles and
// checks, at the end, that no Chromium process of them is left (a leaked
// browser is a bug of a session's Close); the browser a test binary's tests
// share (Shared); and a Chromium started with a DevTools port, as a user's
// --remote-chrome or a pool's browser is.
package chrometest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Main runs the tests with TMPDIR set to a directory of their own (chromedp
// makes the profiles under it), then calls closeBrowser (the package's
// shared browser, if it launched one), checks that no process still names
// the directory, removes it and exits with the tests' code, or 1 when a
// browser was left behind.
func Main(m *testing.M, closeBrowser func() error) {
	tmp, err := os.MkdirTemp("", "repro-test-")
	if err == nil {
		os.Setenv("TMPDIR", tmp)
	}
	code := m.Run()
	if closeBrowser != nil {
		if err := closeBrowser(); err != nil {
			fmt.Fprintln(os.Stderr, "closing the shared browser:", err)
			code = 1
		}
	}
	if tmp != "" {
		if left := processesUsing(tmp); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "Chromium processes outlived the tests: %s\n", strings.Join(left, "; "))
			code = 1
		}
		os.RemoveAll(tmp)
	}
	os.Exit(code)
}

// processesUsing lists the processes whose command line names dir, once
// they had half a second to exit.
func processesUsing(dir string) []string {
	var out []string
	for range 5 {
		out = out[:0]
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if err != nil || e.Name() == fmt.Sprint(os.Getpid()) {
				continue
			}
			if s := strings.ReplaceAll(string(cmd), "\x00", " "); strings.Contains(s, dir) {
				out = append(out, e.Name()+" "+s[:min(len(s), 80)])
			}
		}
		if len(out) == 0 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return out
}

// DevTools starts Chromium (path, or $CHROME_PATH, or /usr/bin/chromium
// when path is "") with a DevTools port and none of repro's flags, as a
// user starts one for --remote-chrome or a pool runs its browsers, and
// returns its websocket URL and a func that kills it (every process of it,
// as a crashed pool member dies). The test's cleanup kills it too and
// removes its profile, which is under TMPDIR so that Main sees a browser
// that outlives the tests.
func DevTools(t testing.TB, path string) (wsURL string, kill func()) {
	t.Helper()
	return startDevTools(t, path, nil)
}

// startDevTools is DevTools, with the command run by prefix (ip netns
// exec NAME) when given.
func startDevTools(t testing.TB, path string, prefix []string) (wsURL string, kill func()) {
	t.Helper()
	if path == "" {
		path = os.Getenv("CHROME_PATH")
	}
	if path == "" {
		path = "/usr/bin/chromium"
	}
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
	argv := append(append(slices.Clone(prefix), path), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	// Its own process group, so that killing it stops Chromium's helper
	// processes too (/usr/bin/chromium is a wrapper script).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
		})
	}
	t.Cleanup(func() {
		kill()
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
		return ws, kill
	case <-time.After(90 * time.Second): // a loaded machine starts Chromium slowly
		kill()
		t.Fatal("chromium printed no DevTools endpoint")
	}
	return "", nil
}

// Shared is what a test binary's Chromium tests share: a browser launched
// once, on first use, and closed after the tests (pass its Close to Main).
// T is the browser's type (session.Browser for most packages; chrometest
// cannot name it: session's own tests use this package).
type Shared[T interface{ Close() error }] struct {
	launch func(context.Context) (T, error)
	once   sync.Once
	v      T
	err    error
	made   bool
}

// NewShared is a Shared that launch starts, given 30 seconds.
func NewShared[T interface{ Close() error }](launch func(context.Context) (T, error)) *Shared[T] {
	return &Shared[T]{launch: launch}
}

// Get launches the browser on the first call and returns it, or the
// launch's error, to every call.
func (s *Shared[T]) Get() (T, error) {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.v, s.err = s.launch(ctx)
		s.made = s.err == nil
	})
	return s.v, s.err
}

// For is the browser for a test that needs one: the test is skipped, and
// says so, under -short; it fails when the browser did not launch.
func (s *Shared[T]) For(t testing.TB) T {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
	v, err := s.Get()
	if err != nil {
		t.Fatalf("launch chromium: %v", err)
	}
	return v
}

// Close closes the browser if it was launched.
func (s *Shared[T]) Close() error {
	s.once.Do(func() {}) // nothing launches from here on
	if !s.made {
		return nil
	}
	return s.v.Close()
}
