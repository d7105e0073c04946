package mockserver

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"
)

// Names of the parts of an exchange that a recording may lack, used in
// Exchange.Missing.
const (
	MissingRequestHeaders  = "request_headers"
	MissingRequestBody     = "request_body"
	MissingResponseHeaders = "response_headers"
	MissingResponseBody    = "response_body"
)

// Exchange is one recorded HTTP request and the response the user's browser
// received. It is data only: serializable, compared by a Matcher, served by a
// Mock. New does not copy the byte slices, so do not modify an Exchange after
// handing it to New.
type Exchange struct {
	// Seq identifies the exchange in the journal and orders repeats: the
	// Nth identical request is answered by the Nth exchange in Seq order.
	// If the Seqs given to New are not unique, New numbers the exchanges
	// 1..n in slice order instead.
	Seq int
	// Method is the HTTP method ("GET", "POST", ...).
	Method string
	// URL is an absolute URL or a path?query; only the path and query are
	// matched, the origin is ignored.
	URL string
	// RequestHeaders are the recorded request headers, if any.
	RequestHeaders http.Header
	// RequestBody is compared with incoming bodies only when
	// RequestBodyCaptured is true and "request_body" is not in Missing.
	RequestBody         []byte
	RequestBodyCaptured bool
	// Status is the recorded status code; 0 means the request failed
	// without a response (a network error), which is served as an aborted
	// connection.
	Status          int
	ResponseHeaders http.Header
	// ResponseBody is served only when ResponseBodyCaptured is true and
	// "response_body" is not in Missing; otherwise the body is synthetic.
	ResponseBody         []byte
	ResponseBodyCaptured bool
	// Latency is the recorded time from request to response.
	Latency time.Duration
	// Missing names the parts the recording did not capture (the Missing*
	// constants).
	Missing []string
	// Label is free text for reports, e.g. "step 4 · POST /api/chat".
	Label string
}

// requestBodyKnown reports whether the request body may be compared.
func (e *Exchange) requestBodyKnown() bool {
	return e.RequestBodyCaptured && !slices.Contains(e.Missing, MissingRequestBody)
}

// responseBodyKnown reports whether the recorded response body may be served.
func (e *Exchange) responseBodyKnown() bool {
	return e.ResponseBodyCaptured && !slices.Contains(e.Missing, MissingResponseBody)
}

// responseHeadersKnown reports whether the recorded response headers are real.
func (e *Exchange) responseHeadersKnown() bool {
	return e.ResponseHeaders != nil && !slices.Contains(e.Missing, MissingResponseHeaders)
}

// exchangeJSON is the cassette form of an Exchange. Bodies that are compact
// JSON (not a bare string) are kept as JSON so fixtures stay readable; other
// text is a JSON string; non-UTF-8 bytes are base64 with *_encoding set.
type exchangeJSON struct {
	Seq                  int             `json:"seq"`
	Label                string          `json:"label,omitempty"`
	Method               string          `json:"method"`
	URL                  string          `json:"url"`
	RequestHeaders       http.Header     `json:"request_headers,omitempty"`
	RequestBody          json.RawMessage `json:"request_body,omitempty"`
	RequestBodyEncoding  string          `json:"request_body_encoding,omitempty"`
	RequestBodyCaptured  *bool           `json:"request_body_captured,omitempty"`
	Status               int             `json:"status"`
	ResponseHeaders      http.Header     `json:"response_headers,omitempty"`
	ResponseBody         json.RawMessage `json:"response_body,omitempty"`
	ResponseBodyEncoding string          `json:"response_body_encoding,omitempty"`
	ResponseBodyCaptured *bool           `json:"response_body_captured,omitempty"`
	LatencyMS            float64         `json:"latency_ms"`
	Missing              []string        `json:"missing,omitempty"`
}

const encodingBase64 = "base64"

