// Package replay decodes Sentry Session Replay data (rrweb events plus
// Sentry's breadcrumbs and performance spans, in bundles, API responses or
// raw ingest envelopes) into a typed, time-ordered Timeline. It is the first
// stage of repro's pipeline and knows nothing of Chrome.
package replay
