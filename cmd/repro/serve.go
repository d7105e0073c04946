package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/escape"
)

type serveOptions struct {
	streams          *IOStreams
	source           replaySource
	addr             string
	latency          string
	upstream         string
	forwardUnmatched bool
	strict           bool
	allowOrigins     []string
	allowHeaders     []string
	allowCredentials bool
}

func newServeCmd(streams *IOStreams) *cobra.Command {
	opts := &serveOptions{streams: streams}
	cmd := &cobra.Command{
		Use:   "serve <replay> [--addr host:port]",
		Short: "Serve a replay's recorded API responses on loopback, fail-closed",
		Long: `Serve the API calls recorded in a replay as a mock backend on loopback, so a
local frontend can be pointed at it. Requests are matched by method, path,
query (order ignored; cache-busters tolerated) and JSON body; repeated calls
get the recorded responses in order, then the last repeats. A request that
matches nothing gets 501 and an explanation naming the nearest recordings —
nothing is forwarded anywhere unless --upstream names a local backend.

Only your own machine may use it. A browser page may read its answers only
from a loopback origin (http://localhost:3000, http://127.0.0.1:5173,
http://[::1]:8080) or one named with --allow-origin; a request carrying any
other Origin gets 403 and is neither matched nor forwarded. Preflights are
answered only for those origins, with the methods and headers the recording
used (--allow-header adds one). Credentials (cookies) are not allowed unless
--allow-credentials. A request whose Host is not loopback (a page whose DNS
was rebound to 127.0.0.1) gets 421. Stops cleanly on Ctrl-C and prints what
was served and every mismatch.`,
		Example: `  $ repro serve testdata/replays/imagechat-bug
  $ repro serve testdata/replays/feed-bug --addr 127.0.0.1:8099 --latency none`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.source.setArgs("serve", args); err != nil {
				return err
			}
			return runServe(cmd.Context(), opts)
		},
	}
	opts.source.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.addr, "addr", "", "loopback address to listen on (default 127.0.0.1 on a random port)")
	f.StringVar(&opts.latency, "latency", "recorded", "recorded, none, or a factor like 0.5x")
	f.StringVar(&opts.upstream, "upstream", "", "forward requests whose bodies were not recorded to this local backend URL")
	f.BoolVar(&opts.forwardUnmatched, "forward-unmatched", false, "with --upstream, forward unmatched requests too")
	f.BoolVar(&opts.strict, "strict-repeats", false, "fail calls beyond the recorded count instead of repeating the last response")
	f.StringArrayVar(&opts.allowOrigins, "allow-origin", nil, "also let a page on this origin (scheme://host[:port]) read the answers; repeatable")
	f.StringArrayVar(&opts.allowHeaders, "allow-header", nil, "also allow this request header in preflights (e.g. Authorization); repeatable")
	f.BoolVar(&opts.allowCredentials, "allow-credentials", false, "answer Access-Control-Allow-Credentials: true (the browser then sends cookies)")
	return cmd
}

func runServe(ctx context.Context, opts *serveOptions) error {
	lat, err := mockserver.ParseLatency(opts.latency)
	if err != nil {
		return usageError{err}
	}
	if opts.forwardUnmatched && opts.upstream == "" {
		return usageError{errors.New("--forward-unmatched needs --upstream")}
	}
	origins := make([]string, 0, len(opts.allowOrigins))
	for _, o := range opts.allowOrigins {
		n, err := mockserver.ParseOrigin(o)
		if err != nil {
			return usageError{fmt.Errorf("--allow-origin: %w", err)}
		}
		origins = append(origins, n)
	}
	r, err := opts.source.open(ctx, opts.streams)
	if err != nil {
		return err
	}
	// A local frontend usually runs on its own dev-server origin.
	extra := []mockserver.Option{mockserver.WithCORS(mockserver.CORS{
		Origins: origins, Headers: opts.allowHeaders, Credentials: opts.allowCredentials})}
	if opts.strict {
		extra = append(extra, mockserver.WithStrictRepeats())
	}
	ro := reproduce.RunOptions{Latency: &lat, Upstream: opts.upstream, ForwardUnmatched: opts.forwardUnmatched}
	mock, err := ro.MockBackend(r.Timeline, extra...)
	if err != nil {
		return err
	}
	srv, err := mockserver.Start(ctx, mock, opts.addr)
	if err != nil {
		return err
	}
	out := opts.streams.Out
	fmt.Fprintf(out, "Serving replay %s on %s (latency %s, fail-closed)\n", escape.Terminal(r.Timeline.ReplayID), srv.URL(), lat)
	allowed := "loopback origins only"
	if len(origins) > 0 {
		allowed = "loopback origins and " + strings.Join(origins, ", ")
	}
	if opts.allowCredentials {
		allowed += ", with credentials"
	}
	fmt.Fprintf(out, "  browsers: %s\n", allowed)
	routes := mock.Routes()
	if len(routes) == 0 {
		fmt.Fprintln(out, "  (the replay recorded no API calls: every request will get 501)")
	}
	for _, rt := range routes {
		fmt.Fprintf(out, "  %-6s %s  (%d recorded)\n", escape.Terminal(rt.Method), escape.Terminal(rt.Path), rt.Count)
	}
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("stop server: %w", err)
	}
	sum := mock.Summary()
	fmt.Fprintf(out, "\nStopped. %d request(s): %d recorded, %d repeated, %d synthetic, %d upstream, %d unmatched\n",
		sum.Requests, sum.Recorded, sum.Repeated, sum.Synthetic, sum.Upstream, sum.Unmatched)
	if ms := mock.Mismatches(); len(ms) > 0 {
		fmt.Fprintln(out, mockserver.MismatchReport(ms))
	}
	return nil
}
