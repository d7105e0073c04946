package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// accessEntry is one /api/ request as the app's server saw it.
type accessEntry struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	Status int    `json:"status"`
	AtMS   int64  `json:"at_ms"`
	Body   string `json:"body,omitempty"`
}

// site serves one scenario's app variant: its static files with an SPA
// fallback to index.html, its API, and the Sentry SDK and config under
// /__sentry/. It records an access log of /api/ requests.
type site struct {
	mu       sync.Mutex
	dir      string
	api      http.Handler
	config   string
	sdkPath  string
	start    time.Time
	access   []accessEntry
	hostname string
}

// load switches the site to a new scenario.
func (s *site) load(dir string, api http.Handler, config string, start time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dir, s.api, s.config, s.start, s.access = dir, api, config, start, nil
}

func (s *site) accessLog() []accessEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]accessEntry(nil), s.access...)
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	dir, api, config, start := s.dir, s.api, s.config, s.start
	s.mu.Unlock()

	switch {
	case r.URL.Path == "/__sentry/sdk.js":
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFile(w, r, s.sdkPath)
	case r.URL.Path == "/__sentry/config.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, config)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		at := time.Since(start).Milliseconds() // when the request arrived
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		api.ServeHTTP(rec, r)
		s.mu.Lock()
		s.access = append(s.access, accessEntry{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status,
			AtMS: at, Body: string(body),
		})
		s.mu.Unlock()
	default:
		w.Header().Set("Cache-Control", "no-store")
		p := filepath.Join(dir, filepath.FromSlash(path.Clean("/"+r.URL.Path)))
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			http.ServeFile(w, r, p)
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, "index.html"))
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// writeJSON answers with a JSON body and status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	// No trailing newline: the SDK parses a body as JSON only when it starts
	// and ends with a brace or bracket.
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if _, err := w.Write(b); err != nil {
		fmt.Fprintln(os.Stderr, "write json:", err)
	}
}

// hostRouter sends each request to the handler of its host name (without the
// port), so one listener serves the app origin and the ingest origin.
type hostRouter map[string]http.Handler

func (h hostRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if i := strings.LastIndex(host, ":"); i >= 0 {
		host = host[:i]
	}
	if hd, ok := h[host]; ok {
		hd.ServeHTTP(w, r)
		return
	}
	if hd, ok := h["*"]; ok {
		hd.ServeHTTP(w, r)
		return
	}
	http.Error(w, "unknown host "+host, http.StatusMisdirectedRequest)
}
