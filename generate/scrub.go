package generate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce"
)

// A Scrubber replaces secrets and personal data in a fixture with stable
// placeholders before anything is written (the go-vcr "hook before save").
//
// What it replaces:
//   - header values of Authorization, Proxy-Authorization, Cookie,
//     Set-Cookie, X-Api-Key and any header whose name contains token,
//     secret, key, session, auth, password, csrf or xsrf;
//   - query parameter and JSON values (any depth) under secret-like keys
//     (password, secret, token, access_token, api_key, key, session,
//     auth, card, cvv, ...);
//   - anywhere in any string: emails, JWT-like tokens (three base64url
//     segments, the first starting "eyJ"), bearer tokens, and card-like
//     numbers: 13–19 digits, optionally grouped by single spaces or dashes,
//     first digit 2–6 and Luhn-valid (Luhn and the first digit keep 13-digit
//     millisecond timestamps and most IDs out).
//
// Placeholders keep the shape (an email stays an email, a JWT three
// segments, a card number its length and grouping) and are stable: one
// Scrubber maps the same input to the same placeholder everywhere, so a
// value the user typed still matches the request body that carried it.
// Masked text ("****") is left as it is: it holds nothing to scrub.
//
// Request fields whose recorded value changed cannot match what the app
// sends any more, so the Scrubber remembers them (VolatileParams,
// VolatileBodyFields) and the generated test matches them by presence.
type Scrubber struct {
	seen     map[string]string // original → placeholder
	counts   map[string]int    // placeholder kind → last number used
	params   map[string]bool
	fields   map[string]bool
	masked   map[string]bool
	replaced int
}

// NewScrubber returns a Scrubber with an empty placeholder table.
func NewScrubber() *Scrubber {
	return &Scrubber{seen: map[string]string{}, counts: map[string]int{}, params: map[string]bool{}, fields: map[string]bool{}, masked: map[string]bool{}}
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

// Replaced is how many values the Scrubber has replaced so far.
func (s *Scrubber) Replaced() int { return s.replaced }

// VolatileParams are the query parameters of recorded requests whose values
// were scrubbed, sorted.
func (s *Scrubber) VolatileParams() []string { return sortedKeys(s.params) }

// VolatileBodyFields are the JSON keys of recorded request bodies whose
// values were scrubbed, sorted.
func (s *Scrubber) VolatileBodyFields() []string { return sortedKeys(s.fields) }

var (
	emailRE  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	jwtRE    = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}`)
	bearerRE = regexp.MustCompile(`(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/\-]{8,}=*)`)
	cardRE   = regexp.MustCompile(`\b\d(?:[ \-]?\d){12,18}\b`)
	// secretPairRE finds key=value pairs in text bodies (form posts,
	// cookies, URLs inside strings).
	secretPairRE = regexp.MustCompile(`(?i)\b([A-Za-z0-9_\-]*(?:pass(?:word|wd)?|secret|token|api_?key|session(?:_?id)?|auth|cvv|cvc))=([^&\s;"',]+)`)
)

// secretKeys are exact (normalized) keys whose values are secret.
var secretKeys = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "secret": true, "token": true,
	"accesstoken": true, "refreshtoken": true, "idtoken": true, "apikey": true, "key": true,
	"session": true, "sessionid": true, "sid": true, "auth": true, "authorization": true,
	"card": true, "cardnumber": true, "ccnumber": true, "cc": true, "pan": true, "cvv": true,
	"cvc": true, "ssn": true, "otp": true, "pin": true, "cookie": true, "setcookie": true,
	"clientsecret": true, "privatekey": true, "signature": true,
}

// secretParts make any key containing them secret.
var secretParts = []string{"password", "passwd", "secret", "token", "apikey", "authorization", "creditcard", "cardnumber", "privatekey", "sessionid", "cvv"}

