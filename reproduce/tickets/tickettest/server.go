// Package tickettest holds fakes of GitHub's and Jira's REST APIs for
// tests of reproduce/tickets and the CLI's ticket flow: real HTTP servers
// on loopback, written from the public API documentation (paths, auth
// headers, bodies, comment pagination, error answers), with faults a test
// can queue (rate limits, 5xx). It knows nothing of repro's types.
package tickettest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Request is one request a fake received.
type Request struct {
	Method, Path, Query string
	Authorization       string
	Accept              string
	Body                string
}

// Fault is an answer a fake gives instead of the real one, once.
type Fault struct {
	Status int
	Header map[string]string
	Body   string
	// Match limits the fault to requests whose "METHOD path" has this
	// prefix; empty matches any.
	Match string
}

// recorder is the part every fake shares: the request log and queued faults.
type recorder struct {
	mu       sync.Mutex
	requests []Request
	faults   []Fault
}

// Fail queues faults, answered in order to the requests they match.
func (r *recorder) Fail(f ...Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = append(r.faults, f...)
}

// Requests returns the requests received so far.
func (r *recorder) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.requests...)
}

// record logs req and answers with a queued fault when one matches.
func (r *recorder) record(w http.ResponseWriter, req *http.Request, body []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, Request{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery,
		Authorization: req.Header.Get("Authorization"), Accept: req.Header.Get("Accept"), Body: string(body)})
	for i, f := range r.faults {
		if f.Match != "" && !strings.HasPrefix(req.Method+" "+req.URL.Path, f.Match) {
			continue
		}
		r.faults = append(r.faults[:i], r.faults[i+1:]...)
		for k, v := range f.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func start(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
