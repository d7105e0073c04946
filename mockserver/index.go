package mockserver

import (
	"fmt"
	"hash/maphash"
	"sort"
	"strings"
)

// entry is one exchange as the index holds it: the data plus its
// normalized recorded request, computed once.
type entry struct {
	ex        Exchange
	req       *Request
	key       string // fine key (default rules)
	pos       int    // position in recorded order
	bodyKnown bool   // the recorded request body is compared
	bodyHash  uint64 // bodyHash of the recorded body, when bodyKnown
}

// bucket holds the exchanges sharing one fine key, split by request body:
// those whose body was not recorded match any body.
type bucket struct {
	anyBody []*entry
	byBody  map[uint64][]*entry
}

// Route is one method and path the Mock can answer, with how many
// exchanges were recorded for it.
type Route struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Count  int    `json:"count"`
}

// index finds candidate exchanges without scanning all of them: byKey is
// exact for the default rules (method, path, normalized query), byRoute is
// the coarser method+path list a custom Matcher sees, byPath serves
// explanations ("recorded as GET, got POST").
type index struct {
	seed    maphash.Seed
	entries []*entry
	byKey   map[string]*bucket
	byRoute map[string][]*entry
	byPath  map[string][]*entry
	routes  []Route
}

func buildIndex(exchanges []Exchange, ru *rules) (*index, error) {
	ordered := append([]Exchange(nil), exchanges...)
	seen := make(map[int]bool, len(ordered))
	unique := true
	for _, e := range ordered {
		if seen[e.Seq] {
			unique = false
			break
		}
		seen[e.Seq] = true
	}
	if !unique {
		// Seq is the exchange's name in the journal, so it must be unique;
		// slice order is the recorded order then.
		for i := range ordered {
			ordered[i].Seq = i + 1
		}
	}
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].Seq < ordered[j].Seq })

	idx := &index{
		seed:    maphash.MakeSeed(),
		byKey:   map[string]*bucket{},
		byRoute: map[string][]*entry{},
		byPath:  map[string][]*entry{},
	}
	var bad []string
	for i := range ordered {
		e := &entry{ex: ordered[i], pos: i}
		if st := e.ex.Status; st != 0 && (st < 100 || st > 999) {
			bad = append(bad, fmt.Sprintf("exchange %d status %d is not an HTTP status", e.ex.Seq, st))
			continue
		}
		req, err := RequestFromExchange(&e.ex)
		if err != nil {
			bad = append(bad, err.Error())
			continue
		}
		e.req = req
		e.key = req.matchKey(ru)
		e.bodyKnown = e.ex.requestBodyKnown()
		idx.entries = append(idx.entries, e)
		b := idx.byKey[e.key]
		if b == nil {
			b = &bucket{byBody: map[uint64][]*entry{}}
			idx.byKey[e.key] = b
		}
		if e.bodyKnown {
			e.bodyHash = bodyHash(idx.seed, req, ru)
			b.byBody[e.bodyHash] = append(b.byBody[e.bodyHash], e)
		} else {
			b.anyBody = append(b.anyBody, e)
		}
		idx.byRoute[req.route()] = append(idx.byRoute[req.route()], e)
		idx.byPath[req.Path] = append(idx.byPath[req.Path], e)
	}
	for _, list := range idx.byRoute {
		idx.routes = append(idx.routes, Route{Method: list[0].req.Method, Path: list[0].req.Path, Count: len(list)})
	}
	sort.Slice(idx.routes, func(i, j int) bool {
		a, b := idx.routes[i], idx.routes[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	if len(bad) > 0 {
		return idx, fmt.Errorf("%d exchanges cannot be served: %s", len(bad), strings.Join(bad, "; "))
	}
	return idx, nil
}

// candidates returns, in recorded order, the exchanges the default rules
// could match with in: the same fine key, and either the same body hash or
// no recorded body.
func (idx *index) candidates(in *Request, ru *rules) []*entry {
	b := idx.byKey[in.matchKey(ru)]
	if b == nil {
		return nil
	}
	same := b.byBody[bodyHash(idx.seed, in, ru)]
	switch {
	case len(b.anyBody) == 0:
		return same
	case len(same) == 0:
		return b.anyBody
	}
	out := make([]*entry, 0, len(same)+len(b.anyBody))
	i, j := 0, 0
	for i < len(same) || j < len(b.anyBody) {
		if j == len(b.anyBody) || (i < len(same) && same[i].pos < b.anyBody[j].pos) {
			out = append(out, same[i])
			i++
		} else {
			out = append(out, b.anyBody[j])
			j++
		}
	}
	return out
}

// nearest returns up to limit entries worth explaining an unmatched request
// against: same method and path first, then the same path with another
// method, then the routes whose paths share the most leading segments.
// It never walks more than maxExplain entries.
func (idx *index) nearest(in *Request, limit int) []*entry {
	const maxExplain = 256
	var out []*entry
	take := func(list []*entry) {
		for _, e := range list {
			if len(out) >= maxExplain {
				return
			}
			out = append(out, e)
		}
	}
	take(idx.byRoute[in.route()])
	for _, e := range idx.byPath[in.Path] {
		if e.req.Method != in.Method && len(out) < maxExplain {
			out = append(out, e)
		}
	}
	if len(out) > 0 {
		return out
	}
	type scored struct {
		r     Route
		score int
	}
	var best []scored
	for _, r := range idx.routes {
		s := sharedSegments(in.Path, r.Path)
		if s == 0 {
			continue
		}
		if r.Method == in.Method {
			s++ // break ties toward the same method
		}
		best = append(best, scored{r, s})
	}
	sort.SliceStable(best, func(i, j int) bool { return best[i].score > best[j].score })
	for i := 0; i < len(best) && i < limit; i++ {
		take(idx.byRoute[best[i].r.Method+" "+best[i].r.Path])
	}
	return out
}

// sharedSegments counts leading path segments two paths have in common,
// doubled so that a method tie-break never outweighs a segment.
func sharedSegments(a, b string) int {
	as := strings.Split(strings.Trim(a, "/"), "/")
	bs := strings.Split(strings.Trim(b, "/"), "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] && as[n] != "" {
		n++
	}
	return 2 * n
}
