package mockserver

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Response headers mockserver adds so a browser-side observer can tell
// what it got.
const (
	// HeaderSynthetic is "body" (and/or "headers") when part of the
	// response was not recorded and was made up.
	HeaderSynthetic = "X-Repro-Synthetic"
	// HeaderUnmatched is set on the fail-closed 501 answer.
	HeaderUnmatched = "X-Repro-Unmatched"
	// HeaderExchange names the Seq of the answering exchange.
	HeaderExchange = "X-Repro-Exchange"
)

// skipResponseHeaders are recorded headers never replayed: hop-by-hop
// headers, Content-Length (recomputed from the body actually sent) and
// Content-Encoding (recorded bodies are stored decoded).
var skipResponseHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
	"Transfer-Encoding": true, "Upgrade": true, "Te": true, "Trailer": true,
	"Content-Length": true, "Content-Encoding": true,
}

// serve answers one request. Every path records its journal entry before
// the response leaves, so a client that has its answer can already read
// the evidence for it.
func (m *Mock) serve(w http.ResponseWriter, r *http.Request) {
	now := m.clock.Now()
	je := JournalEntry{Time: now, Method: r.Method, URL: r.URL.RequestURI(), Exchange: -1}
	if m.err != nil {
		je.Outcome, je.Status, je.Note = OutcomeUnmatched, http.StatusInternalServerError, NoteMisconfigured
		m.record(je)
		writeJSON(w, http.StatusInternalServerError, map[string]any{
			"error": "repro mockserver is misconfigured: " + m.err.Error(),
		})
		return
	}
	in, err := NewRequest(r)
	if err != nil {
		je.Outcome, je.Status, je.Note = OutcomeUnmatched, http.StatusBadRequest, NoteBadRequest
		m.record(je)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "repro mockserver: " + err.Error()})
		return
	}
	je.Method, je.URL = in.Method, in.URL()

	p := m.match(in)
	if p.mismatch != nil {
		je.Mismatch = p.mismatch
		je.Call, je.Recorded = p.call, p.recorded
		if m.up != nil && m.up.forwardUnmatched {
			m.forward(w, r, in, je)
			return
		}
		je.Outcome, je.Status = OutcomeUnmatched, http.StatusNotImplemented
		m.record(je)
		w.Header().Set(HeaderUnmatched, "1")
		writeJSON(w, http.StatusNotImplemented, map[string]any{
			"error":      "repro mockserver: " + p.mismatch.Reason + "; nothing was sent to the network",
			"request":    map[string]string{"method": in.Method, "url": in.URL()},
			"candidates": p.mismatch.Candidates,
		})
		return
	}

	e := &p.entry.ex
	je.Exchange, je.Label, je.Call, je.Recorded = e.Seq, e.Label, p.call, p.recorded
	je.Outcome = OutcomeRecorded
	if p.repeated {
		je.Outcome, je.Note = OutcomeRepeated, NoteBeyondRecorded
	}
	needsBody := bodyAllowed(in.Method, e.Status)
	if needsBody && !e.responseBodyKnown() && m.up != nil {
		m.forward(w, r, in, je)
		return
	}

	je.Latency = m.latency.Delay(e.Latency)
	if err := m.clock.Sleep(r.Context(), je.Latency); err != nil {
		je.Note = NoteClientGone
		m.record(je)
		return
	}
	if e.Status == 0 {
		je.Note = NoteNetworkError
		m.record(je)
		abort(w)
		return
	}

	h := w.Header()
	if e.responseHeadersKnown() {
		for k, vs := range e.ResponseHeaders {
			if !skipResponseHeaders[http.CanonicalHeaderKey(k)] {
				h[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
			}
		}
	}
	var synth []string
	if !e.responseHeadersKnown() {
		synth = append(synth, "headers")
		je.Note = joinNote(je.Note, NoteSyntheticHdrs)
	}
	body := e.ResponseBody
	if needsBody && !e.responseBodyKnown() {
		body = syntheticBody(h)
		synth = append([]string{"body"}, synth...)
		je.Synthetic, je.Outcome = true, OutcomeSynthetic
	} else if !needsBody {
		body = nil
	}
	if len(synth) > 0 {
		h.Set(HeaderSynthetic, strings.Join(synth, ", "))
	}
	if !e.responseHeadersKnown() && h.Get("Content-Type") == "" && len(body) > 0 {
		if _, ok := parseJSON(body); ok {
			h.Set("Content-Type", "application/json")
		}
	}
	h.Set(HeaderExchange, strconv.Itoa(e.Seq))
	if needsBody {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	je.Status = e.Status
	m.record(je)
	w.WriteHeader(e.Status)
	if len(body) > 0 && in.Method != http.MethodHead {
		// A write error means the client left; the journal still says
		// what was planned.
		_, _ = w.Write(body)
	}
}

// bodyAllowed reports whether a response to method with status carries a
// body at all; when it does not, a missing body needs no synthesis.
func bodyAllowed(method string, status int) bool {
	switch {
	case method == http.MethodHead:
		return false
	case status >= 100 && status < 200, status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}

// syntheticNote is the text every synthetic body carries.
const syntheticNote = "response body was not captured in the recording; this body is synthetic"

// syntheticBody makes a body that says plainly it is not real: JSON when
// the recorded type is JSON or unknown (setting the type if unknown),
// plain text otherwise.
func syntheticBody(h http.Header) []byte {
	ct := h.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if ct == "" || mt == "application/json" || strings.HasSuffix(mt, "+json") {
		if ct == "" {
			h.Set("Content-Type", "application/json")
		}
		b, _ := json.Marshal(map[string]any{"_repro_synthetic": true, "note": syntheticNote})
		return b
	}
	return []byte("[repro synthetic body] " + syntheticNote + "\n")
}

// abort closes the connection without a response, as the recorded
// network error did. Without a hijackable connection it answers 502.
func abort(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	writeJSON(w, http.StatusBadGateway, map[string]any{
		"error": "repro mockserver: the recording has a network error (no response) here",
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}
