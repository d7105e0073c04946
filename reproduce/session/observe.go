package session

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/repro-dev/repro/reproduce/plan"
)

// An Observation is the raw evidence of one run of a plan.Plan: what the browser
// did, step by step. It holds no judgement; the verdict compares it with the
// recording. Every entry carries the index of the step in force when it
// happened (-1: before the first step started).
type Observation struct {
	ReplayID string `json:"replay_id,omitempty"`
	// AppURL is the base URL the app under test was reached at.
	AppURL    string        `json:"app_url"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"-"`

	Steps      []StepResult    `json:"steps"`
	Console    []ConsoleEntry  `json:"console,omitempty"`
	Exceptions []Exception     `json:"exceptions,omitempty"`
	Network    []NetworkRecord `json:"network,omitempty"`
	// IngestEvents are the Sentry events the app's own SDK tried to send
	// (captured, decoded, never forwarded).
	IngestEvents []IngestEvent `json:"ingest_events,omitempty"`
	DeadClicks   []DeadClick   `json:"dead_clicks,omitempty"`
	// Judged lists the click steps whose dead-click judgement ran (the SDK's
	// rule, plan.Step.JudgeDeadClick); Undecided those whose judgement was cut
	// short because the verdict no longer depended on it.
	Judged    []int `json:"judged_clicks,omitempty"`
	Undecided []int `json:"undecided_clicks,omitempty"`

	// Completed is true when every step ran. Otherwise StoppedAt is the
	// index of the step that could not be done and StopReason says why.
	Completed  bool   `json:"completed"`
	StoppedAt  int    `json:"stopped_at"`
	StopReason string `json:"stop_reason,omitempty"`

	// FinalURL is the page's URL after the last step and the settle period.
	FinalURL string `json:"final_url,omitempty"`
	// ArtifactsDir holds the steps' screenshots ("" when none were taken).
	ArtifactsDir string `json:"artifacts_dir,omitempty"`
	// Screenshots is the policy that chose the steps with one (set with
	// ArtifactsDir).
	Screenshots ScreenshotPolicy `json:"screenshots,omitempty"`
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
	Kind        plan.StepKind `json:"kind"`
	Description string        `json:"description,omitempty"`
	Status      StepStatus    `json:"status"`
	Reason      string        `json:"reason,omitempty"`     // why it failed
	Selector    string        `json:"selector,omitempty"`   // the candidate that matched
	UsedPoint   bool          `json:"used_point,omitempty"` // fell back to the recorded X, Y
	StartedAt   time.Time     `json:"started_at"`
	Duration    time.Duration `json:"-"`
	// Mutations and Requests count the DOM mutations and browser requests
	// seen from the start of the step until it settled.
	Mutations int `json:"mutations"`
	Requests  int `json:"requests"`
	// Unanswered counts the requests still waiting for an answer when the
	// step ended: the step never settled, so its counts prove nothing.
	Unanswered int `json:"unanswered,omitempty"`
	// Screenshot is the JPEG file name (in ArtifactsDir) taken after the
	// step: the viewport at half scale.
	Screenshot string `json:"screenshot,omitempty"`
	// Box is the target's box when the step acted on it (x, y, width,
	// height in CSS pixels of the viewport), for outlining it on the
	// screenshot; nil when the step had no element target.
	Box []float64 `json:"box,omitempty"`
}

