package replay

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// A recording is validated and decoded by hand rather than by
// encoding/json: json.Valid and json.Unmarshal walk every byte through a
// per-byte state function, and decoding into generic values or
// json.RawMessage fields re-walks nested values once per level. Here each
// event is walked once to validate it (finding its top-level members on the
// way), and the parts the timeline needs are then read in place, with the
// same results encoding/json gives: member names match exactly or
// case-insensitively, the last duplicate wins, null leaves a value unset,
// and a value of the wrong JSON type is an error for its struct.

// field is one member of a JSON object: its name's bytes (inside the
// quotes, still escaped) and its value's bytes.
type field struct{ k0, k1, v0, v1 int }

// scanner validates JSON values; it keeps its scratch space between calls.
type scanner struct {
	stack  []byte
	fields []field // the top-level members of the last object scanned
	valid  bool    // the last value scanned was valid JSON
	// off is where the last value scanned began in its input, when a
	// jsonStream scanned it.
	off int64
}

const (
	stValue      = iota // a value must come
	stFirstValue        // a value or ']' (just after '[')
	stFirstKey          // a name or '}' (just after '{')
	stKey               // a name must come
	stColon             // ':' must come
	stAfterValue        // ',' or the container's end must come
)

// strSpecial marks the bytes a string scan stops at.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return
}()

func isSpace(c byte) bool {
	return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r') // one comparison for any other byte
}

// scan validates the JSON value at the start of b (b[0] is not a space)
// and returns its length. more says b ended inside the value and more input
// may follow (eof false). Nesting deeper than maxDepth is a LimitError
// naming where. When the value is an object, s.fields lists its members.
func (s *scanner) scan(b []byte, eof bool, where string) (n int, more bool, err error) {
	s.stack = s.stack[:0]
	s.fields = s.fields[:0]
	s.valid = false
	object := len(b) > 0 && b[0] == '{'
	i, state := 0, stValue
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			if !eof {
				return 0, true, nil
			}
			return 0, false, io.ErrUnexpectedEOF
		}
		c := b[i]
		switch state {
		case stColon:
			if c != ':' {
				return 0, false, s.syntax(b, i, eof)
			}
			i++
			state = stValue
			continue
		case stAfterValue:
			top := s.stack[len(s.stack)-1]
			switch {
			case c == ',':
				i++
				if top == '{' {
					state = stKey
				} else {
					state = stValue
				}
				continue
			case c == '}' && top == '{', c == ']' && top == '[':
				i++
				s.stack = s.stack[:len(s.stack)-1]
			default:
				return 0, false, s.syntax(b, i, eof)
			}
		case stFirstKey, stKey:
			if c == '}' && state == stFirstKey {
				i++
				s.stack = s.stack[:len(s.stack)-1]
				break
			}
			if c != '"' {
				return 0, false, s.syntax(b, i, eof)
			}
			end, more, ok := scanString(b, i)
			if more && !eof {
				return 0, true, nil
			}
			if !ok || more {
				return 0, false, s.syntax(b, end, eof)
			}
			if object && len(s.stack) == 1 {
				s.fields = append(s.fields, field{k0: i + 1, k1: end - 1})
			}
			i = end
			state = stColon
			continue
		case stFirstValue, stValue:
			if c == ']' && state == stFirstValue {
				i++
				s.stack = s.stack[:len(s.stack)-1]
				break
			}
			if object && len(s.stack) == 1 {
				s.fields[len(s.fields)-1].v0 = i
			}
			switch {
			case c == '{' || c == '[':
				if len(s.stack) >= maxDepth {
					return 0, false, &LimitError{Limit: LimitDepth, Max: maxDepth, Where: where}
				}
				s.stack = append(s.stack, c)
				i++
				if c == '{' {
					state = stFirstKey
				} else {
					state = stFirstValue
				}
				continue
			case c == '"':
				end, more, ok := scanString(b, i)
				if more && !eof {
					return 0, true, nil
				}
				if !ok || more {
					return 0, false, s.syntax(b, end, eof)
				}
				i = end
			case c == 't' || c == 'f' || c == 'n':
				lit := "null"
				if c == 't' {
					lit = "true"
				} else if c == 'f' {
					lit = "false"
				}
				rest := b[i:]
				if len(rest) < len(lit) {
					if !eof && string(rest) == lit[:len(rest)] {
						return 0, true, nil
					}
					return 0, false, s.syntax(b, i, eof)
				}
				if string(rest[:len(lit)]) != lit {
					return 0, false, s.syntax(b, i, eof)
				}
				i += len(lit)
			case c == '-' || c >= '0' && c <= '9':
				end, ok := scanNumber(b, i)
				if end == len(b) && !eof {
					return 0, true, nil
				}
				if !ok {
					return 0, false, s.syntax(b, end, eof)
				}
				i = end
			default:
				return 0, false, s.syntax(b, i, eof)
			}
		}
		// A value ended at i.
		if len(s.stack) == 0 {
			s.valid = true
			return i, false, nil
		}
		if object && len(s.stack) == 1 {
			s.fields[len(s.fields)-1].v1 = i
		}
		state = stAfterValue
	}
}

