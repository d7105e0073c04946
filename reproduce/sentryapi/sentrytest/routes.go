package sentrytest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"detail":"Internal Error"}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func notFound(w http.ResponseWriter, detail string) {
	if detail == "" {
		detail = "The requested resource does not exist"
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"detail": detail})
}

// serve records, authenticates, applies faults and routes a request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	auth := r.Header.Get("Authorization")
	authOK := auth == "Bearer "+s.Token
	s.mu.Lock()
	s.requests = append(s.requests, Request{Host: r.Host, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
		HasAuth: auth != "", AuthOK: authOK, UserAgent: r.UserAgent(), Body: string(body)})
	s.mu.Unlock()

	// Every Sentry answer carries the rate-limit headers.
	h := w.Header()
	h.Set("X-Sentry-Rate-Limit-Limit", "40")
	h.Set("X-Sentry-Rate-Limit-Remaining", "39")
	h.Set("X-Sentry-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10))
	h.Set("X-Sentry-Rate-Limit-ConcurrentLimit", "25")
	h.Set("X-Sentry-Rate-Limit-ConcurrentRemaining", "24")

	switch {
	case auth == "":
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Authentication credentials were not provided."})
		return
	case !authOK:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid token"})
		return
	}

	p := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/0/"), "/"), "/")
	route, handler := s.route(r.Method, p)
	if handler == nil {
		notFound(w, "")
		return
	}
	if len(p) > 1 && p[1] != s.Org {
		notFound(w, "")
		return
	}
	if s.applyFault(w, r, route) {
		return
	}
	handler(w, r, p, body)
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, p []string, body []byte)

func (s *Server) route(method string, p []string) (Route, handlerFunc) {
	get := method == http.MethodGet
	switch {
	case get && len(p) == 2 && p[0] == "organizations":
		return RouteOrg, s.handleOrg
	case get && len(p) == 4 && p[0] == "organizations" && p[2] == "replays":
		return RouteReplayDetails, s.handleReplayDetails
	case get && len(p) == 3 && p[0] == "organizations" && p[2] == "replays-events-meta":
		return RouteEventsMeta, s.handleEventsMeta
	case get && len(p) == 4 && p[0] == "organizations" && p[2] == "eventids":
		return RouteEventIDs, s.handleEventIDs
	case get && len(p) == 3 && p[0] == "organizations" && p[2] == "replay-count":
		return RouteReplayCount, s.handleReplayCount
	case get && len(p) == 4 && p[0] == "organizations" && p[2] == "shortids":
		return RouteShortIDs, s.handleShortID
	case get && len(p) == 5 && p[0] == "organizations" && p[2] == "issues" && p[4] == "events":
		return RouteIssueEvents, s.handleIssueEvents
	case method == http.MethodPost && len(p) == 5 && p[0] == "organizations" && p[2] == "issues" && p[4] == "comments":
		return RouteComments, s.handleComment
	case get && len(p) == 6 && p[0] == "projects" && p[3] == "replays" && p[5] == "recording-segments":
		return RouteSegments, s.handleSegments
	case get && len(p) == 5 && p[0] == "projects" && p[3] == "events":
		return RouteEvent, s.handleEvent
	}
	return "", nil
}

func (s *Server) handleOrg(w http.ResponseWriter, _ *http.Request, _ []string, _ []byte) {
	region := s.regionURL
	if region == "" {
		region = s.URL
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": "1", "slug": s.Org, "name": s.Org,
		"links": map[string]string{"organizationUrl": s.URL, "regionUrl": region},
	})
}

func (s *Server) lookupReplay(id string) *replay {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replays[normID(id)]
}

func (s *Server) handleReplayDetails(w http.ResponseWriter, _ *http.Request, p []string, _ []byte) {
	rp := s.lookupReplay(p[3])
	if rp == nil {
		notFound(w, "")
		return
	}
	writeRaw(w, http.StatusOK, rp.details)
}

