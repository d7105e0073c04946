package reproduce

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/sentryapi"
)

// A Source is a replay as a user names it: a bundle directory or recording
// file on disk (read directly), a replay id or URL, an event or feedback
// reference (fetched from Sentry into a cache), or, with Issue, a replay of
// that Sentry issue. Open resolves and reads it.
type Source struct {
	// Arg is the <replay> argument; Issue a Sentry issue (numeric id or
	// SHORT-ID) whose replay to use instead. Exactly one is set.
	Arg, Issue string
	// Sentry says where to fetch from (empty fields come from the
	// environment and .sentryclirc, see sentryapi.LoadConfig).
	Sentry sentryapi.Config
	// Refresh fetches again instead of using the cache; AllowPartial
	// accepts a replay with missing segments or errors (flagged partial).
	Refresh, AllowPartial bool
	// CacheDir holds fetched replays ("": the user cache directory).
	CacheDir string
	// Limits bound what reading (and fetching) one replay may cost.
	Limits replay.Limits
	// UserAgent is sent to Sentry ("" for the client's default).
	UserAgent string
	Logger    *slog.Logger
	// Env is where empty Sentry fields, and the default cache directory
	// ($XDG_CACHE_HOME), come from; nil is the process's environment,
	// working directory and home.
	Env *sentryapi.ConfigSources

	client *sentryapi.Client
}

// SourceError is a Source that names no replay repro can look for: both or
// neither of Arg and Issue, or a reference that is not one (the user's
// mistake, not a failure to fetch).
type SourceError struct{ Err error }

func (e *SourceError) Error() string { return e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// Local reports whether Arg names a file or directory on disk, which is
// always read directly.
func (s *Source) Local() bool {
	if s.Issue != "" || s.Arg == "" {
		return false
	}
	_, err := os.Stat(s.Arg)
	return err == nil
}

// Bundle returns a local bundle directory (or recording file) for the
// source, fetching from Sentry into the cache when needed.
func (s *Source) Bundle(ctx context.Context) (string, error) {
	if s.Local() {
		return s.Arg, nil
	}
	var (
		ref sentryapi.Ref
		err error
	)
	switch {
	case s.Issue != "" && s.Arg != "":
		return "", &SourceError{errors.New("give either <replay> or --issue, not both")}
	case s.Issue == "" && s.Arg == "":
		return "", &SourceError{errors.New("no replay given: a bundle, a file, a replay id or URL, or an issue")}
	case s.Issue != "":
		ref, err = sentryapi.ParseIssueRef(s.Issue)
	default:
		ref, err = sentryapi.ParseRef(s.Arg)
	}
	if err != nil {
		return "", &SourceError{err}
	}
	client, err := s.Client()
	if err != nil {
		return "", err
	}
	cache := sentryapi.Cache{Dir: s.CacheDir}
	if cache.Dir == "" {
		getenv := os.Getenv
		if s.Env != nil && s.Env.Getenv != nil {
			getenv = s.Env.Getenv
		}
		if cache, err = sentryapi.DefaultCacheFrom(getenv); err != nil {
			return "", err
		}
	}
	return client.Bundle(ctx, ref, cache, s.Refresh)
}

// Client returns the source's Sentry client, built on first use and kept
// for later calls (finding linked issues, posting), so the organization's
// region is discovered once.
func (s *Source) Client() (*sentryapi.Client, error) {
	if s.client != nil {
		return s.client, nil
	}
	var (
		cfg sentryapi.Config
		err error
	)
	if s.Env != nil {
		cfg, err = sentryapi.LoadConfigFrom(s.Sentry, *s.Env)
	} else {
		cfg, err = sentryapi.LoadConfig(s.Sentry)
	}
	if err != nil {
		return nil, err
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := []sentryapi.Option{sentryapi.WithLogger(log), sentryapi.WithAllowPartial(s.AllowPartial), sentryapi.WithMaxFetchBytes(s.limits().MaxBytes)}
	if s.UserAgent != "" {
		opts = append(opts, sentryapi.WithUserAgent(s.UserAgent))
	}
	s.client = sentryapi.NewClient(cfg, opts...)
	return s.client, nil
}

// Open resolves the source to a bundle (fetching it when needed) and reads
// it within Limits.
func (s *Source) Open(ctx context.Context) (*Replay, error) {
	dir, err := s.Bundle(ctx)
	if err != nil {
		return nil, err
	}
	if dir != s.Arg && s.Logger != nil {
		s.Logger.Debug("replay bundle", "dir", dir)
	}
	return OpenWith(dir, s.limits())
}

// limits are Limits, or the defaults when unset.
func (s *Source) limits() replay.Limits {
	if s.Limits == (replay.Limits{}) {
		return replay.DefaultLimits()
	}
	return s.Limits
}
