package sentrytest

import (
	"net/http"
	"time"
)

// Route names an endpoint of the fake, for faults.
type Route string

// The endpoints the fake serves.
const (
	RouteOrg           Route = "org"                 // GET /api/0/organizations/{org}/
	RouteReplayDetails Route = "replay-details"      // GET /api/0/organizations/{org}/replays/{id}/
	RouteSegments      Route = "recording-segments"  // GET /api/0/projects/{org}/{project}/replays/{id}/recording-segments/
	RouteEventsMeta    Route = "replays-events-meta" // GET /api/0/organizations/{org}/replays-events-meta/
	RouteEvent         Route = "event"               // GET /api/0/projects/{org}/{project}/events/{id}/
	RouteEventIDs      Route = "eventids"            // GET /api/0/organizations/{org}/eventids/{id}/
	RouteReplayCount   Route = "replay-count"        // GET /api/0/organizations/{org}/replay-count/
	RouteShortIDs      Route = "shortids"            // GET /api/0/organizations/{org}/shortids/{short_id}/
	RouteComments      Route = "comments"            // POST /api/0/organizations/{org}/issues/{id}/comments/
	RouteIssueEvents   Route = "issue-events"        // GET /api/0/organizations/{org}/issues/{id}/events/
)

// Fault makes a route misbehave. The first Skip matching requests are served
// normally; the next Times (0: all the rest) get the fault.
type Fault struct {
	Route Route
	Skip  int
	Times int
	// Status answers with this HTTP status and a Sentry-style {"detail"} body
	// (Body overrides it). 0 with Delay: answer normally after the delay.
	Status int
	Body   string
	// RetryAfter and RateLimitReset set Retry-After and
	// X-Sentry-Rate-Limit-Reset (epoch seconds) on the fault's answer.
	RetryAfter     string
	RateLimitReset string
	// Delay holds the answer back, or until the client gives up (a timeout).
	Delay time.Duration
	// Location sets the Location header: with a 3xx Status, a redirect.
	Location string
}

type faultState struct {
	Fault
	seen int // matching requests so far
}

// take reports whether this request (already matching the route) gets the fault.
func (f *faultState) take() bool {
	f.seen++
	n := f.seen - f.Skip
	return n > 0 && (f.Times == 0 || n <= f.Times)
}

var defaultDetail = map[int]string{
	http.StatusUnauthorized:        "Invalid token",
	http.StatusForbidden:           "You do not have permission to perform this action.",
	http.StatusNotFound:            "The requested resource does not exist",
	http.StatusTooManyRequests:     "You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds",
	http.StatusInternalServerError: "Internal Error",
}

// applyFault answers per the first fault that takes this request and reports
// whether it did; a delay-only fault returns false after waiting.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, route Route) bool {
	s.mu.Lock()
	var hit *Fault
	for _, f := range s.faults {
		if f.Route == route && f.take() {
			c := f.Fault
			hit = &c
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
	if hit.Delay > 0 {
		t := time.NewTimer(hit.Delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return true // the client gave up; nothing to answer
		case <-t.C:
		}
	}
	if hit.Status == 0 {
		return false
	}
	if hit.RetryAfter != "" {
		w.Header().Set("Retry-After", hit.RetryAfter)
	}
	if hit.RateLimitReset != "" {
		w.Header().Set("X-Sentry-Rate-Limit-Reset", hit.RateLimitReset)
	}
	if hit.Location != "" {
		w.Header().Set("Location", hit.Location)
	}
	if hit.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(hit.Status)
		_, _ = w.Write([]byte(hit.Body))
		return true
	}
	detail := defaultDetail[hit.Status]
	if detail == "" {
		detail = http.StatusText(hit.Status)
	}
	writeJSON(w, hit.Status, map[string]string{"detail": detail})
	return true
}
