package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/repro-dev/repro/reproduce"
)

// Options configure a batch.
type Options struct {
	// Inputs are the replays, as the user named them (bundle paths,
	// replay ids or URLs); Open reads one, fetching it when needed.
	Inputs []string
	Open   func(ctx context.Context, input string) (*reproduce.Replay, error)
	// Rerun is one rerun's options, exactly as `repro run` makes them;
	// the batch sets Browser and ArtifactsDir per rerun (RecordedFrames,
	// for each report.html, is the caller's to set).
	Rerun reproduce.RunOptions
	// Endpoints are the browsers reruns are spread over: each is launched
	// (or connected to) once and shared, every rerun in a fresh browser
	// context. Empty: one browser as Rerun.Chrome says.
	Endpoints []Endpoint
	// Parallel is how many reruns go at once (0: DefaultParallel).
	Parallel int
	// ReplayTimeout bounds one replay, fetch and rerun (0: none).
	ReplayTimeout time.Duration
	// Out is the output directory: results.jsonl, summary.json, and a
	// directory per replay for its report.
	Out string
	// Resume keeps the results already in Out and reruns only replays
	// without one; without it, an Out that holds results is refused.
	Resume bool
	// OnResult, when set, is told of each result as it is written (from
	// the batch's goroutines, one call at a time).
	OnResult func(Result, Progress)
}

// Progress is where a batch is, for a progress line.
type Progress struct {
	Done, Total int
	Verdicts    map[string]int
	Errors      int
	PerMinute   float64
	ETA         time.Duration
}

// DefaultParallel is how many reruns one machine holds at once: one per
// core (a rerun mostly waits on its page, but keeps a renderer busy; more
// than the cores slows every rerun down and stretches its timeouts).
func DefaultParallel() int { return max(1, runtime.NumCPU()) }

// ErrOutInUse is an output directory that already holds a batch's results
// when Resume is not set.
var ErrOutInUse = errors.New("the output directory already holds batch results")

// Run re-runs every input and returns the summary, also written to
// Out/summary.json. A replay that fails (cannot be read, crashes its tab,
// runs past ReplayTimeout) gets an error result and the batch goes on.
// When ctx ends, reruns in flight are abandoned (they get no result), and
// the summary of what finished is written with Interrupted set; the error
// is then nil: the summary is the outcome.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	if opts.Out == "" {
		return nil, errors.New("batch: no output directory")
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	earlier, err := ReadResults(opts.Out)
	if err != nil {
		return nil, err
	}
	if len(earlier) > 0 && !opts.Resume {
		return nil, fmt.Errorf("%w: %s (pass --resume to finish it, or choose another --out)", ErrOutInUse, opts.Out)
	}
	log, err := openResultLog(opts.Out)
	if err != nil {
		return nil, err
	}
	defer log.close()

	b := &runner{opts: opts, log: log, start: time.Now(), done: map[string]bool{}, claimed: map[string]string{}}
	// Earlier results count; their replays are not rerun.
	for _, r := range earlier {
		b.done[r.Input] = true
		if r.ReplayID != "" {
			b.done[r.ReplayID] = true
		}
	}
	todo := make([]string, 0, len(opts.Inputs))
	seen := map[string]bool{}
	for _, in := range opts.Inputs {
		if seen[in] {
			continue
		}
		seen[in] = true
		if b.done[in] {
			b.skipped++
			continue
		}
		todo = append(todo, in)
	}
	b.results = append(b.results, earlier...)
	b.earlier = len(earlier)
	b.total = len(earlier) + len(todo)
	b.pool = newPool(opts)
	defer b.pool.close()

	parallel := opts.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel()
	}
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(parallel, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range work {
				if r, ok := b.one(ctx, in); ok {
					b.add(r)
				}
			}
		}()
	}
