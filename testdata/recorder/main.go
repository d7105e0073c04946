// Command recorder records the replay bundles in testdata/replays: it serves
// each demo app (testdata/apps) with its API and the real Sentry browser SDK,
// drives headless Chromium through the scenario like a person, catches what
// the SDK sends on a fake Sentry ingest and writes one bundle per scenario.
//
// Usage (from the repository root):
//
//	go run ./testdata/recorder -out testdata/replays [-only imagechat-bug,feed-bug] [-chrome /usr/bin/chromium] [-v]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

const (
	appDomain    = "example.test"
	ingestHost   = "ingest." + appDomain
	publicKey    = "5f0e2b1c9d8a4e7f8b6c3d2a1e0f9b8c"
	projectID    = "1"
	sdkNameField = "sentry.javascript.browser"
)

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "recorder:", err)
		os.Exit(1)
	}
}

func mainErr() error {
	out := flag.String("out", "testdata/replays", "directory that receives one bundle directory per scenario")
	batchOut := flag.String("batch-out", "testdata/batch", "directory that receives the bundles of the batch grouping scenarios")
	only := flag.String("only", "", "comma-separated scenario names to record (default: all)")
	chrome := flag.String("chrome", "", "path of the Chromium binary (default: chromium, chromium-browser or google-chrome from PATH)")
	addr := flag.String("addr", "127.0.0.1:80", "listen address for the app and ingest origins; a busy port falls back to a random one")
	variant := flag.String("variant", "", `record every selected scenario against this app variant instead ("buggy" or "fixed"), e.g. to check the fix; bundles go to <out>/<scenario>-<variant>`)
	verbose := flag.Bool("v", false, "verbose logs on stderr")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	selected, err := selectScenarios(*only)
	if err != nil {
		return err
	}
	if *variant != "" {
		if *variant != "buggy" && *variant != "fixed" {
			return fmt.Errorf("-variant must be buggy or fixed, not %q", *variant)
		}
		for i := range selected {
			selected[i].Name += "-" + *variant
			selected[i].Variant = *variant
		}
	}
	chromePath, err := findChrome(*chrome)
	if err != nil {
		return err
	}
	here, err := recorderDir()
	if err != nil {
		return err
	}
	ctx := context.Background()
	log.Info("bundling the Sentry SDK", "dir", filepath.Join(here, "sdk"))
	sdkBundle, sdkVersion, err := buildSDK(ctx, filepath.Join(here, "sdk"), *verbose)
	if err != nil {
		return err
	}

	appsDir := filepath.Join(filepath.Dir(here), "apps")
	log.Info("bundling the framework demo apps", "script", filepath.Join(appsDir, "build"))
	if err := buildApps(ctx, appsDir, selected, *verbose); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Warn("listen failed, using a random port (URLs will carry it)", "addr", *addr, "err", err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
	}
	port := ln.Addr().(*net.TCPAddr).Port
	hostPort := func(host string) string {
		if port == 80 {
			return host
		}
		return fmt.Sprintf("%s:%d", host, port)
	}
	ing := &ingest{log: log}
	st := &site{sdkPath: sdkBundle}
	srv := &http.Server{Handler: hostRouter{ingestHost: ing, "*": st}, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("server stopped", "err", err)
		}
	}()
	defer srv.Close()

	rec := &recorder{
		log: log, ingest: ing, site: st, chrome: chromePath, outDir: *out, batchDir: *batchOut,
		appsDir: appsDir,
		dsn:     fmt.Sprintf("http://%s@%s/%s", publicKey, hostPort(ingestHost), projectID),
		origin:  func(app string) string { return "http://" + hostPort(app+"."+appDomain) },
		sdk:     sdkVersion,
	}
	for _, sc := range selected {
		log.Info("recording", "scenario", sc.Name)
		if err := rec.record(ctx, sc); err != nil {
			return fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
	}
	return nil
}

func selectScenarios(only string) ([]scenario, error) {
	if only == "" {
		return append([]scenario(nil), scenarios...), nil
	}
	var out []scenario
	for _, name := range strings.Split(only, ",") {
		found := false
		for _, sc := range scenarios {
			if sc.Name == strings.TrimSpace(name) {
				out, found = append(out, sc), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q", name)
		}
	}
	return out, nil
}

func findChrome(flagPath string) (string, error) {
	if flagPath != "" {
		if _, err := exec.LookPath(flagPath); err != nil {
			return "", fmt.Errorf("chromium not found at %s: %w", flagPath, err)
		}
		return flagPath, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium not found: install Chromium or pass -chrome PATH")
}

// recorderDir finds testdata/recorder from this source file, so the command
// works from any working directory.
func recorderDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if ok {
		if _, err := os.Stat(filepath.Join(filepath.Dir(file), "sdk", "package.json")); err == nil {
			return filepath.Dir(file), nil
		}
	}
	for _, d := range []string{"testdata/recorder", "."} {
		if _, err := os.Stat(filepath.Join(d, "sdk", "package.json")); err == nil {
			return filepath.Abs(d)
		}
	}
	return "", errors.New("cannot find testdata/recorder/sdk/package.json: run from the repository root")
}
