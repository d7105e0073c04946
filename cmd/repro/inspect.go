package main

import (
	"context"
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce/story"
)

type inspectOptions struct {
	streams *IOStreams
	source  replaySource
	json    bool
}

func newInspectCmd(streams *IOStreams) *cobra.Command {
	opts := &inspectOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "inspect <replay>",
		Short: "Tell the story of a replay: what the user did, what came back, where it broke",
		Long: `Print the escalation story of a replay: a short numbered list of what the
user did, what the system returned and where the breakdown occurred, each with
its offset from the replay start, then a one-line classification:
broken (frontend, backend or in between), confusing (friction without errors)
or nothing went wrong.

Masked text stays masked: repro never tries to recover what the SDK hid.`,
		Example: `  $ repro inspect testdata/replays/imagechat-bug
  $ repro inspect ./recording-segments.json --json | jq .story.classification`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.source.setArgs("inspect", args); err != nil {
				return err
			}
			return runInspect(cmd.Context(), opts)
		},
	}
	opts.source.addFlags(cmd)
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the timeline and the story as JSON")
	return cmd
}

func runInspect(ctx context.Context, opts *inspectOptions) error {
	r, err := opts.source.open(ctx, opts.streams)
	if err != nil {
		return err
	}
	story := story.Tell(r.Timeline)
	if opts.json {
		enc := json.NewEncoder(opts.streams.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Replay   any `json:"replay"`
			Story    any `json:"story"`
			Timeline any `json:"timeline"`
		}{r.Bundle.Details, story, r.Timeline})
	}
	return story.WriteText(opts.streams.Out)
}
