// Package sentryapi fetches Session Replays from Sentry's REST API into
// local bundle directories: the first stage of repro's pipeline (replay
// source → bundle dir), before reproduce/replay decodes the bundle.
//
// A bundle directory holds replay.json (the details response, {"data":…}),
// recording-segments.json (every segment's rrweb events, in segment order),
// errors.json (the full linked error events) and fetch.json (FetchInfo:
// provenance and whether the bundle is partial).
//
// Typical use from a command:
//
//	cfg, err := sentryapi.LoadConfig(sentryapi.Config{Org: flagOrg, Token: flagToken})
//	ref, err := sentryapi.ParseRef(arg) // id, URL or bundle dir; ParseIssueRef for --issue
//	client := sentryapi.NewClient(cfg, sentryapi.WithLogger(logger))
//	cache, err := sentryapi.DefaultCache()
//	dir, err := client.Bundle(ctx, ref, cache, refresh) // cached, fetched, or the local dir
//	issues, err := client.LinkedIssues(ctx, ref)
//	err = client.PostIssueComment(ctx, "", issues[0].ID, markdown)
//
// Errors users act on wrap ErrUnauthorized, ErrNotFound, ErrRateLimited,
// ErrUnavailable, ErrIncomplete, ErrArchived, ErrConfig and ErrTooLarge
// (test with errors.Is) and read as one line saying what to do. The token
// is sent only to the configured server (its host or a subdomain, over
// https unless the configured URL itself is http, and then in clear only to
// that host) and never appears in errors, logs or files. One fetch reads at
// most WithMaxFetchBytes and follows a listing for at most WithMaxPages
// pages; bundles are written 0700/0600, for their owner only.
package sentryapi
