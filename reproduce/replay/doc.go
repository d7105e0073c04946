// Package replay decodes Sentry Session Replay data (rrweb events plus
// Sentry's breadcrumbs and performance spans, in bundles, API responses or
// raw ingest envelopes) into a typed, time-ordered Timeline. It is the first
// stage of repro's pipeline and knows nothing of Chrome.
//
// Entry points: Load / LoadBundle read a replay from disk (detected by
// content), DecodeEnvelope reads raw ingest, BuildTimeline turns a Bundle
// into a Timeline. A Mirror rebuilds the recorded DOM so actions that name
// rrweb node ids map to elements and candidate selectors can be counted.
// Frames rebuilds the recorded page at given moments as static, inert
// HTML documents (PageFrame: no script, handler or javascript: URL
// survives; masked text stays masked) for reproduce/frames to render.
//
// Decisions worth knowing:
//   - Timestamps follow the SDK's rule: > 9999999999 is ms, else seconds.
//   - Unknown or malformed events are skipped and counted in
//     Timeline.Warnings, never fatal.
//   - One user action is one event: a ui.click breadcrumb absorbs its rrweb
//     Click; keystrokes in one field collapse into one Input until another
//     click, key, navigation or field; scroll bursts (gaps <= 500 ms)
//     collapse; a label's synthetic activation click on its control is
//     dropped. A page load (navigation span + Meta) and a pushState (span +
//     breadcrumb) are one Navigation each; back/forward come from a history
//     stack, so a push to the previous URL reads as "back".
//   - Console levels keep the SDK's words: log, info, warning, error,
//     debug, assert ("warn" is normalized to "warning").
//   - Friction: dead click = ui.slowClickDetected with endReason "timeout";
//     rage click = ui.multiClick with clickCount >= 5, or >= 3 clicks on one
//     target within 1 s; repeated click = the same target clicked again
//     (> 1 s later) after a failure; hesitation = >= 3 s (HesitationThreshold)
//     between the end of one user action and the next.
//   - Candidate.Matches is -1 when there is no recorded DOM to count in.
//   - JSON: snake_case, times RFC 3339 with ms, durations/offsets in ms
//     (offset_ms, duration_ms, gap_ms, time_after_click_ms).
package replay