// ConsoleEntry is one console message of the page: a call of the console
// API (Source "") or an entry of the browser's own log (Source "network",
// "security", …: the SDK never records those).
type ConsoleEntry struct {
	Time  time.Time `json:"time"`
	Step  int       `json:"step"`
	Level string    `json:"level"` // log, debug, info, warning, error
	// Text is the message as Chrome's console shows it.
	Text string `json:"text"`
	// SDK is the message as the Sentry SDK's console breadcrumb would hold
	// it (console API calls only), the form recordings are compared in.
	SDK    string `json:"sdk,omitempty"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	Line   int    `json:"line,omitempty"`
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
	Message string    `json:"message,omitempty"` // the event's message, when it has one
}

// DeadClick is a click after which the page did nothing: no DOM mutation and
// no request within the window.
type DeadClick struct {
	Step     int           `json:"step"`
	Selector string        `json:"selector,omitempty"`
	Window   time.Duration `json:"-"`
}

// watchConsole records console messages and uncaught exceptions, each tied
// to the step in force when it arrived. A message that cannot be decoded
// ends an iterator, never the watch: it subscribes again.
func (s *Session) watchConsole() {
	msgs := chromedp.Console(s.tab)
	go func() {
		for {
			for m, err := range msgs {
				if err != nil {
					break
				}
				s.noteConsole(m)
			}
			if s.tab.Err() != nil {
				return
			}
			s.log.Warn("console: an event did not decode; watching again")
			msgs = chromedp.Console(s.tab)
		}
	}()
}

// drainPrefix starts the token drainConsole logs.
const drainPrefix = "\x00repro-drain "

// drainConsole returns once every console message and exception the page
// reported before it was called has been recorded: it logs a token with
// the console's own debug (window.__repro.mark, which an app's SDK does
// not see) and waits, at most two seconds, for the watcher to read it.
// The protocol delivers a tab's console events in order, so the messages
// before the token are in — a console.error the app logged as the run
// ended, on a loaded machine, included.
func (s *Session) drainConsole(ctx context.Context) {
	token := fmt.Sprintf("%s%d", drainPrefix, s.drainSeq.Add(1))
	ch := make(chan struct{})
	s.drains.Store(token, ch)
	defer s.drains.Delete(token)
	asked, err := run(s, ctx, 2*time.Second, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const r = window.__repro; if (!r || !r.mark) return false; r.mark(%q); return true; })()`, token)))
	if err != nil || !asked {
		s.log.Debug("console: drain not asked", "err", err)
		return
	}
	select {
	case <-ch:
	case <-time.After(2 * time.Second):
		s.log.Debug("console: drain token not seen within 2s")
	case <-ctx.Done():
	}
}

func (s *Session) noteConsole(m chromedp.ConsoleMessage) {
	if strings.HasPrefix(m.Text, drainPrefix) {
		if ch, ok := s.drains.LoadAndDelete(m.Text); ok {
			close(ch.(chan struct{}))
		}
		return
	}
	step := int(s.current.Load())
	t := m.Time
	if t.IsZero() {
		t = time.Now()
	}
	if m.IsException() {
		e := exceptionOf(m, t, step)
		if d := m.Exception; d != nil && d.Exception != nil && d.Exception.ObjectID != "" {
			if name, msg, ok := s.errorName(d.Exception); ok {
				e.Type, e.Message = name, msg
			}
		}
		s.addException(e)
		return
	}
	e := ConsoleEntry{Time: t, Step: step, Level: string(m.Type), Text: m.Text, URL: m.URL, Line: int(m.Line) + 1, Source: m.Source}
	if m.Source == "" {
		e.SDK = sdkConsoleMessage(string(m.Type), m.Args, s.describeArg)
	}
	s.addConsole(e)
}

// describeArg runs the SDK's rule on a console argument in the page.
func (s *Session) describeArg(o *runtime.RemoteObject) (string, bool) {
	return callOn[string](s, o, sdkFormJS)
}

// callOn calls fn on a page object (this), with a second to answer, and
// decodes what it returns; false when it could not (the object is gone,
// or fn threw). A null decodes as T's zero value.
func callOn[T any](s *Session, o *runtime.RemoteObject, fn string) (T, bool) {
	var v T
	yes := true
	ctx, cancel := context.WithTimeout(s.tab, time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
		FunctionDeclaration: fn, ObjectID: o.ObjectID, ReturnByValue: &yes, Silent: &yes,
	})
	if err != nil || res.Result == nil || res.ExceptionDetails != nil {
		return v, false
	}
	if json.Unmarshal(res.Result.Value, &v) != nil {
		return v, false
	}
	return v, true
}

func (s *Session) addConsole(e ConsoleEntry) {
	s.mu.Lock()
	s.obs.Console = append(s.obs.Console, e)
	s.mu.Unlock()
	if e.Level == "error" {
		s.noteError()
	}
}

func (s *Session) addException(e Exception) {
	s.mu.Lock()
	s.obs.Exceptions = append(s.obs.Exceptions, e)
	s.mu.Unlock()
	s.noteError()
}

// noteError wakes a wait that may end once the verdict is decided.
func (s *Session) noteError() {
	select {
	case s.errSeen <- struct{}{}:
	default:
	}
}

