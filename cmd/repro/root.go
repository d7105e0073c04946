package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// IOStreams holds the command's standard streams so commands can be run and
// tested in memory, as the GitHub CLI does.
type IOStreams struct {
	In       io.Reader
	Out, Err io.Writer

	// exitCode lets a command that succeeded still report an outcome (a
	// verdict) through the process exit status.
	exitCode int
}

// IsTerminal reports whether stdout is an interactive terminal, so output can
// be decorated for people and kept plain for pipes.
func (s *IOStreams) IsTerminal() bool {
	f, ok := s.Out.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newRootCmd(streams *IOStreams) *cobra.Command {
	var verbose bool
	root := &cobra.Command{
		Use:   "repro <replay>",
		Short: "Reproduce a Sentry Session Replay as a deterministic browser run and a Go test",
		Long: `repro turns a Sentry Session Replay into a reproduction.

It reads the replay (a local bundle, or one fetched from Sentry), re-runs the
user's session in headless Chrome against the app under test with the network
fail-closed (nothing reaches production), says whether the bug reproduces, and
emits a Go regression test.

A <replay> is a replay bundle directory or a recording file.`,
		Example: `  # Tell the story of a recorded session
  $ repro inspect testdata/replays/imagechat-bug

  # The same, as JSON for scripts
  $ repro inspect testdata/replays/imagechat-bug --json`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			level := slog.LevelWarn
			if verbose {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(streams.Err, &slog.HandlerOptions{Level: level})))
		},
	}
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetIn(streams.In)
	root.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "log diagnostics to stderr")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })

	root.AddCommand(
		newVersionCmd(streams),
		newInspectCmd(streams, nil),
		newRunCmd(streams, nil),
		newServeCmd(streams, nil),
		newFetchCmd(streams, nil),
	)
	root.SetUsageTemplate(root.UsageTemplate() + exitCodesHelp)
	return root
}
