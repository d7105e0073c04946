// Package sentrytest is a fake Sentry REST API on loopback for tests: it
// serves replay bundles (directories with replay.json,
// recording-segments.json and errors.json) in exactly the shapes and
// pagination of Sentry's API, checks the Bearer token, injects faults per
// route and records every request.
//
//	srv := sentrytest.New(t, sentrytest.WithBundle("testdata/bundle"), sentrytest.WithPerPage(1))
//	client := sentryapi.NewClient(sentryapi.Config{URL: srv.URL, Token: srv.Token, Org: srv.Org})
package sentrytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// DefaultToken is the token the fake accepts unless WithToken says otherwise.
// It is distinctive so tests can grep outputs for it.
const DefaultToken = "sntrys_FAKE_TOKEN_7f3a9c_must_never_leak"

// Server is a running fake Sentry API.
type Server struct {
	URL     string // base URL, e.g. http://127.0.0.1:41234
	Token   string // the accepted token
	Org     string // the only organization
	Project string // the project slug; every replay's project_id maps to it

	srv *httptest.Server

	mu         sync.Mutex
	perPage    int
	replays    map[string]*replay
	events     map[string]*event
	eventOrder []string
	issues     map[string]*issue // by numeric id
	faults     []*faultState
	requests   []Request
	comments   []Comment
	truncate   int    // serve only the first N segments (0: all)
	regionURL  string // links.regionUrl of the org; "" is the server itself
	emptySeg   map[int]bool
	tls        bool   // serve https with httptest's certificate
	endless    bool   // listings always announce a next page
	linkBase   string // base URL of Link header URLs; "" is the server itself
}

type replay struct {
	id        string
	projectID string
	details   []byte
	segments  []json.RawMessage
}

type event struct {
	id       string
	project  string // "" is the server's project
	replayID string
	issueID  string
	body     []byte
	title    string
}

type issue struct {
	id, shortID string
	n           int // makes up a short id when none is given
	replayIDs   []string
	// events are the replay ids of events added WithIssueEvents, one an
	// event, in order ("" is an event without a replay).
	events []string
}

// Request is one recorded request. The token is never stored.
type Request struct {
	Host      string // the Host header, to tell region hosts apart
	Method    string
	Path      string
	Query     url.Values
	HasAuth   bool // an Authorization header was sent
	AuthOK    bool // it carried the right Bearer token
	UserAgent string
	Body      string
}

// Comment is a recorded POST to an issue's comments.
type Comment struct {
	Org, IssueID, Text string
}

// Option configures the fake.
type Option func(*Server) error

// WithToken sets the accepted token.
func WithToken(tok string) Option { return func(s *Server) error { s.Token = tok; return nil } }

// WithOrg sets the organization slug (default "acme").
func WithOrg(org string) Option { return func(s *Server) error { s.Org = org; return nil } }

// WithProject sets the project slug (default "frontend").
func WithProject(slug string) Option { return func(s *Server) error { s.Project = slug; return nil } }

// WithPerPage caps per_page on paginated endpoints (1 forces one segment per page).
func WithPerPage(n int) Option { return func(s *Server) error { s.perPage = n; return nil } }

// WithRegionURL sets the links.regionUrl the org details report (default:
// the server's own URL).
func WithRegionURL(u string) Option { return func(s *Server) error { s.regionURL = u; return nil } }

// WithTLS serves https (httptest's self-signed certificate, valid for
// example.com and 127.0.0.1); Client trusts it.
func WithTLS() Option { return func(s *Server) error { s.tls = true; return nil } }

// WithEndlessPages makes paginated listings announce a next page with
// results forever, each with a new cursor: a server that never stops paging.
func WithEndlessPages() Option { return func(s *Server) error { s.endless = true; return nil } }

// WithLinkBase puts another base URL (say http://evil.test) in the Link
// headers' URLs, to check that a client follows only the cursor.
func WithLinkBase(u string) Option { return func(s *Server) error { s.linkBase = u; return nil } }

// WithTruncatedSegments serves only the first n segments of every replay and
// ends pagination there (Link next results="false" too early), while
// count_segments still announces them all.
func WithTruncatedSegments(n int) Option {
	return func(s *Server) error { s.truncate = n; return nil }
}

// WithEmptySegment serves segment i as [] (Sentry's answer for a lost blob).
func WithEmptySegment(i int) Option {
	return func(s *Server) error { s.emptySeg[i] = true; return nil }
}

// WithFault injects a fault; see Fault.
func WithFault(f Fault) Option {
	return func(s *Server) error { s.faults = append(s.faults, &faultState{Fault: f}); return nil }
}

// WithBundle serves the bundle in dir (replay.json, recording-segments.json,
// errors.json). Error events become issues (their groupID, else a made-up id).
func WithBundle(dir string) Option {
	return func(s *Server) error { return s.AddBundle(dir) }
}

// WithEvent serves an extra event (e.g. a feedback event) in the project.
func WithEvent(body []byte) Option {
	return func(s *Server) error { return s.addEvent(body, "") }
}

