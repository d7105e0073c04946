// Package batch re-runs many replays against one app: the step after the
// facade (reproduce) when a Sentry issue has dozens of replays. Each rerun
// is exactly reproduce.Run, in its own browser context of a shared
// browser; results stream to results.jsonl as they finish, reproduced
// replays are grouped by bug signature, and summary.json closes the batch.
// cmd/repro's `repro batch` parses the flags and prints the summary.
package batch
