package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// buildApps bundles the framework demo apps among the scenarios' apps (those
// with a package.json, e.g. studio and tasks) with testdata/apps/build, the
// one build entry point that CI uses too. Plain-JS apps need no build.
func buildApps(ctx context.Context, appsDir string, selected []scenario, verbose bool) error {
	var apps []string
	seen := map[string]bool{}
	for _, sc := range selected {
		if seen[sc.App] {
			continue
		}
		seen[sc.App] = true
		if _, err := os.Stat(filepath.Join(appsDir, sc.App, "package.json")); err == nil {
			apps = append(apps, sc.App)
		}
	}
	if len(apps) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, filepath.Join(appsDir, "build"), apps...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if verbose {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bundle %s with testdata/apps/build: %w: %s", strings.Join(apps, ", "), err, lastLine(out.String()))
	}
	return nil
}
