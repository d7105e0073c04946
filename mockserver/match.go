package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Matcher decides whether the incoming request r may be answered by the
// recorded exchange e. It returns nil when they match, otherwise the
// reasons they do not, each a short phrase such as "body.prompt differs".
// A Matcher must not modify r or e and must be safe for concurrent use.
type Matcher func(r *Request, e *Exchange) []string

// Rules are the tolerances of the default matcher.
type Rules struct {
	// VolatileParams are query parameter names (case-insensitive) whose
	// values are ignored, in addition to DefaultVolatileParams.
	VolatileParams []string
	// VolatileBodyFields are JSON object keys, at any depth of a request
	// body, whose values are ignored; the key must still be present.
	VolatileBodyFields []string
}

// DefaultMatcher returns the matcher a Mock uses unless WithMatcher is
// given: method, path, query (order ignored, volatile values tolerated) and,
// where recorded, the request body (JSON compared structurally).
func DefaultMatcher(r Rules) Matcher {
	ru := newRules(r.VolatileParams, r.VolatileBodyFields)
	return func(in *Request, e *Exchange) []string {
		rec, err := RequestFromExchange(e)
		if err != nil {
			return []string{err.Error()}
		}
		reasons, _ := compare(in, rec, e.requestBodyKnown(), ru, true)
		return reasons
	}
}

// notMatched is the reason compare gives when asked for no explanation.
var notMatched = []string{"does not match"}

// maxBodyReasons caps how many body differences one comparison lists.
const maxBodyReasons = 4

