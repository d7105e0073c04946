package mockserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Outcome says how a request was answered.
type Outcome string

// Outcomes, in the order a verdict should worry about them.
const (
	// OutcomeUnmatched: no recorded exchange matched; the request failed
	// closed (501) and touched no network.
	OutcomeUnmatched Outcome = "unmatched"
	// OutcomeUpstream: forwarded to the engineer's local backend.
	OutcomeUpstream Outcome = "upstream"
	// OutcomeSynthetic: recorded status and headers with a synthetic body,
	// because the recording did not capture the body.
	OutcomeSynthetic Outcome = "synthetic"
	// OutcomeRepeated: more identical calls than were recorded; the last
	// recorded response was served again.
	OutcomeRepeated Outcome = "repeated"
	// OutcomeRecorded: the recorded response, exactly.
	OutcomeRecorded Outcome = "recorded"
)

// Journal notes.
const (
	NoteBeyondRecorded = "beyond_recorded"   // more calls than recorded, last response repeated
	NoteClientGone     = "client_gone"       // the client left during the latency wait; nothing was written
	NoteNetworkError   = "network_error"     // the recording had no response; the connection was aborted
	NoteSyntheticHdrs  = "synthetic_headers" // response headers were not captured
	NoteUpstreamError  = "upstream_error"    // the upstream could not be reached
	NoteBadRequest     = "bad_request"       // the request could not be read
	NoteMisconfigured  = "misconfigured"     // the Mock has a configuration error (see Err)
)

// JournalEntry records how one request was answered: the evidence a
// verdict rests on.
type JournalEntry struct {
	// Seq numbers requests in arrival order, from 1.
	Seq    int       `json:"seq"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	URL    string    `json:"url"`
	// Exchange is the Seq of the answering exchange, -1 for none.
	Exchange int     `json:"exchange"`
	Label    string  `json:"label,omitempty"`
	Outcome  Outcome `json:"outcome"`
	Status   int     `json:"status"`
	// Latency is the delay the Mock planned before answering.
	Latency time.Duration `json:"-"`
	// Call is this request's position among identical requests (1-based)
	// and Recorded how many responses were recorded for them.
	Call     int `json:"call,omitempty"`
	Recorded int `json:"recorded,omitempty"`
	// Synthetic is true when the body served was not recorded.
	Synthetic bool      `json:"synthetic,omitempty"`
	Note      string    `json:"note,omitempty"`
	Mismatch  *Mismatch `json:"mismatch,omitempty"`
}

// MarshalJSON writes the entry with its latency in milliseconds.
func (e JournalEntry) MarshalJSON() ([]byte, error) {
	type plain JournalEntry
	return json.Marshal(struct {
		plain
		LatencyMS float64 `json:"latency_ms"`
	}{plain(e), float64(e.Latency) / float64(time.Millisecond)})
}

// Candidate is a recorded exchange that nearly matched, with why not.
type Candidate struct {
	Exchange int      `json:"exchange"`
	Label    string   `json:"label,omitempty"`
	Method   string   `json:"method"`
	URL      string   `json:"url"`
	Reasons  []string `json:"reasons"`
}

// Mismatch explains an unmatched request: the nearest recorded
// candidates, best first, and why each did not match.
type Mismatch struct {
	Method     string      `json:"method"`
	URL        string      `json:"url"`
	Reason     string      `json:"reason"`
	Candidates []Candidate `json:"candidates"`
}

// String renders the mismatch as a few lines of text.
func (m Mismatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n", m.Method, m.URL, m.Reason)
	if len(m.Candidates) == 0 {
		b.WriteString("  no recorded exchange is near it\n")
	}
	for _, c := range m.Candidates {
		name := fmt.Sprintf("#%d %s %s", c.Exchange, c.Method, c.URL)
		if c.Label != "" {
			name += " (" + c.Label + ")"
		}
		fmt.Fprintf(&b, "  nearest %s\n", name)
		for _, r := range c.Reasons {
			fmt.Fprintf(&b, "    - %s\n", r)
		}
	}
	return b.String()
}

// MismatchReport renders every mismatch as text for people.
func MismatchReport(ms []Mismatch) string {
	if len(ms) == 0 {
		return "every request matched a recorded exchange\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d request(s) did not match the recording:\n", len(ms))
	for _, m := range ms {
		b.WriteString(m.String())
	}
	return b.String()
}

// Summary counts journal outcomes, for a verdict's one-line evidence.
type Summary struct {
	Requests  int `json:"requests"`
	Recorded  int `json:"recorded"`
	Repeated  int `json:"repeated"`
	Synthetic int `json:"synthetic"`
	Upstream  int `json:"upstream"`
	Unmatched int `json:"unmatched"`
	// Dropped counts entries not kept because of WithJournalLimit.
	Dropped int `json:"dropped,omitempty"`
}

// DependsOnSynthetic reports whether any answer used a body that was not
// recorded, which a verdict must say.
func (s Summary) DependsOnSynthetic() bool { return s.Synthetic > 0 }

func (s *Summary) count(o Outcome) {
	s.Requests++
	switch o {
	case OutcomeRecorded:
		s.Recorded++
	case OutcomeRepeated:
		s.Repeated++
	case OutcomeSynthetic:
		s.Synthetic++
	case OutcomeUpstream:
		s.Upstream++
	case OutcomeUnmatched:
		s.Unmatched++
	}
}
