package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

type runOptions struct {
	streams *IOStreams
	source  replaySource
	rerunFlags

	json, markdown bool
	frames         bool
	runs           int
	artifacts      string
	testOut        string // the bare pipeline's -o
	delivery       deliveryFlags
}

// rerunFlags are the flags of one rerun, shared by run, report, the bare
// pipeline and generate (whose --minimize reruns the replay): each command
// turns them into reproduce.RunOptions the same way (options).
type rerunFlags struct {
	app              string
	timing           string
	latency          string
	upstream         string
	forwardUnmatched bool
	inputs           []string
	chrome           string
	remoteChrome     []string // repro batch spreads reruns over several
	remoteProxyHost  string
	stepTimeout      time.Duration
	screenshots      string // --screenshots, where a command registers it (addScreenshotsFlag)
}

// add registers the rerun flags; appUsage describes --app for the command.
func (rf *rerunFlags) add(f *pflag.FlagSet, appUsage string) {
	f.StringVar(&rf.app, "app", "", appUsage)
	f.StringVar(&rf.timing, "timing", "fast", "fast (wait on conditions only) or recorded (keep the user's pauses)")
	f.StringVar(&rf.latency, "latency", "recorded", "mock backend latency: recorded, none, or a factor like 0.5x")
	f.StringVar(&rf.upstream, "upstream", "", "forward requests whose bodies were not recorded to this local backend URL")
	f.BoolVar(&rf.forwardUnmatched, "forward-unmatched", false, "with --upstream, forward unmatched requests too")
	f.StringArrayVar(&rf.inputs, "input", nil, "value for a masked field, as selector=value (repeatable)")
	f.StringVar(&rf.chrome, "chrome", "", "Chrome/Chromium executable (default: found automatically)")
	f.StringArrayVar(&rf.remoteChrome, "remote-chrome", nil, "connect to a running browser's DevTools endpoint (ws://… or http://host:port) instead of launching one; repro batch takes several (repeat the flag, or name a file of endpoints, one a line)")
	f.StringVar(&rf.remoteProxyHost, "remote-proxy-host", "", "with --remote-chrome on another host: an address of this machine (host or IP, no port) the remote browsers can reach repro's network guard at (default 127.0.0.1, a browser on this host)")
	f.DurationVar(&rf.stepTimeout, "step-timeout", 5*time.Second, "how long one step may wait for its target")
}

// options turns the rerun flags into library options (one run).
func (rf *rerunFlags) options() (reproduce.RunOptions, error) {
	if len(rf.remoteChrome) > 1 {
		return reproduce.RunOptions{}, usageError{fmt.Errorf("--remote-chrome is given %d times: only repro batch spreads reruns over several browsers", len(rf.remoteChrome))}
	}
	ro, err := rf.browserlessOptions()
	if err == nil && len(rf.remoteChrome) == 1 {
		ro.Chrome.RemoteURL, ro.Chrome.ProxyHost = rf.remoteChrome[0], rf.remoteProxyHost
	}
	return ro, err
}

// browserlessOptions are options without the remote browser (repro batch
// spreads reruns over its endpoints).
func (rf *rerunFlags) browserlessOptions() (reproduce.RunOptions, error) {
	var ro reproduce.RunOptions
	app, err := session.ParseApp(rf.app)
	if errors.Is(err, session.ErrAppUnreachable) {
		return ro, err
	}
	if err != nil {
		return ro, usageError{err}
	}
	if h := rf.remoteProxyHost; h != "" {
		if len(rf.remoteChrome) == 0 {
			return ro, usageError{errors.New("--remote-proxy-host is for a browser on another host: give --remote-chrome too")}
		}
		if strings.ContainsAny(h, "/[] ") || strings.Count(h, ":") == 1 {
			return ro, usageError{fmt.Errorf("--remote-proxy-host %q: want a host name or IP of this machine, without scheme or port", h)}
		}
	}
	ro = reproduce.RunOptions{
		App:              app,
		Chrome:           session.ChromeConfig{Path: rf.chrome},
		Upstream:         rf.upstream,
		ForwardUnmatched: rf.forwardUnmatched,
		StepTimeout:      rf.stepTimeout,
	}
	switch rf.timing {
	case "fast":
		ro.Timing = session.TimingFast
	case "recorded":
		ro.Timing = session.TimingRecorded
	default:
		return ro, usageError{fmt.Errorf("--timing %q: want fast or recorded", rf.timing)}
	}
	lat, err := mockserver.ParseLatency(rf.latency)
	if err != nil {
		return ro, usageError{err}
	}
	ro.Latency = &lat
	if rf.forwardUnmatched && rf.upstream == "" {
		return ro, usageError{fmt.Errorf("--forward-unmatched needs --upstream")}
	}
	if ro.Screenshots, err = session.ParseScreenshotPolicy(rf.screenshots); err != nil {
		return ro, usageError{fmt.Errorf("--%w", err)}
	}
	ro.Inputs, err = rf.parseInputs()
	return ro, err
}