// compare is the default rule set. exact reports that no tolerance was
// needed (every volatile value was equal too); the Mock prefers exact
// matches so that a value that merely looks volatile, such as an ID that
// happens to be epoch-shaped, still picks its own exchange when present.
//
// With explain false, compare stops at the first difference and returns a
// placeholder reason: the hot path needs a yes or no, not a report.
func compare(in, rec *Request, bodyKnown bool, ru *rules, explain bool) (reasons []string, exact bool) {
	exact = true
	if !explain && (in.Method != rec.Method || in.Path != rec.Path || len(in.Query) != len(rec.Query)) {
		return notMatched, false
	}
	if in.Method != rec.Method {
		reasons = append(reasons, fmt.Sprintf("method differs: got %s, recorded %s", in.Method, rec.Method))
	}
	if in.Path != rec.Path {
		reasons = append(reasons, fmt.Sprintf("path differs: got %s, recorded %s", in.Path, rec.Path))
	}
	names := make([]string, 0, len(in.Query)+len(rec.Query))
	for n := range in.Query {
		names = append(names, n)
	}
	for n := range rec.Query {
		if _, ok := in.Query[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		got, inOK := in.Query[n]
		want, recOK := rec.Query[n]
		switch {
		case (!recOK || !inOK) && !explain:
			return notMatched, false
		case !recOK:
			reasons = append(reasons, fmt.Sprintf("extra query parameter %s=%s (not in the recording)", n, short(strings.Join(got, ","))))
			continue
		case !inOK:
			reasons = append(reasons, fmt.Sprintf("missing query parameter %s (recorded %s=%s)", n, n, short(strings.Join(want, ","))))
			continue
		}
		same := slices.Equal(sortedCopy(got), sortedCopy(want))
		if ru.volatileName(n) || (allLookVolatile(got) && allLookVolatile(want)) {
			exact = exact && same
			continue
		}
		if !same && !explain {
			return notMatched, false
		}
		if !same {
			reasons = append(reasons, fmt.Sprintf("query parameter %s differs: got %s, recorded %s", n, short(strings.Join(got, ",")), short(strings.Join(want, ","))))
		}
	}
	if bodyKnown {
		r, ex := compareBody(in, rec, ru, explain)
		reasons = append(reasons, r...)
		exact = exact && ex
	}
	return reasons, exact
}

func compareBody(in, rec *Request, ru *rules, explain bool) (reasons []string, exact bool) {
	switch {
	case rec.IsJSON && in.IsJSON:
		d := differ{ru: ru, exact: true, quick: !explain}
		d.diff("body", in.JSON, rec.JSON)
		if d.quick && d.more > 0 {
			return notMatched, false
		}
		if d.more > 0 {
			d.reasons = append(d.reasons, fmt.Sprintf("and %d more body differences", d.more))
		}
		return d.reasons, d.exact
	case rec.IsJSON:
		return []string{fmt.Sprintf("body is not JSON (%d bytes), recorded a JSON body", len(in.Body))}, false
	case rec.IsForm && in.IsForm:
		return compareForm(in.Form, rec.Form, ru, explain)
	case bytes.Equal(in.Body, rec.Body):
		return nil, true
	default:
		return []string{fmt.Sprintf("body differs: got %d bytes, recorded %d bytes", len(in.Body), len(rec.Body))}, false
	}
}

// compareForm compares form bodies field by field, values of volatile
// fields by presence only (a scrubbed pwd= or csrf_token= field).
func compareForm(got, want url.Values, ru *rules, explain bool) (reasons []string, exact bool) {
	exact = true
	names := make([]string, 0, len(got)+len(want))
	for k := range got {
		names = append(names, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		g, gok := got[k]
		w, wok := want[k]
		var r string
		switch {
		case !wok:
			r = fmt.Sprintf("form field %s is not in the recording", k)
		case !gok:
			r = fmt.Sprintf("form field %s is missing (recorded %s)", k, short(strings.Join(w, ",")))
		case ru.fields[k]:
			exact = exact && slices.Equal(g, w)
			continue
		case !slices.Equal(g, w):
			r = fmt.Sprintf("form field %s differs: got %s, recorded %s", k, short(strings.Join(g, ",")), short(strings.Join(w, ",")))
		default:
			continue
		}
		if !explain {
			return notMatched, false
		}
		if len(reasons) < maxBodyReasons {
			reasons = append(reasons, r)
		}
	}
	return reasons, exact && len(reasons) == 0
}

// differ walks two parsed JSON values and names the paths that differ.
type differ struct {
	ru      *rules
	reasons []string
	more    int
	exact   bool
	quick   bool // only whether anything differs: count, do not format
}

// stop reports, in quick mode, that a difference was found and nothing
// needs formatting.
func (d *differ) stop() bool {
	if d.quick {
		d.more++
	}
	return d.quick
}

func (d *differ) add(format string, args ...any) {
	if d.quick || len(d.reasons) >= maxBodyReasons {
		d.more++
		return
	}
	d.reasons = append(d.reasons, fmt.Sprintf(format, args...))
}

func (d *differ) diff(path string, got, want any) {
	if d.quick && d.more > 0 {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			if !d.stop() {
				d.add("%s differs: got %s, recorded an object", path, describe(got))
			}
			return
		}
		keys := make([]string, 0, len(g)+len(w))
		for k := range g {
			keys = append(keys, k)
		}
		for k := range w {
			if _, ok := g[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, gok := g[k]
			wv, wok := w[k]
			p := path
			if !d.quick {
				p = fieldPath(path, k)
			}
			switch {
			case !wok:
				if !d.stop() {
					d.add("%s is not in the recording", p)
				}
			case !gok:
				if !d.stop() {
					d.add("%s is missing (recorded %s)", p, describe(wv))
				}
			case d.ru.fields[k]:
				d.exact = d.exact && jsonEqual(gv, wv)
			default:
				d.diff(p, gv, wv)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			if !d.stop() {
				d.add("%s differs: got %s, recorded an array", path, describe(got))
			}
			return
		}
		if len(g) != len(w) {
			if !d.stop() {
				d.add("%s has %d items, recorded %d", path, len(g), len(w))
			}
			return
		}
		for i := range w {
			p := path
			if !d.quick {
				p = path + "[" + strconv.Itoa(i) + "]"
			}
			d.diff(p, g[i], w[i])
		}
	default:
		if !scalarEqual(got, want) {
			if !d.stop() {
				d.add("%s differs: got %s, recorded %s", path, describe(got), describe(want))
			}
		}
	}
}

func jsonEqual(a, b any) bool {
	d := differ{ru: &rules{}, exact: true}
	d.diff("", a, b)
	return len(d.reasons) == 0 && d.more == 0
}

func scalarEqual(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		if an == bn {
			return true
		}
		af, err1 := strconv.ParseFloat(string(an), 64)
		bf, err2 := strconv.ParseFloat(string(bn), 64)
		return err1 == nil && err2 == nil && af == bf
	}
	return a == b
}

var identRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

func fieldPath(parent, key string) string {
	if identRE.MatchString(key) {
		return parent + "." + key
	}
	return parent + "[" + strconv.Quote(key) + "]"
}

// describe renders a JSON value briefly for a reason.
func describe(v any) string {
	switch t := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return fmt.Sprintf("an array of %d", len(t))
	case nil:
		return "null"
	case string:
		return strconv.Quote(short(t))
	default:
		return short(fmt.Sprint(t))
	}
}

func short(s string) string {
	max := 40
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max] + "…"
}
