// Command bench times repro against a hand-written Playwright test of the
// same flow (the peer, testdata/bench/peer) and prints ratios measured in
// one run, so they can be compared on a noisy machine:
//
//	go run ./testdata/bench -which verdict     # repro run … --latency none vs the peer: median of n alternating pairs, repro/peer
//	go run ./testdata/bench -which runs        # repro run --runs 4 vs --runs 1: the extra run's cost as a multiple of the first
//	go run ./testdata/bench -which generated   # the generated test's own run (compiled beforehand) vs the peer
//
// -bundles picks the replays (names under testdata/replays, each with a
// flow in peer/flows/), -n the number of pairs. The bench builds repro
// (go build, not go run), bundles the framework demo apps
// (testdata/apps/build) and installs playwright-core with npm ci when
// needed; it needs Go, Node.js 20+ with npm, and Chromium. Every timed
// command must reach the replay's expected end state (repro: its verdict;
// the peer: the recorded uncaught error), or the bench stops.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
)

func main() {
	which := flag.String("which", "", "the bench to run: verdict, runs or generated")
	n := flag.Int("n", 0, "alternating pairs per bundle (default 5 for verdict and generated, 3 for runs)")
	bundles := flag.String("bundles", "", "comma-separated bundles under testdata/replays (default imagechat-bug,studio-bug,tasks-bug; runs: imagechat-bug)")
	chrome := flag.String("chrome", "", "Chromium for both sides (default: the one repro finds, $CHROME_PATH or /usr/bin/chromium)")
	verbose := flag.Bool("v", false, "print every timed sample and the commands' output on failure in full")
	keep := flag.Bool("keep", false, "keep the temporary directory (the built repro, the peer configs, the generated tests) and print where it is")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *which, *n, *bundles, *chrome, *verbose, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, which string, n int, bundles, chrome string, verbose, keep bool) error {
	defaults := map[string]struct {
		n       int
		bundles string
	}{
		"verdict":   {5, "imagechat-bug,studio-bug,tasks-bug"},
		"runs":      {3, "imagechat-bug"},
		"generated": {5, "imagechat-bug,studio-bug,tasks-bug"},
	}
	d, ok := defaults[which]
	if !ok {
		return fmt.Errorf("-which %q: want verdict, runs or generated", which)
	}
	if n == 0 {
		n = d.n
	}
	if n < 1 {
		return errors.New("-n must be at least 1")
	}
	if bundles == "" {
		bundles = d.bundles
	}
	b, err := newBench(ctx, chrome, verbose, keep, which != "runs")
	if err != nil {
		return err
	}
	defer b.close()
	var names []string
	for _, s := range strings.Split(bundles, ",") {
		if s = strings.TrimSpace(s); s != "" {
			names = append(names, s)
		}
	}
	startLoad := loadAverage()
	var rows []string
	var failed []string
	for _, name := range names {
		row, err := b.measure(ctx, which, name, n)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			// The other bundles are still worth measuring.
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", name, err)
			failed = append(failed, name)
			row = fmt.Sprintf("%-14s not measured: %s", name, firstLine(err.Error()))
		}
		rows = append(rows, row)
	}
	fmt.Printf("\n%s (%s, %s; load average %s at the start, %s at the end)\n", which, b.commit, b.when, startLoad, loadAverage())
	for _, r := range rows {
		fmt.Println("  " + r)
	}
	if len(failed) > 0 {
		return fmt.Errorf("not measured: %s (see above)", strings.Join(failed, ", "))
	}
	return nil
}

// loadAverage is the 1-minute load average (Linux), so a reader sees how
// busy the machine was while it measured.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	if f := strings.Fields(string(raw)); len(f) > 0 {
		return f[0]
	}
	return "unknown"
}

// measure runs one bench on one bundle and returns its summary line.
func (b *bench) measure(ctx context.Context, which, name string, n int) (string, error) {
	bundle, err := b.openBundle(ctx, name, which != "runs")
	if err != nil {
		return "", err
	}
	switch which {
	case "verdict":
		return b.verdict(ctx, bundle, n)
	case "runs":
		return b.runs(ctx, bundle, n)
	default:
		return b.generated(ctx, bundle, n)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
