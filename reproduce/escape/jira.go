package escape

import (
	"fmt"
	"strings"
)

// JiraText is s as inert Jira wiki markup (Jira Data Center and the v2
// REST API's comment bodies): it renders as the characters of s and
// nothing else.
//
//   - Invisible characters are shown as escapes (\n, \x1b, \u202e), so
//     recorded text cannot start a line: no heading (h1.), list, quote
//     (bq.), table row or rule.
//   - Every ASCII punctuation mark with a wiki meaning is backslash-escaped,
//     so links and mentions ([x|y], [~user]), images (!x.png!), macros
//     ({code}, {color}), text effects (*_-+^~??) and tables (|) are inert.
//   - Jira turns a bare URL (http://…, mailto:…) into a link even when its
//     characters are escaped, so ":" is written as the entity &#58; and
//     "@" as &#64;: no scheme, so no link, and no address either. "&" and
//     "\" themselves become &#38; and &#92;, so recorded text cannot write
//     an entity or undo an escape.
func JiraText(s string) string {
	s = showInvisible(s, nil)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			b.WriteString("&#58;")
		case c == '@':
			b.WriteString("&#64;")
		case c == '&':
			b.WriteString("&#38;")
		case c == '\\':
			b.WriteString("&#92;")
		case jiraPunct(c):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// jiraPunct reports whether c has a meaning somewhere in Jira wiki markup.
func jiraPunct(c byte) bool {
	return strings.IndexByte("!#$*+-[]^_`{|}~?()<>=", c) >= 0
}

// JiraFragment is Jira wiki markup made by an escaper of this package
// (JiraMonospace, JiraLines); the Jira builder writes it as it is.
type JiraFragment struct{ wiki string }

// String returns the fragment's markup.
func (f JiraFragment) String() string { return f.wiki }

// JiraMonospace is s as inert text in a {{monospace}} span.
func JiraMonospace(s string) JiraFragment {
	if s == "" {
		return JiraFragment{"{{ }}"}
	}
	return JiraFragment{"{{" + JiraText(s) + "}}"}
}

// JiraLines is multi-line text (the escalation story) as inert lines: each
// line is JiraText, ended by a newline. A {noformat} block would be
// shorter, but recorded text could close it; escaped lines cannot.
func JiraLines(s string) JiraFragment {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			b.WriteString("\n")
			continue
		}
		// A leading space would be lost; a non-breaking one keeps the indent.
		trimmed := strings.TrimLeft(line, " ")
		b.WriteString(strings.Repeat("\u00a0", len(line)-len(trimmed)))
		b.WriteString(JiraText(trimmed) + "\n")
	}
	return JiraFragment{b.String()}
}

// Jira builds a Jira wiki-markup document in which every value is inert
// text. The zero value is ready to use.
type Jira struct{ b strings.Builder }

// Printf appends format with args. format is the document's markup and
// must be a constant. Each argument is written as JiraText unless it is a
// JiraFragment (written as it is) or a number or boolean.
func (j *Jira) Printf(format constant, args ...any) {
	j.b.WriteString(fmt.Sprintf(string(format), escapeArgs(args, JiraText, func(a any) (string, bool) {
		if f, ok := a.(JiraFragment); ok {
			return f.wiki, true
		}
		return "", false
	})...))
}

// String returns the document.
func (j *Jira) String() string { return j.b.String() }
