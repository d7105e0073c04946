package reproduce

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// BenchmarkTimeToVerdict measures `repro run` on the image-chat bug bundle
// against its buggy app, as the CLI does it (a browser launched per Run,
// recorded latency), with one and with two runs. The metric
// "x-recorded" is the time to a verdict over the recorded session's
// duration; the difference between runs=2 and runs=1 is the cost of an
// extra --runs run.
//
//	go test ./reproduce -run '^$' -bench TimeToVerdict -benchtime 3x
func BenchmarkTimeToVerdict(b *testing.B) {
	if testing.Short() {
		b.Skip("SKIPPED: needs Chromium")
	}
	r, err := Open(bundles + "/imagechat-bug")
	if err != nil {
		b.Fatal(err)
	}
	app, err := session.ParseApp("../testdata/apps/imagechat/buggy")
	if err != nil {
		b.Fatal(err)
	}
	for _, runs := range []int{1, 2} {
		b.Run(fmt.Sprintf("runs=%d", runs), func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				t0 := time.Now()
				rep, err := Run(context.Background(), r, RunOptions{App: app, Runs: runs})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Verdict.Value != verdict.Reproduced {
					b.Fatalf("verdict %s: %s", rep.Verdict.Value, rep.Verdict.Summary)
				}
				total += time.Since(t0)
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(r.Timeline.Duration), "x-recorded")
		})
	}
}
