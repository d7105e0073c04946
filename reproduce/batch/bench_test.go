package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/chrometest"
	"github.com/repro-dev/repro/reproduce/session"
)

// BenchmarkBatch prints a batch's throughput (replays/min) with -j 1, 2
// and 4 on one local browser, and with -j 2 spread over two DevTools
// browsers, and the peak memory per rerun in flight (the peak PSS of the
// test process and every Chromium process of it, sampled every 100 ms,
// over -j). Each iteration is a batch of 4 image-chat replays (the
// recording and copies under other ids) against the buggy app:
//
//	go test ./reproduce/batch -run '^$' -bench Batch -benchtime 1x
//
// Figures depend on the machine and its load; compare within one run.
func BenchmarkBatch(b *testing.B) {
	if testing.Short() {
		b.Skip("SKIPPED: needs a real Chromium; -short is set")
	}
	inputs := []string{bundle("imagechat-bug")}
	for i := 1; i < 4; i++ {
		inputs = append(inputs, benchCopy(b, "imagechat-bug", strings.Repeat(strconv.Itoa(5+i), 32)))
	}
	app, err := session.ParseApp(filepath.Join("..", "..", "testdata", "apps", "imagechat", "buggy"))
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name      string
		j         int
		endpoints int
	}{{"j1/local", 1, 0}, {"j2/local", 2, 0}, {"j4/local", 4, 0}, {"j2/two-endpoints", 2, 2}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var eps []Endpoint
			for range c.endpoints {
				ws, _ := chrometest.DevTools(b, "")
				eps = append(eps, Endpoint{Chrome: session.ChromeConfig{RemoteURL: ws}})
			}
			var replays int
			var elapsed time.Duration
			var peak int64
			for range b.N {
				stop := sampleRSS(&peak)
				start := time.Now()
				sum, err := Run(context.Background(), Options{
					Inputs: inputs, Open: openLocal, Endpoints: eps, Parallel: c.j, Out: b.TempDir(),
					// report.html's recorded frames, as repro batch renders them by default.
					Rerun: reproduce.RunOptions{App: app, Latency: fast(), RecordedFrames: true},
				})
				elapsed += time.Since(start)
				stop()
				if err != nil {
					b.Fatal(err)
				}
				if sum.Errors > 0 {
					b.Fatalf("%d replays got no verdict", sum.Errors)
				}
				replays += sum.Done
			}
			perMin := float64(replays) / elapsed.Minutes()
			b.ReportMetric(perMin, "replays/min")
			b.ReportMetric(float64(peak)/float64(c.j)/(1<<20), "peakPssMB/rerun")
			fmt.Printf("batch %-18s %6.1f replays/min, peak %4.0f MB per rerun in flight\n", c.name, perMin, float64(peak)/float64(c.j)/(1<<20))
		})
	}
}

// benchCopy is copyBundle for a benchmark.
func benchCopy(b *testing.B, name, id string) string {
	dir := b.TempDir()
	src := bundle(name)
	r, err := reproduce.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []string{"replay.json", "recording-segments.json", "errors.json"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(strings.ReplaceAll(string(data), r.Timeline.ReplayID, id)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// sampleRSS keeps in peak the largest sum of RSS of this process and the
// Chromium processes under TMPDIR (the test's browsers' profiles), until
// stop is called.
func sampleRSS(peak *int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if n := rssUnder(os.TempDir()); n > *peak {
				*peak = n
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// rssUnder sums the proportional resident memory (PSS: a page shared by
// Chromium's processes counts once overall, not once per process) of this
// process and of the processes whose command line names dir.
func rssUnder(dir string) int64 {
	var total int64
	entries, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || (e.Name() != self && !strings.Contains(string(cmd), dir)) {
			continue
		}
		total += pss(e.Name())
	}
	return total
}

// pss is a process's proportional set size in bytes (0 when unreadable).
func pss(pid string) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "smaps_rollup"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
