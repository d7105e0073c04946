package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// envelope is one POST the fake ingest received, kept byte for byte, plus the
// items decoded from it.
type envelope struct {
	Raw      []byte
	Received time.Time
	Items    []envelopeItem
}

// envelopeItem is one decoded item of an envelope.
type envelopeItem struct {
	Type    string
	Header  map[string]any
	Payload []byte // for replay_recording: the decompressed JSON event array
	// SegmentID is set for replay_recording items.
	SegmentID  int
	Compressed bool
}

// ingest is a fake Sentry ingest: it accepts POST /api/<project>/envelope/,
// keeps every envelope and answers 200 with CORS headers, as sentry.io does.
type ingest struct {
	mu        sync.Mutex
	envelopes []envelope
	lastAt    time.Time
	log       *slog.Logger
}

func (in *ingest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Headers", "*")
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/api/") || !strings.HasSuffix(r.URL.Path, "/envelope/") {
		http.Error(w, "not an envelope endpoint", http.StatusNotFound)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	items, err := decodeEnvelope(raw)
	if err != nil {
		in.log.Warn("undecodable envelope", "err", err)
	}
	in.mu.Lock()
	in.envelopes = append(in.envelopes, envelope{Raw: raw, Received: time.Now(), Items: items})
	in.lastAt = time.Now()
	in.mu.Unlock()
	for _, it := range items {
		in.log.Debug("ingest item", "type", it.Type, "segment", it.SegmentID, "compressed", it.Compressed, "bytes", len(it.Payload))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{}`)
}

// reset forgets every envelope, before the next scenario.
func (in *ingest) reset() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.envelopes = nil
	in.lastAt = time.Time{}
}

// snapshot returns the envelopes received so far and the time of the last one.
func (in *ingest) snapshot() ([]envelope, time.Time) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]envelope(nil), in.envelopes...), in.lastAt
}

// decodeEnvelope splits an envelope into its items (sentry-format.md §5): a
// header line, then per item a header line and a payload that is either
// `length` bytes or one line.
func decodeEnvelope(raw []byte) ([]envelopeItem, error) {
	rd := bufio.NewReader(bytes.NewReader(raw))
	if _, err := rd.ReadBytes('\n'); err != nil {
		return nil, fmt.Errorf("envelope header: %w", err)
	}
	var items []envelopeItem
	for {
		line, err := rd.ReadBytes('\n')
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			if err != nil {
				return items, nil
			}
			continue
		}
		var hdr map[string]any
		if jerr := json.Unmarshal(line, &hdr); jerr != nil {
			return items, fmt.Errorf("item header %q: %w", line, jerr)
		}
		var payload []byte
		if n, ok := hdr["length"].(float64); ok {
			payload = make([]byte, int(n))
			if _, err := io.ReadFull(rd, payload); err != nil {
				return items, fmt.Errorf("item %v payload: %w", hdr["type"], err)
			}
			// The separator newline after a sized payload is optional.
			if b, err := rd.Peek(1); err == nil && b[0] == '\n' {
				_, _ = rd.ReadByte()
			}
		} else {
			payload, err = rd.ReadBytes('\n')
			payload = bytes.TrimSuffix(payload, []byte("\n"))
			if err != nil && err != io.EOF {
				return items, fmt.Errorf("item %v payload: %w", hdr["type"], err)
			}
		}
		it := envelopeItem{Header: hdr, Payload: payload}
		it.Type, _ = hdr["type"].(string)
		if it.Type == "replay_recording" {
			if err := decodeRecording(&it); err != nil {
				return items, err
			}
		}
		items = append(items, it)
	}
}

// decodeRecording splits `{"segment_id":N}\n<recording>` and inflates a zlib
// recording.
func decodeRecording(it *envelopeItem) error {
	head, body, ok := bytes.Cut(it.Payload, []byte("\n"))
	if !ok {
		return fmt.Errorf("replay_recording: no segment header")
	}
	var sh struct {
		SegmentID int `json:"segment_id"`
	}
	if err := json.Unmarshal(head, &sh); err != nil {
		return fmt.Errorf("replay_recording header: %w", err)
	}
	it.SegmentID = sh.SegmentID
	if len(body) > 0 && body[0] == '[' {
		it.Payload = body
		return nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("replay_recording segment %d: zlib: %w", sh.SegmentID, err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("replay_recording segment %d: inflate: %w", sh.SegmentID, err)
	}
	it.Payload = plain
	it.Compressed = true
	return nil
}
