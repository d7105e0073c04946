package generate

import (
	"bytes"
	"encoding/json"
	"maps"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bodies are scrubbed by what they are: decoded, scrubbed field by field,
// and written back with everything that did not change kept as it was.

// body scrubs a request or response body; ct is its Content-Type.
func (s *Scrubber) body(b []byte, ct string, request bool) []byte {
	if len(b) == 0 {
		return b
	}
	if v, ok := decodeJSON(b); ok {
		changed := false
		v = s.walk(v, "", false, request, &changed)
		if !changed {
			return b
		}
		if out, ok := encodeJSON(v); ok {
			return out
		}
	}
	if t := bytes.TrimSpace(b); json.Valid(t) {
		// A JSON scalar: a number, bool or null is kept, a string is
		// scrubbed for what it holds and stays a JSON string.
		var str string
		if json.Unmarshal(t, &str) != nil {
			return b
		}
		if out := s.value(str, ""); out != str {
			if enc, ok := encodeJSON(out); ok {
				return enc
			}
		}
		return b
	}
	mt, params, _ := mime.ParseMediaType(ct)
	text := string(b)
	var out string
	switch {
	case mt == "application/graphql":
		out = s.graphql(text)
	case strings.HasPrefix(mt, "multipart/") || (mt == "" && strings.HasPrefix(text, "--")):
		out = s.multipart(text, params["boundary"], request)
	case mt == "application/x-www-form-urlencoded" || ((mt == "" || mt == "text/plain") && formLike(text)):
		out = s.form(text, request)
	case htmlLike(mt, text):
		out = s.html(text)
	default:
		out = s.text(text)
	}
	return []byte(out)
}

// decodeJSON decodes a whole JSON document, numbers kept exact.
func decodeJSON(b []byte) (any, bool) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	return v, true
}

func encodeJSON(v any) ([]byte, bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}

// walk scrubs a decoded JSON value; key is the nearest object key above it.
func (s *Scrubber) walk(v any, key string, secret, request bool, changed *bool) any {
	switch x := v.(type) {
	case map[string]any:
		// In key order: placeholders are numbered as they are made, and
		// a fixture must not depend on map order.
		for _, k := range slices.Sorted(maps.Keys(x)) {
			x[k] = s.walk(x[k], k, secret || secretKey(k), request, changed)
		}
		return x
	case []any:
		for i, vv := range x {
			x[i] = s.walk(vv, key, secret, request, changed)
		}
		return x
	case string:
		var out string
		switch {
		case request && s.masked[key]:
			out = strings.Repeat("*", utf8.RuneCountInString(x))
			if out != x {
				s.replaced++
			}
		case secret:
			out = s.secret(x)
		case phoneKey(key):
			out = s.shaped(x)
		default:
			out = s.value(x, key)
		}
		s.note(out != x, key, request, changed)
		return out
	case json.Number:
		str := x.String()
		out := s.text(str)
		if (secret || phoneKey(key)) && out == str && plainNumber(str) {
			if out = s.shaped(str); !plainNumber(out) {
				out = str // no number of that shape is free: keep the JSON valid
			}
		}
		if out == str {
			return x
		}
		s.note(true, key, request, changed)
		return json.Number(strings.NewReplacer(" ", "", "-", "", "+", "", ".", "").Replace(out))
	}
	return v
}

// note records a changed value: the body changed, and a request field
// whose value changed is matched by presence.
func (s *Scrubber) note(did bool, key string, request bool, changed *bool) {
	if !did {
		return
	}
	*changed = true
	if request && key != "" {
		s.fields[key] = true
	}
}

var plainNumberRE = regexp.MustCompile(`^-?[1-9][0-9]*$`)

// plainNumber reports whether a JSON number is an integer written plainly,
// so a placeholder of its shape is still a JSON number.
func plainNumber(s string) bool { return plainNumberRE.MatchString(s) }

