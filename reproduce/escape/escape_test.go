package escape_test

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/escape/escapetest"
)

// TestGoStringIsTheSameStringInOneLiteral: every payload becomes one Go
// string literal that means exactly the payload, with nothing raw that an
// editor or terminal shows differently.
func TestGoStringIsTheSameStringInOneLiteral(t *testing.T) {
	extra := []escapetest.Payload{{Name: "plain", S: "open-chat"}, {Name: "quotes", S: `[data-testid="x"]`}, {Name: "empty", S: ""}, {Name: "unicode", S: "café ☕"}}
	for _, p := range append(extra, escapetest.Payloads...) {
		t.Run(p.Name, func(t *testing.T) {
			lit := escape.GoString(p.S)
			got, err := strconv.Unquote(lit)
			require.NoError(t, err, lit)
			assert.Equal(t, p.S, got)
			assert.Empty(t, escapetest.TerminalProblems(lit), lit)
			expr, err := parser.ParseExpr(lit)
			require.NoError(t, err)
			assert.IsType(t, &ast.BasicLit{}, expr)
		})
	}
	assert.Equal(t, "`[data-testid=\"x\"]`", escape.GoString(`[data-testid="x"]`), "printable ASCII with quotes reads better raw")
	assert.Equal(t, `"a\u202eb"`, escape.GoString("a\u202eb"), "a bidi control is an escape, never raw")
}

// TestGoCommentStaysOneComment: whatever the text, the comment is one line
// and a file holding it has exactly the declarations it had without it.
func TestGoCommentStaysOneComment(t *testing.T) {
	for _, p := range escapetest.Payloads {
		t.Run(p.Name, func(t *testing.T) {
			c := escape.GoComment(p.S)
			assert.NotContains(t, c, "*/")
			assert.Empty(t, escapetest.TerminalProblems(strings.ReplaceAll(c, "\t", " ")))
			for _, form := range []string{"// " + c, "/* " + c + " */"} {
				src := "package p\n\n" + form + "\nvar x = 1\n"
				f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, parser.ParseComments)
				require.NoError(t, err, src)
				assert.Len(t, f.Decls, 1, src)
				assert.Len(t, f.Comments, 1, src)
			}
		})
	}
	assert.Equal(t, `a\nb\x1b*\/c\u202e`, escape.GoComment("a\nb\x1b*/c\u202e"))
	assert.Equal(t, `\+build ignore`, escape.GoComment("+build ignore"), "no legacy build constraint")
}

func TestGoIdentIsAlwaysAnIdentifier(t *testing.T) {
	cases := []struct{ in, fallback, want string }{
		{"GenerateButton", "x", "GenerateButton"},
		{"open-chat", "x", "openchat"},
		{"shot-42\nos.WriteFile(\"PWNED\")", "x", "shot42osWriteFilePWNED"},
		{"42abc", "x", "_42abc"},
		{"func", "x", "func_"},
		{"", "Session", "Session"},
		{"☕→", "", "x"},
		{"☕", "-", "x"},
		{"ŝhot", "x", "hot"},
	}
	for _, tc := range cases {
		got := escape.GoIdent(tc.in, tc.fallback)
		assert.Equal(t, tc.want, got, "%q", tc.in)
		assert.True(t, token.IsIdentifier(got), got)
	}
}

// TestTerminalShowsEveryControlSequence: a title change, a screen clear, a
// disguised hyperlink, an 8-bit CSI and bidi controls all arrive as text.
func TestTerminalShowsEveryControlSequence(t *testing.T) {
	cases := []struct{ in, want string }{
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"\x1b[2J", `\x1b[2J`},
		{"\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\", `\x1b]8;;https://evil\x1b\link\x1b]8;;\x1b\`},
		{"\u009b2J", `\u009b2J`},
		{"a\u202eb\u2066c", `a\u202eb\u2066c`},
		{"line\nbreak\rcr\u2028ls", `line\nbreak\rcr\u2028ls`},
		{"tab\tkept", "tab\tkept"},
		{"a\xffb", `a\xffb`},
		{"café ☕ → ✓", "café ☕ → ✓"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, escape.Terminal(tc.in))
	}
	for _, p := range escapetest.Payloads {
		assert.Empty(t, escapetest.TerminalProblems(escape.Terminal(p.S)), p.Name)
	}
}

// TestTextBuilderEscapesEveryArgument: the layout is the constant format,
// every value is escaped, numbers keep their verbs.
func TestTextBuilderEscapesEveryArgument(t *testing.T) {
	var txt escape.Text
	txt.Printf("%3d  %s %v %s\n", 7, "a\x1b[2Jb", []string{"\x07"}, errString("e\nf"))
	assert.Equal(t, "  7  a\\x1b[2Jb [\\x07] e\\nf\n", txt.String())
}

type errString string

func (e errString) Error() string { return string(e) }

// TestMarkdownTextIsInert: every payload written as Markdown text parses to
// no link, image, autolink, mention, HTML, entity or extra table cell.
func TestMarkdownTextIsInert(t *testing.T) {
	for _, p := range escapetest.Payloads {
		t.Run(p.Name, func(t *testing.T) {
			var md escape.Markdown
			md.Printf("| a | b |\n|---|---|\n| %s | %s |\n\nparagraph %s\n\n%s\n", p.S, p.S, p.S, p.S)
			doc := escapetest.ParseMarkdown(md.String())
			assert.Empty(t, doc.Problems, md.String())
			assert.Empty(t, doc.Fences, "no fence opened by a value")
		})
	}
	cases := []struct{ in, want string }{
		{"Cannot read properties of undefined (reading 'url')", `Cannot read properties of undefined \(reading 'url'\)`},
		{"[x](http://e/)", `\[x\]\(http\://e/\)`},
		{"hi @octocat and #12, dana@example.com", "hi `@octocat` and `#12`, dana\\@example\\.com"},
		{"a\nb", `a\\nb`},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, escape.MarkdownText(tc.in))
	}
}

