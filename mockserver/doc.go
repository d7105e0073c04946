// Package mockserver serves recorded HTTP exchanges back, like a cassette.
//
// It is the last stage of repro's pipeline: the reproduce engine turns a
// replay's network calls into Exchanges and hands them here, and the browser's
// API requests are answered from them. mockserver knows nothing of rrweb or
// Sentry; it matches requests to recorded exchanges, fails closed on anything
// it cannot match, and journals every request as evidence.
package mockserver