// projectMatches accepts the project slug or the replay's numeric id.
func (s *Server) projectMatches(project, projectID string) bool {
	return project == s.Project || (projectID != "" && project == projectID)
}

func (s *Server) handleSegments(w http.ResponseWriter, r *http.Request, p []string, _ []byte) {
	rp := s.lookupReplay(p[4])
	if rp == nil || !s.projectMatches(p[2], rp.projectID) {
		notFound(w, "")
		return
	}
	segs := rp.segments
	if s.truncate > 0 && s.truncate < len(segs) {
		segs = segs[:s.truncate]
	}
	offset, limit := s.page(r)
	if _, ok := r.URL.Query()["download"]; !ok {
		// Sentry before 2023 lists metadata unless ?download is present.
		var meta []map[string]any
		for i := offset; i < min(offset+limit, len(segs)); i++ {
			meta = append(meta, map[string]any{"replayId": rp.id, "segmentId": i, "projectId": rp.projectID, "dateAdded": "2026-01-01T00:00:00Z"})
		}
		s.setLink(w, r, offset, limit, len(segs))
		writeJSON(w, http.StatusOK, map[string]any{"data": meta})
		return
	}
	var b strings.Builder
	b.WriteByte('[')
	for i := offset; i < min(offset+limit, len(segs)); i++ {
		if i > offset {
			b.WriteByte(',')
		}
		if s.emptySeg[i] {
			b.WriteString("[]")
		} else {
			b.Write(segs[i])
		}
	}
	b.WriteByte(']')
	s.setLink(w, r, offset, limit, len(segs))
	writeRaw(w, http.StatusOK, []byte(b.String()))
}

// page reads per_page (capped) and the offset of the cursor value:offset:is_prev.
func (s *Server) page(r *http.Request) (offset, limit int) {
	q := r.URL.Query()
	limit = 100
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 && n < limit {
		limit = n
	}
	limit = min(limit, s.perPage)
	if c := strings.Split(q.Get("cursor"), ":"); len(c) == 3 {
		if n, err := strconv.Atoi(c[1]); err == nil && n >= 0 {
			offset = n
		}
	}
	return offset, limit
}

