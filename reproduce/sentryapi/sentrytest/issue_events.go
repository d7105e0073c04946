package sentrytest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// ReplayCountCap is how many replay ids replay-count answers per issue at
// most (MAX_REPLAY_COUNT in getsentry/sentry
// src/sentry/replays/usecases/replay_counts.py).
const ReplayCountCap = 51

// handleIssueEvents serves "List an Issue's Events"
// (GET /api/0/organizations/{org}/issues/{issue_id}/events/): a JSON array
// of events, offset-paged with Link headers (per_page, cursor), filtered by
// query=has:replayId. Without full=true each event is the outline of
// Sentry's SimpleEventSerializer (tags as [{"key","value"}], no contexts);
// with it, a bundle's event is served whole.
func (s *Server) handleIssueEvents(w http.ResponseWriter, r *http.Request, p []string, _ []byte) {
	q := r.URL.Query()
	query := strings.TrimSpace(q.Get("query"))
	if query != "" && query != "has:replayId" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "the fake serves only query=has:replayId"})
		return
	}
	full := q.Get("full") == "1" || q.Get("full") == "true"
	s.mu.Lock()
	is := s.issues[p[3]]
	var rows []json.RawMessage
	if is != nil {
		rows = s.issueEvents(is, query != "", full)
	}
	s.mu.Unlock()
	if is == nil {
		notFound(w, "")
		return
	}
	offset, limit := s.page(r)
	end := min(offset+limit, len(rows))
	s.setLink(w, r, offset, limit, len(rows))
	page := rows[min(offset, end):end]
	if page == nil {
		page = []json.RawMessage{}
	}
	writeJSON(w, http.StatusOK, page)
}

// issueEvents lists an issue's events: those of its bundles, those added
// WithIssueEvents, then a made-up one for each replay no event names.
// s.mu is held.
func (s *Server) issueEvents(is *issue, withReplay, full bool) []json.RawMessage {
	var rows []json.RawMessage
	named := map[string]bool{}
	add := func(ev json.RawMessage, replayID string) {
		named[replayID] = true
		if replayID != "" || !withReplay {
			rows = append(rows, ev)
		}
	}
	for _, eid := range s.eventOrder {
		if ev := s.events[eid]; ev.issueID == is.id && ev.replayID != "" {
			body := ev.body
			if !full {
				body = s.eventOutline(ev.id, is.id, ev.title, ev.replayID, tagsOf(ev.body), false)
			}
			add(body, ev.replayID)
		}
	}
	for i, rid := range is.events {
		add(s.eventOutline(madeUpEventID(is.id, i), is.id, "Error: made up", rid, nil, full), rid)
	}
	for i, rid := range is.replayIDs {
		if !named[rid] {
			add(s.eventOutline(madeUpEventID(is.id, len(is.events)+i), is.id, "Error: made up", rid, nil, full), rid)
		}
	}
	return rows
}

// eventOutline is an event as SimpleEventSerializer renders it; full adds
// contexts.replay as a full event has it.
func (s *Server) eventOutline(id, issueID, title, replayID string, tags []map[string]string, full bool) json.RawMessage {
	hasTag := false
	for _, t := range tags {
		hasTag = hasTag || t["key"] == "replayId"
	}
	if replayID != "" && !hasTag {
		tags = append(tags, map[string]string{"key": "replayId", "value": replayID})
	}
	if tags == nil {
		tags = []map[string]string{}
	}
	ev := map[string]any{
		"id": id, "event.type": "error", "groupID": issueID, "eventID": id, "projectID": "1",
		"message": title, "title": title, "location": nil, "culprit": "", "user": nil,
		"tags": tags, "platform": "javascript", "dateCreated": "2026-01-01T00:00:00Z", "crashFile": nil,
	}
	if full && replayID != "" {
		ev["contexts"] = map[string]any{"replay": map[string]string{"replay_id": replayID, "type": "default"}}
	}
	b, _ := json.Marshal(ev)
	return b
}

// tagsOf reads an API event's tags list ([{"key","value"}]).
func tagsOf(body []byte) []map[string]string {
	var e struct {
		Tags []map[string]string `json:"tags"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Tags
}

// madeUpEventID is a stable 32-hex event id for an issue's i-th made-up event.
func madeUpEventID(issueID string, i int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", issueID, i)))
	return hex.EncodeToString(sum[:16])
}
