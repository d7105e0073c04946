package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/atomicfile"
	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/story"
)

type inspectOptions struct {
	streams *IOStreams
	source  replaySource
	json    bool
	html    string
	chrome  string
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

Masked text stays masked: repro never tries to recover what the SDK hid.

--html FILE also writes a self-contained HTML report of the recording alone
(the story, the recorded failure, and at each step the recorded page rebuilt
from the replay's DOM snapshot and mutations, rendered in headless Chrome as
an image with the step's target outlined), for someone with no app to run
against. No request leaves the rendering page; style sheets the recording
did not inline are missing, and the frames say so.`,
		Example: `  $ repro inspect testdata/replays/imagechat-bug
  $ repro inspect ./recording-segments.json --json | jq .story.classification
  $ repro inspect testdata/replays/imagechat-bug --html recording.html`,
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
	cmd.Flags().StringVar(&opts.html, "html", "", "also write an HTML report of the recording (story and recorded frames) to this file")
	cmd.Flags().StringVar(&opts.chrome, "chrome", "", "with --html, the Chrome/Chromium executable (default: found automatically)")
	return cmd
}

func runInspect(ctx context.Context, opts *inspectOptions) error {
	r, err := opts.source.open(ctx, opts.streams)
	if err != nil {
		return err
	}
	if opts.html != "" {
		if err := writeRecordingHTML(ctx, opts, r); err != nil {
			return err
		}
		fmt.Fprintf(opts.streams.Err, "repro: report: %s\n", escape.Terminal(opts.html))
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

// writeRecordingHTML renders the recording's frames in a browser of its
// own (or the environment's running one) and writes the HTML report of the
// recording to opts.html.
func writeRecordingHTML(ctx context.Context, opts *inspectOptions, r *reproduce.Replay) error {
	chrome := session.ChromeConfig{Path: opts.chrome}
	b := opts.streams.Env.sharedBrowser(chrome)
	if b == nil {
		var err error
		if b, err = session.NewBrowser(ctx, chrome); err != nil {
			return err
		}
		defer b.Close()
	}
	return atomicfile.WriteFunc(opts.html, 0o644, func(w io.Writer) error {
		return r.WriteRecordingHTML(ctx, w, b)
	})
}
