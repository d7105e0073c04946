package escape

import (
	"fmt"
	"strings"
)

// MarkdownText is s as inert Markdown text (CommonMark and GitHub-flavoured):
// it renders as the characters of s and nothing else.
//
//   - Invisible characters are shown as escapes (\n, \x1b, \u202e), so
//     recorded text cannot break a line, a table row or a block.
//   - ASCII punctuation with a Markdown meaning is backslash-escaped, so
//     emphasis, code, links ([x](y)), images (![x](y)), autolinks (<…>),
//     raw HTML (<img …>), entities (&amp;), tables (|), strikethrough (~),
//     math ($), headings, lists and quotes are inert; escaping ":" and "."
//     also stops GFM's extended autolinks (http://…, www.…, a@b.co).
//   - @mentions and #issue references survive backslashes (GitHub finds
//     them in the rendered text), so a word starting with @ or # is put in
//     a code span, where they are not looked for: `@user`, `#123`.
func MarkdownText(s string) string {
	s = showInvisible(s, nil)
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); {
		c := s[i]
		if (c == '@' || c == '#') && (i == 0 || !isWordByte(s[i-1])) && i+1 < len(s) && isWordByte(s[i+1]) {
			j := i + 1
			for j < len(s) && (isWordByte(s[j]) || s[j] == '-') {
				j++
			}
			b.WriteString("`" + s[i:j] + "`")
			i = j
			continue
		}
		if markdownPunct(c) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// markdownPunct reports whether c is ASCII punctuation that MarkdownText
// escapes: all of it (CommonMark lets any be escaped) but the few that
// mean nothing in any position: " ' , ; ? / % =.
func markdownPunct(c byte) bool {
	return strings.IndexByte("!#$&()*+-.:<>@[\\]^_`{|}~", c) >= 0
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Fragment is Markdown made by an escaper of this package (Code,
// CodeBlock): a Markdown builder writes it as it is. Its field is
// unexported, so no other package can make one from raw text.
type Fragment struct{ md string }

// String returns the fragment's Markdown.
func (f Fragment) String() string { return f.md }

// Code is s as an inline code span: delimited by a backtick run longer
// than any inside s, padded with a space when s starts or ends with a
// backtick or a space (CommonMark strips exactly one space each side), and
// with invisible characters shown as escapes. Inside a code span nothing
// is a link, a mention, HTML or an entity. Not for a GFM table cell: a "|"
// there splits the cell even inside a code span; write the cell as text.
func Code(s string) Fragment {
	s = showInvisible(s, nil)
	if s == "" {
		return Fragment{"` `"}
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.Trim(s, " ") != "" && (s[0] == '`' || s[0] == ' ' || s[len(s)-1] == '`' || s[len(s)-1] == ' ') {
		s = " " + s + " "
	}
	return Fragment{fence + s + fence}
}

// CodeBlock is s as a fenced code block ending in a newline: the fence is
// a backtick run of at least three, longer than any in s, so no line of s
// can close it; control characters other than newline and tab (a carriage
// return would end a line too) and bidi controls are shown as escapes.
func CodeBlock(s string) Fragment {
	s = showInvisible(s, func(r rune) bool { return r == '\n' || r == '\t' })
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return Fragment{fence + "\n" + s + fence + "\n"}
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// Markdown builds a Markdown document in which every value is inert text.
// The zero value is ready to use.
type Markdown struct{ b strings.Builder }

// Printf appends format with args. format is the document's markup and
// must be a constant. Each argument is written as MarkdownText unless it
// is a Fragment (written as it is) or a number or boolean.
func (m *Markdown) Printf(format constant, args ...any) {
	m.b.WriteString(fmt.Sprintf(string(format), escapeArgs(args, MarkdownText, fragmentMarkdown)...))
}

func fragmentMarkdown(a any) (string, bool) {
	if f, ok := a.(Fragment); ok {
		return f.md, true
	}
	return "", false
}

// String returns the document.
func (m *Markdown) String() string { return m.b.String() }