// decided reports whether the run's verdict can no longer change: a
// recorded failure signal (RunConfig.Signature) was already seen — an
// error, a console error, or a click already judged dead.
func (s *Session) decided() bool {
	return s.cfg.Decided != nil && s.cfg.Decided(s.Observation())
}

// errorNameJS is the SDK's reading of an exception (exceptionFromError in
// @sentry/browser: type = error.name, value = error.message), for an
// Error-like object; null for anything else.
const errorNameJS = `function () {
	if (!this || typeof this !== 'object' || typeof this.name !== 'string' || !this.name) return null;
	return [this.name, typeof this.message === 'string' ? this.message : ''];
}`

// errorName reads an uncaught exception's name and message in the page,
// as the SDK does: a production bundle's minifier renames a custom error
// class (the constructor, which CDP calls its className), not the name
// its instances report.
func (s *Session) errorName(o *runtime.RemoteObject) (name, message string, ok bool) {
	v, ok := callOn[[]string](s, o, errorNameJS)
	if !ok || len(v) != 2 {
		return "", "", false
	}
	return v[0], v[1], true
}

// exceptionOf reads the type, message and stack of an uncaught exception
// from its description (Session.errorName then reads the name and message
// the SDK would, when the page still holds the object).
// An Error's description is "TypeError: message\n    at ..."; a thrown
// non-Error has only a value.
func exceptionOf(m chromedp.ConsoleMessage, t time.Time, step int) Exception {
	e := Exception{Time: t, Step: step, URL: m.URL, Message: m.Text}
	if d := m.Exception; d != nil {
		if e.URL == "" {
			e.URL = d.URL
		}
		if o := d.Exception; o != nil {
			e.Type = o.ClassName
			desc := o.Description
			if desc == "" && len(o.Value) > 0 {
				desc = strings.Trim(string(o.Value), `"`)
			}
			first, rest, _ := strings.Cut(desc, "\n")
			if e.Type != "" {
				first = strings.TrimPrefix(first, e.Type+": ")
			}
			if first != "" {
				e.Message = first
			}
			e.Stack = strings.TrimSpace(rest)
		}
	}
	if e.Stack == "" && m.Stack != nil {
		var b strings.Builder
		for _, f := range m.Stack.CallFrames {
			fmt.Fprintf(&b, "at %s (%s:%d:%d)\n", f.FunctionName, f.URL, f.LineNumber+1, f.ColumnNumber+1)
		}
		e.Stack = strings.TrimSpace(b.String())
	}
	return e
}

// pageState is what the init script counts in the current document.
type pageState struct {
	Doc       string  `json:"doc"`
	Mutations int     `json:"mutations"`
	Scrolls   int     `json:"scrolls"`
	Now       float64 `json:"now"`
	Quiet     float64 `json:"quiet"` // ms since the last mutation
	Ready     string  `json:"ready"`
	Href      string  `json:"href"`
	// View is the visual viewport in document coordinates: scrollX,
	// scrollY, innerWidth, innerHeight.
	View []float64 `json:"view"`
}

const pageStateJS = `(() => { const r = window.__repro, now = performance.now(); return {doc: r ? r.doc : '', mutations: r ? r.mutations : 0, scrolls: r ? r.scrolls || 0 : 0, now, quiet: r ? now - r.lastMutation : 1e9, ready: document.readyState, href: location.href, view: [scrollX, scrollY, innerWidth, innerHeight]}; })()`

func (s *Session) pageState(ctx context.Context) (pageState, error) {
	return run(s, ctx, time.Second, chromedp.Evaluate[pageState](pageStateJS))
}

// activity is a snapshot of what the page has done, to tell whether a step
// changed anything.
type activity struct {
	doc       string
	mutations int
	scrolls   int
	now       float64 // the page's performance.now()
	requests  int
	view      []float64 // pageState.View
}

func (s *Session) activity(ctx context.Context) activity {
	st, _ := s.pageState(ctx)
	return activity{doc: st.Doc, mutations: st.Mutations, scrolls: st.Scrolls, now: st.Now, requests: s.net.requestsSeen(), view: st.View}
}

// changedSince counts mutations and requests between a and now; a new
// document counts as a change.
func changedSince(a, now activity) (mutations, requests int, changed bool) {
	requests = now.requests - a.requests
	if now.doc != a.doc {
		return now.mutations + 1, requests, true
	}
	mutations = now.mutations - a.mutations
	return mutations, requests, mutations > 0 || requests > 0
}
