package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// maxBodyBytes bounds how much of a request body is read for matching.
const maxBodyBytes = 32 << 20

// Request is mockserver's normalized view of one HTTP request: what a
// Matcher compares against an Exchange.
type Request struct {
	// Method is upper-case.
	Method string
	// Path is the escaped URL path, "/" when empty.
	Path string
	// Query holds the decoded query parameters; parameter order is not kept.
	Query url.Values
	// RawQuery is the query as received, for forwarding and reports.
	RawQuery string
	Header   http.Header
	Body     []byte
	// JSON is the parsed body (numbers as json.Number) when IsJSON is true.
	JSON   any
	IsJSON bool
	// Form is the parsed body when IsForm is true: an
	// application/x-www-form-urlencoded body (by its Content-Type, or a
	// body of key=value pairs and nothing else).
	Form   url.Values
	IsForm bool
}

// NewRequest reads r's body (up to 32 MiB) and returns its normalized view.
func NewRequest(r *http.Request) (*Request, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		if len(b) > maxBodyBytes {
			return nil, fmt.Errorf("read request body: larger than %d bytes", maxBodyBytes)
		}
		body = b
	}
	return newRequest(r.Method, r.URL, r.Header, body), nil
}

// RequestFromExchange returns the normalized view of e's recorded request,
// so a custom Matcher can compare like with like.
func RequestFromExchange(e *Exchange) (*Request, error) {
	u, err := url.Parse(e.URL)
	if err != nil {
		return nil, fmt.Errorf("exchange %d url: %w", e.Seq, err)
	}
	var body []byte
	if e.requestBodyKnown() {
		body = e.RequestBody
	}
	return newRequest(e.Method, u, e.RequestHeaders, body), nil
}

func newRequest(method string, u *url.URL, h http.Header, body []byte) *Request {
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	// A malformed pair is dropped by ParseQuery on both sides alike, so
	// the error carries nothing matching could use.
	q, _ := url.ParseQuery(u.RawQuery)
	req := &Request{
		Method:   strings.ToUpper(method),
		Path:     path,
		Query:    q,
		RawQuery: u.RawQuery,
		Header:   h,
		Body:     body,
	}
	if v, ok := parseJSON(body); ok {
		req.JSON, req.IsJSON = v, true
	} else if f, ok := parseForm(h.Get("Content-Type"), body); ok {
		req.Form, req.IsForm = f, true
	}
	return req
}

// parseForm parses a form-encoded body: one whose Content-Type says so, or,
// untyped or text/plain, one that is key=value pairs joined by & and
// nothing else (a replay records a form body as that text).
func parseForm(ct string, body []byte) (url.Values, bool) {
	if len(body) == 0 {
		return nil, false
	}
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "application/x-www-form-urlencoded" {
		if (mt != "" && mt != "text/plain") || !formLike(string(body)) {
			return nil, false
		}
	}
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false
	}
	return f, true
}

// formLike reports whether text is only key=value pairs joined by &.
func formLike(text string) bool {
	if strings.ContainsAny(text, " \t\r\n{}<>\"") {
		return false
	}
	for _, p := range strings.Split(text, "&") {
		k, _, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return false
		}
	}
	return true
}

// parseJSON parses a whole JSON document, keeping numbers exact.
func parseJSON(b []byte) (any, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		// Only objects and arrays are compared structurally; a scalar
		// body is compared byte for byte.
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// route is the coarse index key: method and path.
func (r *Request) route() string { return r.Method + " " + r.Path }

// URL returns path?query as received.
func (r *Request) URL() string {
	if r.RawQuery == "" {
		return r.Path
	}
	return r.Path + "?" + r.RawQuery
}

// matchKey is the fine index key used by the default matcher: method, path
// and the sorted query, with tolerated (volatile) values replaced by "*".
// Two requests the default rules would match always share a key.
func (r *Request) matchKey(ru *rules) string {
	var b strings.Builder
	b.WriteString(r.route())
	names := make([]string, 0, len(r.Query))
	for name := range r.Query {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(name))
		vals := r.Query[name]
		if ru.volatileParam(name, vals) {
			b.WriteString("=*")
			continue
		}
		vals = sortedCopy(vals)
		for j, v := range vals {
			if j > 0 {
				b.WriteByte(',')
			} else {
				b.WriteByte('=')
			}
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

func sortedCopy(s []string) []string {
	if len(s) < 2 {
		return s
	}
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
