package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/generate"
	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/plan"
)

type generateOptions struct {
	streams *IOStreams
	source  replaySource

	out       string
	pkg       string
	expectBug bool
	minimize  bool
	maxReruns int
	// rerunFlags are repro run's, for the reruns of --minimize (and --app
	// for --verify).
	rerunFlags
	force  bool
	verify bool
	// --ci github: a workflow that runs the test, the app started by appCmd.
	ci     string
	appCmd string
	appURL string
}

func newGenerateCmd(streams *IOStreams) *cobra.Command {
	opts := &generateOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "generate <replay> -o <dir>",
		Short: "Write a Go regression test (chromedp + testify) and its scrubbed fixture for a replay",
		Long: `Write a Go regression test for the replay into <dir>: one statement per user
step, a mock backend answering from the recording, and assertions that the
recorded failure (uncaught error, console error, dead click) does not recur.
The test fails while the bug is present and passes once it is fixed;
--expect-bug writes a characterization test that passes while the bug is there.

The fixture (<dir>/testdata/replay_<id>/cassette.json) holds only the API
exchanges the test serves, scrubbed of credentials, cookies, tokens, emails,
JWTs and card numbers. The test reads the app under test from $REPRO_APP_URL.

--minimize re-runs the replay against --app, removing the steps the failure
does not need (delta debugging), and reports how many it removed.

--verify runs the written test with go test against --app (the buggy app)
and says whether it failed as it should, before anyone commits it: the
directory must be in a Go module that requires github.com/repro-dev/repro.

--ci github also writes a GitHub Actions workflow at the repository root
(.github/workflows/repro-<dir>.yml): Chromium from Debian's apt packages,
the app started by --app-cmd and waited for at --app-url (REPRO_APP_URL),
then go test over <dir>.`,
		Example: `  $ repro generate testdata/replays/imagechat-bug -o ./e2e
  $ repro generate ./bundle -o ./e2e --minimize --app testdata/apps/imagechat/buggy
  $ repro generate ./bundle -o ./e2e --verify --app http://localhost:3000
  $ repro generate ./bundle -o ./e2e --ci github --app-cmd 'npm ci && npm start'
  $ REPRO_APP_URL=http://localhost:3000 go test ./e2e`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.source.setArgs("generate", args); err != nil {
				return err
			}
			return runGenerate(cmd.Context(), opts)
		},
	}
	opts.source.addFlags(cmd)
	f := cmd.Flags()
	f.StringVarP(&opts.out, "out", "o", "", "directory to write the test into (required)")
	f.StringVar(&opts.pkg, "package", "", "package of the test (default: the package of the directory's Go files, else its name)")
	f.BoolVar(&opts.expectBug, "expect-bug", false, "write a characterization test that passes while the bug is present")
	f.BoolVar(&opts.minimize, "minimize", false, "remove steps the failure does not need (re-runs against --app)")
	f.IntVar(&opts.maxReruns, "max-reruns", 32, "with --minimize, at most this many reruns")
	opts.rerunFlags.add(f, "with --minimize or --verify, the app under test: a base URL or a directory of static files")
	f.BoolVar(&opts.verify, "verify", false, "run the written test against --app with go test and check that it fails as it should")
	f.BoolVar(&opts.force, "force", false, "overwrite an existing generated test (and workflow)")
	f.StringVar(&opts.ci, "ci", "", "also write a CI workflow that runs the test: github (.github/workflows/repro-<dir>.yml)")
	f.StringVar(&opts.appCmd, "app-cmd", "", "with --ci, the shell command that starts the app under test in CI (e.g. 'npm ci && npm start')")
	f.StringVar(&opts.appURL, "app-url", "http://localhost:3000", "with --ci, where the started app answers (the workflow's REPRO_APP_URL)")
	return cmd
}