// value scrubs a string that is no secret by its key: by what it holds.
func (s *Scrubber) value(v, key string) string {
	if v == "" || strings.Trim(v, "*• ") == "" {
		return v
	}
	t := strings.TrimSpace(v)
	if len(t) > 1 && (t[0] == '{' || t[0] == '[') {
		// JSON inside a string field: scrub what it holds, by name too.
		if inner, ok := decodeJSON([]byte(t)); ok {
			changed := false
			inner = s.walk(inner, "", false, false, &changed)
			if !changed {
				return v
			}
			if out, ok := encodeJSON(inner); ok {
				return string(out)
			}
		}
	}
	switch {
	case strings.EqualFold(key, "query") && graphqlLike(t):
		return s.graphql(v)
	case looksLikeURL(v) || (strings.HasPrefix(v, "/") && strings.Contains(v, "?") && !strings.ContainsAny(v, " \t\n")):
		return s.url(v, false)
	case htmlLike("", v):
		return s.html(v)
	case formLike(v) && strings.Contains(v, "&"):
		return s.form(v, false)
	}
	return s.text(v)
}

var formPairRE = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\]%*~+]+=[^&\s]*$`)

// formLike reports whether text is an application/x-www-form-urlencoded
// body: key=value pairs joined by &, nothing else.
func formLike(text string) bool {
	if text == "" || strings.ContainsAny(text, " \t\r\n{}<>\"") {
		return false
	}
	for _, p := range strings.Split(text, "&") {
		if !formPairRE.MatchString(p) {
			return false
		}
	}
	return true
}

// form scrubs a form-encoded body pair by pair (pwd=, pin=, %40 emails,
// 4111+1111+… cards), re-encoding only what changed.
func (s *Scrubber) form(text string, request bool) string {
	pairs := strings.Split(text, "&")
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
		case request && s.masked[dk]:
			nv = strings.Repeat("*", utf8.RuneCountInString(dv))
		case secretKey(dk):
			nv = s.secret(dv)
		case phoneKey(dk):
			nv = s.shaped(dv)
		default:
			nv = s.value(dv, dk)
		}
		if nv != dv {
			pairs[i] = k + "=" + url.QueryEscape(nv)
			if request {
				s.fields[dk] = true
			}
		}
	}
	return strings.Join(pairs, "&")
}

var partNameRE = regexp.MustCompile(`(?i)content-disposition:[^\r\n]*;\s*name="([^"]*)"`)

// multipart scrubs the values of a multipart/form-data body by their part
// names; anything it cannot split is scrubbed as text.
func (s *Scrubber) multipart(text, boundary string, request bool) string {
	if boundary == "" {
		first, _, _ := strings.Cut(text, "\n")
		boundary = strings.TrimSuffix(strings.TrimPrefix(first, "--"), "\r")
	}
	delim := "--" + boundary
	if boundary == "" || !strings.HasPrefix(text, delim) {
		return s.text(text)
	}
	parts := strings.Split(text, delim)
	for i, part := range parts {
		head, val, ok := strings.Cut(part, "\r\n\r\n")
		sep := "\r\n\r\n"
		if !ok {
			if head, val, ok = strings.Cut(part, "\n\n"); !ok {
				parts[i] = s.text(part)
				continue
			}
			sep = "\n\n"
		}
		trail := ""
		for _, t := range []string{"\r\n", "\n"} {
			if strings.HasSuffix(val, t) {
				val, trail = strings.TrimSuffix(val, t), t
				break
			}
		}
		name := ""
		if m := partNameRE.FindStringSubmatch(head); m != nil {
			name = m[1]
		}
		var nv string
		switch {
		case secretKey(name):
			nv = s.secret(val)
		case phoneKey(name):
			nv = s.shaped(val)
		default:
			nv = s.value(val, name)
		}
		if nv != val && request && name != "" {
			s.fields[name] = true
		}
		parts[i] = s.text(head) + sep + nv + trail
	}
	return strings.Join(parts, delim)
}

