package reproduce

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/repro-dev/repro/reproduce/escape"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/verdict"
)

// MarshalJSON writes the report as one object whose top-level "verdict"
// holds reproduced, not_reproduced, diverged or inconclusive, with the
// evidence beside it.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		Verdict    string             `json:"verdict"`
		Where      string             `json:"where,omitempty"`
		Summary    string             `json:"summary"`
		Evidence   []verdict.Evidence `json:"evidence"`
		DivergedAt *int               `json:"diverged_at,omitempty"`
		Notes      []string           `json:"notes,omitempty"`
		DurationMS int64              `json:"duration_ms"`
		*plain
	}{r.Verdict.Value, r.Verdict.Where, r.Verdict.Summary, r.Verdict.Evidence, r.Verdict.DivergedAt, r.Verdict.Notes, r.Duration.Milliseconds(), (*plain)(r)})
}

// WriteText prints the story, then the verdict and its evidence. Every
// recorded string goes through escape.Text.
func (r *Report) WriteText(w io.Writer) error {
	_, err := io.WriteString(w, r.Story.Text()+r.verdictText())
	return err
}

func (r *Report) verdictText() string {
	var t escape.Text
	t.Printf("\nRerun against %s (%d run(s), %s agreed)\n", r.App, len(r.Runs), r.Agreement)
	t.Printf("verdict.Verdict: %s", strings.ToUpper(strings.ReplaceAll(r.Verdict.Value, "_", " ")))
	if r.Verdict.Where != "" && r.Verdict.Value == verdict.Reproduced {
		t.Printf(" (breakdown: %s)", strings.ReplaceAll(r.Verdict.Where, "_", " "))
	}
	t.Printf("\n  %s\n", r.Verdict.Summary)
	if len(r.Verdict.Evidence) > 0 {
		t.Printf("\nEvidence (recorded → observed):\n")
		for _, e := range r.Verdict.Evidence {
			mark := "·"
			switch {
			case e.Proof && e.Seen:
				mark = "✓"
			case e.Proof:
				mark = "✗"
			}
			t.Printf("  %s step %d  %s\n           → %s\n", mark, e.Step, e.Recorded, e.Observed)
		}
	}
	for _, n := range r.Verdict.Notes {
		t.Printf("note: %s\n", n)
	}
	if len(r.Runs) > 0 && r.Runs[0].Observation != nil {
		if b := blockedRequests(r.Runs[0].Observation); len(b) > 0 {
			t.Printf("note: %d request(s) were blocked (fail-closed): %s\n", len(b), strings.Join(b, ", "))
		}
		if d := r.Runs[0].Observation.ArtifactsDir; d != "" {
			t.Printf("artifacts: %s\n", d)
		}
	}
	return t.String()
}

func blockedRequests(o *session.Observation) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range o.Network {
		if n.Disposition == session.DispositionBlocked && !seen[n.URL] {
			seen[n.URL] = true
			out = append(out, n.Method+" "+n.URL)
		}
	}
	return out
}

// WriteMarkdown prints a ticket-ready comment: the verdict first, then the
// evidence table, the recorded story and how to re-run it. It is built with
// escape.Markdown: recorded strings are inert text (no link, image,
// mention or HTML), identifiers are code spans and the story is a fenced
// block no recorded backtick run can close.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var md escape.Markdown
	icon := map[string]string{verdict.Reproduced: "🔴", verdict.NotReproduced: "🟢", verdict.Diverged: "🟠", verdict.Inconclusive: "⚪"}[r.Verdict.Value]
	md.Printf("### %s repro: **%s**", icon, strings.ReplaceAll(r.Verdict.Value, "_", " "))
	if r.Flaky {
		md.Printf(" (flaky)")
	}
	md.Printf("\n\n%s\n\n", r.Verdict.Summary)
	md.Printf("Replay %s re-run against %s: %d run(s), %s agreed.", escape.Code(r.ReplayID), escape.Code(r.App), len(r.Runs), r.Agreement)
	if r.Verdict.Where != "" {
		md.Printf(" Breakdown: **%s**.", strings.ReplaceAll(r.Verdict.Where, "_", " "))
	}
	md.Printf("\n\n")
	if len(r.Verdict.Evidence) > 0 {
		md.Printf("| step | recorded | observed in the rerun | |\n|---:|---|---|---|\n")
		for _, e := range r.Verdict.Evidence {
			mark := "context"
			switch {
			case e.Proof && e.Seen:
				mark = "✅ seen"
			case e.Proof:
				mark = "❌ not seen"
			}
			md.Printf("| %d | %s | %s | %s |\n", e.Step, e.Recorded, e.Observed, mark)
		}
		md.Printf("\n")
	}
	for _, n := range r.Verdict.Notes {
		md.Printf("> %s\n", n)
	}
	md.Printf("\n<details><summary>What the user did (from the replay)</summary>\n\n%s</details>\n\n", escape.CodeBlock(r.Story.Text()))
	md.Printf("_Reproduce locally:_ %s\n", escape.Code("repro run "+r.ReplayID+" --app <url|dir>"))
	_, err := io.WriteString(w, md.String())
	return err
}
