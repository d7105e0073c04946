package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/tickets"
	"github.com/repro-dev/repro/reproduce/verdict"
)

func (opts *runOptions) addPipelineFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&opts.testOut, "out", "o", "", "where the regression test is written when the bug reproduced (default: <artifacts>/regression)")
}

// runPipeline is `repro <replay> --app …`: read or fetch, re-run, judge,
// and emit the regression test when the bug reproduced.
func runPipeline(cmd *cobra.Command, opts *runOptions) error {
	_, ticketErr := tickets.ParseURL(opts.source.arg)
	isTicket := opts.source.arg != "" && ticketErr == nil
	if err := opts.delivery.check(isTicket); err != nil {
		return err
	}
	if isTicket {
		if opts.app == "" {
			return usageError{errors.New("repro <ticket-URL> reproduces the ticket's replays and needs --app <url|dir>")}
		}
		if opts.delivery.ticket != "" && opts.delivery.ticket != opts.source.arg {
			return usageError{errors.New("--ticket names another ticket than the <ticket-URL> argument; give one")}
		}
		return runTicketPipeline(cmd, opts, opts.source.arg)
	}
	if src := &opts.source; src.arg != "" && !src.localPath() {
		if _, err := sentryapi.ParseRef(src.arg); err != nil {
			return usageError{fmt.Errorf("%q is neither a repro command nor a replay (%v); see repro --help", src.arg, err)}
		}
	}
	if opts.app == "" {
		return usageError{errors.New("repro <replay> re-runs the replay and needs --app <url|dir>; to only read it, use repro inspect")}
	}
	return runOneReplay(cmd, opts)
}

// runOneReplay is the bare pipeline for one replay: re-run, judge, write
// the regression test when the bug reproduced, then deliver the verdict.
func runOneReplay(cmd *cobra.Command, opts *runOptions) error {
	r, rep, err := rerun(cmd, opts, opts.streams.Out)
	if err != nil {
		return err
	}
	errOut := opts.streams.Err
	fmt.Fprintf(errOut, "repro: the report for the ticket: %s\n", filepath.Join(opts.artifacts, "report.md"))
	if rep.Verdict.Value != verdict.Reproduced {
		fmt.Fprintf(errOut, "repro: no regression test written: the verdict is %s\n", rep.Verdict.Value)
	} else if err := emitRegressionTest(cmd, opts, r, rep); err != nil {
		return err
	}
	if err := opts.delivery.deliver(cmd.Context(), opts.streams, rep, outputsOf(opts, testDirOf(opts, rep))); err != nil {
		return err
	}
	return verdictResult(rep.Verdict.Value)
}
