package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/batch"
	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

type batchOptions struct {
	streams *IOStreams
	source  replaySource // Sentry flags, the cache and the limits; --issue
	rerunFlags

	list          string // the argument: a directory of bundles or a file of replays
	parallel      int
	replayTimeout time.Duration
	out           string
	json          bool
	resume        bool
	failOn        []string
	generate      bool
	frames        bool
	minimize      bool
	maxReruns     int
}

func newBatchCmd(streams *IOStreams) *cobra.Command {
	opts := &batchOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "batch <dir|file|-> --app <url|dir>",
		Short: "Re-run many replays against one app, grouped by bug",
		Long: `Re-run many replays against one app and say, for each, what repro run would
say: the replays are the bundle directories inside <dir>, the lines of <file>
(replay ids, URLs or paths; "-" reads them from stdin; blank lines and lines
starting with # are skipped), or with --issue every replay Sentry links to
that issue (fetched into the cache, like repro fetch).

Each rerun is exactly repro run's (every rerun flag applies), in its own
browser context of one shared browser, -j at a time. --out DIR (default: a
new directory, printed) gets results.jsonl, one line per replay as it
finishes, the replay's report files under DIR/<replay_id>/, and summary.json
at the end; stdout gets the summary (--json: the summary object). Replays
that reproduced the same failure form one group. A replay that cannot be
read, crashes its tab or runs past --replay-timeout gets an error result and
the batch goes on; Ctrl-C stops it and still writes the summary of what
finished; --resume reruns only the replays without a result.

Exit status: 0 when every replay got a verdict, 1 when some did not, 6 when
all did and one of them is a verdict --fail-on names.`,
		Example: `  $ repro batch testdata/replays --app http://localhost:3000 -j 2
  $ repro batch --issue FRONTEND-1A3 --app http://localhost:3000 --out batch-1a3 --fail-on reproduced
  $ cat ids.txt | repro batch - --app ./dist --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.list = args[0]
			}
			return runBatch(cmd.Context(), opts)
		},
	}
	opts.source.addFlags(cmd)
	cmd.Flags().Lookup("issue").Usage = "re-run every replay Sentry links to this issue (numeric id or SHORT-ID) instead of <dir|file>"
	f := cmd.Flags()
	opts.rerunFlags.add(f, "the app under test, for every replay: a base URL or a directory of static files (required)")
	f.IntVarP(&opts.parallel, "jobs", "j", 0, "reruns at a time (default: one per core)")
	f.BoolVar(&opts.frames, "frames", true, framesUsage)
	opts.rerunFlags.addScreenshotsFlag(f)
	f.DurationVar(&opts.replayTimeout, "replay-timeout", 3*time.Minute, "most one replay may take, fetch and rerun; past it the replay gets an error result")
	f.StringVarP(&opts.out, "out", "o", "", "directory for results.jsonl, summary.json and each replay's report (default: a new directory, printed)")
	f.BoolVar(&opts.json, "json", false, "print the summary as one JSON object (summary.json)")
	f.BoolVar(&opts.resume, "resume", false, "keep the results already in --out and re-run only the replays without one")
	f.StringSliceVar(&opts.failOn, "fail-on", nil, "exit 6 when a replay's verdict is one of these (reproduced, not_reproduced, diverged, inconclusive), for CI gates")
	f.BoolVar(&opts.generate, "generate", false, "write one Go regression test per bug group (its representative's) into <out>/regression")
	f.BoolVar(&opts.minimize, "minimize", false, "with --generate, minimize each test's steps first (as repro generate --minimize)")
	f.IntVar(&opts.maxReruns, "max-reruns", 32, "with --minimize, most reruns per test")
	_ = cmd.MarkFlagRequired("app")
	return cmd
}

func runBatch(ctx context.Context, opts *batchOptions) error {
	if (opts.list == "") == (opts.source.issue == "") {
		return usageError{errors.New("batch needs one of <dir|file|-> or --issue")}
	}
	if opts.parallel < 0 {
		return usageError{fmt.Errorf("-j %d: want 1 or more", opts.parallel)}
	}
	if opts.source.maxEvents <= 0 {
		return usageError{fmt.Errorf("--max-events must be positive, got %d", opts.source.maxEvents)}
	}
	if opts.minimize && !opts.generate {
		return usageError{errors.New("--minimize needs --generate")}
	}
	for _, v := range opts.failOn {
		if !slices.Contains(verdicts, v) {
			return usageError{fmt.Errorf("--fail-on %q: want one of %s", v, strings.Join(verdicts, ", "))}
		}
	}
	endpoints, err := opts.endpoints()
	if err != nil {
		return err
	}
	ro, err := opts.rerunFlags.browserlessOptions() // the endpoints are the batch's own
	if err != nil {
		return err
	}
	ro.Logger = opts.streams.Logger()
	ro.RecordedFrames = opts.frames
	inputs, err := opts.inputs(ctx)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return usageError{fmt.Errorf("%s names no replays", opts.list)}
	}
	// Before anything starts: an app that cannot be reached is one error,
	// not a batch of replays that diverge.
	if err := ro.App.Check(ctx); err != nil {
		return err
	}
	if opts.out == "" {
		dir, err := os.MkdirTemp("", "repro-batch-")
		if err != nil {
			return fmt.Errorf("output directory: %w", err)
		}
		opts.out = dir
	}
	errOut := opts.streams.Err
	parallel := opts.parallel
	if parallel == 0 {
		parallel = batch.DefaultParallel()
	}
	where := ""
	if len(endpoints) > 0 {
		where = fmt.Sprintf(" on %d browser endpoint(s)", len(endpoints))
	}
	fmt.Fprintf(errOut, "repro: batch of %d replay(s) against %s, %d at a time%s; results in %s\n",
		len(inputs), ro.App, parallel, where, escape.Terminal(opts.out))
	progress := newProgress(errOut)
	base := opts.source.source(opts.streams)
	sum, err := batch.Run(ctx, batch.Options{
		Inputs:        inputs,
		Open:          func(ctx context.Context, in string) (*reproduce.Replay, error) { return openInput(ctx, base, in) },
		Rerun:         ro,
		Endpoints:     endpoints,
		Parallel:      parallel,
		ReplayTimeout: opts.replayTimeout,
		Out:           opts.out,
		Resume:        opts.resume,
		OnResult: func(r batch.Result, p batch.Progress) {
			progress.set(batchProgressLine(p))
		},
	})
	progress.done()
	if err != nil {
		if errors.Is(err, batch.ErrOutInUse) {
			return usageError{err}
		}
		return err
	}
	if opts.generate && !sum.Interrupted {
		if err := opts.generateTests(ctx, base, sum); err != nil {
			return err
		}
	}
	if opts.json {
		enc := json.NewEncoder(opts.streams.Out)
		enc.SetIndent("", "  ")
		err = enc.Encode(sum)
	} else {
		err = writeBatchSummary(opts.streams.Out, opts.out, sum)
	}
	if err != nil {
		return err
	}
	return batchResult(opts.out, sum, opts.failOn)
}

// verdicts are the verdict values, in the order the summary lists them.
var verdicts = []string{verdict.Reproduced, verdict.NotReproduced, verdict.Diverged, verdict.Inconclusive}

// batchResult is the batch's exit status as an error: interrupted or some
// replay without a verdict is an error (1); else a verdict --fail-on names
// is exitFailOn.
func batchResult(out string, sum *batch.Summary, failOn []string) error {
	switch {
	case sum.Interrupted:
		return fmt.Errorf("batch stopped: %d of %d replay(s) finished; the summary of those is in %s", sum.Done, sum.Total, filepath.Join(out, batch.SummaryFile))
	case sum.Errors > 0:
		return fmt.Errorf("%d of %d replay(s) got no verdict (their errors are in %s)", sum.Errors, sum.Total, filepath.Join(out, batch.ResultsFile))
	}
	for _, v := range failOn {
		if n := sum.Verdicts[v]; n > 0 {
			return &failOnExit{verdict: v, n: n}
		}
	}
	return nil
}

// failOnExit is a batch in which a replay got a verdict --fail-on names.
type failOnExit struct {
	verdict string
	n       int
}

func (e *failOnExit) Error() string {
	return fmt.Sprintf("%d replay(s) %s (--fail-on %s)", e.n, e.verdict, e.verdict)
}

// inputs lists the replays the batch is given.
func (opts *batchOptions) inputs(ctx context.Context) ([]string, error) {
	if opts.source.issue != "" {
		client, err := opts.source.sentryClient(opts.streams)
		if err != nil {
			return nil, err
		}
		ir, err := client.ResolveIssue(ctx, "", opts.source.issue)
		if err != nil {
			return nil, withLimitHint(err)
		}
		for _, w := range ir.Warnings {
			fmt.Fprintln(opts.streams.Err, "repro: warning: "+escape.Terminal(w))
		}
		return ir.ReplayIDs, nil
	}
	if opts.list == "-" {
		return readReplayList(opts.streams.In)
	}
	st, err := os.Stat(opts.list)
	if err != nil {
		return nil, usageError{fmt.Errorf("batch: %w", err)}
	}
	if st.IsDir() {
		return bundleDirs(opts.list)
	}
	f, err := os.Open(opts.list)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readReplayList(f)
}

// readReplayList reads one replay a line; blank lines and # comments are
// skipped.
func readReplayList(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// bundleDirs lists the bundle directories in dir (those holding a
// recording: recording-segments.json, replay.json or envelopes/), sorted;
// dir itself when it is one bundle.
func bundleDirs(dir string) ([]string, error) {
	isBundle := func(d string) bool {
		for _, name := range []string{"recording-segments.json", "replay.json", "envelopes"} {
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				return true
			}
		}
		return false
	}
	if isBundle(dir) {
		return []string{dir}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if p := filepath.Join(dir, e.Name()); isBundle(p) { // a symlink to a bundle too
			out = append(out, p)
		}
	}
	return out, nil
}

// openInput reads one replay of the batch with the command's Sentry
// configuration, cache and limits (one client for all).
func openInput(ctx context.Context, base *reproduce.Source, in string) (*reproduce.Replay, error) {
	src := *base
	src.Arg, src.Issue = in, ""
	if !src.Local() {
		if _, err := base.Client(); err != nil {
			return nil, err
		}
		src = *base // now holding the client
		src.Arg, src.Issue = in, ""
	}
	r, err := src.Open(ctx)
	return r, sourceErr(err)
}

// batchProgressLine is the progress line: done/total, verdict counts, rate
// and ETA.
func batchProgressLine(p batch.Progress) string {
	var counts []string
	for _, v := range verdicts {
		if n := p.Verdicts[v]; n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", v, n))
		}
	}
	if p.Errors > 0 {
		counts = append(counts, fmt.Sprintf("error %d", p.Errors))
	}
	s := fmt.Sprintf("repro: batch %d/%d · %s", p.Done, p.Total, strings.Join(counts, ", "))
	if p.PerMinute > 0 {
		s += fmt.Sprintf(" · %.1f/min · ETA %s", p.PerMinute, p.ETA.Round(time.Second))
	}
	return s
}

// writeBatchSummary prints the summary table.
func writeBatchSummary(w io.Writer, out string, s *batch.Summary) error {
	var b strings.Builder
	state := ""
	if s.Interrupted {
		state = " (stopped before the end)"
	}
	fmt.Fprintf(&b, "Batch: %d of %d replay(s) against %s%s · %s", s.Done, s.Total, escape.Terminal(s.App), state, (time.Duration(s.DurationMS) * time.Millisecond).Round(time.Second))
	if s.PerMinute > 0 {
		fmt.Fprintf(&b, " · %.1f replays/min", s.PerMinute)
	}
	if s.Skipped > 0 {
		fmt.Fprintf(&b, " · %d kept from before (--resume)", s.Skipped)
	}
	b.WriteString("\n\n")
	for _, v := range verdicts {
		fmt.Fprintf(&b, "  %-15s %d\n", v, s.Verdicts[v])
	}
	fmt.Fprintf(&b, "  %-15s %d\n", "error", s.Errors)
	if len(s.Groups) > 0 {
		b.WriteString("\nBugs, largest first:\n")
		for _, g := range s.Groups {
			fmt.Fprintf(&b, "  %s  %d replay(s)  %s\n", g.ID, len(g.Replays), escape.Terminal(g.Bug.String()))
			fmt.Fprintf(&b, "      representative %s: %s\n", g.Representative, escape.Terminal(filepath.Join(out, g.Representative, "report.html")))
		}
	}
	fmt.Fprintf(&b, "\nResults: %s\nSummary: %s\n", escape.Terminal(filepath.Join(out, batch.ResultsFile)), escape.Terminal(filepath.Join(out, batch.SummaryFile)))
	_, err := io.WriteString(w, b.String())
	return err
}

// generateTests writes one regression test per bug group, the
// representative's, as repro generate would for it (minimized with
// --minimize), into <out>/regression: one package, one file per bug.
func (opts *batchOptions) generateTests(ctx context.Context, base *reproduce.Source, sum *batch.Summary) error {
	results, err := batch.ReadResults(opts.out)
	if err != nil {
		return err
	}
	inputOf := map[string]string{}
	for _, r := range results {
		if r.ReplayID != "" {
			inputOf[r.ReplayID] = r.Input
		}
	}
	dir := filepath.Join(opts.out, "regression")
	for _, g := range sum.Groups {
		in := inputOf[g.Representative]
		r, err := openInput(ctx, base, in)
		if err != nil {
			return fmt.Errorf("generate the test of %s: %w", g.ID, err)
		}
		gen := &generateOptions{streams: opts.streams, source: opts.source, out: dir, rerunFlags: opts.rerunFlags,
			minimize: opts.minimize, maxReruns: opts.maxReruns, force: opts.resume}
		gen.source.arg, gen.source.issue = in, ""
		if _, _, err := generateTest(ctx, r, nil, gen); err != nil {
			return fmt.Errorf("generate the test of %s: %w", g.ID, err)
		}
	}
	return nil
}

// remoteArg says a --remote-chrome value that is not an endpoint: as given,
// unless it has a query or user info, where a pool's token would be.
func remoteArg(v string) string {
	if strings.ContainsAny(v, "?@") {
		return "(value not shown: it may hold a token)"
	}
	return strconv.Quote(v)
}

// endpoints are the --remote-chrome browsers reruns are spread over: each
// flag a DevTools URL (ws://, wss://, http://, https://) or a file of them,
// one a line (# comments and blank lines skipped). None: one local browser.
func (opts *batchOptions) endpoints() ([]batch.Endpoint, error) {
	var out []batch.Endpoint
	add := func(u string) error {
		for _, scheme := range []string{"ws://", "wss://", "http://", "https://"} {
			if strings.HasPrefix(u, scheme) {
				out = append(out, batch.Endpoint{Chrome: session.ChromeConfig{Path: opts.chrome, RemoteURL: u, ProxyHost: opts.remoteProxyHost}})
				return nil
			}
		}
		// Not the value itself: a mistyped pool URL still carries its token.
		return usageError{fmt.Errorf("--remote-chrome %s: want a ws://, wss://, http:// or https:// DevTools endpoint or pool service URL, or a file of them", remoteArg(u))}
	}
	for _, v := range opts.remoteChrome {
		if f, err := os.Open(v); err == nil {
			lines, err := readReplayList(f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("--remote-chrome %s: %w", v, err)
			}
			for _, l := range lines {
				if err := add(l); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := add(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}