// MarshalJSON writes the cassette form of e.
func (e Exchange) MarshalJSON() ([]byte, error) {
	reqCaptured, respCaptured := e.RequestBodyCaptured, e.ResponseBodyCaptured
	w := exchangeJSON{
		Seq:                  e.Seq,
		Label:                e.Label,
		Method:               e.Method,
		URL:                  e.URL,
		RequestHeaders:       e.RequestHeaders,
		RequestBodyCaptured:  &reqCaptured,
		Status:               e.Status,
		ResponseHeaders:      e.ResponseHeaders,
		ResponseBodyCaptured: &respCaptured,
		LatencyMS:            float64(e.Latency) / float64(time.Millisecond),
		Missing:              e.Missing,
	}
	if e.RequestBodyCaptured || len(e.RequestBody) > 0 {
		w.RequestBody, w.RequestBodyEncoding = encodeBody(e.RequestBody)
	}
	if e.ResponseBodyCaptured || len(e.ResponseBody) > 0 {
		w.ResponseBody, w.ResponseBodyEncoding = encodeBody(e.ResponseBody)
	}
	// No HTML escaping: raw JSON bodies must come back byte for byte.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads the cassette form. A body present without an explicit
// *_captured flag counts as captured, so hand-written fixtures stay short.
func (e *Exchange) UnmarshalJSON(data []byte) error {
	// Unknown fields are refused so a misspelt field in a hand-written
	// fixture is an error, not a silently different exchange.
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w exchangeJSON
	if err := dec.Decode(&w); err != nil {
		return err
	}
	reqBody, reqPresent, err := decodeBody(w.RequestBody, w.RequestBodyEncoding)
	if err != nil {
		return fmt.Errorf("exchange %d request_body: %w", w.Seq, err)
	}
	respBody, respPresent, err := decodeBody(w.ResponseBody, w.ResponseBodyEncoding)
	if err != nil {
		return fmt.Errorf("exchange %d response_body: %w", w.Seq, err)
	}
	if math.IsNaN(w.LatencyMS) || w.LatencyMS < 0 {
		return fmt.Errorf("exchange %d latency_ms: must be a non-negative number", w.Seq)
	}
	*e = Exchange{
		Seq:                  w.Seq,
		Method:               w.Method,
		URL:                  w.URL,
		RequestHeaders:       w.RequestHeaders,
		RequestBody:          reqBody,
		RequestBodyCaptured:  captured(w.RequestBodyCaptured, reqPresent),
		Status:               w.Status,
		ResponseHeaders:      w.ResponseHeaders,
		ResponseBody:         respBody,
		ResponseBodyCaptured: captured(w.ResponseBodyCaptured, respPresent),
		Latency:              time.Duration(math.Round(w.LatencyMS * float64(time.Millisecond))),
		Missing:              w.Missing,
		Label:                w.Label,
	}
	return nil
}

func captured(flag *bool, present bool) bool {
	if flag != nil {
		return *flag
	}
	return present
}

// encodeBody picks the cassette form of a body so that decodeBody gives back
// exactly the same bytes: raw JSON only when the body is already compact
// (the cassette is indented on save and compacted on load), a JSON string
// for other UTF-8 text, base64 otherwise.
func encodeBody(b []byte) (json.RawMessage, string) {
	if len(b) > 0 && b[0] != '"' && json.Valid(b) {
		var buf bytes.Buffer
		if json.Compact(&buf, b) == nil && bytes.Equal(buf.Bytes(), b) {
			return json.RawMessage(b), ""
		}
	}
	if utf8.Valid(b) {
		s, _ := json.Marshal(string(b)) // a Go string always marshals
		return s, ""
	}
	s, _ := json.Marshal(base64.StdEncoding.EncodeToString(b))
	return s, encodingBase64
}

// decodeBody is the inverse of encodeBody; present is false when the body
// is absent or null.
func decodeBody(raw json.RawMessage, encoding string) (body []byte, present bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, false, nil
	}
	switch encoding {
	case "":
	case encodingBase64:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, false, fmt.Errorf("base64 body must be a JSON string: %w", err)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, false, fmt.Errorf("decode base64 body: %w", err)
		}
		return b, true, nil
	default:
		return nil, false, fmt.Errorf("unknown body encoding %q", encoding)
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, false, err
		}
		return []byte(s), true, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), true, nil
}
