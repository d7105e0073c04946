package generate

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/plan"
)

// A Scrubber replaces secrets and personal data in a fixture with stable
// placeholders before anything is written (the go-vcr "hook before save").
// Every recorded string is attacker-shaped and may hold anyone's data, so
// it scrubs by structure first, then by value:
//
// By structure, it decodes what a body is and scrubs its fields by name:
// JSON (at any depth, and JSON inside string fields), form-encoded bodies,
// simple multipart bodies, GraphQL (inline arguments in the query text and
// the variables object), HTML (hidden inputs and meta tags holding CSRF
// and authenticity tokens), URLs (query parameters, fragments, and
// high-entropy path segments such as /reset-password/<hex>), and headers
// (Authorization, cookies, any *token*/*key*/*signature*/... header, and
// the URLs in Location and Link). A field is secret when its name says so
// (password, pwd, pin, otp_code, mfa, passphrase, credentials, token,
// api_key, csrf_token, authenticity_token, card, cvv, ...); OAuth code and
// state, sig, signature and the X-Amz-* signing parameters are secret in
// query strings; a field named phone/mobile/tel holds a phone number.
//
// By value, anywhere in any string: emails (with @ written plainly, as
// %40, \u0040 or &#64;), JWTs, Bearer and Basic credentials, tokens with a
// known prefix (sk_live_, rk_test_, ghp_, gho_, ghs_, github_pat_, xoxb-,
// AKIA/ASIA, AIza, glpat-, npm_, sntrys_, ...), key=value pairs under a
// secret key, and card numbers (13–19 digits, Luhn-valid, grouped by any
// one separator).
//
// Placeholders keep the shape: the same length, separators and character
// classes (an email stays an email, a JWT three segments, a card number
// its grouping and a valid check digit, a hex token hex), and they are
// stable and unique: one Scrubber maps one original to one placeholder
// everywhere. That is what keeps a rerun matching: the test types the
// placeholder the body carries, the app reads the placeholder token from
// the scrubbed page URL or response and requests the scrubbed path, which
// the fixture holds. Call Learn with everything first, so a value first
// seen late (a token in a path) is replaced where it appears early (the
// response that listed it). Masked text ("****") is left as it is.
//
// Request fields whose recorded value changed cannot be relied on to match
// what the app sends (it may read them from its own state), so the
// Scrubber remembers them (VolatileParams, VolatileBodyFields: JSON keys
// and form fields) and the generated test matches them by presence. Paths
// are matched exactly, so a scrubbed path segment is replaced consistently
// instead.
type Scrubber struct {
	seen       map[string]string   // original (or placeholder) → placeholder
	used       map[string]bool     // placeholders handed out
	tokens     map[string]string   // originals replaced inside any later string
	tokenIndex map[string][]string // first minTokenLen bytes → tokens, longest first
	counts     map[string]int      // placeholder kind → last number used
	params     map[string]bool
	fields     map[string]bool
	masked     map[string]bool
	maskedQ    map[string]bool // query parameters typed into masked inputs
	replaced   int             // values replaced, masked fields included
	created    int             // placeholders made
}

// NewScrubber returns a Scrubber with an empty placeholder table.
func NewScrubber() *Scrubber {
	return &Scrubber{seen: map[string]string{}, used: map[string]bool{}, tokens: map[string]string{}, tokenIndex: map[string][]string{},
		counts: map[string]int{}, params: map[string]bool{}, fields: map[string]bool{}, masked: map[string]bool{}, maskedQ: map[string]bool{}}
}

// MaskBodyFields names request-body JSON keys that carried text typed into
// masked inputs (reproduce.MaskedBodyFields): the SDK masked the input, so
// the fixture masks the value too ("*" per character) instead of keeping
// what the network capture saw.
func (s *Scrubber) MaskBodyFields(names ...string) {
	for _, n := range names {
		s.masked[n] = true
	}
}

