package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/repro-dev/repro/reproduce/replaytest"
)

var testFunc = regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)

// verifyTest runs the generated test at testPath with go test against app
// and reports whether it behaved as a regression test should there: fail
// with the recorded failure (pass, with --expect-bug). A test that could
// not follow the user's path, does not build, or passes on the buggy app
// is an error, with go test's words.
func verifyTest(ctx context.Context, streams *IOStreams, testPath, app string, expectBug bool) error {
	src, err := os.ReadFile(testPath)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	m := testFunc.FindSubmatch(src)
	if m == nil {
		return fmt.Errorf("verify: %s holds no test function", testPath)
	}
	name := string(m[1])
	if !strings.Contains(app, "://") {
		if abs, err := filepath.Abs(app); err == nil {
			app = abs // go test runs in the test's directory
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("verify: the go command is not on PATH: install Go to run the written test")
	}
	fmt.Fprintf(streams.Err, "repro: verifying: go test -run '^%s$' in %s against %s…\n", name, filepath.Dir(testPath), app)
	cmd := exec.CommandContext(ctx, goBin, "test", "-count=1", "-run", "^"+name+"$", ".")
	cmd.Dir = filepath.Dir(testPath)
	cmd.Env = append(os.Environ(), replaytest.AppEnv+"="+app)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	text := out.String()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return fmt.Errorf("verify: go test: %w", runErr)
	}
	passed := runErr == nil
	switch {
	case strings.Contains(text, "[build failed]") || strings.Contains(text, "[setup failed]") ||
		strings.Contains(text, "go.mod file not found") || strings.Contains(text, "no required module provides"):
		return fmt.Errorf("verify: the written test does not build in %s (it must be in a Go module that requires github.com/repro-dev/repro): %s",
			filepath.Dir(testPath), firstLines(text, 3))
	case strings.Contains(text, "could not follow the user's path"):
		return fmt.Errorf("verify: the written test could not follow the user's path on %s, so it says nothing about the bug: %s", app, matchingLine(text, "could not follow"))
	case passed && !expectBug:
		return fmt.Errorf("verify: the written test PASSED against %s: it does not catch the bug there (is this the fixed app?)", app)
	case !passed && expectBug:
		return fmt.Errorf("verify: the characterization test FAILED against %s: the recorded failure did not happen there: %s", app, matchingLine(text, "Error:"))
	case passed:
		fmt.Fprintf(streams.Out, "verified: %s passes against %s: the recorded failure still happens there, as --expect-bug asserts\n", name, app)
	default:
		fmt.Fprintf(streams.Out, "verified: %s fails against %s as it should: %s\n", name, app, matchingLine(text, "Error:"))
	}
	return nil
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], " | ")
}

func matchingLine(s, sub string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(l, sub) {
			l = strings.TrimSpace(l)
			if sub == "Error:" && i+1 < len(lines) {
				l += " " + strings.TrimSpace(lines[i+1])
			}
			return l
		}
	}
	return firstLines(s, 2)
}
