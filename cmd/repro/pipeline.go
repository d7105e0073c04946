package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/verdict"
)

func (opts *runOptions) addPipelineFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&opts.testOut, "out", "o", "", "where the regression test is written when the bug reproduced (default: <artifacts>/regression)")
}

// runPipeline is `repro <replay> --app …`: read or fetch, re-run, judge,
// and emit the regression test when the bug reproduced.
func runPipeline(cmd *cobra.Command, opts *runOptions) error {
	if src := &opts.source; src.arg != "" && !src.localPath() {
		if _, err := sentryapi.ParseRef(src.arg); err != nil {
			return usageError{fmt.Errorf("%q is neither a repro command nor a replay (%v); see repro --help", src.arg, err)}
		}
	}
	if opts.app == "" {
		return usageError{errors.New("repro <replay> re-runs the replay and needs --app <url|dir>; to only read it, use repro inspect")}
	}
	r, rep, err := rerun(cmd, opts, opts.streams.Out)
	if err != nil {
		return err
	}
	errOut := opts.streams.Err
	fmt.Fprintf(errOut, "repro: the report for the ticket: %s\n", filepath.Join(opts.artifacts, "report.md"))
	if rep.Verdict.Value != verdict.Reproduced {
		fmt.Fprintf(errOut, "repro: no regression test written: the verdict is %s\n", rep.Verdict.Value)
		return verdictResult(rep.Verdict.Value)
	}
	return emitRegressionTest(cmd, opts, r, rep)
}
