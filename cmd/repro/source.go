package main

import (
	"context"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce"
)

// replaySource is the <replay> argument every command takes, with the flags
// that say where to find it.
type replaySource struct {
	arg string
}

func (s *replaySource) addFlags(cmd *cobra.Command) {}

// open reads the replay named by the argument.
func (s *replaySource) open(ctx context.Context, streams *IOStreams) (*reproduce.Replay, error) {
	return reproduce.Open(s.arg)
}

func slogDefault() *slog.Logger { return slog.Default() }
