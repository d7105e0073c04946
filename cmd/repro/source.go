package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/sentryapi"
)

// byteSize is a flag value in bytes, written plainly or with a binary unit
// (KiB, MiB, GiB).
type byteSize int64

func (b *byteSize) String() string { return formatSize(int64(*b)) }

// Type names the flag's kind in --help.
func (b *byteSize) Type() string { return "size" }

func (b *byteSize) Set(v string) error {
	num, unit := strings.TrimSpace(v), int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}} {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return fmt.Errorf("want a positive size such as 1GiB, 512MiB or 600000000, got %q", v)
	}
	*b = byteSize(n * unit)
	return nil
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

// replaySource is the <replay> argument every command takes — a local
// bundle or recording file, a replay id or URL, a feedback event id — or
// --issue, with the Sentry flags that say where to fetch it from.
type replaySource struct {
	arg          string
	issue        string
	cfg          sentryapi.Config
	refresh      bool
	allowPartial bool
	cacheDir     string
	maxBytes     byteSize // --max-replay-bytes: fetched and decoded per replay
	maxEvents    int      // --max-events: rrweb events per replay

	// src is the facade's Source the flags make, built on first use and
	// kept for the command's later calls (report fetches, finds the linked
	// issues and posts with one client), so the region is discovered once.
	src *reproduce.Source
}

func (s *replaySource) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.issue, "issue", "", "use a replay of this Sentry issue (numeric id or SHORT-ID) instead of <replay>")
	f.StringVar(&s.cfg.Org, "org", "", "Sentry organization slug (default $SENTRY_ORG or .sentryclirc)")
	f.StringVar(&s.cfg.Project, "project", "", "Sentry project slug (default $SENTRY_PROJECT or .sentryclirc)")
	f.StringVar(&s.cfg.URL, "sentry-url", "", "Sentry base URL (default $SENTRY_URL, else https://sentry.io)")
	f.StringVar(&s.cfg.Token, "auth-token", "", "Sentry auth token (prefer $SENTRY_AUTH_TOKEN: flags show up in process lists)")
	f.BoolVar(&s.refresh, "refresh", false, "fetch the replay from Sentry again instead of using the cache")
	f.BoolVar(&s.allowPartial, "allow-partial", false, "accept a replay with missing segments or errors (flagged partial) instead of failing")
	f.StringVar(&s.cacheDir, "cache-dir", "", "where fetched replays are cached (default: the user cache directory)")
	s.maxBytes = byteSize(replay.DefaultMaxBytes)
	f.Var(&s.maxBytes, "max-replay-bytes", "most bytes one replay may take to download from Sentry and to decode (inflated), e.g. 1GiB")
	f.IntVar(&s.maxEvents, "max-events", replay.DefaultMaxEvents, "most rrweb events one replay may hold")
}

// limits are the replay limits the flags set.
func (s *replaySource) limits() replay.Limits {
	return replay.Limits{MaxBytes: int64(s.maxBytes), MaxEvents: s.maxEvents}
}

// withLimitHint says which flag raises a limit a replay hit: a bomb and a
// genuine giant look alike, so the user decides.
func withLimitHint(err error) error {
	var le *replay.LimitError
	var se *sentryapi.LimitError
	switch {
	case errors.As(err, &le) && le.Limit == replay.LimitBytes:
		return fmt.Errorf("%w; if the replay is genuine, raise it with --max-replay-bytes", err)
	case errors.As(err, &le) && le.Limit == replay.LimitEvents:
		return fmt.Errorf("%w; if the replay is genuine, raise it with --max-events", err)
	case errors.As(err, &se) && se.Limit == sentryapi.LimitFetchBytes:
		return fmt.Errorf("%w; if the replay is genuine, raise it with --max-replay-bytes", err)
	}
	return err
}

// setArgs takes the <replay> argument of a command, which may instead be
// given with --issue.
func (s *replaySource) setArgs(command string, args []string) error {
	if len(args) > 0 {
		s.arg = args[0]
		return nil
	}
	if s.issue == "" {
		return usageError{fmt.Errorf("%s needs a <replay> (a bundle, a file, a replay id or URL) or --issue", command)}
	}
	return nil
}

// source returns the facade's Source for the flags, in the streams'
// environment, logging to their logger.
func (s *replaySource) source(streams *IOStreams) *reproduce.Source {
	if s.src == nil {
		env := streams.Env
		s.src = &reproduce.Source{
			Arg: s.arg, Issue: s.issue, Sentry: s.cfg, Refresh: s.refresh, AllowPartial: s.allowPartial,
			CacheDir: s.cacheDir, Limits: s.limits(), UserAgent: userAgent(), Logger: streams.Logger(),
			Env: &sentryapi.ConfigSources{Getenv: env.get, HomeDir: env.Home, WorkDir: env.WorkDir},
		}
	}
	return s.src
}

// sourceErr makes a Source the user named wrongly a usage error and says
// which flag raises a limit a replay hit.
func sourceErr(err error) error {
	var bad *reproduce.SourceError
	if errors.As(err, &bad) {
		return usageError{err}
	}
	return withLimitHint(err)
}

// localPath reports whether the argument names a file or directory on
// disk, which is always read directly.
func (s *replaySource) localPath() bool {
	return (&reproduce.Source{Arg: s.arg, Issue: s.issue}).Local()
}

// bundleDir returns a local bundle directory (or recording file) for the
// source, fetching from Sentry into the cache when needed.
func (s *replaySource) bundleDir(ctx context.Context, streams *IOStreams) (string, error) {
	dir, err := s.source(streams).Bundle(ctx)
	return dir, sourceErr(err)
}

// sentryClient returns the command's Sentry client.
func (s *replaySource) sentryClient(streams *IOStreams) (*sentryapi.Client, error) {
	return s.source(streams).Client()
}

// open reads the replay the source names.
func (s *replaySource) open(ctx context.Context, streams *IOStreams) (*reproduce.Replay, error) {
	if s.maxEvents <= 0 {
		return nil, usageError{fmt.Errorf("--max-events must be positive, got %d", s.maxEvents)}
	}
	r, err := s.source(streams).Open(ctx)
	if err != nil {
		return nil, sourceErr(err)
	}
	if r.Timeline.Partial {
		fmt.Fprintln(streams.Err, "repro: warning: this replay is partial (segments or errors are missing); conclusions may be incomplete")
	}
	return r, nil
}
