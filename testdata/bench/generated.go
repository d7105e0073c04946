package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/repro-dev/repro/testdata/usermodule"
)

// generated: the regression test `repro generate` writes, compiled first
// (go test -c, not timed), then its binary run against the bundle's app
// (REPRO_APP_URL), against the peer. The test asserts the fixed behaviour,
// so on the buggy app it must fail naming the recorded error, having
// followed every step: both sides end by seeing the recorded failure.
// (Not --expect-bug: that test asserts every recorded signal, and a signal
// the rerun does not show, such as a dead click judged alive, fails it.)
func (b *bench) generated(ctx context.Context, bd *bundle, n int) (string, error) {
	mod, err := b.userModule(ctx)
	if err != nil {
		return "", err
	}
	pkg := "bench" + regexp.MustCompile(`[^a-z0-9]`).ReplaceAllString(strings.ToLower(bd.name), "")
	pkgDir := filepath.Join(mod, pkg)
	if out, err := b.command(ctx, b.root, nil, b.repro, "generate", bd.dir, "-o", pkgDir, "--package", pkg, "--force"); err != nil {
		return "", fmt.Errorf("repro generate: %v\n%s", err, out)
	}
	bin := filepath.Join(mod, pkg+".test")
	start := time.Now()
	if out, err := b.command(ctx, mod, goEnv, "go", "test", "-c", "-o", bin, "./"+pkg); err != nil {
		return "", fmt.Errorf("go test -c of the generated test: %v\n%s", err, out)
	}
	fmt.Printf("generated %s: compiled in %.1f s (not timed); %d pairs…\n", bd.name, time.Since(start).Seconds(), n)

	// The peer waits what the generated test's mock waits: the recorded
	// latency unless the test says otherwise.
	latency, err := generatedLatency(pkgDir)
	if err != nil {
		return "", err
	}
	cfg, err := b.peerConfig(bd, latency)
	if err != nil {
		return "", err
	}
	test := job{what: "test", dir: pkgDir, argv: []string{bin, "-test.count=1"}, want: 1,
		env: []string{"REPRO_APP_URL=" + bd.appDir, "CHROME_PATH=" + b.chrome},
		check: func(out string) error {
			if strings.Contains(out, "could not follow the user's path") {
				return errors.New("the generated test lost the user's path")
			}
			if !strings.Contains(out, bd.failure) {
				return fmt.Errorf("the generated test failed without naming the recorded error %q", bd.failure)
			}
			return nil
		}}
	ts, ps, err := pairs(ctx, n,
		func() (time.Duration, error) { return b.timed(ctx, test) },
		func() (time.Duration, error) { return b.peer(ctx, cfg) })
	if err != nil {
		return "", err
	}
	mt, mp := median(ts), median(ps)
	fmt.Printf("  generated test: %s s\n  peer:           %s s (latency %s)\n", seconds(ts), seconds(ps), latency)
	return fmt.Sprintf("%-14s generated test %5.2f s · peer %5.2f s (medians of %d, API latency %s on both) → test/peer %.2f× (per pair: median %.2f×)",
		bd.name, mt.Seconds(), mp.Seconds(), n, latency, mt.Seconds()/mp.Seconds(), pairRatio(ts, ps)), nil
}

// goEnv builds the generated test offline from the module cache.
var goEnv = []string{"GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off"}

// userModule makes (once) a Go module that requires repro through a
// replace directive, as an engineer's repository would, with repro's own
// requirements so the build resolves offline.
func (b *bench) userModule(ctx context.Context) (string, error) {
	dir := filepath.Join(b.tmp, "usermod")
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, usermodule.Write(ctx, b.root, dir, "example.com/benchuser")
}

// generatedLatency reads which latency the generated test's mock uses:
// "none" when it says mockserver.LatencyNone, else the mock's default,
// "recorded". A scaled latency is not something the peer mirrors.
func generatedLatency(pkgDir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(pkgDir, "*_test.go"))
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no generated test in %s", pkgDir)
	}
	src, err := os.ReadFile(files[0])
	if err != nil {
		return "", err
	}
	switch {
	case strings.Contains(string(src), "mockserver.LatencyNone"):
		return "none", nil
	case strings.Contains(string(src), "mockserver.Scaled("):
		return "", fmt.Errorf("the generated test scales the recorded latency; the peer mirrors only none or recorded (update generatedLatency)")
	}
	return "recorded", nil
}
