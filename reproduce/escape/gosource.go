package escape

import (
	"go/token"
	"strconv"
	"strings"
)

// GoString is s as a Go string literal: strconv.Quote's, so control
// characters, line breaks, bidi controls and invalid UTF-8 are escapes.
// A string of printable ASCII that holds a double quote and no backquote is
// written as a raw `...` literal instead, which reads better and is just as
// exact: every byte of it is a printable ASCII character that means itself.
func GoString(s string) string {
	if strings.Contains(s, `"`) && !strings.Contains(s, "`") && printableASCII(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// GoComment is s made safe as the text of a // comment: no character ends
// the line (\n, \r, U+2028, U+2029, U+0085 are shown as escapes), no control
// character, bidi control or invalid byte (all shown as \xNN or \uXXXX), no
// "*/" (written "*\/", so the text is safe in a /* */ comment too), and it
// cannot start a legacy "+build" constraint line.
func GoComment(s string) string {
	s = showInvisible(s, nil)
	s = strings.ReplaceAll(s, "*/", `*\/`)
	if t := strings.TrimLeft(s, " "); strings.HasPrefix(t, "+build") {
		s = s[:len(s)-len(t)] + `\` + t
	}
	return s
}

// GoIdent derives a Go identifier from s: it keeps ASCII letters, digits
// and underscores and drops everything else. An empty result becomes
// fallback (itself made an identifier, "x" if that is empty too); one that
// starts with a digit gets a leading underscore; a keyword gets a trailing
// one. The result is always a valid, non-keyword identifier.
func GoIdent(s, fallback string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	id := b.String()
	if id == "" {
		if fallback == "" || fallback == s {
			return "x"
		}
		return GoIdent(fallback, "x")
	}
	if id[0] >= '0' && id[0] <= '9' {
		id = "_" + id
	}
	if token.IsKeyword(id) {
		id += "_"
	}
	return id
}
