// Package mockserver serves recorded HTTP exchanges back, like a cassette.
//
// It is the last stage of repro's pipeline: the reproduce engine turns a
// replay's network calls into Exchanges and hands them here, and the browser's
// API requests are answered from them. mockserver knows nothing of rrweb or
// Sentry; it matches requests to recorded exchanges, fails closed on anything
// it cannot match, and journals every request as evidence.
//
// # Data and behaviour
//
// A Cassette (a list of Exchange values, as JSON through Encode and
// DecodeCassette) is data; mockserver writes no file itself, so how a
// cassette reaches disk is the caller's choice. A Mock is
// behaviour: New(exchanges, options...) indexes the exchanges and answers
// requests as an http.Handler; Start serves it on loopback. The matching
// rule is a Matcher function, replaceable with WithMatcher.
//
// # Matching
//
// The default matcher compares, in this order: the method; the escaped
// path, exactly; the query, with parameter order (and the order of repeated
// values) ignored and volatile values tolerated; and, only when the request
// body was recorded, the body: JSON objects and arrays are compared
// structurally (key order, whitespace and number spelling such as 1.0 vs 1
// do not matter), form-encoded bodies field by field (order does not
// matter; a body typed application/x-www-form-urlencoded, or untyped
// key=value pairs and nothing else, as a replay records one), anything
// else byte for byte. The origin of the URL is
// never compared. Matching is indexed by method, path, normalized query and
// a canonical hash of the body (so thousands of different bodies posted to
// one endpoint, as GraphQL does, stay cheap): a request is compared with the
// few exchanges that share its key, not with all of them. A custom Matcher
// is offered every exchange with the request's method and path.
//
// # Volatile query parameters
//
// A volatile parameter must be present on both sides, but its value is
// ignored. A parameter is volatile when
//
//   - its name (case-insensitive) is one of DefaultVolatileParams: "_"
//     (jQuery), "_dc" (Ext JS), "_t", "_ts", "ts", "timestamp", "cb",
//     "cachebust", "cachebuster", "cache_buster", "cache-buster", "nocache",
//     "nonce", "rand", "random", "rnd", or one added with
//     WithVolatileParams; or
//   - both the recorded and the incoming values look per-run: a Unix time
//     in seconds (10 digits) or milliseconds (13 digits) between 2000 and
//     2100, or a Math.random() fraction ("0." then 8 or more digits).
//
// Short names such as "t", "r" and "v" are deliberately not in the list:
// they often mean type, redirect or version, and when they do carry a
// timestamp or random fraction the value rule catches them anyway. Random
// tokens (UUIDs, hex) are not detected by value because they look exactly
// like entity IDs; name such parameters with WithVolatileParams. When some
// exchanges match with every value equal and others only thanks to the
// tolerance, the exact ones win, so an ID that merely looks like a timestamp
// still selects its own exchange. JSON body fields are never volatile by
// value; WithVolatileBodyFields names keys (JSON keys at any depth, form
// fields) whose values are ignored.
//
// # Repeats
//
// Requests that match the same set of exchanges are identical. The Nth
// identical request gets the Nth of those exchanges in Seq order (the third
// POST gets the third response); after the last, the last repeats and the
// journal says OutcomeRepeated with note "beyond_recorded". With
// WithStrictRepeats such a call fails closed instead. Reset starts over.
//
// # Latency
//
// By default a response waits its recorded latency, because timing can be
// the bug; WithLatency(LatencyNone) or WithLatency(Scaled(f)) change that.
// The wait ends early if the client goes away.
//
// # Missing data
//
// When the response body was not recorded (for instance the SDK skipped the
// URL), the recorded status and headers are served with a body that says it
// is synthetic: {"_repro_synthetic":true,"note":...} for JSON or unknown
// types, a bracketed text note otherwise, with the X-Repro-Synthetic header;
// the journal marks the entry Synthetic so a verdict can say it depended on
// made-up data. Recorded Content-Length and Content-Encoding are never
// replayed: the length is computed from the body actually sent.
//
// WithUpstream (opt-in, never the default) forwards such requests, and
// unmatched ones if asked, to a backend the engineer runs locally. A
// non-loopback upstream is refused unless AllowRemoteUpstream is given.
//
// # Failing closed
//
// A request no exchange matches never reaches a network: it gets a 501 with
// a JSON body naming the request and the nearest recorded candidates with
// the reasons each did not match (a different body field, an extra query
// parameter, another method). Mismatches and MismatchReport give the same
// for people.
//
// # Browsers
//
// A Mock holds a user's recorded, unscrubbed answers, and every page open
// in the developer's browser can send requests to loopback. Start answers
// only requests whose Host is a loopback name (localhost, 127.0.0.0/8,
// [::1]): a page whose DNS name was rebound to 127.0.0.1 gets 421. With
// WithCORS a browser may read answers only from loopback origins and the
// ones CORS.Origins names; a request carrying any other Origin gets 403 and
// is neither matched, journaled nor forwarded upstream. Preflights are
// answered for allowed origins with the recorded methods and request
// headers (plus Content-Type and CORS.Headers); credentials only with
// CORS.Credentials. Without WithCORS the Origin header is ignored: the
// rerun answers CORS itself, in process.
//
// # Journal
//
// Every request gets a JournalEntry: which exchange answered it (by Seq),
// the Outcome (recorded, repeated, synthetic, upstream, unmatched), the
// planned latency and any Mismatch. Summary counts outcomes for a verdict.
//
// # Measuring
//
//	go test -run '^$' -bench . -benchmem ./mockserver   # indexed vs linear matching, 10,000 exchanges
//	go run ./mockserver/internal/loadrun -clients 32 -duration 5s  # loopback p50/p99 and req/s
package mockserver
