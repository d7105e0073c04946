package generate

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Placeholders: what a scrubbed value becomes, made once per original and
// reused everywhere (the mapping that keeps a rerun matching), and the
// index that finds an original again inside any later string.

// cardPlaceholder keeps the grouping and length of original: 4000…n with a
// valid check digit (a test-card shape that is no one's card).
func cardPlaceholder(original string, n int) string {
	norm := strings.ReplaceAll(original, "%20", "\x00")
	var digits int
	for _, r := range norm {
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
	for _, r := range norm {
		if r >= '0' && r <= '9' {
			b.WriteByte(body[i])
			i++
			continue
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(b.String(), "\x00", "%20")
}

// shapeLike is original with every letter and digit replaced, class for
// class, and n stamped into the last positions so that different
// originals get different placeholders: decimal into digit positions, then
// base 26 into letter positions (hex strings: base 16 into all of them).
func shapeLike(original string, n int) string {
	hex := isHex(original)
	out := []rune(original)
	var slots []int // positions n may be written into, in order
	li := 0
	for i, r := range out {
		switch {
		case hex && r >= '0' && r <= '9', hex && r >= 'a' && r <= 'f':
			out[i] = rune("deadbeef"[li%8])
			li++
		case hex && r >= 'A' && r <= 'F':
			out[i] = rune("DEADBEEF"[li%8])
			li++
		case r >= '0' && r <= '9' || unicode.IsDigit(r):
			out[i] = '5'
		case unicode.IsUpper(r):
			out[i] = unicode.ToUpper(rune("scrubbed"[li%8]))
			li++
		case unicode.IsLetter(r):
			out[i] = rune("scrubbed"[li%8])
			li++
		default:
			continue
		}
		slots = append(slots, i)
	}
	if hex {
		for k := len(slots) - 1; k >= 0 && n > 0; k-- {
			d := "0123456789abcdef"[n%16]
			if unicode.IsUpper(out[slots[k]]) {
				d = "0123456789ABCDEF"[n%16]
			}
			out[slots[k]] = rune(d)
			n /= 16
		}
		return string(out)
	}
	for k := len(slots) - 1; k >= 0 && n > 0; k-- {
		if i := slots[k]; out[i] == '5' {
			out[i] = rune('0' + n%10)
			n /= 10
		}
	}
	for k := len(slots) - 1; k >= 0 && n > 0; k-- {
		if i := slots[k]; out[i] != '5' && (out[i] < '0' || out[i] > '9') {
			c := rune('a' + n%26)
			if unicode.IsUpper(out[i]) {
				c = unicode.ToUpper(c)
			}
			out[i] = c
			n /= 26
		}
	}
	return string(out)
}

// emailPlaceholder is userN@example.com, its local part padded with x to
// the original's length when that is longer; at is how the original
// wrote the @ sign.
func emailPlaceholder(original, at string, n int) string {
	local := fmt.Sprintf("user%d", n)
	if pad := len(original) - len(local) - len(at) - len("example.com"); pad > 0 {
		local += strings.Repeat("x", pad)
	}
	return local + at + "example.com"
}

// jwtPlaceholder is an unsigned JWT naming no one, as long as the
// original when it can be: three segments, decodable, alg "none".
func jwtPlaceholder(original string, n int) string {
	enc := base64.RawURLEncoding.EncodeToString
	head := enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc([]byte(fmt.Sprintf(`{"sub":"scrubbed-%d"}`, n))) + "."
	sig := "c2NydWJiZWQ"
	if pad := len(original) - len(head) - len(sig); pad > 0 {
		sig += strings.Repeat("A", pad)
	}
	return head + sig
}

// placeholder returns the stable placeholder for original, built by mk
// from a number on first sight. Placeholders are unique: two originals
// never share one, so the mock never confuses two entities.
func (s *Scrubber) placeholder(kind, original string, mk func(n int) string) string {
	if p, ok := s.seen[original]; ok {
		return p
	}
	var p string
	for try := 0; ; try++ {
		s.counts[kind]++
		p = mk(s.counts[kind])
		if (!s.used[p] && p != original) || try > 1000 {
			break
		}
	}
	s.seen[original] = p
	s.seen[p] = p
	s.used[p] = true
	s.replaced++
	s.created++
	if tokenLike(original) {
		s.tokens[original] = p
		s.indexToken(original)
	}
	return p
}

// minExactLen is how long a scrubbed value must be for a string equal to
// it to be replaced wherever it appears: a short one ("1", "true") would
// hit unrelated values.
const minExactLen = 6

// minTokenLen is how long a scrubbed value must be for every later
// occurrence of it, inside any string, to be replaced too.
const minTokenLen = 8

// shaped replaces a secret value with a placeholder of its shape.
func (s *Scrubber) shaped(v string) string {
	return s.placeholder("secret", v, func(n int) string { return shapeLike(v, n) })
}

// known replaces every earlier-scrubbed token inside v, so a value
// scrubbed in one place (a reset token in a URL path) is replaced where it
// appears again (the same token in a JSON body, a link, a typed value).
// Tokens are indexed by their first minTokenLen bytes: one map lookup per
// position of v, however many tokens there are.
func (s *Scrubber) known(v string) string {
	if p, ok := s.seen[v]; ok && len(v) >= minExactLen {
		return p
	}
	if len(s.tokens) == 0 || len(v) < minTokenLen {
		return v
	}
	var b strings.Builder
	last := 0
	for i := 0; i+minTokenLen <= len(v); {
		cands := s.tokenIndex[v[i:i+minTokenLen]]
		hit := ""
		if i == 0 || !alnum(v[i-1]) {
			for _, c := range cands { // longest first, whole words only
				if strings.HasPrefix(v[i:], c) && (i+len(c) == len(v) || !alnum(v[i+len(c)])) {
					hit = c
					break
				}
			}
		}
		if hit == "" {
			i++
			continue
		}
		b.WriteString(v[last:i])
		b.WriteString(s.tokens[hit])
		i += len(hit)
		last = i
	}
	if last == 0 {
		return v
	}
	b.WriteString(v[last:])
	return b.String()
}

// alnum reports whether c is an ASCII letter or digit: a token found
// inside a longer word is not that token.
func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// tokenLike reports whether a scrubbed value is distinctive enough to be
// replaced wherever it appears: long, one word, and not a run of a few
// characters that placeholders and ordinary numbers are made of.
func tokenLike(v string) bool {
	if len(v) < minTokenLen || strings.ContainsAny(v, " \t\r\n") {
		return false
	}
	distinct := map[rune]bool{}
	for _, r := range v {
		distinct[r] = true
	}
	return len(distinct) >= 4
}

// indexToken makes original findable by known.
func (s *Scrubber) indexToken(original string) {
	k := original[:minTokenLen]
	list := append(s.tokenIndex[k], original)
	slices.SortFunc(list, func(a, b string) int { return len(b) - len(a) })
	s.tokenIndex[k] = list
}
