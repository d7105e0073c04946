package sentryapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Bundle file names. A bundle directory holds the details response, the
// flattened recording-segments pages, the linked error events and fetch.json.
const (
	ReplayFile   = "replay.json"             // {"data":{...}} from the replay details endpoint
	SegmentsFile = "recording-segments.json" // [[events of segment 0], [segment 1], ...]
	ErrorsFile   = "errors.json"             // [full error event, ...]
	FetchFile    = "fetch.json"              // FetchInfo
)

// FetchInfo is fetch.json: where a bundle came from and whether it is whole.
// It never contains the token.
type FetchInfo struct {
	ReplayID         string    `json:"replay_id"`
	Org              string    `json:"org"`
	Project          string    `json:"project,omitempty"`
	SourceURL        string    `json:"source_url"`
	FetchedAt        time.Time `json:"fetched_at"`
	SegmentsExpected int       `json:"segments_expected"`
	SegmentsFetched  int       `json:"segments_fetched"`
	ErrorsExpected   int       `json:"errors_expected"`
	ErrorsFetched    int       `json:"errors_fetched"`
	Partial          bool      `json:"partial"`
	Warnings         []string  `json:"warnings"`
}

// FetchResult is a fetched bundle on disk.
type FetchResult struct {
	Dir string // the bundle directory
	FetchInfo
}

// details holds the few fields of the replay details the fetch needs.
type details struct {
	ID            string     `json:"id"`
	ProjectID     flexString `json:"project_id"`
	CountSegments *int       `json:"count_segments"`
	ErrorIDs      []string   `json:"error_ids"`
	StartedAt     string     `json:"started_at"`
	FinishedAt    string     `json:"finished_at"`
	IsArchived    *bool      `json:"is_archived"`
}

