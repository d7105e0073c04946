package escape

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// invisible reports whether r must not reach an output raw: a terminal
// obeys C0 and C1 control characters (ESC, BEL, CSI 0x9B, …), editors and
// browsers break lines at U+2028/U+2029/U+0085, and bidi controls, zero-width
// characters, the byte-order mark and Unicode tag characters make text read
// differently from what it is (Trojan Source, CVE-2021-42574).
func invisible(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1 (U+0085 NEL among them)
		return true
	case r == 0x061c: // ARABIC LETTER MARK
		return true
	case r == 0x200b, r == 0x200e, r == 0x200f: // ZERO WIDTH SPACE, LRM, RLM
		return true
	case r >= 0x2028 && r <= 0x202e: // LINE/PARAGRAPH SEPARATOR, LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2060 && r <= 0x2069: // WORD JOINER, invisible operators, LRI, RLI, FSI, PDI
		return true
	case r == 0xfeff: // BYTE ORDER MARK / ZERO WIDTH NO-BREAK SPACE
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tag characters: invisible ASCII
		return true
	}
	return false
}

// visibleRune is the escape that shows r: \n, \r, \t and \xNN for C0,
// \uXXXX (or \UXXXXXXXX) for the rest. The \u forms are valid JSON string
// escapes of the same character, so TerminalWriter keeps JSON valid.
func visibleRune(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	if r < 0x20 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	if r > 0xffff {
		return fmt.Sprintf(`\U%08x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// showInvisible replaces every invisible rune of s, except those keep
// allows, by its visible escape, and every byte that is not valid UTF-8 by
// \xNN (a lone 0x9B is CSI to an 8-bit terminal).
func showInvisible(s string, keep func(rune) bool) string {
	if clean(s, keep) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case invisible(r) && (keep == nil || !keep(r)):
			b.WriteString(visibleRune(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// clean reports whether showInvisible would return s unchanged.
func clean(s string, keep func(rune) bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || (invisible(r) && (keep == nil || !keep(r))) {
			return false
		}
		i += size
	}
	return true
}

func isTab(r rune) bool { return r == '\t' }