// syntax describes the invalid JSON at or before b[i] in encoding/json's
// words.
func (s *scanner) syntax(b []byte, i int, eof bool) error {
	if i >= len(b) && eof {
		return io.ErrUnexpectedEOF
	}
	var v any
	if err := json.Unmarshal(b[:min(len(b), i+1)], &v); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && err.Error() != "unexpected end of JSON input" {
		return err
	}
	return fmt.Errorf("invalid JSON at byte %d", i)
}

// scanString returns the end (past the closing quote) of the string at
// b[i]; more says b ended inside it, ok false that it is invalid (a control
// character, a bad escape).
func scanString(b []byte, i int) (end int, more, ok bool) {
	i++
	for {
		for i+8 <= len(b) && !special8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) && !strSpecial[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, true, false
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, false, true
		case c == '\\':
			if i+1 >= len(b) {
				return i, true, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(b) {
						return i + k, true, false
					}
					if !isHex(b[i+k]) {
						return i + k, false, false
					}
				}
				i += 6
			default:
				return i + 1, false, false
			}
		default:
			return i, false, false
		}
	}
}

// special8 reports whether any of the 8 bytes in x is a quote, a
// backslash or a control character (the bytes a string scan stops at).
func special8(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q, bs := x^(lo*'"'), x^(lo*'\\')
	return ((q-lo)&^q|(bs-lo)&^bs|(x-lo*0x20)&^x)&hi != 0
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// scanNumber returns the end of the number at b[i] and whether it is a
// JSON number.
func scanNumber(b []byte, i int) (int, bool) {
	digits := func() int {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - s
	}
	if b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, false
		}
	}
	return i, true
}

// skipValue returns the end of the (valid) JSON value at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		end, _, _ := scanString(b, i)
		return end
	case '{', '[':
		depth := 0
		for i < len(b) {
			c := b[i]
			switch {
			case c == '"':
				i, _, _ = scanString(b, i)
				continue
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && !endsValue(b[i]) {
		i++
	}
	return i
}

// nameIs reports whether a member name (escaped bytes inside the quotes)
// is name as encoding/json matches struct fields: exactly, else ignoring
// case.
func nameIs(raw []byte, name string) bool {
	if string(raw) == name {
		return true
	}
	if len(raw) == len(name) {
		for i := 0; i < len(raw); i++ {
			a, b := raw[i], name[i]
			if a == b {
				continue
			}
			if a >= utf8.RuneSelf || a == '\\' {
				return nameFolds(raw, name)
			}
			if a|0x20 != b|0x20 || a|0x20 < 'a' || a|0x20 > 'z' {
				return false
			}
		}
		return true
	}
	// Lengths differ: only an escape or a non-ASCII fold (K, ſ) can match,
	// and each of name's (ASCII) bytes then takes one to six of raw's.
	if len(raw) < len(name) || len(raw) > 6*len(name) {
		return false
	}
	for _, c := range raw {
		if c >= utf8.RuneSelf || c == '\\' {
			return nameFolds(raw, name)
		}
	}
	return false
}

// nameFolds is nameIs the slow way: unescaped, then Unicode case folding.
func nameFolds(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') >= 0 {
		s, ok := unquote(raw)
		return ok && (s == name || bytes.EqualFold([]byte(s), []byte(name)))
	}
	return bytes.EqualFold(raw, []byte(name))
}