// WithIssue declares an issue with a short id and its replays (any number:
// replay-count answers the first ReplayCountCap, as Sentry does, and the
// issue's events list them all). Each replay no event of the issue names
// gets one made-up error event.
func WithIssue(id, shortID string, replayIDs ...string) Option {
	return func(s *Server) error {
		is := s.issues[id]
		if is == nil {
			is = &issue{id: id}
			s.issues[id] = is
		}
		is.shortID = shortID
		for _, r := range replayIDs {
			if r = normID(r); !contains(is.replayIDs, r) {
				is.replayIDs = append(is.replayIDs, r)
			}
		}
		return nil
	}
}

// WithIssueEvents adds made-up error events to an issue, one per replay id
// given, in order: repeat an id for several events of one replay, "" for an
// event without a replay (has:replayId leaves it out). Their replays become
// the issue's.
func WithIssueEvents(issueID string, replayIDs ...string) Option {
	return func(s *Server) error {
		is := s.issues[issueID]
		if is == nil {
			is = &issue{id: issueID, n: len(s.issues) + 1}
			s.issues[issueID] = is
		}
		for _, r := range replayIDs {
			r = normID(r)
			is.events = append(is.events, r)
			if r != "" && !contains(is.replayIDs, r) {
				is.replayIDs = append(is.replayIDs, r)
			}
		}
		return nil
	}
}

// Start starts a fake; Close it when done.
func Start(opts ...Option) (*Server, error) {
	s := &Server{
		Token: DefaultToken, Org: "acme", Project: "frontend", perPage: 100,
		replays: map[string]*replay{}, events: map[string]*event{}, issues: map[string]*issue{},
		emptySeg: map[int]bool{},
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.tls {
		s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	} else {
		s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	}
	s.URL = s.srv.URL
	return s, nil
}

// Client returns an HTTP client for the fake: with WithTLS it trusts the
// fake's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// New starts a fake that closes itself when the test ends. A nil tb is
// allowed (the caller then calls Close); option errors then panic, as this
// is test support code.
func New(tb testing.TB, opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		if tb == nil {
			panic("sentrytest: " + err.Error())
		}
		tb.Helper()
		tb.Fatalf("sentrytest: %v", err)
	}
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Comments returns the comments posted so far.
func (s *Server) Comments() []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Comment(nil), s.comments...)
}

// ResetRequests forgets recorded requests (to count a second run's).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// AddBundle serves one more bundle directory.
func (s *Server) AddBundle(dir string) error {
	detailsBody, err := os.ReadFile(filepath.Join(dir, "replay.json"))
	if err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	var d struct {
		Data struct {
			ID        string          `json:"id"`
			ProjectID json.RawMessage `json:"project_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(detailsBody, &d); err != nil || d.Data.ID == "" {
		return fmt.Errorf("bundle %s: replay.json is not {\"data\":{\"id\":...}}", dir)
	}
	r := &replay{id: normID(d.Data.ID), projectID: strings.Trim(string(d.Data.ProjectID), `"`), details: detailsBody}
	segBody, err := os.ReadFile(filepath.Join(dir, "recording-segments.json"))
	if err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	if err := json.Unmarshal(segBody, &r.segments); err != nil {
		return fmt.Errorf("bundle %s: recording-segments.json: %w", dir, err)
	}
	s.replays[r.id] = r
	errBody, err := os.ReadFile(filepath.Join(dir, "errors.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	var evs []json.RawMessage
	if err := json.Unmarshal(errBody, &evs); err != nil {
		return fmt.Errorf("bundle %s: errors.json: %w", dir, err)
	}
	for _, ev := range evs {
		if err := s.addEvent(ev, r.id); err != nil {
			return fmt.Errorf("bundle %s: %w", dir, err)
		}
	}
	return nil
}

func (s *Server) addEvent(body []byte, replayID string) error {
	var e struct {
		ID      string          `json:"id"`
		EventID string          `json:"eventID"`
		EvID    string          `json:"event_id"`
		GroupID json.RawMessage `json:"groupID"`
		Title   string          `json:"title"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	id := normID(firstNonEmpty(e.EventID, e.ID, e.EvID))
	if id == "" {
		return fmt.Errorf("event has no id, eventID or event_id")
	}
	ev := &event{id: id, replayID: replayID, body: body, title: e.Title}
	if replayID != "" {
		ev.issueID = strings.Trim(string(e.GroupID), `"`)
		if ev.issueID == "" || ev.issueID == "null" {
			ev.issueID = fmt.Sprint(4000 + len(s.issues) + 1)
		}
		is := s.issues[ev.issueID]
		if is == nil {
			is = &issue{id: ev.issueID, n: len(s.issues) + 1}
			s.issues[ev.issueID] = is
		}
		if !contains(is.replayIDs, replayID) {
			is.replayIDs = append(is.replayIDs, replayID)
		}
	}
	if _, dup := s.events[id]; !dup {
		s.eventOrder = append(s.eventOrder, id)
	}
	s.events[id] = ev
	return nil
}

func normID(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
