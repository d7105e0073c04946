package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// reproRun times one `repro run <bundle> --app <dir> --latency none` of the
// built binary, process start to exit, with extra flags; it must end with
// the bundle's expected verdict. Screenshots and reports go to the bench's
// temporary directory (repro writes them either way).
func (b *bench) reproRun(ctx context.Context, bd *bundle, what string, extra ...string) (time.Duration, error) {
	d, _, err := b.reproRunPrinted(ctx, bd, what, extra...)
	return d, err
}

// reproRunPrinted is reproRun with --json, and also the time the verdict
// was printed: the JSON report's closing brace on stdout. repro prints it
// as soon as the verdict is known, then renders the recorded frames for
// report.html and writes it before exiting.
func (b *bench) reproRunPrinted(ctx context.Context, bd *bundle, what string, extra ...string) (exit, printed time.Duration, err error) {
	art := filepath.Join(b.tmp, "artifacts")
	defer os.RemoveAll(art)
	argv := append([]string{b.repro, "run", bd.dir, "--app", bd.appDir, "--latency", "none", "--chrome", b.chrome, "--artifacts", art, "--json"}, extra...)
	return b.timedMark(ctx, job{what: what, dir: b.root, argv: argv, want: bd.want, mark: "}"})
}

// pairs runs a and b n times each, alternating which goes first (a b, b a,
// a b, …) so that neither side always meets the machine in the state the
// other left it in, after one untimed warm-up of each (Chromium's and
// Node's files into the page cache).
func pairs(ctx context.Context, n int, a, b func() (time.Duration, error)) (as, bs []time.Duration, err error) {
	if _, err := a(); err != nil {
		return nil, nil, err
	}
	if _, err := b(); err != nil {
		return nil, nil, err
	}
	for i := range n {
		first, second := a, b
		if i%2 == 1 {
			first, second = b, a
		}
		d1, err := first()
		if err != nil {
			return nil, nil, err
		}
		d2, err := second()
		if err != nil {
			return nil, nil, err
		}
		if i%2 == 1 {
			d1, d2 = d2, d1
		}
		as, bs = append(as, d1), append(bs, d2)
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
	}
	return as, bs, nil
}

// pairRatio is the median of a[i]/b[i]: each pair ran back to back, so
// this is less moved by load that comes and goes between pairs than the
// ratio of the medians; when the two disagree much, the machine was busy.
func pairRatio(a, b []time.Duration) float64 {
	r := make([]float64, len(a))
	for i := range a {
		r[i] = a[i].Seconds() / b[i].Seconds()
	}
	slices.Sort(r)
	if len(r)%2 == 1 {
		return r[len(r)/2]
	}
	return (r[len(r)/2-1] + r[len(r)/2]) / 2
}

// verdict: process start → verdict of repro run against the peer's process
// start → the recorded error, median of n alternating pairs.
func (b *bench) verdict(ctx context.Context, bd *bundle, n int) (string, error) {
	fmt.Printf("verdict %s: %d pairs…\n", bd.name, n)
	var printed []time.Duration // one per repro run, the warm-up first
	rs, ps, err := pairs(ctx, n,
		func() (time.Duration, error) {
			d, at, err := b.reproRunPrinted(ctx, bd, "repro")
			printed = append(printed, at)
			return d, err
		},
		func() (time.Duration, error) { return b.peer(ctx, bd.peerCfg) })
	if err != nil {
		return "", err
	}
	printed = printed[1:]
	mr, mv, mp := median(rs), median(printed), median(ps)
	fmt.Printf("  repro, verdict printed: %s s\n  repro, exit:            %s s\n  peer, exit:             %s s\n", seconds(printed), seconds(rs), seconds(ps))
	return fmt.Sprintf("%-14s peer %5.2f s · repro verdict printed %5.2f s → %.2f× (per pair %.2f×) · repro exit (report.html written) %5.2f s → %.2f× (per pair %.2f×); medians of %d",
		bd.name, mp.Seconds(), mv.Seconds(), mv.Seconds()/mp.Seconds(), pairRatio(printed, ps),
		mr.Seconds(), mr.Seconds()/mp.Seconds(), pairRatio(rs, ps), n), nil
}

// runs: what one more run costs with --runs 4, as a multiple of a whole
// --runs 1: ((T4 − T1) / 3) / T1 on the medians of n alternating pairs.
func (b *bench) runs(ctx context.Context, bd *bundle, n int) (string, error) {
	fmt.Printf("runs %s: %d pairs of --runs 1 / --runs 4…\n", bd.name, n)
	one, four, err := pairs(ctx, n,
		func() (time.Duration, error) { return b.reproRun(ctx, bd, "runs=1", "--runs", "1") },
		func() (time.Duration, error) { return b.reproRun(ctx, bd, "runs=4", "--runs", strconv.Itoa(4)) })
	if err != nil {
		return "", err
	}
	m1, m4 := median(one), median(four)
	extra := (m4 - m1) / 3
	fmt.Printf("  --runs 1:  %s s\n  --runs 4:  %s s\n", seconds(one), seconds(four))
	return fmt.Sprintf("%-14s --runs 1 %5.2f s · --runs 4 %5.2f s (medians of %d) → the extra run costs %.2f s = %.2f× the first",
		bd.name, m1.Seconds(), m4.Seconds(), n, extra.Seconds(), extra.Seconds()/m1.Seconds()), nil
}