// nameExactly reports whether a member name is name once unescaped (how
// a map key matches).
func nameExactly(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name
	}
	s, ok := unquote(raw)
	return ok && s == name
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// unquote decodes the bytes inside a JSON string's quotes as
// encoding/json does (invalid UTF-8 and lone surrogates become U+FFFD).
func unquote(raw []byte) (string, bool) {
	var s string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if json.Unmarshal(q, &s) != nil {
		return "", false
	}
	return s, true
}

// cursor reads a JSON value that was validated already, in place. It never
// panics on bytes that are not JSON: it stops and reads as an error.
type cursor struct {
	b   []byte
	i   int
	in  *interner
	bad bool // a value had the wrong JSON type for where it was read
}

func (c *cursor) ws() {
	for c.i < len(c.b) && isSpace(c.b[c.i]) {
		c.i++
	}
}

// peek returns the first byte of the next value ('{', '[', '"', 't', 'f',
// 'n', or a number's first byte; 0 at the end).
func (c *cursor) peek() byte {
	c.ws()
	if c.i >= len(c.b) {
		return 0
	}
	return c.b[c.i]
}

// skip passes over the next value.
func (c *cursor) skip() {
	c.ws()
	c.i = skipValue(c.b, c.i)
}

// raw returns the next value's bytes.
func (c *cursor) raw() []byte {
	c.ws()
	s := c.i
	c.i = skipValue(c.b, c.i)
	return c.b[s:c.i]
}

// open enters the object or array that comes next, reporting whether it
// is one (open==c.peek()); anything else is skipped.
func (c *cursor) open(kind byte) bool {
	if c.peek() != kind {
		c.skip()
		return false
	}
	c.i++
	return true
}

// mname is a member's name as read: its bytes inside the quotes, and
// whether they are plain (ASCII, no escape), which no other spelling of
// an ASCII name can be compared to but byte for byte, ignoring case.
type mname struct {
	b     []byte
	plain bool
}

// is reports whether the member's name is name (ASCII) as encoding/json
// matches struct fields: exactly, else ignoring case (see nameIs).
func (n mname) is(name string) bool {
	if len(n.b) == len(name) && string(n.b) == name {
		return true
	}
	if n.plain {
		return len(n.b) == len(name) && asciiFold(n.b, name)
	}
	return nameIs(n.b, name)
}

// asciiFold reports whether ASCII a and name are equal ignoring case.
func asciiFold(a []byte, name string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], name[i]
		if x != y && (x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z') {
			return false
		}
	}
	return true
}

// member moves to the next member of the object entered and returns its
// name; false at the object's end.
func (c *cursor) member() (mname, bool) {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ',' {
		c.i++
		c.ws()
	}
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		if c.i < len(c.b) {
			c.i++ // '}'
		}
		return mname{}, false
	}
	end, _, _ := scanString(c.b, c.i)
	name := mname{b: c.b[c.i+1 : max(c.i+1, end-1)], plain: true}
	for _, ch := range name.b {
		if ch >= utf8.RuneSelf || ch == '\\' {
			name.plain = false
			break
		}
	}
	c.i = end
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ':' {
		c.i++
	}
	return name, true
}

// elem moves to the next element of the array entered; false at its end.
func (c *cursor) elem() bool {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ',' {
		c.i++
		c.ws()
	}
	if c.i >= len(c.b) || c.b[c.i] == ']' {
		c.i++
		return false
	}
	return true
}

// str reads a string into *dst (interned); null leaves it; another type
// marks the cursor bad.
func (c *cursor) str(dst *string) {
	s, ok, null := c.strValue()
	if ok {
		*dst = s
	} else if !null {
		c.bad = true
	}
}

// strPtr reads a string into *dst; null makes it nil.
func (c *cursor) strPtr(dst **string) {
	s, ok, null := c.strValue()
	switch {
	case ok:
		*dst = &s
	case null:
		*dst = nil
	default:
		c.bad = true
	}
}

// strValue reads the next value as a string.
func (c *cursor) strValue() (s string, ok, null bool) {
	switch c.peek() {
	case '"':
		end, _, _ := scanString(c.b, c.i)
		raw := c.b[c.i+1 : max(c.i+1, end-1)]
		c.i = end
		return c.in.decode(raw), true, false
	case 'n':
		c.skip()
		return "", false, true
	}
	c.skip()
	return "", false, false
}

