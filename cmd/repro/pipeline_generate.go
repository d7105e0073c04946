package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce"
)

// emitRegressionTest writes the Go regression test for a reproduced bug.
func emitRegressionTest(cmd *cobra.Command, opts *runOptions, r *reproduce.Replay, rep *reproduce.Report) error {
	fmt.Fprintln(opts.streams.Err, "repro: the regression test generator is not wired in yet; run repro generate when it lands")
	return nil
}
