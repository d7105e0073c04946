package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/generate"
	"github.com/repro-dev/repro/reproduce"
)

// emitRegressionTest writes the Go regression test for a reproduced bug:
// to -o when given, else beside the report in the artifacts directory.
func emitRegressionTest(cmd *cobra.Command, opts *runOptions, r *reproduce.Replay, rep *reproduce.Report) error {
	out := opts.testOut
	if out == "" {
		out = filepath.Join(opts.artifacts, "regression")
	}
	testPath, _, err := generateTest(cmd.Context(), r, rep, &generateOptions{
		streams: opts.streams,
		source:  opts.source,
		out:     out,
	})
	if err != nil {
		return err
	}
	name := generate.TestName(r.Timeline.ReplayID, rep.Plan, rep.Signature)
	fmt.Fprintf(opts.streams.Err, "repro: run it with REPRO_APP_URL=%s go test -run %s (in %s)\n", opts.app, name, filepath.Dir(testPath))
	return nil
}
