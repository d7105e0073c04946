package escapetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParseMarkdownFindsLiveSyntax: the checker the renderer tests rely on
// does flag what an unescaped payload produces, and not escaped text.
func TestParseMarkdownFindsLiveSyntax(t *testing.T) {
	cases := []struct {
		name, doc string
		live      bool
	}{
		{"link", "see [click](https://evil.example/)", true},
		{"image", "![t](https://evil.example/t.gif)", true},
		{"html", "a <img src=x> b", true},
		{"autolink", "<https://evil.example>", true},
		{"bare url", "go to https://evil.example now", true},
		{"www", "www.evil.example", true},
		{"email", "dana@example.com", true},
		{"mention", "hi @octocat", true},
		{"issue ref", "fixes #12", true},
		{"entity", "&lt;b&gt;", true},
		{"raw escape", "a\x1b[2Jb", true},
		{"extra table cell", "| a | b |\n|---|---|\n| x | y | z |", true},
		{"unclosed fence", "```\ncode", true},
		{"escaped", `\[click\]\(https\://evil\.example/\) \<img\> \&lt; dana\@example\.com`, false},
		{"in code span", "`[x](y) <img> @octocat #1 https://e`", false},
		{"allowed tag", "<details><summary>x</summary>", false},
		{"heading", "### 🔴 repro: **reproduced**", false},
		{"table", "| a | b |\n|---|---|\n| x \\| y | `z` |", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			md := ParseMarkdown(tc.doc, "details", "summary")
			assert.Equal(t, tc.live, len(md.Problems) > 0, "%q: %v", tc.doc, md.Problems)
		})
	}
}

func TestParseMarkdownSplitsFences(t *testing.T) {
	md := ParseMarkdown("a\n\n````\n```\nx\n````\nafter\n")
	assert.Equal(t, []string{"```\nx"}, md.Fences)
	assert.Equal(t, []string{"after"}, md.AfterFence)
	md = ParseMarkdown("```\nstory\n```\ninjected [x](y)\n```\n")
	assert.Equal(t, []string{"story"}, md.Fences, "the payload's fence closed the block early")
	assert.NotEmpty(t, md.Problems)
}

func TestTerminalProblems(t *testing.T) {
	assert.Empty(t, TerminalProblems("ok\tline\n✓"))
	assert.Len(t, TerminalProblems("\x1b]0;x\x07"), 2)
	assert.Len(t, TerminalProblems("a\u202eb\u009b\xff"), 3)
}
