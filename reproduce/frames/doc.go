// Package frames renders the recorded frames of a replay — "what the user
// saw" at each step — as compressed JPEG images, for the HTML report to
// show beside the rerun's screenshots.
//
// Stage: after reproduce/session and before the reproduce facade. The
// frames themselves come from reproduce/replay (replay.Frames rebuilds the
// recorded DOM at given moments as inert static HTML); this package loads
// each into a tab of a session (session.NewSession) with JavaScript turned
// off, behind the same fail-closed network a rerun has: the recorded
// origin is mapped onto the app under test, so style sheets and images the
// recording did not inline come from the app, and nothing else leaves.
// Moments maps a plan's steps to the moments to render.
//
// Usage:
//
//	moments := frames.Moments(tl, p.Steps)
//	pfs, err := replay.Frames(bundle, moments)
//	imgs, err := frames.Render(ctx, browser, app, pfs)
//	// imgs[i].JPEG, imgs[i].Styles, imgs[i].TargetShown ...
package frames