// TestCodeSpanHoldsAnyBackticks: the span's fence is longer than any run
// inside, padded when the content touches it, so the span ends where it
// should and shows the text exactly.
func TestCodeSpanHoldsAnyBackticks(t *testing.T) {
	cases := []struct{ in, want string }{
		{"abc", "`abc`"},
		{"a`b", "``a`b``"},
		{"`a", "`` `a ``"},
		{"a ``` b", "````a ``` b````"},
		{" a ", "`  a  `"},
		{"  ", "`  `"},
		{"", "` `"},
		{"a\x1b]0;t\x07", "`a\\x1b]0;t\\x07`"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, escape.Code(tc.in).String(), "%q", tc.in)
	}
	for _, p := range escapetest.Payloads {
		var md escape.Markdown
		md.Printf("before %s after\n", escape.Code(p.S))
		doc := escapetest.ParseMarkdown(md.String())
		assert.Empty(t, doc.Problems, "%s: %s", p.Name, md.String())
	}
}

// TestCodeBlockIsClosedOnlyByItsOwnFence: a payload that holds fences of
// any length stays inside the block, and the line after the block is the
// renderer's.
func TestCodeBlockIsClosedOnlyByItsOwnFence(t *testing.T) {
	for _, p := range append(escapetest.Payloads, escapetest.Payload{Name: "long fences", S: "```\n````\n`````````\n~~~"}) {
		var md escape.Markdown
		md.Printf("<details>\n\n%s</details>\n", escape.CodeBlock("story line\n"+p.S))
		doc := escapetest.ParseMarkdown(md.String(), "details")
		require.Len(t, doc.Fences, 1, "%s: %s", p.Name, md.String())
		assert.Equal(t, "</details>", doc.AfterFence[0], p.Name)
		assert.Empty(t, doc.Problems, p.Name)
		assert.Empty(t, escapetest.TerminalProblems(doc.Fences[0]), p.Name)
	}
}

// TestTerminalWriterKeepsJSONValid: a stream of JSON through the writer is
// still JSON of the same values, with no raw control or bidi character.
func TestTerminalWriterKeepsJSONValid(t *testing.T) {
	values := []string{}
	for _, p := range escapetest.Payloads {
		if strings.ToValidUTF8(p.S, "") == p.S { // encoding/json rewrites invalid UTF-8 anyway
			values = append(values, p.S)
		}
	}
	want, err := json.MarshalIndent(values, "", "  ")
	require.NoError(t, err)
	var out bytes.Buffer
	w := escape.NewTerminalWriter(&out)
	for i := 0; i < len(want); i += 3 { // splits runes across writes
		_, err := w.Write(want[i:min(i+3, len(want))])
		require.NoError(t, err)
	}
	require.NoError(t, w.Flush())
	assert.Empty(t, escapetest.TerminalProblems(out.String()))
	var got []string
	require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
	assert.Equal(t, values, got)
}

func TestTerminalWriterPassesCleanTextAndShowsControls(t *testing.T) {
	var out bytes.Buffer
	w := escape.NewTerminalWriter(&out)
	_, err := w.Write([]byte("  1  00:01.8  clicked ✓\tok\n\x1b]0;t\x07\xe2\x80"))
	require.NoError(t, err)
	_, err = w.Write([]byte("\xae end\n"))
	require.NoError(t, err)
	require.NoError(t, w.Flush())
	assert.Equal(t, "  1  00:01.8  clicked ✓\tok\n\\x1b]0;t\\x07\\u202e end\n", out.String())
}

// TestJiraTextIsInert: no payload makes a link, mention, image, macro,
// table cell or text effect in Jira wiki markup, and ordinary text reads
// back as itself.
func TestJiraTextIsInert(t *testing.T) {
	extra := []escapetest.Payload{
		{Name: "jira mention", S: "[~admin] [~accountid:5b10ac8d82e05b22cc7d4ef5]"},
		{Name: "jira link and image", S: "[click|https://evil.example] !https://evil.example/t.gif! !t.png|thumbnail!"},
		{Name: "jira macros", S: "{code}x{code} {noformat} {color:red}red{color} {{mono}}"},
		{Name: "jira effects", S: "*bold* _it_ -del- +ins+ ^sup^ ~sub~ ??cite?? h1. head bq. quote ----"},
		{Name: "mail and scheme", S: "mailto:dana@example.com file:///etc/passwd javascript:alert(1)"},
	}
	for _, p := range append(extra, escapetest.Payloads...) {
		t.Run(p.Name, func(t *testing.T) {
			var j escape.Jira
			j.Printf("%s\n%s\n", p.S, escape.JiraMonospace(p.S))
			got := strings.NewReplacer("{{", "", "}}", "").Replace(j.String())
			assert.Empty(t, escapetest.JiraWikiProblems(got), j.String())
			lines := escape.JiraLines(p.S).String()
			assert.Empty(t, escapetest.JiraWikiProblems(lines), lines)
		})
	}
	cases := []struct{ in, want string }{
		{"Cannot read properties of undefined (reading 'url')", `Cannot read properties of undefined \(reading 'url'\)`},
		{"[x|http://e/]", `\[x\|http&#58;//e/\]`},
		{"hi [~octocat], dana@example.com", `hi \[\~octocat\], dana&#64;example.com`},
		{`a\b &amp;`, `a&#92;b &#38;amp;`},
		{"a\nb", `a&#92;nb`}, // the line break shown as \n, its backslash an entity
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, escape.JiraText(tc.in))
	}
}