// secretKey reports whether a JSON key or query parameter holds a secret.
func secretKey(k string) bool {
	n := strings.NewReplacer("_", "", "-", "", ".", "", " ", "").Replace(strings.ToLower(k))
	if secretKeys[n] {
		return true
	}
	for _, p := range secretParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// secretHeader reports whether a header's value is a credential.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key":
		return true
	}
	for _, p := range []string{"token", "secret", "key", "session", "auth", "password", "csrf", "xsrf"} {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// String replaces emails, JWTs, bearer tokens, card numbers and key=value
// secrets inside s.
func (s *Scrubber) String(v string) string {
	if v == "" || strings.Trim(v, "*• ") == "" {
		return v
	}
	v = jwtRE.ReplaceAllStringFunc(v, func(m string) string { return s.placeholder("jwt", m) })
	v = bearerRE.ReplaceAllStringFunc(v, func(m string) string {
		sub := bearerRE.FindStringSubmatch(m)
		if strings.HasPrefix(sub[2], "scrubbed-") || strings.HasPrefix(sub[2], "eyJ") {
			return m
		}
		return sub[1] + " " + s.placeholder("token", sub[2])
	})
	v = emailRE.ReplaceAllStringFunc(v, func(m string) string {
		if fileSuffix(m) {
			return m // logo@2x.png is an asset, not an address
		}
		return s.placeholder("email", m)
	})
	v = cardRE.ReplaceAllStringFunc(v, func(m string) string {
		if !cardLike(m) {
			return m
		}
		return s.placeholder("card", m)
	})
	v = secretPairRE.ReplaceAllStringFunc(v, func(m string) string {
		k, val, _ := strings.Cut(m, "=")
		if strings.HasPrefix(val, "scrubbed-") {
			return m
		}
		return k + "=" + s.secret(val)
	})
	return v
}

// secret replaces a whole value held under a secret-like key.
func (s *Scrubber) secret(v string) string {
	if v == "" || strings.Trim(v, "*• ") == "" {
		return v
	}
	if out := s.String(v); out != v {
		return out // it had a recognizable shape: keep it
	}
	return s.placeholder("secret", v)
}

// placeholder returns the stable placeholder of kind for original.
func (s *Scrubber) placeholder(kind, original string) string {
	if p, ok := s.seen[original]; ok {
		return p
	}
	s.counts[kind]++
	n := s.counts[kind]
	var p string
	switch kind {
	case "email":
		p = fmt.Sprintf("user%d@example.com", n)
	case "jwt":
		enc := base64.RawURLEncoding.EncodeToString
		p = enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(fmt.Sprintf(`{"sub":"scrubbed-%d"}`, n))) + ".c2NydWJiZWQ"
	case "card":
		p = cardPlaceholder(original, n)
	case "token":
		p = fmt.Sprintf("scrubbed-token-%d", n)
	default:
		p = fmt.Sprintf("scrubbed-%s-%d", kind, n)
	}
	s.seen[original] = p
	s.seen[p] = p
	s.replaced++
	return p
}

// fileSuffix reports whether an email-shaped match ends like a file name.
func fileSuffix(m string) bool {
	ext := strings.ToLower(m[strings.LastIndexByte(m, '.')+1:])
	switch ext {
	case "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "js", "mjs", "css", "map", "json", "html", "woff", "woff2":
		return true
	}
	return false
}

// cardLike reports whether m looks like a payment card number.
func cardLike(m string) bool {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, m)
	if len(digits) < 13 || len(digits) > 19 || digits[0] < '2' || digits[0] > '6' {
		return false
	}
	return luhn(digits)
}

