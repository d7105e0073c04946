package reproduce

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/story"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// RunOptions configure Run: the app under test, the browser, and how the
// mock backend answers.
type RunOptions struct {
	App    session.AppUnderTest
	Chrome session.ChromeConfig
	// session.Browser, when set, is a running browser shared with other runs (each
	// run still gets a fresh context); nil launches one per Run.
	Browser *session.Browser
	// Runs repeats the rerun in fresh browser contexts (default 1).
	Runs   int
	Timing session.Timing
	// Latency is the mock backend's latency policy; nil waits the
	// recorded latency (timing can be the bug).
	Latency *mockserver.LatencyPolicy
	// Upstream forwards requests whose bodies were not captured (and
	// unmatched ones when ForwardUnmatched) to a local backend.
	Upstream         string
	ForwardUnmatched bool
	// Inputs give values for masked fields (selector → value).
	Inputs map[string]string
	// ArtifactsDir receives screenshots, one sub-directory per run; ""
	// keeps none.
	ArtifactsDir string
	// Screenshots chooses the steps that get one: session.ScreenshotsEvidence
	// (the default: the first and last steps, the steps the recorded
	// failure names, and those where the rerun failed) or
	// session.ScreenshotsAll.
	Screenshots session.ScreenshotPolicy
	StepTimeout time.Duration
	Settle      session.SettlePolicy
	Logger      *slog.Logger
	// RecordedFrames renders what the user saw at each step (the recorded
	// page rebuilt at that moment) into Report.Frames for report.html,
	// once the verdict is known (after OnVerdict), in the reruns' browser.
	RecordedFrames bool
	// OnVerdict, when set, is called with the report as soon as the
	// verdict is known, before the recorded frames are rendered (the
	// report has no Frames yet): a caller prints the verdict there rather
	// than after the frames.
	OnVerdict func(*Report)
	// OnProgress, when set, is told as each step of each run starts (runs
	// go in parallel: it must be safe for concurrent calls).
	OnProgress func(RunProgress)
}

// Config is the session configuration of one rerun with these options:
// everything but the mock backend (API), the artifacts directory and the
// callbacks, which belong to each run.
func (opts RunOptions) Config() session.RunConfig {
	return session.RunConfig{
		Chrome:      opts.Chrome,
		Browser:     opts.Browser,
		App:         opts.App,
		Timing:      opts.Timing,
		StepTimeout: opts.StepTimeout,
		Screenshots: opts.Screenshots,
		Settle:      opts.Settle,
		Logger:      opts.Logger,
	}
}

// RunProgress says where a rerun is, for a progress line.
type RunProgress struct {
	Run, Runs int    // 1-based run number, and how many runs
	Step      int    // the step starting (its index)
	Steps     int    // how many steps the plan has
	Words     string // the step's description
}

// Report is the outcome of Run: the story of the recording, the plan that
// was run, the bug signature, every run's evidence and the verdict.
type Report struct {
	ReplayID  string            `json:"replay_id"`
	App       string            `json:"app"`
	Story     *story.Story      `json:"story"`
	Plan      *plan.Plan        `json:"plan"`
	Signature verdict.Signature `json:"signature"`
	Verdict   verdict.Verdict   `json:"-"`
	Runs      []RunResult       `json:"runs"`
	Duration  time.Duration     `json:"-"`
	// Agreement is "k/n": how many runs gave the reported verdict.
	Agreement string `json:"agreement"`
	// Flaky is true when runs disagreed; the verdict then says so.
	Flaky bool `json:"flaky"`
	// Frames are the recorded frames of the plan's steps, by step index
	// (RunOptions.RecordedFrames); FramesErr says why there are none.
	Frames    map[int]RecordedFrame `json:"-"`
	FramesErr error                 `json:"-"`
}

// RunResult is one rerun's verdict and the evidence it rests on.
type RunResult struct {
	Verdict     verdict.Verdict           `json:"verdict"`
	Observation *session.Observation      `json:"observation"`
	Journal     []mockserver.JournalEntry `json:"journal"`
	Duration    time.Duration             `json:"-"`
}