feed:
	for _, in := range todo {
		select {
		case work <- in:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return b.finish(ctx.Err() != nil)
}

// runner is one batch under way.
type runner struct {
	opts  Options
	log   *resultLog
	pool  *pool
	start time.Time

	mu      sync.Mutex
	results []Result
	total   int
	skipped int
	earlier int               // results from an earlier batch (resume)
	done    map[string]bool   // inputs and replay ids with a result (resume)
	claimed map[string]string // replay id → the input rerunning it
}

// one reruns one input; ok is false when the batch was stopped before it
// finished (an abandoned rerun has no result) or an earlier batch already
// has its replay (resume by id).
func (b *runner) one(ctx context.Context, input string) (Result, bool) {
	start := time.Now()
	res := Result{Input: input}
	finish := func(err error) (Result, bool) {
		if ctx.Err() != nil {
			return Result{}, false
		}
		if err != nil {
			res.Error = err.Error()
		}
		res.DurationMS = time.Since(start).Milliseconds()
		res.Finished = time.Now().UTC().Format(time.RFC3339)
		return res, true
	}
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if b.opts.ReplayTimeout > 0 {
		rctx, cancel = context.WithTimeoutCause(ctx, b.opts.ReplayTimeout,
			fmt.Errorf("the replay ran past --replay-timeout %s", b.opts.ReplayTimeout))
	}
	defer cancel()
	r, err := bounded(rctx, func() (*reproduce.Replay, error) { return b.opts.Open(rctx, input) })
	if err != nil {
		return finish(fmt.Errorf("read replay: %w", err))
	}
	id := r.Timeline.ReplayID
	res.ReplayID = id
	if other, dup := b.claim(id, input); dup {
		if other == "" {
			return Result{}, false // resumed: an earlier batch has it
		}
		return finish(fmt.Errorf("same replay as %s", other))
	}
	dir := filepath.Join(b.opts.Out, id)
	for attempt := 1; ; attempt++ {
		br, ep, err := b.pool.acquire(rctx)
		if err != nil {
			return finish(err)
		}
		res.Endpoint, res.Attempts = ep.Name(), attempt
		ro := b.opts.Rerun
		ro.Browser, ro.ArtifactsDir = br, dir
		rep, err := bounded(rctx, func() (*reproduce.Report, error) { return reproduce.Run(rctx, r, ro) })
		if err != nil && b.pool.release(ep, br, err) && attempt < b.pool.size() && rctx.Err() == nil {
			continue // the endpoint failed, not the replay: try another
		}
		if err == nil {
			b.pool.release(ep, br, nil)
		}
		if err != nil {
			os.RemoveAll(dir) // no half-written report is left
			return finish(err)
		}
		if err := rep.WriteFiles(dir, r); err != nil {
			return finish(err)
		}
		res.Verdict, res.Summary, res.Agreement = rep.Verdict.Value, rep.Verdict.Summary, rep.Agreement
		res.Report = filepath.ToSlash(filepath.Join(id, "report.json"))
		if bug, ok := BugOf(rep); ok {
			res.Group, res.Bug = bug.ID(), &bug
		}
		return finish(nil)
	}
}

// bounded waits for f until ctx ends, and then at most a short grace: a
// rerun stuck in a call that ignores its context (a browser that stopped
// answering) must not hold the batch. A call left behind finishes on its
// own; its result is dropped.
func bounded[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type out struct {
		v   T
		err error
	}
	ch := make(chan out, 1)
	go func() {
		v, err := f()
		ch <- out{v, err}
	}()
	var zero T
	select {
	case o := <-ch:
		if ctx.Err() != nil {
			return zero, context.Cause(ctx)
		}
		return o.v, o.err
	case <-ctx.Done():
	}
	select {
	case o := <-ch:
		if o.err == nil && ctx.Err() == nil {
			return o.v, nil
		}
	case <-time.After(5 * time.Second):
	}
	return zero, context.Cause(ctx)
}

// claim marks replay id as being rerun by input. dup is true when it
// already has a result from an earlier batch (other "") or another input
// of this batch names the same replay (other is that input).
func (b *runner) claim(id, input string) (other string, dup bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done[id] {
		b.skipped++
		b.total--
		return "", true
	}
	if o, ok := b.claimed[id]; ok {
		return o, true
	}
	b.claimed[id] = input
	return "", false
}

// add writes a result and tells OnResult.
func (b *runner) add(r Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.log.add(r); err != nil {
		r.Error = errors.Join(errors.New(r.Error), err).Error()
	}
	b.results = append(b.results, r)
	if b.opts.OnResult != nil {
		b.opts.OnResult(r, b.progress())
	}
}

// progress is the batch's state (b.mu held).
func (b *runner) progress() Progress {
	verdicts, errs, _ := summarize(b.results)
	p := Progress{Done: len(b.results), Total: b.total, Verdicts: verdicts, Errors: errs}
	ran := len(b.results) - b.earlier
	if el := time.Since(b.start); ran > 0 && el > 0 {
		p.PerMinute = float64(ran) / el.Minutes()
		p.ETA = time.Duration(float64(b.total-len(b.results)) / p.PerMinute * float64(time.Minute))
	}
	return p
}

// finish writes the summary.
func (b *runner) finish(interrupted bool) (*Summary, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	verdicts, errs, groups := summarize(b.results)
	el := time.Since(b.start)
	s := &Summary{
		App: b.opts.Rerun.App.String(), Total: b.total, Done: len(b.results), Skipped: b.skipped,
		Interrupted: interrupted || len(b.results) < b.total,
		Verdicts:    verdicts, Errors: errs, Groups: groups, Results: ResultsFile,
		Started: b.start.UTC(), DurationMS: el.Milliseconds(),
	}
	if ran := len(b.results) - b.earlier; ran > 0 && el > 0 {
		s.PerMinute = float64(ran) / el.Minutes()
	}
	return s, writeSummary(b.opts.Out, s)
}