func decodeDetails(body []byte) (details, error) {
	var env struct {
		Data *details `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Data == nil {
		return details{}, errors.New(`replay details: response is not {"data":{...}}`)
	}
	return *env.Data, nil
}

func (c *Client) getDetails(ctx context.Context, base, org, id string, budget *fetchBudget) ([]byte, error) {
	resp, err := c.do(ctx, call{method: "GET", base: base,
		path:  "/api/0/organizations/" + url.PathEscape(org) + "/replays/" + id + "/",
		scope: scopeOrgRead, what: "replay " + id, budget: budget})
	if err != nil {
		return nil, err
	}
	return resp.body, nil
}

func (c *Client) getEvent(ctx context.Context, base, org, project, eventID string, budget *fetchBudget) ([]byte, error) {
	resp, err := c.do(ctx, call{method: "GET", base: base,
		path:  "/api/0/projects/" + url.PathEscape(org) + "/" + url.PathEscape(project) + "/events/" + url.PathEscape(eventID) + "/",
		scope: scopeProjectRead, what: "event " + eventID + " in project " + project, budget: budget})
	if err != nil {
		return nil, err
	}
	if !json.Valid(resp.body) {
		return nil, fmt.Errorf("event %s: response is not JSON", eventID)
	}
	return resp.body, nil
}

// FetchBundle downloads the replay ref names into dir: details, every
// recording segment (checked against count_segments) and the linked error
// events, plus fetch.json. The directory appears whole or not at all; an
// existing dir is replaced only once the new bundle is complete on disk.
//
// Missing segments or error events fail with ErrIncomplete unless the client
// was built WithAllowPartial(true), which keeps the bundle flagged partial.
func (c *Client) FetchBundle(ctx context.Context, ref Ref, dir string) (*FetchResult, error) {
	t, err := c.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	return c.fetchTarget(ctx, t, dir)
}

// targetDetails fetches the target's replay details once and decodes them,
// checking that they describe the replay asked for.
func (c *Client) targetDetails(ctx context.Context, t *target) (details, error) {
	if t.budget == nil {
		t.budget = c.newFetchBudget("replay " + t.replayID)
		t.budget.used = int64(len(t.details)) // fetched while resolving
	}
	if t.details == nil {
		var err error
		if t.details, err = c.getDetails(ctx, t.base, t.org, t.replayID, t.budget); err != nil {
			return details{}, err
		}
	}
	d, err := decodeDetails(t.details)
	if err != nil {
		return details{}, err
	}
	// The id names the bundle's directory and the next URLs: it must be
	// the one asked for, in the 32-hex form.
	if id, ok := NormalizeID(d.ID); !ok || id != t.replayID {
		return details{}, fmt.Errorf("replay %s: Sentry's details name replay %s instead; refusing them", t.replayID, quoteID(d.ID))
	}
	return d, nil
}

func (c *Client) fetchTarget(ctx context.Context, t *target, dir string) (*FetchResult, error) {
	d, err := c.targetDetails(ctx, t)
	if err != nil {
		return nil, err
	}
	if d.IsArchived != nil && *d.IsArchived {
		return nil, fmt.Errorf("replay %s: %w: Sentry deleted its recording, so it cannot be replayed; pick another replay", t.replayID, ErrArchived)
	}
	info := FetchInfo{
		ReplayID:  t.replayID,
		Org:       t.org,
		SourceURL: t.base + "/api/0/organizations/" + url.PathEscape(t.org) + "/replays/" + t.replayID + "/",
		FetchedAt: c.now().UTC(),
		Warnings:  append([]string{}, t.warnings...),
	}
	// The replay's own project_id is authoritative; the configured project
	// only fills in when the details lack it.
	info.Project = string(d.ProjectID)
	if info.Project == "" {
		info.Project = c.cfg.Project
	}
	if info.Project == "" {
		return nil, fmt.Errorf("%w: replay %s has no project_id; set SENTRY_PROJECT", ErrConfig, t.replayID)
	}

	segs, err := c.fetchSegments(ctx, t, d, &info)
	if err != nil {
		return nil, err
	}
	evs, err := c.fetchErrors(ctx, t, d, &info)
	if err != nil {
		return nil, err
	}
	files, err := bundleFiles(t.details, segs, evs, info)
	if err != nil {
		return nil, err
	}
	if err := writeBundleAtomic(dir, files); err != nil {
		return nil, err
	}
	c.log.Info("fetched replay", "replay_id", info.ReplayID, "segments", info.SegmentsFetched,
		"errors", info.ErrorsFetched, "partial", info.Partial, "dir", dir)
	return &FetchResult{Dir: dir, FetchInfo: info}, nil
}

// incompleteError is ErrIncomplete with its cause; errors.Is sees both
// (so a 403 behind a gap still reads as ErrUnauthorized).
type incompleteError struct {
	replayID, msg string
	cause         error
}

func (e *incompleteError) Error() string {
	s := "replay " + e.replayID + ": " + ErrIncomplete.Error() + ": " + e.msg
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s + " (pass --allow-partial to keep what was fetched)"
}

func (e *incompleteError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrIncomplete}
	}
	return []error{ErrIncomplete, e.cause}
}

// incomplete records a gap: a warning with AllowPartial, else ErrIncomplete.
func (c *Client) incomplete(info *FetchInfo, cause error, msg string) error {
	if !c.allowPartial {
		return &incompleteError{replayID: info.ReplayID, msg: msg, cause: cause}
	}
	if cause != nil {
		msg += ": " + cause.Error()
	}
	info.Partial = true
	info.Warnings = append(info.Warnings, msg)
	c.log.Warn("partial replay", "replay_id", info.ReplayID, "warning", msg)
	return nil
}

// fetchSegments pages through recording-segments, following Link rel="next"
// while results="true", until count_segments are in hand.
func (c *Client) fetchSegments(ctx context.Context, t *target, d details, info *FetchInfo) ([]json.RawMessage, error) {
	expected := 0
	if d.CountSegments != nil {
		expected = *d.CountSegments
	} else {
		info.Warnings = append(info.Warnings, "replay details have no count_segments; fetched until the last page")
	}
	info.SegmentsExpected = expected
	path := "/api/0/projects/" + url.PathEscape(t.org) + "/" + url.PathEscape(info.Project) + "/replays/" + t.replayID + "/recording-segments/"
	q := url.Values{"download": {"true"}, "per_page": {fmt.Sprint(c.perPage)}}
	what := "recording of replay " + t.replayID
	var segs []json.RawMessage
	err := c.eachPage(ctx, call{method: "GET", base: t.base, path: path, query: q,
		scope: scopeProjectRead, what: what, budget: t.budget}, func(page int, resp *response) (bool, error) {
		var pageSegs []json.RawMessage
		if err := json.Unmarshal(resp.body, &pageSegs); err != nil {
			return false, fmt.Errorf("recording-segments page %d: expected a JSON array of segments (is this an old self-hosted Sentry without ?download support?): %w", page, err)
		}
		segs = append(segs, pageSegs...)
		// With count_segments known, a few pages past it is enough (the
		// gap check below says what is missing); the page cap bounds
		// everything else.
		return expected <= 0 || (len(segs) < expected && page+1 < expected/c.perPage+3), nil
	})
	var pe *pageError
	switch {
	case errors.As(err, &pe) && pe.page > 0 && !errors.Is(err, ErrTooLarge):
		if ierr := c.incomplete(info, pe.err, fmt.Sprintf("recording-segments page %d failed", pe.page)); ierr != nil {
			return nil, ierr
		}
	case err != nil:
		return nil, err
	}
	info.SegmentsFetched = len(segs)
	for i, s := range segs {
		var evs []json.RawMessage
		if err := json.Unmarshal(s, &evs); err != nil {
			return nil, fmt.Errorf("recording segment %d is not an array of events: %w", i, err)
		}
		if len(evs) == 0 {
			info.SegmentsFetched--
			info.Warnings = append(info.Warnings, fmt.Sprintf("segment %d is empty (Sentry lost its blob)", i))
		}
	}
	switch {
	case expected > 0 && info.SegmentsFetched < expected:
		if err := c.incomplete(info, nil, fmt.Sprintf("got %d of %d recording segments", info.SegmentsFetched, expected)); err != nil {
			return nil, err
		}
	case len(segs) == 0:
		if err := c.incomplete(info, nil, "the replay has no recording segments"); err != nil {
			return nil, err
		}
	case len(segs) > expected && expected > 0:
		info.Warnings = append(info.Warnings, fmt.Sprintf("got %d segments, more than count_segments %d (the replay was still recording?)", len(segs), expected))
	}
	return segs, nil
}