// MaskParams names query parameters that carried text typed into masked
// inputs (reproduce.MaskedQueryParams): a search box sends its text as
// ?q=…, which the network capture saw in clear. The fixture masks the
// value ("*" per character), and the mock matches it by presence.
func (s *Scrubber) MaskParams(names ...string) {
	for _, n := range names {
		s.maskedQ[n] = true
	}
}

// Replaced is how many values the Scrubber has replaced so far.
func (s *Scrubber) Replaced() int { return s.replaced }

// VolatileParams are the query parameters of recorded requests whose values
// were scrubbed, sorted.
func (s *Scrubber) VolatileParams() []string { return sortedKeys(s.params) }

// VolatileBodyFields are the JSON keys and form fields of recorded request
// bodies whose values were scrubbed, sorted.
func (s *Scrubber) VolatileBodyFields() []string { return sortedKeys(s.fields) }

// Learn scrubs the exchanges and the plan once without keeping the result,
// so that every placeholder exists before anything is written: a token
// found in a later path is then replaced in an earlier body too. Replaced
// still counts each value once.
func (s *Scrubber) Learn(exchanges []mockserver.Exchange, p *plan.Plan) {
	replaced, created := s.replaced, s.created
	for _, x := range exchanges {
		s.Exchange(x)
	}
	if p != nil {
		s.url(p.StartURL, false)
		for _, st := range p.Steps {
			s.Step(st)
		}
	}
	// The real pass finds every value again but creates no placeholder:
	// count the new ones here, the masked fields there.
	s.replaced = replaced + s.created - created
}

// String scrubs one string: a URL as a URL, anything else as text.
func (s *Scrubber) String(v string) string {
	if looksLikeURL(v) {
		return s.url(v, false)
	}
	return s.text(v)
}

// looksLikeURL reports whether v is one absolute http(s) URL.
func looksLikeURL(v string) bool {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return false
	}
	return !strings.ContainsAny(v, " \t\r\n\"'<>")
}

// Exchange scrubs one recorded exchange. Request headers are dropped except
// Content-Type: the mock never matches on them, so the fixture does not
// need them.
func (s *Scrubber) Exchange(x mockserver.Exchange) mockserver.Exchange {
	x.URL = s.url(x.URL, true)
	x.Label = s.String(x.Label)
	reqType := x.RequestHeaders.Get("Content-Type")
	if reqType != "" {
		x.RequestHeaders = http.Header{"Content-Type": {reqType}}
	} else {
		x.RequestHeaders = nil
	}
	x.ResponseHeaders = s.headers(x.ResponseHeaders)
	x.RequestBody = s.body(x.RequestBody, reqType, true)
	x.ResponseBody = s.body(x.ResponseBody, x.ResponseHeaders.Get("Content-Type"), false)
	return x
}

