// Package chrometest is what the Chromium tests of repro's packages share:
// a TestMain that gives each test binary a temporary directory for its
// browsers' profiles and checks, at the end, that no Chromium process of
// them is left (a leaked browser is a bug of a session's Close).
package chrometest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
