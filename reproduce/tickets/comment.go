package tickets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// Post is one verdict comment in every tracker's markup, and the marker
// that finds it again on the next post.
type Post struct {
	ReplayID string
	Verdict  string
	markdown string         // GitHub: the report's Markdown
	wiki     string         // Jira Data Center (REST v2): wiki markup
	adf      map[string]any // Jira Cloud (REST v3): Atlassian Document Format
}

// Outputs says where the run's outputs are, on the machine that ran repro;
// empty fields are left out of the comment.
type Outputs struct {
	ReportHTML     string // report.html
	RegressionTest string // the generated test's directory
}

// Marker is the text that identifies repro's comment for a replay on
// GitHub, hidden in its Markdown (an HTML comment). Jira has no hidden
// text: there the marker is a comment property (JiraMarkerKey).
func Marker(replayID string) string { return "repro-verdict replay=" + replayID }

// NewPost renders rep as a comment for each tracker. Every string from the
// replay goes through the sink's escaper: Markdown for GitHub (the report's
// own WriteMarkdown), JiraText for wiki markup; in ADF a recorded string is
// only ever a text node's text, which Jira shows as text.
func NewPost(rep *reproduce.Report, out Outputs) (Post, error) {
	id, ok := sentryapi.NormalizeID(rep.ReplayID)
	if !ok {
		return Post{}, fmt.Errorf("replay id %q is not 32 hex digits", rep.ReplayID)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		return Post{}, err
	}
	var m escape.Markdown
	if out.RegressionTest != "" {
		m.Printf("\nRegression test: %s\n", escape.Code(out.RegressionTest))
	}
	if out.ReportHTML != "" {
		m.Printf("\nHTML report (the recorded session beside the rerun, step by step): %s on the machine that ran repro.\n", escape.Code(out.ReportHTML))
	}
	m.Printf("\n<!-- %s -->\n", escape.Code(Marker(id)))
	p := Post{ReplayID: id, Verdict: rep.Verdict.Value}
	p.markdown = md.String() + m.String()
	p.wiki = jiraWiki(rep, id, out)
	p.adf = jiraADF(rep, id, out)
	return p, nil
}

// Markdown is the GitHub comment.
func (p Post) Markdown() string { return p.markdown }

// Wiki is the Jira Data Center comment (wiki markup).
func (p Post) Wiki() string { return p.wiki }

// ADF is the Jira Cloud comment, as indented JSON.
func (p Post) ADF() string {
	b, _ := json.MarshalIndent(p.adf, "", "  ")
	return string(b)
}

var verdictIcon = map[string]string{verdict.Reproduced: "🔴", verdict.NotReproduced: "🟢", verdict.Diverged: "🟠", verdict.Inconclusive: "⚪"}

func words(v string) string { return strings.ReplaceAll(v, "_", " ") }

func evidenceMark(e verdict.Evidence) string {
	switch {
	case e.Proof && e.Seen:
		return "✅ seen"
	case e.Proof:
		return "❌ not seen"
	}
	return "context"
}

func jiraWiki(rep *reproduce.Report, id string, out Outputs) string {
	var j escape.Jira
	j.Printf("h3. %s repro: *%s*", verdictIcon[rep.Verdict.Value], words(rep.Verdict.Value))
	if rep.Flaky {
		j.Printf(" (flaky)")
	}
	j.Printf("\n\n%s\n\n", rep.Verdict.Summary)
	j.Printf("Replay %s re-run against %s: %d run(s), %s agreed.", escape.JiraMonospace(id), escape.JiraMonospace(rep.App), len(rep.Runs), rep.Agreement)
	if rep.Verdict.Where != "" {
		j.Printf(" Breakdown: *%s*.", words(rep.Verdict.Where))
	}
	j.Printf("\n\n")
	if len(rep.Verdict.Evidence) > 0 {
		j.Printf("||step||recorded||observed in the rerun|| ||\n")
		for _, e := range rep.Verdict.Evidence {
			j.Printf("|%d|%s|%s|%s|\n", e.Step, e.Recorded, e.Observed, evidenceMark(e))
		}
		j.Printf("\n")
	}
	for _, n := range rep.Verdict.Notes {
		j.Printf("bq. %s\n", n)
	}
	j.Printf("\n*What the user did (from the replay)*\n%s\n", escape.JiraLines(rep.Story.Text()))
	j.Printf("_Reproduce locally:_ %s\n", escape.JiraMonospace("repro run "+id+" --app <url|dir>"))
	if out.RegressionTest != "" {
		j.Printf("\nRegression test: %s\n", escape.JiraMonospace(out.RegressionTest))
	}
	if out.ReportHTML != "" {
		j.Printf("\nHTML report (the recorded session beside the rerun, step by step): %s on the machine that ran repro.\n", escape.JiraMonospace(out.ReportHTML))
	}
	// No marker in the text: on Jira it is the comment's property
	// (JiraMarkerKey), which readers never see.
	return j.String()
}

