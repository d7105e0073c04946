package reproduce

import (
	"time"
)

// An Observation is the raw evidence of one run of a Plan: what the browser
// did, step by step. It holds no judgement; the verdict compares it with the
// recording. Every entry carries the index of the step in force when it
// happened (-1: before the first step started).
type Observation struct {
	ReplayID string `json:"replay_id,omitempty"`
	// AppURL is the base URL the app under test was reached at.
	AppURL    string        `json:"app_url"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"duration"`

	Steps      []StepResult    `json:"steps"`
	Console    []ConsoleEntry  `json:"console,omitempty"`
	Exceptions []Exception     `json:"exceptions,omitempty"`
	Network    []NetworkRecord `json:"network,omitempty"`
	// IngestEvents are the Sentry events the app's own SDK tried to send
	// (captured, decoded, never forwarded).
	IngestEvents []IngestEvent `json:"ingest_events,omitempty"`
	DeadClicks   []DeadClick   `json:"dead_clicks,omitempty"`

	// Completed is true when every step ran. Otherwise StoppedAt is the
	// index of the step that could not be done and StopReason says why.
	Completed  bool   `json:"completed"`
	StoppedAt  int    `json:"stopped_at"`
	StopReason string `json:"stop_reason,omitempty"`

	// FinalURL is the page's URL after the last step and the settle period.
	FinalURL string `json:"final_url,omitempty"`
	// ArtifactsDir holds the per-step screenshots ("" when none were taken).
	ArtifactsDir string `json:"artifacts_dir,omitempty"`
}

// StepStatus is how a step went.
type StepStatus string

// Step outcomes.
const (
	StepOK     StepStatus = "ok"
	StepFailed StepStatus = "failed"
)

// StepResult is what happened when one step ran.
type StepResult struct {
	Index       int           `json:"index"`
	Kind        StepKind      `json:"kind"`
	Description string        `json:"description,omitempty"`
	Status      StepStatus    `json:"status"`
	Reason      string        `json:"reason,omitempty"`     // why it failed
	Selector    string        `json:"selector,omitempty"`   // the candidate that matched
	UsedPoint   bool          `json:"used_point,omitempty"` // fell back to the recorded X, Y
	StartedAt   time.Time     `json:"started_at"`
	Duration    time.Duration `json:"duration"`
	// Mutations and Requests count the DOM mutations and browser requests
	// seen from the start of the step until it settled.
	Mutations int `json:"mutations"`
	Requests  int `json:"requests"`
	// Screenshot is the PNG file name (in ArtifactsDir) taken after the step.
	Screenshot string `json:"screenshot,omitempty"`
}

// ConsoleEntry is one console message of the page.
type ConsoleEntry struct {
	Time  time.Time `json:"time"`
	Step  int       `json:"step"`
	Level string    `json:"level"` // log, debug, info, warning, error
	Text  string    `json:"text"`
	URL   string    `json:"url,omitempty"`
	Line  int       `json:"line,omitempty"`
}

// Exception is an uncaught exception (or unhandled rejection) in the page.
type Exception struct {
	Time    time.Time `json:"time"`
	Step    int       `json:"step"`
	Type    string    `json:"type"`    // e.g. "TypeError" ("" when unknown)
	Message string    `json:"message"` // e.g. "Cannot read properties of undefined (reading 'url')"
	Stack   string    `json:"stack,omitempty"`
	URL     string    `json:"url,omitempty"`
}

// Disposition is what the fail-closed network did with a request.
type Disposition string

// Request dispositions.
const (
	DispositionApp     Disposition = "app"     // served by the app under test
	DispositionMock    Disposition = "mock"    // answered by the mock backend
	DispositionIngest  Disposition = "ingest"  // Sentry ingest, captured and answered 200
	DispositionBlocked Disposition = "blocked" // refused: would have left the sandbox
)

// NetworkRecord is one browser request and what the network did with it.
type NetworkRecord struct {
	Time        time.Time   `json:"time"`
	Step        int         `json:"step"`
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	Disposition Disposition `json:"disposition"`
	// Status is the response status (0 when blocked or not answered).
	Status int `json:"status,omitempty"`
	// Error says why a request failed to be served (e.g. the app server
	// was unreachable).
	Error string `json:"error,omitempty"`
}

// IngestEvent is an error event the app's Sentry SDK sent.
type IngestEvent struct {
	Time    time.Time `json:"time"`
	Step    int       `json:"step"`
	EventID string    `json:"event_id,omitempty"`
	Type    string    `json:"type"`  // exception type, e.g. "TypeError"
	Value   string    `json:"value"` // exception message
	Level   string    `json:"level,omitempty"`
}

// DeadClick is a click after which the page did nothing: no DOM mutation and
// no request within the window.
type DeadClick struct {
	Step     int           `json:"step"`
	Selector string        `json:"selector,omitempty"`
	Window   time.Duration `json:"window"`
}
