package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/session"
)

// IOStreams holds the command's standard streams so commands can be run and
// tested in memory, as the GitHub CLI does.
type IOStreams struct {
	In       io.Reader
	Out, Err io.Writer
	// Env is what the CLI reads of its process besides flags and streams.
	Env Env

	// log receives diagnostics; the root command sets it from -v.
	log *slog.Logger
}

// Env is the environment and working directory the CLI reads its
// configuration from (SENTRY_*, GH_TOKEN, JIRA_*, REPRO_SENTRY_DSN,
// XDG_CACHE_HOME, HOME and ./.sentryclirc): main passes the process's,
// and tests their own, so they need not change the process's (and can run
// in parallel).
type Env struct {
	Getenv  func(string) string
	WorkDir string
	Home    string // the user's home directory (~/.sentryclirc)

	// browser, when set, is a running browser the commands rerun and
	// render in (every rerun in a fresh browser context of its own, as
	// --runs N and repro batch do) instead of launching one, unless
	// --chrome or --remote-chrome names a browser. main leaves it nil;
	// the tests share one, since a launch costs more CPU than a short
	// rerun.
	browser *session.Browser
}

// sharedBrowser is the environment's running browser, unless chrome names
// a browser of its own.
func (e Env) sharedBrowser(chrome session.ChromeConfig) *session.Browser {
	if chrome.Path != "" || chrome.RemoteURL != "" {
		return nil
	}
	return e.browser
}

// ProcessEnv is the process's environment, working directory and home.
func ProcessEnv() Env {
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	return Env{Getenv: os.Getenv, WorkDir: wd, Home: home}
}

// get is Getenv, or "" when there is none.
func (e Env) get(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// Logger is where a command's diagnostics go: Err, at debug level with -v
// (as the root command sets it up), else warnings and errors only. It is
// the command's own logger, not slog's default: run keeps no global state.
func (s *IOStreams) Logger() *slog.Logger {
	if s.log == nil {
		s.log = newLogger(s.Err, false)
	}
	return s.log
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// IsTerminal reports whether stdout is an interactive terminal, so output can
// be decorated for people and kept plain for pipes.
func (s *IOStreams) IsTerminal() bool {
	out := s.Out
	if tw, ok := out.(*escape.TerminalWriter); ok {
		out = tw.Unwrap()
	}
	f, ok := out.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newRootCmd(streams *IOStreams) *cobra.Command {
	var verbose bool
	pipeline := &runOptions{streams: streams}
	root := &cobra.Command{
		Use:   "repro <replay>",
		Short: "Reproduce a Sentry Session Replay as a deterministic browser run and a Go test",
		Long: `repro turns a Sentry Session Replay into a reproduction.

It reads the replay (a local bundle, or one fetched from Sentry), re-runs the
user's session in headless Chrome against the app under test with the network
fail-closed (nothing reaches production), says whether the bug reproduces, and
emits a Go regression test.

With a <replay> and --app, repro runs the whole pipeline: read (or fetch) the
replay, re-run it, give the verdict, and when the bug reproduced write a Go
regression test; it prints where the test and the report were written.

A <replay> is a replay bundle directory, a recording file, a 32-hex replay id,
a Sentry replay URL or a feedback event id (see "repro fetch" for the Sentry
configuration).

Given a GitHub or Jira issue URL instead, repro reads the ticket, reproduces
every Sentry replay it links and, with --post, comments each verdict back on
the ticket (GH_TOKEN or GITHUB_TOKEN; JIRA_API_TOKEN, with JIRA_EMAIL for
Jira Cloud). A ticket that links no replay exits 78.`,
		Example: `  # The whole pipeline on a bundled example
  $ repro testdata/replays/imagechat-bug --app testdata/apps/imagechat/buggy

  # Tell the story of a recorded session
  $ repro inspect testdata/replays/imagechat-bug

  # From the support ticket back to the support ticket
  $ GH_TOKEN=… repro https://github.com/acme/shop/issues/7 --app http://localhost:3000 --post

  # Straight from Sentry
  $ SENTRY_AUTH_TOKEN=… SENTRY_ORG=acme repro run 3f9c1a0e8d2b4c5e9f1a2b3c4d5e6f70 --app http://localhost:3000`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && pipeline.source.issue == "" {
				return cmd.Help()
			}
			if len(args) > 0 {
				pipeline.source.arg = args[0]
			}
			return runPipeline(cmd, pipeline)
		},
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			streams.log = newLogger(streams.Err, verbose)
		},
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetIn(streams.In)
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log diagnostics to stderr")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })

	root.AddCommand(
		newVersionCmd(streams),
		newInspectCmd(streams),
		newRunCmd(streams),
		newBatchCmd(streams),
		newServeCmd(streams),
		newFetchCmd(streams),
		newReportCmd(streams),
		newGenerateCmd(streams),
	)
	pipeline.addFlags(root)
	pipeline.delivery.add(root.Flags(), true)
	pipeline.addPipelineFlags(root)
	root.SetUsageTemplate(root.UsageTemplate() + exitCodesHelp())
	return root
}