// Run re-runs a replay against the app under test and judges it: the
// user's steps in headless Chrome, recorded API responses from a mock
// backend, nothing else reaching the network. With Runs > 1 every run uses
// a fresh browser context and disagreement is reported as flaky.
func Run(ctx context.Context, r *Replay, opts RunOptions) (*Report, error) {
	start := time.Now()
	if err := opts.App.Check(ctx); err != nil {
		return nil, err
	}
	pl, err := plan.Build(r.Timeline, plan.Options{Inputs: opts.Inputs})
	if err != nil {
		return nil, err
	}
	rep := &Report{
		ReplayID:  r.Timeline.ReplayID,
		App:       opts.App.String(),
		Story:     story.Tell(r.Timeline),
		Plan:      pl,
		Signature: verdict.BugSignature(r.Timeline, pl),
	}
	rep.Signature.MarkDeadClickSteps(pl)
	runs := max(opts.Runs, 1)
	cfg := opts.Config()
	cfg.Decided = rep.Signature.Decided
	cfg.EvidenceSteps = rep.Signature.Steps()
	if opts.Browser != nil {
		cfg.Browser = opts.Browser
	} else if runs > 1 || opts.RecordedFrames {
		b, err := session.NewBrowser(ctx, opts.Chrome)
		if err != nil {
			return nil, err
		}
		defer b.Close()
		cfg.Browser = b
	}
	masked := MaskedBodyFields(r.Timeline)
	// Repeated runs go in parallel, each in its own browser context of the
	// one browser with its own mock.
	rep.Runs = make([]RunResult, runs)
	errs := make([]error, runs)
	sem := make(chan struct{}, parallelRuns(runs))
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			rep.Runs[i], errs[i] = runOnce(ctx, r, pl, rep.Signature, opts, cfg, i)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	rep.Verdict, rep.Agreement, rep.Flaky = aggregate(rep.Runs)
	if len(masked) > 0 {
		rep.Verdict.Notes = append(rep.Verdict.Notes, fmt.Sprintf(
			"request body field(s) %s held text typed into masked inputs; the rerun typed placeholders, so the mock matched them by presence only", strings.Join(masked, ", ")))
	}
	for _, d := range pl.Dropped {
		rep.Verdict.Notes = append(rep.Verdict.Notes, "not replayed (a rerun opens only the app's own http(s) pages): "+d)
	}
	if params := MaskedQueryParams(r.Timeline); len(params) > 0 {
		rep.Verdict.Notes = append(rep.Verdict.Notes, fmt.Sprintf(
			"query parameter(s) %s held text typed into masked inputs; the rerun typed placeholders, so the mock matched them by presence only", strings.Join(params, ", ")))
	}
	rep.Duration = time.Since(start)
	if opts.OnVerdict != nil {
		opts.OnVerdict(rep)
	}
	// The recorded frames come after the verdict, not beside the reruns:
	// rendering is CPU work that slowed the reruns as much as it cost on
	// its own. A frame that fails, or an interruption, costs report.html
	// its frames (FramesErr), never the verdict.
	if opts.RecordedFrames {
		rep.Frames, rep.FramesErr = r.recordedFrames(ctx, cfg.Browser, opts.App, pl.Steps, opts.Logger)
	}
	return rep, nil
}

// parallelRuns is how many runs go at once: twice the cores, at most runs.
// A run is a chain of round trips to the page with waits between them (a
// settle, the page's own timers, the unload at its end), so one run per
// core leaves the cores idle a fifth of the time, and the last runs of a
// batch finish one at a time. Measured on 2 cores (imagechat, machine CPU
// from /proc/stat, medians of 8-10): --runs 4 took 2.42 s with two at
// once and 2.19 s with four, for the same 3.8 CPU-seconds; --runs 8 took
// 4.64 s with two, 4.30 s with four, 3.95 s with eight. Each run is
// slower when more share the cores, which the verdict does not depend on
// (the acceptance test runs its 20 runs a case this way). Twice the cores
// keeps a margin for heavier pages.
func parallelRuns(runs int) int {
	return max(1, min(runs, 2*runtime.NumCPU()))
}

// runOnce is one rerun with its own mock backend and artifacts directory.
func runOnce(ctx context.Context, r *Replay, pl *plan.Plan, sig verdict.Signature, opts RunOptions, cfg session.RunConfig, i int) (RunResult, error) {
	mock, err := opts.MockBackend(r.Timeline)
	if err != nil {
		return RunResult{}, err
	}
	cfg.API = mock
	if opts.OnProgress != nil {
		runs := max(opts.Runs, 1)
		cfg.OnStep = func(st plan.Step) {
			opts.OnProgress(RunProgress{Run: i + 1, Runs: runs, Step: st.Index, Steps: len(pl.Steps), Words: st.String()})
		}
	}
	cfg.ArtifactsDir = ""
	if opts.ArtifactsDir != "" {
		cfg.ArtifactsDir = filepath.Join(opts.ArtifactsDir, fmt.Sprintf("run-%d", i+1))
	}
	t0 := time.Now()
	obs, err := session.Execute(ctx, *pl, cfg)
	if err != nil {
		return RunResult{}, err
	}
	journal := mock.Journal()
	return RunResult{
		Verdict:     verdict.Judge(sig, pl, obs, journal),
		Observation: obs,
		Journal:     journal,
		Duration:    time.Since(t0),
	}, nil
}

// aggregate reports the runs' verdict. When runs disagree the bug is flaky:
// any reproduction counts (the failure did happen) and the summary says how
// often, never an average.
func aggregate(runs []RunResult) (verdict.Verdict, string, bool) {
	counts := map[string]int{}
	for _, r := range runs {
		counts[r.Verdict.Value]++
	}
	v := runs[0].Verdict
	if len(counts) == 1 {
		return v, fmt.Sprintf("%d/%d", len(runs), len(runs)), false
	}
	pick := runs[0]
	for _, want := range []string{verdict.Reproduced, verdict.Diverged, verdict.Inconclusive, verdict.NotReproduced} {
		if counts[want] > 0 {
			for _, r := range runs {
				if r.Verdict.Value == want {
					pick = r
					break
				}
			}
			break
		}
	}
	v = pick.Verdict
	n := counts[v.Value]
	v.Summary = fmt.Sprintf("flaky: %s in %d of %d runs (%s) — %s", v.Value, n, len(runs), describeCounts(counts), v.Summary)
	return v, fmt.Sprintf("%d/%d", n, len(runs)), true
}

func describeCounts(counts map[string]int) string {
	s := ""
	for _, k := range []string{verdict.Reproduced, verdict.NotReproduced, verdict.Diverged, verdict.Inconclusive} {
		if counts[k] > 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %d", k, counts[k])
		}
	}
	return s
}