func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardPlaceholder keeps the grouping and length of original: 4000…n with a
// valid check digit (a test-card shape that is no one's card).
func cardPlaceholder(original string, n int) string {
	var digits int
	for _, r := range original {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	body := fmt.Sprintf("4%0*d", digits-2, n)
	for c := 0; c <= 9; c++ {
		if luhn(body + string(rune('0'+c))) {
			body += string(rune('0' + c))
			break
		}
	}
	var b strings.Builder
	i := 0
	for _, r := range original {
		if r >= '0' && r <= '9' {
			b.WriteByte(body[i])
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Exchange scrubs one recorded exchange. Request headers are dropped except
// Content-Type: the mock never matches on them, so the fixture does not
// need them.
func (s *Scrubber) Exchange(x mockserver.Exchange) mockserver.Exchange {
	x.URL = s.url(x.URL, true)
	x.Label = s.String(x.Label)
	if ct := x.RequestHeaders.Get("Content-Type"); ct != "" {
		x.RequestHeaders = http.Header{"Content-Type": {ct}}
	} else {
		x.RequestHeaders = nil
	}
	x.ResponseHeaders = s.headers(x.ResponseHeaders)
	x.RequestBody = s.body(x.RequestBody, true)
	x.ResponseBody = s.body(x.ResponseBody, false)
	return x
}

func (s *Scrubber) headers(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := http.Header{}
	for k, vs := range h {
		for _, v := range vs {
			if secretHeader(k) {
				v = s.secretHeaderValue(k, v)
			} else {
				v = s.String(v)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
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
	return s.secret(v)
}

// url scrubs query values (secret keys wholly, others by shape) and the
// path; a changed request query parameter is remembered as volatile.
func (s *Scrubber) url(raw string, request bool) string {
	base, query, hasQuery := strings.Cut(raw, "?")
	base = s.String(base)
	if !hasQuery {
		return base
	}
	frag := ""
	if i := strings.IndexByte(query, '#'); i >= 0 {
		query, frag = query[:i], query[i:]
	}
	pairs := strings.Split(query, "&")
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		nv := s.String(dv)
		if secretKey(k) {
			nv = s.secret(dv)
		}
		if nv != dv {
			pairs[i] = k + "=" + url.QueryEscape(nv)
			if request {
				s.params[k] = true
			}
		}
	}
	return base + "?" + strings.Join(pairs, "&") + s.String(frag)
}

// body scrubs a JSON body structurally (keeping it byte for byte when
// nothing changed) and any other body as text.
func (s *Scrubber) body(b []byte, request bool) []byte {
	if len(b) == 0 {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		changed := false
		v = s.walk(v, "", false, request, &changed)
		if !changed {
			return b
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err == nil {
			return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		}
	}
	out := s.String(string(b))
	if request && out != string(b) {
		// A form body: its changed pairs are query-like fields.
		if q, err := url.ParseQuery(string(b)); err == nil {
			for k := range q {
				s.fields[k] = true
			}
		}
	}
	return []byte(out)
}

// walk scrubs a decoded JSON value; key is the nearest object key above it.
func (s *Scrubber) walk(v any, key string, secret, request bool, changed *bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			x[k] = s.walk(vv, k, secret || secretKey(k), request, changed)
		}
		return x
	case []any:
		for i, vv := range x {
			x[i] = s.walk(vv, key, secret, request, changed)
		}
		return x
	case string:
		if request && s.masked[key] {
			out := strings.Repeat("*", utf8.RuneCountInString(x))
			if out != x {
				*changed = true
				s.replaced++
			}
			return out
		}
		out := s.String(x)
		if secret {
			out = s.secret(x)
		}
		if out != x {
			*changed = true
			if request && key != "" {
				s.fields[key] = true
			}
		}
		return out
	case json.Number:
		str := x.String()
		out := s.String(str)
		if secret && out == str && strings.Trim(str, "0123456789") == "" && len(str) > 3 {
			out = s.placeholder("card", str)
		}
		if out != str {
			*changed = true
			if request && key != "" {
				s.fields[key] = true
			}
			return json.Number(strings.NewReplacer(" ", "", "-", "").Replace(out))
		}
		return x
	}
	return v
}

// Step scrubs the strings of a plan step: its URL, typed value, selectors
// and description.
func (s *Scrubber) Step(st reproduce.Step) reproduce.Step {
	st.URL = s.url(st.URL, false)
	st.Value = s.String(st.Value)
	st.Description = s.String(st.Description)
	sels := make([]string, len(st.Selectors))
	for i, sel := range st.Selectors {
		sels[i] = s.String(sel)
	}
	if st.Selectors != nil {
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
