package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce/sentryapi"
)

type fetchOptions struct {
	streams *IOStreams
	source  replaySource
	out     string
}

func newFetchCmd(streams *IOStreams) *cobra.Command {
	opts := &fetchOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "fetch <replay> -o <dir>",
		Short: "Download a replay from Sentry as a local bundle",
		Long: `Download a replay from Sentry — its details, every recording segment and
the linked error events — and write it as a replay bundle directory, the same
layout as testdata/replays. The bundle is written atomically: on any failure
nothing is left behind. A replay with fewer segments than Sentry reports is
an error unless --allow-partial, which flags the bundle partial.

Configuration follows sentry-cli: SENTRY_AUTH_TOKEN, SENTRY_ORG,
SENTRY_PROJECT and SENTRY_URL, overridden by flags, with ./.sentryclirc and
~/.sentryclirc read too. The token is never printed or written to disk.`,
		Example: `  $ export SENTRY_AUTH_TOKEN=… SENTRY_ORG=acme
  $ repro fetch https://acme.sentry.io/replays/3f9c1a0e8d2b4c5e9f1a2b3c4d5e6f70/ -o ./replay
  $ repro fetch --issue FRONTEND-1A3 -o ./replay`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.source.setArgs("fetch", args); err != nil {
				return err
			}
			return runFetch(cmd.Context(), opts)
		},
	}
	opts.source.addFlags(cmd)
	cmd.Flags().StringVarP(&opts.out, "out", "o", "", "directory to write the bundle to (must not exist yet)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func runFetch(ctx context.Context, opts *fetchOptions) error {
	s := &opts.source
	if s.localPath() {
		return usageError{fmt.Errorf("%s is already a local replay; fetch downloads from Sentry", s.arg)}
	}
	var (
		ref sentryapi.Ref
		err error
	)
	if s.issue != "" {
		ref, err = sentryapi.ParseIssueRef(s.issue)
	} else {
		ref, err = sentryapi.ParseRef(s.arg)
	}
	if err != nil {
		return usageError{err}
	}
	client, err := s.sentryClient(opts.streams)
	if err != nil {
		return err
	}
	res, err := client.FetchBundle(ctx, ref, opts.out)
	if err != nil {
		return withLimitHint(err)
	}
	fmt.Fprintf(opts.streams.Out, "Wrote replay %s to %s: %d of %d segment(s), %d of %d linked error(s)\n",
		res.ReplayID, res.Dir, res.SegmentsFetched, res.SegmentsExpected, res.ErrorsFetched, res.ErrorsExpected)
	if res.Partial {
		fmt.Fprintln(opts.streams.Out, "warning: the bundle is PARTIAL (fetch.json lists what is missing)")
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(opts.streams.Err, "repro: warning: "+w)
	}
	return nil
}
