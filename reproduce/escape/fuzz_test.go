package escape_test

import (
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/escape/escapetest"
)

// FuzzEscapers checks every sink's promise on arbitrary text: a Go literal
// that means the text, a comment that stays one comment, an identifier,
// terminal text a terminal cannot obey, Markdown text, code spans and
// blocks with no live syntax and no fence closed early.
//
//	go test ./reproduce/escape -run '^$' -fuzz FuzzEscapers -fuzztime 60s
func FuzzEscapers(f *testing.F) {
	for _, p := range escapetest.Payloads {
		f.Add(p.S)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit := escape.GoString(s)
		if got, err := strconv.Unquote(lit); err != nil || (got != s && strings.ToValidUTF8(s, "") == s) {
			t.Fatalf("GoString(%q) = %s: unquotes to %q, %v", s, lit, got, err)
		}
		src := "package p\n\n// " + escape.GoComment(s) + "\nvar x = " + lit + "\n"
		file, err := parser.ParseFile(token.NewFileSet(), "x.go", src, parser.ParseComments)
		if err != nil || len(file.Decls) != 1 || len(file.Comments) != 1 {
			t.Fatalf("a comment and a literal of %q changed the file:\n%s", s, src)
		}
		if id := escape.GoIdent(s, "x"); !token.IsIdentifier(id) {
			t.Fatalf("GoIdent(%q) = %q", s, id)
		}
		if p := escapetest.TerminalProblems(escape.Terminal(s)); len(p) > 0 {
			t.Fatalf("Terminal(%q): %v", s, p)
		}
		var md escape.Markdown
		md.Printf("| a | b |\n|---|---|\n| %s | x |\n\n%s and %s\n\n<details>\n\n%s</details>\n", s, s, escape.Code(s), escape.CodeBlock(s))
		doc := escapetest.ParseMarkdown(md.String(), "details")
		if len(doc.Problems) > 0 || len(doc.Fences) != 1 || doc.AfterFence[0] != "</details>" {
			t.Fatalf("Markdown of %q: %v fences=%d\n%s", s, doc.Problems, len(doc.Fences), md.String())
		}
	})
}
