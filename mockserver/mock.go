package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// nearestCandidates is how many candidates a Mismatch lists.
const nearestCandidates = 3

// Mock answers HTTP requests from recorded exchanges. It is an
// http.Handler; use Start to serve it on loopback. All methods are safe for
// concurrent use.
type Mock struct {
	idx           *index
	rules         *rules
	matcher       Matcher // nil: the default rules, using the fine index
	latency       LatencyPolicy
	clock         Clock
	up            *upstream
	strict        bool
	cors          *CORS
	corsPolicy    *corsPolicy
	limit         int
	err           error
	upstreamURL   string
	upstreamFwd   bool
	allowRemoteUp bool
	volParams     []string
	volFields     []string

	mu      sync.Mutex
	cursors map[string]int
	journal []JournalEntry
	summary Summary
	nextSeq int
}

// Option configures a Mock.
type Option func(*Mock)

// WithMatcher replaces the default matching rules. A custom matcher is
// offered every exchange with the request's method and path.
func WithMatcher(m Matcher) Option { return func(k *Mock) { k.matcher = m } }

// WithVolatileParams adds query parameter names whose values are ignored.
func WithVolatileParams(names ...string) Option {
	return func(k *Mock) { k.volParams = append(k.volParams, names...) }
}

// WithVolatileBodyFields names JSON body keys (any depth) whose values are
// ignored when request bodies are compared; the key must still be present.
func WithVolatileBodyFields(names ...string) Option {
	return func(k *Mock) { k.volFields = append(k.volFields, names...) }
}

// WithLatency sets the latency policy (default LatencyRecorded).
func WithLatency(p LatencyPolicy) Option { return func(k *Mock) { k.latency = p } }

// WithClock replaces the clock used for journal times and latency waits.
func WithClock(c Clock) Option { return func(k *Mock) { k.clock = c } }

// WithStrictRepeats makes a call beyond the recorded count fail closed
// (501) instead of repeating the last recorded response.
func WithStrictRepeats() Option { return func(k *Mock) { k.strict = true } }

// WithJournalLimit keeps at most n journal entries (the first n); Summary
// still counts every request. n <= 0 means no limit (the default).
func WithJournalLimit(n int) Option { return func(k *Mock) { k.limit = n } }

// WithUpstream forwards requests whose response body was not recorded, and
// unmatched requests too if forwardUnmatched, to a backend the engineer
// runs locally. The upstream must be on loopback unless AllowRemoteUpstream
// is also given: replaying a session against a real backend could repeat
// a payment.
func WithUpstream(rawURL string, forwardUnmatched bool) Option {
	return func(k *Mock) { k.upstreamURL, k.upstreamFwd = rawURL, forwardUnmatched }
}

// AllowRemoteUpstream lets WithUpstream name a non-loopback host.
func AllowRemoteUpstream() Option { return func(k *Mock) { k.allowRemoteUp = true } }

// New builds a Mock over exchanges. It never fails: configuration errors
// (a malformed exchange URL, a refused upstream) are reported by Err, and a
// Mock with an error answers every request with 500 rather than guessing.
func New(exchanges []Exchange, opts ...Option) *Mock {
	m := &Mock{latency: LatencyRecorded, clock: realClock{}, cursors: map[string]int{}}
	for _, o := range opts {
		if o != nil {
			o(m)
		}
	}
	m.rules = newRules(m.volParams, m.volFields)
	var errs []error
	idx, err := buildIndex(exchanges, m.rules)
	if err != nil {
		errs = append(errs, err)
	}
	m.idx = idx
	if m.cors != nil {
		p, err := newCORSPolicy(m.cors, exchanges)
		if err != nil {
			errs = append(errs, err)
		}
		m.corsPolicy = p
	}
	if m.upstreamURL != "" {
		up, err := newUpstream(m.upstreamURL, m.upstreamFwd, m.allowRemoteUp)
		if err != nil {
			errs = append(errs, err)
		}
		m.up = up
	}
	if m.clock == nil {
		m.clock = realClock{}
	}
	m.err = errors.Join(errs...)
	return m
}

// Err reports configuration errors found by New, or nil.
func (m *Mock) Err() error { return m.err }

// Routes lists the methods and paths the Mock serves, sorted by path.
func (m *Mock) Routes() []Route { return append([]Route(nil), m.idx.routes...) }

// Journal returns a copy of the journal, in arrival order.
func (m *Mock) Journal() []JournalEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]JournalEntry(nil), m.journal...)
}

// Mismatches returns the journal's mismatches (unmatched requests, and
// calls beyond the recording under WithStrictRepeats) in arrival order.
func (m *Mock) Mismatches() []Mismatch {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Mismatch
	for _, e := range m.journal {
		if e.Mismatch != nil {
			out = append(out, *e.Mismatch)
		}
	}
	return out
}

// Summary counts every request's outcome since New or Reset.
func (m *Mock) Summary() Summary {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.summary
}