var (
	graphqlOpRE  = regexp.MustCompile(`^\s*(?:(?:query|mutation|subscription|fragment)\b|\{)`)
	graphqlArgRE = regexp.MustCompile(`([_A-Za-z][_0-9A-Za-z]*)(\s*:\s*)("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?\b)`)
)

// graphqlLike reports whether a string is a GraphQL document.
func graphqlLike(t string) bool { return graphqlOpRE.MatchString(t) }

// graphql scrubs a GraphQL document's inline arguments and input-object
// fields: a literal under a secret name (password: "…", otp_code: 123456)
// wholly, any other string literal by shape. Variables travel in the
// "variables" object, scrubbed by walk.
func (s *Scrubber) graphql(q string) string {
	return graphqlArgRE.ReplaceAllStringFunc(q, func(m string) string {
		sub := graphqlArgRE.FindStringSubmatch(m)
		name, colon, lit := sub[1], sub[2], sub[3]
		secret := secretKey(name) || phoneKey(name)
		var out string
		switch {
		case strings.HasPrefix(lit, `"""`):
			body := lit[3 : len(lit)-3]
			if secret {
				out = `"""` + s.shaped(body) + `"""`
			} else {
				out = `"""` + s.text(body) + `"""`
			}
		case strings.HasPrefix(lit, `"`):
			var str string
			if json.Unmarshal([]byte(lit), &str) != nil {
				return m
			}
			ns := s.value(str, name)
			if secret {
				ns = s.secret(str)
			}
			if ns == str {
				return m
			}
			b, _ := json.Marshal(ns)
			out = string(b)
		default:
			if !secret || !plainNumber(lit) {
				return m
			}
			out = s.shaped(lit)
		}
		return name + colon + out
	})
}

var (
	htmlTagRE  = regexp.MustCompile(`(?is)<(?:input|meta)\b[^>]*>`)
	htmlAttrRE = regexp.MustCompile(`(?s)([A-Za-z_:][-A-Za-z0-9_:.]*)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>` + "`" + `]+)`)
)

// htmlLike reports whether a body is an HTML page or fragment with fields.
func htmlLike(mt, text string) bool {
	if mt == "text/html" || mt == "application/xhtml+xml" {
		return true
	}
	t := strings.ToLower(strings.TrimSpace(text))
	return strings.HasPrefix(t, "<") && (strings.Contains(t, "<input") || strings.Contains(t, "<meta") || strings.Contains(t, "<form"))
}

// html scrubs the values of hidden inputs and meta tags whose name says
// they hold a secret (csrf_token, authenticity_token, csrf-token), and of
// password inputs; then the whole text by shape.
func (s *Scrubber) html(text string) string {
	text = htmlTagRE.ReplaceAllStringFunc(text, func(tag string) string {
		attrs := map[string]string{}
		for _, m := range htmlAttrRE.FindAllStringSubmatch(tag, -1) {
			attrs[strings.ToLower(m[1])] = strings.Trim(m[3], `"'`)
		}
		name := attrs["name"]
		if name == "" {
			name = attrs["id"]
		}
		if name == "" {
			name = attrs["property"]
		}
		secret := secretKey(name) || strings.EqualFold(attrs["type"], "password")
		if !secret {
			return tag
		}
		return htmlAttrRE.ReplaceAllStringFunc(tag, func(a string) string {
			m := htmlAttrRE.FindStringSubmatch(a)
			if n := strings.ToLower(m[1]); n != "value" && n != "content" {
				return a
			}
			val, q := m[3], ""
			if len(val) > 1 && (val[0] == '"' || val[0] == '\'') {
				q, val = val[:1], val[1:len(val)-1]
			}
			return m[1] + m[2] + q + s.secret(val) + q
		})
	})
	return s.text(text)
}