// number returns the next value's literal when it is a number.
func (c *cursor) number() (lit []byte, ok, null bool) {
	switch p := c.peek(); {
	case p == '-' || p >= '0' && p <= '9':
		return c.raw(), true, false
	case p == 'n':
		c.skip()
		return nil, false, true
	}
	c.skip()
	return nil, false, false
}

// intValue reads an int as encoding/json does: a number without fraction
// or exponent that fits.
func (c *cursor) intValue() (v int, ok, null bool) {
	// Fast path: up to 18 digits, optionally negative, followed by what
	// ends a value (nearly every id and type): what number and ParseInt
	// would give.
	c.ws()
	i, neg := c.i, false
	if i < len(c.b) && c.b[i] == '-' {
		i, neg = i+1, true
	}
	d0 := i
	for i < len(c.b) && i-d0 < 19 && c.b[i] >= '0' && c.b[i] <= '9' {
		v = v*10 + int(c.b[i]-'0')
		i++
	}
	if n := i - d0; n > 0 && n <= 18 && (i == len(c.b) || endsValue(c.b[i])) {
		c.i = i
		if neg {
			v = -v
		}
		return v, true, false
	}
	v = 0
	lit, ok, null := c.number()
	if !ok {
		return 0, false, null
	}
	n, err := strconv.ParseInt(string(lit), 10, 64)
	if err != nil {
		return 0, false, false
	}
	return int(n), true, false
}

// endsValue reports whether c ends a number or literal (where skipValue
// stops).
func endsValue(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// int reads an int into *dst; null leaves it.
func (c *cursor) int(dst *int) {
	v, ok, null := c.intValue()
	if ok {
		*dst = v
	} else if !null {
		c.bad = true
	}
}

// intPtr reads an int into *dst; null makes it nil.
func (c *cursor) intPtr(dst **int) {
	v, ok, null := c.intValue()
	switch {
	case ok:
		*dst = &v
	case null:
		*dst = nil
	default:
		c.bad = true
	}
}

// floatValue reads a float64 as encoding/json does.
func (c *cursor) floatValue() (v float64, ok, null bool) {
	lit, ok, null := c.number()
	if !ok {
		return 0, false, null
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return 0, false, false
	}
	return f, true, false
}

// float reads a float64 into *dst; null leaves it.
func (c *cursor) float(dst *float64) {
	v, ok, null := c.floatValue()
	if ok {
		*dst = v
	} else if !null {
		c.bad = true
	}
}

// floatPtr reads a float64 into *dst; null makes it nil.
func (c *cursor) floatPtr(dst **float64) {
	v, ok, null := c.floatValue()
	switch {
	case ok:
		*dst = &v
	case null:
		*dst = nil
	default:
		c.bad = true
	}
}

// boolPtr reads a bool into *dst; null makes it nil.
func (c *cursor) boolPtr(dst **bool) {
	switch c.peek() {
	case 't', 'f':
		v := c.b[c.i] == 't'
		c.skip()
		*dst = &v
	case 'n':
		c.skip()
		*dst = nil
	default:
		c.skip()
		c.bad = true
	}
}

// interner shares the strings of a recording: the same tag, attribute and
// text recur in every snapshot and mutation, and one copy serves them all.
// Strings longer than internMax are copied (they are rarely repeated), and
// the table starts afresh past internCap bytes so a recording of unique
// texts cannot make it grow without bound.
type interner struct {
	m     map[string]string
	bytes int
}

const (
	internMax = 1 << 10
	internCap = 16 << 20
)

// intern returns b as a shared string.
func (in *interner) intern(b []byte) string {
	if in == nil || len(b) > internMax {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	if in.m == nil || in.bytes > internCap {
		in.m, in.bytes = make(map[string]string, 1024), 0
	}
	s := string(b)
	in.m[s] = s
	in.bytes += len(s)
	return s
}

// decode unescapes the bytes inside a JSON string's quotes, interned.
func (in *interner) decode(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 && (isASCII(raw) || utf8.Valid(raw)) {
		return in.intern(raw)
	}
	s, _ := unquote(raw)
	return in.intern([]byte(s))
}

// trimSpace trims JSON's whitespace (space, tab, CR, LF; not the other
// spaces bytes.TrimSpace knows) from both ends of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