// Reset starts a new run: the journal is cleared and every repeat cursor
// goes back to the first recorded response.
func (m *Mock) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursors = map[string]int{}
	m.journal = nil
	m.summary = Summary{}
	m.nextSeq = 0
}

// record appends a journal entry, numbering it.
func (m *Mock) record(e JournalEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextSeq++
	e.Seq = m.nextSeq
	m.summary.count(e.Outcome)
	if m.limit > 0 && len(m.journal) >= m.limit {
		m.summary.Dropped++
		return
	}
	m.journal = append(m.journal, e)
}

// pick is the result of matching one request.
type pick struct {
	entry    *entry
	call     int // 1-based among identical requests
	recorded int // responses recorded for them
	repeated bool
	mismatch *Mismatch
}

// match finds the exchange that answers in and advances its repeat cursor.
func (m *Mock) match(in *Request) pick {
	var cands []*entry
	if m.matcher == nil {
		cands = m.idx.candidates(in, m.rules)
	} else {
		cands = m.idx.byRoute[in.route()]
	}
	var matched, exact []*entry
	for _, e := range cands {
		if m.matcher != nil {
			if len(m.matcher(in, &e.ex)) == 0 {
				matched = append(matched, e)
			}
			continue
		}
		reasons, ex := compare(in, e.req, e.bodyKnown, m.rules, false)
		if len(reasons) == 0 {
			matched = append(matched, e)
			if ex {
				exact = append(exact, e)
			}
		}
	}
	if len(exact) > 0 {
		matched = exact
	}
	if len(matched) == 0 {
		return pick{mismatch: m.explain(in, "no recorded exchange matches this request")}
	}
	// Requests that match the same set of exchanges are "identical": they
	// share one cursor over that set, in recorded order.
	var key strings.Builder
	for _, e := range matched {
		key.WriteString(strconv.Itoa(e.pos))
		key.WriteByte(',')
	}
	m.mu.Lock()
	n := m.cursors[key.String()]
	m.cursors[key.String()] = n + 1
	m.mu.Unlock()
	p := pick{call: n + 1, recorded: len(matched)}
	if n < len(matched) {
		p.entry = matched[n]
		return p
	}
	if m.strict {
		mm := &Mismatch{
			Method: in.Method, URL: in.URL(),
			Reason: fmt.Sprintf("more calls than were recorded: this is call %d, %d recorded", n+1, len(matched)),
		}
		for _, e := range lastN(matched, nearestCandidates) {
			mm.Candidates = append(mm.Candidates, candidate(e, []string{fmt.Sprintf("already served (recorded %d identical calls)", len(matched))}))
		}
		p.mismatch = mm
		return p
	}
	p.entry, p.repeated = matched[len(matched)-1], true
	return p
}

func lastN(s []*entry, n int) []*entry {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func candidate(e *entry, reasons []string) Candidate {
	return Candidate{Exchange: e.ex.Seq, Label: e.ex.Label, Method: e.req.Method, URL: e.req.URL(), Reasons: reasons}
}

// explain ranks the nearest recorded exchanges and says why each did not
// match: the mismatch report.
func (m *Mock) explain(in *Request, reason string) *Mismatch {
	mm := &Mismatch{Method: in.Method, URL: in.URL(), Reason: reason, Candidates: []Candidate{}}
	type ranked struct {
		c    Candidate
		cost int
		pos  int
	}
	var rs []ranked
	for _, e := range m.idx.nearest(in, nearestCandidates) {
		var reasons []string
		if m.matcher != nil {
			reasons = m.matcher(in, &e.ex)
			if e.req.Method != in.Method {
				reasons = append([]string{fmt.Sprintf("method differs: got %s, recorded %s", in.Method, e.req.Method)}, reasons...)
			}
		} else {
			reasons, _ = compare(in, e.req, e.bodyKnown, m.rules, true)
		}
		if len(reasons) == 0 {
			reasons = []string{"the matcher accepts it now but did not a moment ago"}
		}
		cost := len(reasons)
		if e.req.Method != in.Method {
			cost += 100
		}
		if e.req.Path != in.Path {
			cost += 1000
		}
		rs = append(rs, ranked{candidate(e, reasons), cost, e.pos})
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].cost != rs[j].cost {
			return rs[i].cost < rs[j].cost
		}
		return rs[i].pos < rs[j].pos
	})
	for i := 0; i < len(rs) && i < nearestCandidates; i++ {
		mm.Candidates = append(mm.Candidates, rs[i].c)
	}
	if len(m.idx.byRoute[in.route()]) == 0 {
		mm.Reason = fmt.Sprintf("no recorded exchange for %s %s", in.Method, in.Path)
	}
	return mm
}

// ServeHTTP answers r from the recording; see the package documentation.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if m.corsPolicy != nil && m.corsPolicy.handle(w, r) {
		return
	}
	m.serve(w, r)
}
