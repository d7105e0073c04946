package reproduce

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// MarshalJSON writes the report as one object whose top-level "verdict"
// holds reproduced, not_reproduced, diverged or inconclusive, with the
// evidence beside it.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report
	return json.Marshal(struct {
		Verdict    string     `json:"verdict"`
		Where      string     `json:"where,omitempty"`
		Summary    string     `json:"summary"`
		Evidence   []Evidence `json:"evidence"`
		DivergedAt *int       `json:"diverged_at,omitempty"`
		Notes      []string   `json:"notes,omitempty"`
		DurationMS int64      `json:"duration_ms"`
		*plain
	}{r.Verdict.Value, r.Verdict.Where, r.Verdict.Summary, r.Verdict.Evidence, r.Verdict.DivergedAt, r.Verdict.Notes, r.Duration.Milliseconds(), (*plain)(r)})
}

// WriteText prints the story, then the verdict and its evidence.
func (r *Report) WriteText(w io.Writer) error {
	if err := r.Story.WriteText(w); err != nil {
		return err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nRerun against %s (%d run(s), %s agreed)\n", r.App, len(r.Runs), r.Agreement)
	fmt.Fprintf(&sb, "Verdict: %s", strings.ToUpper(strings.ReplaceAll(r.Verdict.Value, "_", " ")))
	if r.Verdict.Where != "" && r.Verdict.Value == Reproduced {
		fmt.Fprintf(&sb, " (breakdown: %s)", strings.ReplaceAll(r.Verdict.Where, "_", " "))
	}
	fmt.Fprintf(&sb, "\n  %s\n", r.Verdict.Summary)
	if len(r.Verdict.Evidence) > 0 {
		sb.WriteString("\nEvidence (recorded → observed):\n")
		for _, e := range r.Verdict.Evidence {
			mark := "·"
			switch {
			case e.Proof && e.Seen:
				mark = "✓"
			case e.Proof:
				mark = "✗"
			}
			fmt.Fprintf(&sb, "  %s step %d  %s\n           → %s\n", mark, e.Step, e.Recorded, e.Observed)
		}
	}
	for _, n := range r.Verdict.Notes {
		fmt.Fprintf(&sb, "note: %s\n", n)
	}
	if len(r.Runs) > 0 && r.Runs[0].Observation != nil {
		if b := blockedRequests(r.Runs[0].Observation); len(b) > 0 {
			fmt.Fprintf(&sb, "note: %d request(s) were blocked (fail-closed): %s\n", len(b), strings.Join(b, ", "))
		}
		if d := r.Runs[0].Observation.ArtifactsDir; d != "" {
			fmt.Fprintf(&sb, "artifacts: %s\n", d)
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func blockedRequests(o *Observation) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range o.Network {
		if n.Disposition == DispositionBlocked && !seen[n.URL] {
			seen[n.URL] = true
			out = append(out, n.Method+" "+n.URL)
		}
	}
	return out
}

// WriteMarkdown prints a ticket-ready comment: the verdict first, then the
// evidence table, the recorded story and how to re-run it.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var sb strings.Builder
	icon := map[string]string{Reproduced: "🔴", NotReproduced: "🟢", Diverged: "🟠", Inconclusive: "⚪"}[r.Verdict.Value]
	fmt.Fprintf(&sb, "### %s repro: **%s**", icon, strings.ReplaceAll(r.Verdict.Value, "_", " "))
	if r.Flaky {
		sb.WriteString(" (flaky)")
	}
	fmt.Fprintf(&sb, "\n\n%s\n\n", r.Verdict.Summary)
	fmt.Fprintf(&sb, "Replay `%s` re-run against `%s`: %d run(s), %s agreed.", r.ReplayID, r.App, len(r.Runs), r.Agreement)
	if r.Verdict.Where != "" {
		fmt.Fprintf(&sb, " Breakdown: **%s**.", strings.ReplaceAll(r.Verdict.Where, "_", " "))
	}
	sb.WriteString("\n\n")
	if len(r.Verdict.Evidence) > 0 {
		sb.WriteString("| step | recorded | observed in the rerun | |\n|---:|---|---|---|\n")
		for _, e := range r.Verdict.Evidence {
			mark := "context"
			switch {
			case e.Proof && e.Seen:
				mark = "✅ seen"
			case e.Proof:
				mark = "❌ not seen"
			}
			fmt.Fprintf(&sb, "| %d | %s | %s | %s |\n", e.Step, mdCell(e.Recorded), mdCell(e.Observed), mark)
		}
		sb.WriteString("\n")
	}
	for _, n := range r.Verdict.Notes {
		fmt.Fprintf(&sb, "> %s\n", n)
	}
	sb.WriteString("\n<details><summary>What the user did (from the replay)</summary>\n\n```\n")
	if err := r.Story.WriteText(&sb); err != nil {
		return err
	}
	sb.WriteString("```\n</details>\n\n")
	fmt.Fprintf(&sb, "_Reproduce locally:_ `repro run %s --app <url|dir>`\n", r.ReplayID)
	_, err := io.WriteString(w, sb.String())
	return err
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
