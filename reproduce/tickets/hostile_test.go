package tickets_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/repro-dev/repro/reproduce/escape/escapetest"
	"github.com/repro-dev/repro/reproduce/tickets"
)

const hostileBundle = "../../testdata/hostile/out-markdown-injection"

// TestHostileReplayInjectsNothingIntoTicketComments: the bundle's ids,
// texts, URLs and messages try to plant mentions, links, images, HTML and
// extra table cells; posted to GitHub and to Jira (Cloud and Data
// Center), every one of them stays text.
func TestHostileReplayInjectsNothingIntoTicketComments(t *testing.T) {
	rep := reportOf(t, hostileBundle)
	post, err := tickets.NewPost(rep, tickets.Outputs{ReportHTML: "/tmp/x/report.html"})
	require.NoError(t, err)
	require.Contains(t, rep.Story.Text(), "@octocat", "the payloads reach the report")

	t.Run("github", func(t *testing.T) {
		gh, ref := newGitHub(t)
		_, err := tickets.NewGitHub(ref, ghToken, gh.URL).Post(context.Background(), post)
		require.NoError(t, err)
		cs := gh.Comments("acme", "shop", 7)
		require.Len(t, cs, 1)
		body := cs[0].Body
		marker := "<!-- `repro-verdict replay=" + post.ReplayID + "` -->"
		require.Equal(t, 1, strings.Count(body, marker))
		doc := escapetest.ParseMarkdown(strings.Replace(body, marker, "", 1), "details", "summary")
		assert.Empty(t, doc.Problems, body)
		assert.Len(t, doc.Fences, 1, "the story is one fenced block")
		assert.Equal(t, 1, strings.Count(body, "<!--"), "no other HTML comment (one could hide text)")
	})

	t.Run("jira data center: wiki markup", func(t *testing.T) {
		j, _, c := newJira(t, false)
		_, err := c.Post(context.Background(), post)
		require.NoError(t, err)
		body := j.Comments("SHOP-12")[0].Body.(string)
		assert.Empty(t, jiraValueProblems(body), body)
		assert.Contains(t, body, "\\[x\\]\\(javascript&#58;alert\\(1\\)\\)", "the payload is there, inert")
	})

	t.Run("jira cloud: ADF", func(t *testing.T) {
		j, _, c := newJira(t, true)
		_, err := c.Post(context.Background(), post)
		require.NoError(t, err)
		raw, err := json.Marshal(j.Comments("SHOP-12")[0].Body)
		require.NoError(t, err)
		problems, texts := adfProblems(t, raw)
		assert.Empty(t, problems)
		assert.Contains(t, texts, "@octocat", "the payload is there, as text")
	})
}

// jiraValueProblems checks a comment in wiki markup: the renderer's own
// markup (its heading, bold words, monospace spans, the marker's colour,
// table separators) is taken out, every table row must have the header's
// cells, and what is left must be inert text (escapetest.JiraWikiProblems).
func jiraValueProblems(doc string) []string {
	var problems []string
	unescapedPipe := regexp.MustCompile(`(^|[^\\])\|`)
	var rest []string
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(line, "||"):
			continue // the header: constant
		case strings.HasPrefix(line, "|"):
			if n := len(unescapedPipe.FindAllString(line, -1)); n != 5 {
				problems = append(problems, "table row with "+string(rune('0'+n))+" separators: "+line)
			}
			line = unescapedPipe.ReplaceAllString(line, "$1")
		}
		line = strings.TrimPrefix(strings.TrimPrefix(line, "h3. "), "bq. ")
		rest = append(rest, line)
	}
	own := strings.NewReplacer("{{", "", "}}", "", "{color:#97a0af}", "", "{color}", "", "*reproduced*", "", "*in between*", "",
		"*What the user did (from the replay)*", "", "_Reproduce locally:_", "")
	return append(problems, escapetest.JiraWikiProblems(own.Replace(strings.Join(rest, "\n")))...)
}

// adfProblems walks an ADF document: only the node types and marks the
// renderer uses may appear — no mention, link, inlineCard, media or emoji
// node, no link mark — and no text holds a control or bidi character. It
// returns the text too.
func adfProblems(t *testing.T, raw []byte) ([]string, string) {
	var doc any
	require.NoError(t, json.Unmarshal(raw, &doc))
	nodes := map[string]bool{"doc": true, "paragraph": true, "text": true, "heading": true, "table": true, "tableRow": true,
		"tableHeader": true, "tableCell": true, "blockquote": true, "codeBlock": true}
	marks := map[string]bool{"code": true, "strong": true, "em": true, "textColor": true}
	var problems []string
	var text strings.Builder
	var walk func(v any, inMarks bool)
	walk = func(v any, inMarks bool) {
		switch n := v.(type) {
		case map[string]any:
			typ, _ := n["type"].(string)
			if inMarks && !marks[typ] || !inMarks && !nodes[typ] {
				problems = append(problems, "node or mark "+typ)
			}
			if s, ok := n["text"].(string); ok {
				text.WriteString(s + "\n")
				for _, p := range escapetest.TerminalProblems(s) {
					problems = append(problems, p)
				}
			}
			walk(n["content"], false)
			walk(n["marks"], true)
		case []any:
			for _, x := range n {
				walk(x, inMarks)
			}
		}
	}
	walk(doc, false)
	return problems, text.String()
}
