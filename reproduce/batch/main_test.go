package batch

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/internal/chrometest"
	"github.com/repro-dev/repro/reproduce/session"
)

// TestMain runs the package's Chromium tests in a temporary directory of
// their own and checks that no Chromium process of them is left (every
// batch closes its browsers; the DevTools Chromiums are killed at cleanup).
func TestMain(m *testing.M) { chrometest.Main(m, nil) }

const bundles = "../../testdata/replays"

// needChromium skips loudly under -short.
func needChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("SKIPPED: needs a real Chromium (apt-get install -y chromium); -short is set")
	}
}

func bundle(name string) string { return filepath.Join(bundles, name) }

func openLocal(_ context.Context, in string) (*reproduce.Replay, error) { return reproduce.Open(in) }

func appDir(t *testing.T, app, variant string) session.AppUnderTest {
	t.Helper()
	a, err := session.ParseApp(filepath.Join("..", "..", "testdata", "apps", app, variant))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// readJSONL reads results.jsonl line by line, failing on a line that is not
// a whole JSON object.
func readJSONL(t *testing.T, dir string) []Result {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Result
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("results.jsonl line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

// readSummary reads summary.json, failing when it is not valid.
func readSummary(t *testing.T, dir string) Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("summary.json: %v\n%s", err, b)
	}
	return s
}

// startDevToolsChrome starts Chromium with a DevTools port, as a pool's
// browser or a user's --remote-chrome is, and returns its websocket URL.
// Its profile is under TMPDIR, so TestMain sees it if it outlives the test.
func startDevToolsChrome(t testing.TB) string {
	ws, _ := startKillableChrome(t)
	return ws
}

// startKillableChrome is startDevToolsChrome, and a func that kills the
// browser (every process of it) as a crashed pool member dies.
func startKillableChrome(t testing.TB) (string, func()) {
	t.Helper()
	profile, err := os.MkdirTemp("", "repro-remote-chrome-")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--headless", "--remote-debugging-port=0", "--user-data-dir=" + profile,
		"--disable-background-networking", "--no-first-run", "about:blank"}
	if os.Geteuid() == 0 {
		args = append(args, "--no-sandbox")
	}
	cmd := exec.Command("/usr/bin/chromium", args...)
	// Its own process group, so the cleanup stops Chromium's helpers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() {
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
		t.Fatal("chromium printed no DevTools endpoint")
	}
	return "", nil
}
