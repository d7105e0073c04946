package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/sentryapi"
)

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

	// client is built on first use; tests may set it.
	client *sentryapi.Client
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

// localPath reports whether the argument names a file or directory on
// disk, which is always read directly.
func (s *replaySource) localPath() bool {
	if s.issue != "" || s.arg == "" {
		return false
	}
	_, err := os.Stat(s.arg)
	return err == nil
}

// bundleDir returns a local bundle directory (or recording file) for the
// source, fetching from Sentry into the cache when needed.
func (s *replaySource) bundleDir(ctx context.Context) (string, error) {
	if s.localPath() {
		return s.arg, nil
	}
	var (
		ref sentryapi.Ref
		err error
	)
	switch {
	case s.issue != "" && s.arg != "":
		return "", usageError{errors.New("give either <replay> or --issue, not both")}
	case s.issue != "":
		ref, err = sentryapi.ParseIssueRef(s.issue)
	default:
		ref, err = sentryapi.ParseRef(s.arg)
	}
	if err != nil {
		return "", usageError{err}
	}
	client, err := s.sentryClient()
	if err != nil {
		return "", err
	}
	cache := sentryapi.Cache{Dir: s.cacheDir}
	if cache.Dir == "" {
		if cache, err = sentryapi.DefaultCache(); err != nil {
			return "", err
		}
	}
	return client.Bundle(ctx, ref, cache, s.refresh)
}

func (s *replaySource) sentryClient() (*sentryapi.Client, error) {
	if s.client != nil {
		return s.client, nil
	}
	cfg, err := sentryapi.LoadConfig(s.cfg)
	if err != nil {
		return nil, err
	}
	sentryapi.Version = versionString()
	s.client = sentryapi.NewClient(cfg, sentryapi.WithLogger(slog.Default()), sentryapi.WithAllowPartial(s.allowPartial))
	return s.client, nil
}

// open reads the replay the source names.
func (s *replaySource) open(ctx context.Context, streams *IOStreams) (*reproduce.Replay, error) {
	dir, err := s.bundleDir(ctx)
	if err != nil {
		return nil, err
	}
	if dir != s.arg {
		slog.Debug("replay bundle", "dir", dir)
	}
	r, err := reproduce.Open(dir)
	if err != nil {
		return nil, err
	}
	if r.Timeline.Partial {
		fmt.Fprintln(streams.Err, "repro: warning: this replay is partial (segments or errors are missing); conclusions may be incomplete")
	}
	return r, nil
}
