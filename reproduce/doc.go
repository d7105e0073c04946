// Package reproduce is repro's engine and public API: it reads a replay (a
// local bundle, or one fetched from Sentry), builds the plan of user steps,
// re-runs them in headless Chrome against the app under test with a
// fail-closed network answered by mockserver, and gives a verdict with
// evidence. Wire-format decoding lives in the replay sub-package.
package reproduce
