// Package escapetest checks rendered output the way an attacker's payload
// would be judged: does a terminal obey anything in it, does Markdown turn
// anything in it into a link, an image, a mention or HTML. Its rules are
// written independently of package escape, so a test that uses them
// checks the escapers rather than repeating them.
package escapetest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Unsafe reports whether r must not appear raw in terminal text, Go source
// comments or Markdown: a control character, a line or paragraph separator,
// or a bidi control.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// TerminalProblems lists the raw control characters, bidi controls and
// invalid bytes in s, other than newline and tab (the only ones a
// renderer's own layout uses).
func TerminalProblems(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			out = append(out, fmt.Sprintf("invalid byte %#x at %d (%s)", s[i], i, around(s, i)))
		case r != '\n' && r != '\t' && Unsafe(r):
			out = append(out, fmt.Sprintf("raw %U at %d (%s)", r, i, around(s, i)))
		}
		i += size
	}
	return out
}

func around(s string, i int) string {
	lo, hi := max(0, i-30), min(len(s), i+30)
	return fmt.Sprintf("%q", s[lo:hi])
}

// Markdown is a Markdown document split the way a CommonMark renderer
// splits it: the contents of its fenced code blocks and everything else.
type Markdown struct {
	// Fences are the fenced code blocks' contents, in order.
	Fences []string
	// AfterFence is the first line after each fence's closing line.
	AfterFence []string
	// Problems are live syntax outside code: links, images, autolinks,
	// mentions, issue references, raw HTML (but the allowed tags),
	// entities, raw control characters, table rows with extra cells, and
	// a fence left open.
	Problems []string
}

// ParseMarkdown splits doc into its fenced code blocks and checks the rest
// for live syntax. allowedTags are the HTML tags the renderer writes itself
// (e.g. "details", "summary").
func ParseMarkdown(doc string, allowedTags ...string) Markdown {
	var md Markdown
	problem := func(line int, format string, args ...any) {
		md.Problems = append(md.Problems, fmt.Sprintf("line %d: ", line+1)+fmt.Sprintf(format, args...))
	}
	lines := strings.Split(doc, "\n")
	var fence string // the open fence's run, "" outside
	var body []string
	tableCells := -1
	for n, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		if fence != "" {
			run := leadingRun(trimmed, fence[0])
			if indent <= 3 && run >= len(fence) && strings.TrimSpace(trimmed[run:]) == "" {
				md.Fences = append(md.Fences, strings.Join(body, "\n"))
				if n+1 < len(lines) {
					md.AfterFence = append(md.AfterFence, lines[n+1])
				} else {
					md.AfterFence = append(md.AfterFence, "")
				}
				fence, body = "", nil
				continue
			}
			body = append(body, line)
			continue
		}
		if indent <= 3 {
			for _, c := range []byte{'`', '~'} {
				if run := leadingRun(trimmed, c); run >= 3 && (c == '~' || !strings.Contains(trimmed[run:], "`")) {
					fence = trimmed[:run]
				}
			}
			if fence != "" {
				continue
			}
		}
		for _, p := range TerminalProblems(line) {
			problem(n, "%s", p)
		}
		cells := checkInline(line, allowedTags, func(format string, args ...any) { problem(n, format, args...) })
		if strings.HasPrefix(trimmed, "|") {
			if tableCells < 0 {
				tableCells = cells
			} else if cells != tableCells {
				problem(n, "table row has %d cell separators, the header %d: a value split a cell", cells, tableCells)
			}
		} else {
			tableCells = -1
		}
	}
	if fence != "" {
		md.Problems = append(md.Problems, "a fenced code block is never closed: everything after its opening is code")
	}
	return md
}

func leadingRun(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

func isPunct(c byte) bool { return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0 }

func isWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// checkInline reports live inline syntax in one line outside code spans
// and returns the number of unescaped "|" (GFM splits table cells at them,
// inside code spans too).
func checkInline(line string, allowedTags []string, problem func(string, ...any)) int {
	pipes := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && isPunct(line[i+1]):
			i++ // an escaped character is text
		case c == '`':
			run := leadingRun(line[i:], '`')
			closeAt := findRun(line, i+run, run)
			if closeAt < 0 {
				i += run - 1 // an unmatched run is literal text
				continue
			}
			pipes += strings.Count(strings.ReplaceAll(line[i+run:closeAt], `\|`, ""), "|")
			i = closeAt + run - 1
		case c == '|':
			pipes++
		case c == '[' || c == ']':
			problem("live %q: link or image syntax (%s)", c, around(line, i))
		case c == '<':
			if i+1 < len(line) && (isAlpha(line[i+1]) || line[i+1] == '/' || line[i+1] == '!' || line[i+1] == '?') {
				tag := strings.TrimPrefix(line[i+1:], "/")
				end := strings.IndexAny(tag, " >/")
				if end < 0 || !contains(allowedTags, strings.ToLower(tag[:end])) || strings.Contains(tag[:strings.IndexByte(tag+">", '>')], ":") {
					problem("live HTML or autolink (%s)", around(line, i))
				}
			}
		case c == '&':
			j := i + 1
			for j < len(line) && (isWord(line[j]) || line[j] == '#') {
				j++
			}
			if j > i+1 && j < len(line) && line[j] == ';' {
				problem("live entity %q", line[i:j+1])
			}
		case c == ':' && strings.HasPrefix(line[i:], "://") && i > 0 && isAlpha(line[i-1]):
			problem("live URL, GFM autolinks it (%s)", around(line, i))
		case c == 'w' && strings.HasPrefix(line[i:], "www.") && (i == 0 || !isWord(line[i-1])):
			problem("live www. autolink (%s)", around(line, i))
		case c == '@' && i+1 < len(line) && isWord(line[i+1]):
			if i > 0 && isWord(line[i-1]) {
				problem("live email autolink (%s)", around(line, i))
			} else {
				problem("live mention (%s)", around(line, i))
			}
		case c == '#' && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9' && (i == 0 || !isWord(line[i-1])):
			problem("live issue reference (%s)", around(line, i))
		}
	}
	return pipes
}

// findRun finds the next run of exactly n backticks at or after from.
func findRun(s string, from, n int) int {
	for i := from; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		run := leadingRun(s[i:], '`')
		if run == n {
			return i
		}
		i += run
	}
	return -1
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
