package reproduce

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain gives the package's Chromium tests one browser (testBrowser),
// launched into a temporary directory of its own, and at the end closes it
// and checks that no Chromium process of it is left: a leaked browser is a
// bug of the session's Close.
func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "repro-test-")
	if err == nil {
		os.Setenv("TMPDIR", tmp) // chromedp makes the profile under it
	}
	code := m.Run()
	if browser != nil {
		if err := browser.Close(); err != nil {
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
