package tickets

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/repro-dev/repro/reproduce/sentryapi"
)

// Found is one replay a ticket points at: a <replay> argument (a replay
// URL or id, a feedback URL) or a Sentry issue (for --issue).
type Found struct {
	Replay string // a <replay> argument; empty when Issue is set
	Issue  string // a Sentry issue URL; its replay is the one to run
	Where  string // "title", "body", "comment 3"
}

// String is the reference as found.
func (f Found) String() string {
	if f.Issue != "" {
		return "issue " + f.Issue
	}
	return f.Replay
}

var (
	urlRe  = regexp.MustCompile(`https?://[^\s<>"'\x60()\[\]{}|\\]+`)
	wordRe = regexp.MustCompile(`[0-9A-Za-z-]+`)
)

// Find lists the Sentry replays a ticket points at, in the order they
// appear (title, body, then comments), each once: replay URLs, feedback
// URLs, issue URLs, and bare replay ids (32 hex digits, dashed or not).
// Comments repro posted itself are skipped (they name the replay too).
func Find(t *Ticket) []Found {
	var out []Found
	seen := map[string]bool{}
	add := func(text, where string) {
		// URLs first, then ids outside them.
		rest := text
		for _, u := range urlRe.FindAllString(text, -1) {
			u = strings.TrimRight(u, ".,;:!?*_~")
			rest = strings.Replace(rest, u, " ", 1)
			ref, err := sentryapi.ParseRef(u)
			if err != nil {
				continue
			}
			key := ref.Kind.String() + ":" + ref.ID
			if ref.Kind == sentryapi.RefReplay || ref.Kind == sentryapi.RefFeedback {
				key = "id:" + ref.ID
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			if ref.Kind == sentryapi.RefIssue {
				out = append(out, Found{Issue: u, Where: where})
			} else {
				out = append(out, Found{Replay: u, Where: where})
			}
		}
		for _, w := range wordRe.FindAllString(rest, -1) {
			id, ok := sentryapi.NormalizeID(w)
			if !ok || seen["id:"+id] {
				continue
			}
			seen["id:"+id] = true
			out = append(out, Found{Replay: id, Where: where})
		}
	}
	add(t.Title, "title")
	add(t.Body, "body")
	for i, c := range t.Comments {
		if strings.Contains(c.Body, "repro-verdict replay=") {
			continue
		}
		add(c.Body, fmt.Sprintf("comment %d", i+1))
	}
	return out
}