// addScreenshotsFlag registers --screenshots (run, report, the bare
// pipeline and batch: the commands that write report.html).
func (rf *rerunFlags) addScreenshotsFlag(f *pflag.FlagSet) {
	f.StringVar(&rf.screenshots, "screenshots", "evidence", "which steps of the rerun get a screenshot in report.html: evidence (the first and last steps, the steps of the recorded failure, and those where the rerun failed; each capture costs time) or all")
}

// parseInputs reads the --input flags (selector=value).
func (rf *rerunFlags) parseInputs() (map[string]string, error) {
	if len(rf.inputs) == 0 {
		return nil, nil
	}
	in := map[string]string{}
	for _, kv := range rf.inputs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("--input %q: want selector=value", kv)}
		}
		in[k] = v
	}
	return in, nil
}

func newRunCmd(streams *IOStreams) *cobra.Command {
	opts := &runOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "run <replay> --app <url|dir>",
		Short: "Re-run a replay in headless Chrome against your app and say whether the bug reproduces",
		Long: `Re-run the user's session deterministically in headless Chrome against the
app under test and give a verdict with its evidence.

The recorded origin is mapped onto --app (a URL such as http://localhost:3000,
or a directory of static files that repro serves on loopback). Recorded API
calls are answered by a mock backend from the recording; requests to Sentry
ingest are captured; everything else is blocked. Nothing reaches production.

The verdict is one of: reproduced, not_reproduced, diverged (the user's path
could not be followed before the failure), inconclusive (the recording holds
no failure signal, or the outcome depends on data the replay did not capture).
Each has its own exit code (see "repro --help").`,
		Example: `  $ repro run testdata/replays/imagechat-bug --app testdata/apps/imagechat/buggy
  $ repro run 3f9c1a0e... --app http://localhost:3000 --runs 3 --markdown
  $ repro run ./bundle --app http://localhost:3000 --input '#email=dana@example.com' --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.source.setArgs("run", args); err != nil {
				return err
			}
			return runRun(cmd, opts)
		},
	}
	opts.addFlags(cmd)
	opts.delivery.add(cmd.Flags(), true)
	_ = cmd.MarkFlagRequired("app")
	return cmd
}

// framesUsage is --frames' help, for run, report, the bare pipeline and
// batch.
const framesUsage = "render what the user saw at each step into report.html, after the verdict is printed (--frames=false: report.html without those images, and the run ends sooner)"

// addFlags registers the flags of a rerun, shared by run and the bare
// repro <replay> pipeline.
func (opts *runOptions) addFlags(cmd *cobra.Command) {
	opts.source.addFlags(cmd)
	f := cmd.Flags()
	opts.rerunFlags.add(f, "the app under test: a base URL or a directory of static files (required)")
	f.BoolVar(&opts.json, "json", false, `print one JSON object; its "verdict" field holds the verdict`)
	f.BoolVar(&opts.markdown, "markdown", false, "print a ticket-ready Markdown comment")
	f.BoolVar(&opts.frames, "frames", true, framesUsage)
	opts.rerunFlags.addScreenshotsFlag(f)
	f.IntVar(&opts.runs, "runs", 1, "re-run N times in fresh browser contexts and report agreement")
	f.StringVar(&opts.artifacts, "artifacts", "", "directory for screenshots and the report (default: a new temporary directory)")
}

// runOptions turns the run's flags into library options.
func (opts *runOptions) runOptions() (reproduce.RunOptions, error) {
	if opts.json && opts.markdown {
		return reproduce.RunOptions{}, usageError{fmt.Errorf("--json and --markdown are exclusive")}
	}
	if opts.runs < 1 || opts.runs > 100 {
		return reproduce.RunOptions{}, usageError{fmt.Errorf("--runs %d: want 1 to 100", opts.runs)}
	}
	ro, err := opts.rerunFlags.options()
	ro.Runs = opts.runs
	return ro, err
}

func runRun(cmd *cobra.Command, opts *runOptions) error {
	if err := opts.delivery.check(false); err != nil {
		return err
	}
	_, rep, err := rerun(cmd, opts, opts.streams.Out)
	if err != nil {
		return err
	}
	if err := opts.delivery.deliver(cmd.Context(), opts.streams, rep, outputsOf(opts, "")); err != nil {
		return err
	}
	return verdictResult(rep.Verdict.Value)
}

// rerun reads the replay, re-runs it, writes the report files and prints
// the report to out in the chosen format. The verdict is the caller's to
// turn into an exit status (verdictResult).
func rerun(cmd *cobra.Command, opts *runOptions, out io.Writer) (*reproduce.Replay, *reproduce.Report, error) {
	ro, err := opts.runOptions()
	if err != nil {
		return nil, nil, err
	}
	ro.Browser = opts.streams.Env.sharedBrowser(ro.Chrome)
	var launch *launching
	if ro.Browser == nil {
		launch = launchEarly(cmd.Context(), ro.Chrome)
	}
	r, err := opts.source.open(cmd.Context(), opts.streams)
	if err != nil {
		launch.discard()
		return nil, nil, err
	}
	// Before anything starts: an app that cannot be reached is an error,
	// not a rerun that diverges.
	if err := ro.App.Check(cmd.Context()); err != nil {
		launch.discard()
		return nil, nil, err
	}
	if launch != nil {
		b, err := launch.wait()
		if err != nil {
			return nil, nil, err
		}
		defer b.Close()
		ro.Browser = b
	}
	madeArtifacts := opts.artifacts == ""
	if madeArtifacts {
		dir, err := os.MkdirTemp("", "repro-"+shortID(r.Timeline.ReplayID)+"-")
		if err != nil {
			return nil, nil, fmt.Errorf("artifacts directory: %w", err)
		}
		opts.artifacts = dir
	}
	ro.ArtifactsDir = opts.artifacts
	ro.RecordedFrames = opts.frames // for report.html
	ro.Logger = opts.streams.Logger()
	fmt.Fprintf(opts.streams.Err, "repro: re-running replay %s against %s (%d run(s))…\n", escape.Terminal(r.Timeline.ReplayID), ro.App, ro.Runs)
	progress := newProgress(opts.streams.Err)
	if progress != nil {
		ro.OnProgress = progress.run
	}
	// The verdict is printed as soon as it is known (Run calls OnVerdict
	// before it returns a report); report.html, with the recorded frames
	// rendered after it, follows.
	var printErr error
	ro.OnVerdict = func(rep *reproduce.Report) {
		progress.done()
		printErr = printReport(out, opts, rep)
		if progress != nil && opts.frames {
			progress.set("repro: rendering what the user saw at each step for report.html…")
		}
	}
	rep, err := reproduce.Run(cmd.Context(), r, ro)
	progress.done()
	if err != nil {
		if madeArtifacts {
			os.RemoveAll(opts.artifacts) // nothing half-written is left behind
		}
		return nil, nil, err
	}
	if rep.FramesErr != nil {
		fmt.Fprintf(opts.streams.Err, "repro: report.html has no recorded frames: %s\n", escape.Terminal(rep.FramesErr.Error()))
	}
	if err := rep.WriteFiles(opts.artifacts, r); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(opts.streams.Err, "repro: report: %s\n", escape.Terminal(filepath.Join(opts.artifacts, "report.html")))
	return r, rep, printErr
}

// printReport prints the report in the chosen format.
func printReport(out io.Writer, opts *runOptions, rep *reproduce.Report) error {
	switch {
	case opts.json:
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case opts.markdown:
		return rep.WriteMarkdown(out)
	default:
		return rep.WriteText(out)
	}
}

func verdictExitCode(v string) int {
	switch v {
	case verdict.Reproduced:
		return exitOK
	case verdict.NotReproduced:
		return exitNotReproduced
	case verdict.Diverged:
		return exitDiverged
	}
	return exitInconclusive
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// launching is the rerun's browser being launched (or connected to) while
// the replay is read: a launch takes about a second here and reading a
// replay a few hundred milliseconds, and neither needs the other. The
// browser starts as every rerun's does, refusing every request until a
// session takes its tab.
type launching struct {
	cancel context.CancelFunc
	done   chan struct{}
	b      *session.Browser
	err    error
}

// launchEarly starts launching the browser chrome names.
func launchEarly(ctx context.Context, chrome session.ChromeConfig) *launching {
	ctx, cancel := context.WithCancel(ctx)
	l := &launching{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.b, l.err = session.NewBrowser(ctx, chrome)
	}()
	return l
}

// wait returns the browser once launched.
func (l *launching) wait() (*session.Browser, error) {
	<-l.done
	return l.b, l.err
}

// discard stops the launch, or closes the browser it launched, unused: the
// replay could not be read or the app reached, and that error is the one
// reported, without waiting for a launch.
func (l *launching) discard() {
	if l == nil {
		return
	}
	l.cancel()
	if b, err := l.wait(); err == nil {
		_ = b.Close()
	}
}
