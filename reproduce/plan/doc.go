// Package plan turns a replay's timeline into the Plan a rerun executes:
// the recorded environment (URL, viewport, user agent, locale, timezone,
// clock, seed, API routes) and one Step per user action. It also holds the
// step builders (Click, Type, Navigate, …) generated regression tests are
// written with. A Plan holds data, not code: reproduce/session turns each
// Step into browser actions.
//
// Stage: after reproduce/replay, which it imports; session, verdict and
// the facade import it.
package plan