// setLink writes Sentry's Link header for an offset page.
func (s *Server) setLink(w http.ResponseWriter, r *http.Request, offset, limit, total int) {
	base := s.URL
	if s.linkBase != "" {
		base = s.linkBase
	}
	link := func(cursor string) string {
		q := r.URL.Query()
		q.Set("cursor", cursor)
		return base + r.URL.Path + "?" + q.Encode()
	}
	prev := fmt.Sprintf("0:%d:1", max(offset-limit, 0))
	next := fmt.Sprintf("0:%d:0", offset+limit)
	w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="previous"; results="%t"; cursor="%s", <%s>; rel="next"; results="%t"; cursor="%s"`,
		link(prev), offset > 0, prev, link(next), s.endless || offset+limit < total, next))
}

var bracketIDs = regexp.MustCompile(`\[([^\]]*)\]`)

// queryIDs extracts the ids of key:[a,b] from a search query.
func queryIDs(query, key string) []string {
	i := strings.Index(query, key+":")
	if i < 0 {
		return nil
	}
	m := bracketIDs.FindStringSubmatch(query[i:])
	if m == nil {
		return []string{strings.Fields(query[i+len(key)+1:] + " ")[0]}
	}
	var ids []string
	for _, id := range strings.Split(m[1], ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func (s *Server) issueFor(id string) *issue {
	if is := s.issues[id]; is != nil {
		return is
	}
	for _, is := range s.issues {
		if strings.EqualFold(s.shortID(is), id) {
			return is
		}
	}
	return nil
}

func (s *Server) shortID(is *issue) string {
	if is.shortID != "" {
		return is.shortID
	}
	return fmt.Sprintf("%s-%X", strings.ToUpper(s.Project), is.n)
}

func (s *Server) projectOf(ev *event) string {
	if ev.project != "" {
		return ev.project
	}
	return s.Project
}

func (s *Server) handleEventsMeta(w http.ResponseWriter, r *http.Request, _ []string, _ []byte) {
	ids := queryIDs(r.URL.Query().Get("query"), "replayId")
	s.mu.Lock()
	rows := []map[string]any{}
	for _, eid := range s.eventOrder {
		ev := s.events[eid]
		if ev.replayID == "" || !contains(normAll(ids), ev.replayID) {
			continue
		}
		issueID, _ := strconv.ParseInt(ev.issueID, 10, 64)
		rows = append(rows, map[string]any{
			"id": ev.id, "issue.id": issueID, "issue": s.shortID(s.issues[ev.issueID]), "title": ev.title,
			"level": "error", "error.type": []string{}, "project.name": s.projectOf(ev),
			"timestamp": "2026-01-01T00:00:00+00:00",
		})
	}
	s.mu.Unlock()
	offset, limit := s.page(r)
	end := min(offset+limit, len(rows))
	s.setLink(w, r, offset, limit, len(rows))
	writeJSON(w, http.StatusOK, map[string]any{"data": rows[min(offset, end):end], "meta": map[string]any{"fields": map[string]string{
		"id": "string", "issue.id": "integer", "issue": "string", "title": "string", "level": "string",
		"error.type": "array", "project.name": "string", "timestamp": "date",
	}}})
}

func normAll(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = normID(id)
	}
	return out
}

func (s *Server) lookupEvent(id string) (*event, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := s.events[normID(id)]
	if ev == nil {
		return nil, ""
	}
	return ev, s.projectOf(ev)
}

func (s *Server) handleEvent(w http.ResponseWriter, _ *http.Request, p []string, _ []byte) {
	ev, project := s.lookupEvent(p[4])
	if ev == nil || p[2] != project {
		notFound(w, "Event not found")
		return
	}
	writeRaw(w, http.StatusOK, ev.body)
}

func (s *Server) handleEventIDs(w http.ResponseWriter, _ *http.Request, p []string, _ []byte) {
	ev, project := s.lookupEvent(p[3])
	if ev == nil {
		notFound(w, "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"organizationSlug": s.Org, "projectSlug": project, "groupId": ev.issueID,
		"eventId": ev.id, "event": json.RawMessage(ev.body),
	})
}

func (s *Server) handleReplayCount(w http.ResponseWriter, r *http.Request, _ []string, _ []byte) {
	q := r.URL.Query()
	if q.Get("returnIds") != "true" || q.Get("data_source") != "events" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "the fake serves only returnIds=true&data_source=events"})
		return
	}
	out := map[string][]string{}
	s.mu.Lock()
	for _, id := range queryIDs(q.Get("query"), "issue.id") {
		if is := s.issues[id]; is != nil {
			out[id] = append([]string{}, is.replayIDs[:min(len(is.replayIDs), ReplayCountCap)]...)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleShortID(w http.ResponseWriter, _ *http.Request, p []string, _ []byte) {
	s.mu.Lock()
	is := s.issueFor(p[3])
	var short string
	if is != nil {
		short = s.shortID(is)
	}
	s.mu.Unlock()
	if is == nil || !strings.EqualFold(short, p[3]) {
		notFound(w, "Short ID not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"organizationSlug": s.Org, "projectSlug": s.Project, "groupId": is.id, "shortId": short,
		"group": map[string]any{"id": is.id, "shortId": short},
	})
}

func (s *Server) handleComment(w http.ResponseWriter, _ *http.Request, p []string, body []byte) {
	var in struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Text == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"text": []string{"This field is required."}})
		return
	}
	s.mu.Lock()
	is := s.issueFor(p[3])
	if is != nil {
		s.comments = append(s.comments, Comment{Org: p[1], IssueID: p[3], Text: in.Text})
	}
	s.mu.Unlock()
	if is == nil {
		notFound(w, "")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": strconv.Itoa(len(s.Comments())), "type": "note", "data": map[string]string{"text": in.Text},
		"dateCreated": "2026-01-01T00:00:00Z",
	})
}