func runGenerate(ctx context.Context, opts *generateOptions) error {
	if opts.out == "" {
		return usageError{fmt.Errorf("-o/--out is required: the directory to write the test into")}
	}
	if opts.minimize && opts.app == "" {
		return usageError{fmt.Errorf("--minimize needs --app: every candidate is re-run against the app")}
	}
	if opts.verify && opts.app == "" {
		return usageError{fmt.Errorf("--verify needs --app: the app (with the bug) the written test is run against")}
	}
	if opts.maxReruns < 1 {
		return usageError{fmt.Errorf("--max-reruns %d: want at least 1", opts.maxReruns)}
	}
	var workflow *generate.Workflow
	switch opts.ci {
	case "":
		if opts.appCmd != "" {
			return usageError{fmt.Errorf("--app-cmd goes with --ci github")}
		}
	case "github":
		var err error
		workflow, err = generate.GitHubWorkflow(generate.WorkflowOptions{TestDir: opts.out, AppCmd: opts.appCmd, AppURL: opts.appURL,
			Command: opts.regenerateCommand() + " --ci github --app-cmd " + shellQuote(opts.appCmd) + " --app-url " + shellQuote(opts.appURL)})
		if err != nil {
			return usageError{err}
		}
	default:
		return usageError{fmt.Errorf("--ci %q: want github (for any other CI, see README: Generated tests in CI)", opts.ci)}
	}
	r, err := opts.source.open(ctx, opts.streams)
	if err != nil {
		return err
	}
	testPath, fixtureDir, err := generateTest(ctx, r, nil, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.streams.Out, "%s\n%s\n", testPath, fixtureDir)
	if workflow != nil {
		p, err := workflow.Write(opts.force)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.streams.Out, "%s\n", p)
	}
	if opts.verify {
		return verifyTest(ctx, opts.streams, testPath, opts.app, opts.expectBug)
	}
	return nil
}

// generateTest writes the regression test for r into opts.out. rep is the
// report of a rerun already made (nil when none was): its plan is used and,
// with --expect-bug, only the signals it showed are asserted. The bare
// `repro <replay> --app …` pipeline calls it after a reproduced verdict.
func generateTest(ctx context.Context, r *reproduce.Replay, rep *reproduce.Report, opts *generateOptions) (testPath, fixtureDir string, err error) {
	if opts.out == "" {
		return "", "", usageError{fmt.Errorf("--out: no directory given")}
	}
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return "", "", fmt.Errorf("output directory: %w", err)
	}
	gopts := generate.Options{
		Package:   opts.pkg,
		ExpectBug: opts.expectBug,
		Command:   opts.regenerateCommand(),
		Report:    rep,
	}
	if gopts.Package == "" {
		gopts.Package = generate.PackageName(opts.out)
	}
	if rep != nil {
		gopts.Plan = rep.Plan
	} else if inputs, err := opts.parseInputs(); err != nil {
		return "", "", err
	} else if len(inputs) > 0 {
		// Values for masked fields go into the test's steps.
		if gopts.Plan, err = plan.Build(r.Timeline, plan.Options{Inputs: inputs}); err != nil {
			return "", "", err
		}
	}
	if opts.minimize {
		// The reruns take every flag of repro run, through the same path.
		ro, err := opts.rerunFlags.options()
		if err != nil {
			return "", "", err
		}
		ro.Logger = opts.streams.Logger()
		ro.Browser = opts.streams.Env.sharedBrowser(ro.Chrome)
		app := ro.App
		pl := gopts.Plan
		if pl == nil {
			if pl, err = plan.Build(r.Timeline, plan.Options{Inputs: ro.Inputs}); err != nil {
				return "", "", err
			}
		}
		fmt.Fprintf(opts.streams.Err, "repro: minimizing %d steps against %s (at most %d reruns)…\n", len(pl.Steps), app, opts.maxReruns)
		progress := newProgress(opts.streams.Err)
		m, err := generate.Minimize(ctx, r, pl, generate.MinimizeOptions{
			Run:       ro,
			MaxReruns: opts.maxReruns,
			Logger:    opts.streams.Logger(),
			OnRerun:   progress.rerun,
		})
		progress.done()
		if err != nil {
			return "", "", err
		}
		fmt.Fprintf(opts.streams.Err, "repro: minimized: %s\n", m)
		gopts.Plan = m.Plan
		gopts.Report = nil // its evidence refers to the full plan's steps
	}
	out, err := generate.Generate(r, gopts)
	if err != nil {
		return "", "", err
	}
	testPath, fixtureDir, err = out.Write(opts.out, opts.force)
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(opts.streams.Err, "repro: wrote %s (%s; %d value(s) scrubbed from the fixture)\n", testPath, out.TestName, out.Scrubbed)
	return testPath, fixtureDir, nil
}

// regenerateCommand is the command line the test's header shows.
func (opts *generateOptions) regenerateCommand() string {
	parts := []string{"repro generate", shellQuote(opts.source.arg), "-o", shellQuote(opts.out)}
	if opts.source.arg == "" {
		parts[1] = "--issue " + shellQuote(opts.source.issue)
	}
	if opts.pkg != "" {
		parts = append(parts, "--package", opts.pkg)
	}
	if opts.expectBug {
		parts = append(parts, "--expect-bug")
	}
	if opts.minimize {
		parts = append(parts, "--minimize", "--app", shellQuote(opts.app))
	}
	return strings.Join(append(parts, "--force"), " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
