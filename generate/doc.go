// Package generate emits a Go regression test (chromedp + testify + a scrubbed
// fixture) from a replay that repro reproduced. It sits after reproduce in the
// pipeline: it reads the plan and the verdict's bug signature and writes code
// that uses the public reproduce and mockserver API.
package generate