func (s *Scrubber) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := http.Header{}
	for _, k := range slices.Sorted(maps.Keys(h)) { // placeholders in a stable order
		for _, v := range h[k] {
			switch {
			case secretHeader(k):
				v = s.secretHeaderValue(k, v)
			case urlHeader(k):
				v = s.urlList(v)
			default:
				v = s.String(v)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

// urlList scrubs a header holding URLs: Location's one, Link's <url>;
// params list, Refresh's "0; url=...".
func (s *Scrubber) urlList(v string) string {
	if looksLikeURL(v) || strings.HasPrefix(v, "/") && !strings.ContainsAny(v, " <>") {
		return s.url(v, false)
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(v, '<')
		j := strings.IndexByte(v[i+1:], '>')
		if i < 0 || j < 0 {
			break
		}
		b.WriteString(s.text(v[:i+1]))
		b.WriteString(s.url(v[i+1:i+1+j], false))
		v = v[i+1+j:]
	}
	if pre, u, ok := strings.Cut(v, "url="); ok && b.Len() == 0 {
		return s.text(pre) + "url=" + s.url(strings.TrimSpace(u), false)
	}
	b.WriteString(s.text(v))
	return b.String()
}

// secretHeaderValue keeps the scheme of an Authorization value and the
// name and attributes of a cookie.
func (s *Scrubber) secretHeaderValue(name, v string) string {
	switch strings.ToLower(name) {
	case "authorization", "proxy-authorization":
		if scheme, cred, ok := strings.Cut(v, " "); ok {
			return scheme + " " + s.secret(cred)
		}
	case "cookie", "set-cookie":
		parts := strings.Split(v, ";")
		for i, p := range parts {
			k, val, ok := strings.Cut(p, "=")
			if !ok || (i > 0 && strings.ToLower(name) == "set-cookie") {
				continue // Set-Cookie attributes (Path, Expires) are not secret
			}
			parts[i] = k + "=" + s.secret(val)
		}
		return strings.Join(parts, ";")
	}
	return s.signature(v)
}

// signature replaces a header credential part by part, keeping the
// algorithm names and keys of "sha256=<hex>" and "t=…,v1=…" shapes.
func (s *Scrubber) signature(v string) string {
	if p, ok := s.seen[v]; ok {
		return p
	}
	parts := strings.Split(v, ",")
	for i, part := range parts {
		k, val, ok := strings.Cut(part, "=")
		if ok && val != "" && !strings.ContainsAny(k, " ") && len(k) <= 32 {
			parts[i] = k + "=" + s.secret(val)
			continue
		}
		parts[i] = s.secret(part)
	}
	return strings.Join(parts, ",")
}

// url scrubs a URL: high-entropy path segments, query values (secret keys
// wholly, the rest by shape) and a fragment that holds parameters (OAuth's
// #access_token=...). A changed request query parameter is remembered as
// volatile; a changed path segment is not (paths match exactly), it is
// replaced everywhere instead.
func (s *Scrubber) url(raw string, request bool) string {
	if raw == "" {
		return raw
	}
	raw = s.known(raw)
	base, frag, hasFrag := strings.Cut(raw, "#")
	base, query, hasQuery := strings.Cut(base, "?")
	base = s.path(base)
	out := base
	if hasQuery {
		out += "?" + s.query(query, request)
	}
	if hasFrag {
		if strings.Contains(frag, "=") {
			out += "#" + s.query(frag, false)
		} else {
			out += "#" + s.text(frag)
		}
	}
	return out
}

// query scrubs a query string (or parameter-bearing fragment) pair by pair,
// keeping the order and every untouched byte.
func (s *Scrubber) query(q string, request bool) string {
	pairs := strings.Split(q, "&")
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		var nv string
		switch {
		case s.maskedQ[dk]:
			nv = strings.Repeat("*", utf8.RuneCountInString(dv))
			s.replaced++
		case secretQueryKey(dk):
			nv = s.secret(dv)
		case phoneKey(dk):
			nv = s.shaped(dv)
		default:
			nv = s.value(dv, "")
		}
		if nv != dv {
			pairs[i] = k + "=" + url.QueryEscape(nv)
			if request {
				s.params[dk] = true
			}
		}
	}
	return strings.Join(pairs, "&")
}

// path scrubs the path of a URL (scheme and host kept): segments that are
// tokens, and anything secret by shape. Segments are scrubbed as written
// (escapes kept), because the mock compares escaped paths exactly.
func (s *Scrubber) path(base string) string {
	prefix := ""
	if i := strings.Index(base, "://"); i >= 0 {
		j := strings.IndexByte(base[i+3:], '/')
		if j < 0 {
			return base
		}
		prefix, base = base[:i+3+j], base[i+3+j:]
	}
	segs := strings.Split(base, "/")
	for i, seg := range segs {
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		if tokenSegment(seg, prev) {
			segs[i] = s.shaped(seg)
			continue
		}
		segs[i] = s.text(seg)
	}
	return prefix + strings.Join(segs, "/")
}

// Step scrubs the strings of a plan step: its URL, typed value, selectors
// and description.
func (s *Scrubber) Step(st plan.Step) plan.Step {
	st.URL = s.url(st.URL, false)
	st.Value = s.String(st.Value)
	st.Description = s.String(st.Description)
	if st.Selectors != nil {
		sels := make([]string, len(st.Selectors))
		for i, sel := range st.Selectors {
			sels[i] = s.String(sel)
		}
		st.Selectors = sels
	}
	return st
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