// ADF nodes. Recorded strings are only ever the text of a text node; they
// still go through escape.Terminal so no control or bidi character reaches
// the page.
func text(s string, marks ...map[string]any) map[string]any {
	s = escape.Terminal(s)
	if s == "" {
		s = " " // ADF text nodes may not be empty
	}
	n := map[string]any{"type": "text", "text": s}
	if len(marks) > 0 {
		n["marks"] = marks
	}
	return n
}

func mark(t string) map[string]any { return map[string]any{"type": t} }

func node(t string, content ...map[string]any) map[string]any {
	return map[string]any{"type": t, "content": content}
}

func jiraADF(rep *reproduce.Report, id string, out Outputs) map[string]any {
	head := "repro: " + words(rep.Verdict.Value)
	if rep.Flaky {
		head += " (flaky)"
	}
	heading := node("heading", text(verdictIcon[rep.Verdict.Value]+" "+head))
	heading["attrs"] = map[string]any{"level": 3}
	blocks := []map[string]any{heading, node("paragraph", text(rep.Verdict.Summary))}
	meta := []map[string]any{text("Replay "), text(id, mark("code")), text(" re-run against "), text(rep.App, mark("code")),
		text(fmt.Sprintf(": %d run(s), %s agreed.", len(rep.Runs), rep.Agreement))}
	if rep.Verdict.Where != "" {
		meta = append(meta, text(" Breakdown: "), text(words(rep.Verdict.Where), mark("strong")), text("."))
	}
	blocks = append(blocks, node("paragraph", meta...))
	if len(rep.Verdict.Evidence) > 0 {
		cell := func(t string, s string) map[string]any { return node(t, node("paragraph", text(s))) }
		rows := []map[string]any{node("tableRow", cell("tableHeader", "step"), cell("tableHeader", "recorded"), cell("tableHeader", "observed in the rerun"), cell("tableHeader", " "))}
		for _, e := range rep.Verdict.Evidence {
			rows = append(rows, node("tableRow", cell("tableCell", fmt.Sprint(e.Step)), cell("tableCell", e.Recorded), cell("tableCell", e.Observed), cell("tableCell", evidenceMark(e))))
		}
		blocks = append(blocks, node("table", rows...))
	}
	for _, n := range rep.Verdict.Notes {
		blocks = append(blocks, node("blockquote", node("paragraph", text(n))))
	}
	story := node("heading", text("What the user did (from the replay)"))
	story["attrs"] = map[string]any{"level": 4}
	// A code block's text keeps its line breaks; Terminal would show them
	// as \n, so each line is escaped on its own.
	lines := strings.Split(strings.TrimRight(rep.Story.Text(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = escape.Terminal(l)
	}
	blocks = append(blocks, story, map[string]any{"type": "codeBlock", "content": []map[string]any{{"type": "text", "text": strings.Join(lines, "\n") + "\n"}}})
	blocks = append(blocks, node("paragraph", text("Reproduce locally: ", mark("em")), text("repro run "+id+" --app <url|dir>", mark("code"))))
	if out.RegressionTest != "" {
		blocks = append(blocks, node("paragraph", text("Regression test: "), text(out.RegressionTest, mark("code"))))
	}
	if out.ReportHTML != "" {
		blocks = append(blocks, node("paragraph", text("HTML report (the recorded session beside the rerun, step by step): "), text(out.ReportHTML, mark("code")), text(" on the machine that ran repro.")))
	}
	return map[string]any{"version": 1, "type": "doc", "content": blocks}
}
