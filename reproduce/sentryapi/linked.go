package sentryapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// metaRow is one row of replays-events-meta.
type metaRow struct {
	ID      string     `json:"id"`
	IssueID flexString `json:"issue.id"`
	Issue   string     `json:"issue"`
	Title   string     `json:"title"`
	Project string     `json:"project.name"`
}

// eventsMeta lists the error events linked to a replay, all pages, the way
// the Sentry UI does (dataset=discover, end = finished_at + 1s).
func (c *Client) eventsMeta(ctx context.Context, t *target, d details) ([]metaRow, error) {
	q := url.Values{
		"query": {"replayId:[" + t.replayID + "]"}, "per_page": {"50"}, "cursor": {"0:0:0"},
		"dataset": {"discover"}, "project": {"-1"},
	}
	start, err1 := parseSentryTime(d.StartedAt)
	end, err2 := parseSentryTime(d.FinishedAt)
	if err1 == nil && err2 == nil {
		// finished_at is truncated to seconds: widen by one.
		q.Set("start", isoTime(start))
		q.Set("end", isoTime(end.Truncate(time.Second).Add(time.Second)))
	} else {
		q.Set("statsPeriod", "90d")
	}
	path := "/api/0/organizations/" + url.PathEscape(t.org) + "/replays-events-meta/"
	var rows []metaRow
	err := c.eachPage(ctx, call{method: "GET", base: t.base, path: path, query: q,
		scope: scopeOrgRead, what: "errors of replay " + t.replayID, budget: t.budget}, func(_ int, resp *response) (bool, error) {
		var body struct {
			Data []metaRow `json:"data"`
		}
		if err := json.Unmarshal(resp.body, &body); err != nil {
			return false, fmt.Errorf("replays-events-meta: unexpected response: %w", err)
		}
		rows = append(rows, body.Data...)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// fetchErrors gets the full event of every error linked to the replay: the
// replays-events-meta rows, plus any error_ids the meta did not list
// (resolved through eventids).
func (c *Client) fetchErrors(ctx context.Context, t *target, d details, info *FetchInfo) ([]json.RawMessage, error) {
	rows, err := c.eventsMeta(ctx, t, d)
	if errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		if ierr := c.incomplete(info, err, "listing the replay's errors failed"); ierr != nil {
			return nil, ierr
		}
		return []json.RawMessage{}, nil
	}
	listed := map[string]bool{}
	valid := rows[:0]
	for _, r := range rows {
		// An id that is not an event id would go into a URL path: skip it.
		if id, ok := NormalizeID(r.ID); ok && !listed[id] {
			r.ID = id
			listed[id] = true
			valid = append(valid, r)
		}
	}
	rows = valid
	var extra []string
	for _, raw := range d.ErrorIDs {
		if id, ok := NormalizeID(raw); ok && !listed[id] {
			listed[id] = true
			extra = append(extra, id)
		}
	}
	info.ErrorsExpected = len(rows) + len(extra)
	evs := []json.RawMessage{}
	for _, r := range rows {
		project := r.Project
		if project == "" {
			project = info.Project
		}
		ev, err := c.getEvent(ctx, t.base, t.org, project, r.ID, t.budget)
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		if err != nil {
			if ierr := c.incomplete(info, err, "error event "+r.ID+" could not be fetched"); ierr != nil {
				return nil, ierr
			}
			continue
		}
		evs = append(evs, ev)
	}
	for _, id := range extra {
		// Listed by the SDK but not by the events index: the event may have
		// been filtered or dropped, so a 404 is a warning, not a gap.
		resp, err := c.do(ctx, call{method: "GET", base: t.base,
			path:  "/api/0/organizations/" + url.PathEscape(t.org) + "/eventids/" + id + "/",
			scope: scopeOrgRead, what: "event " + id, budget: t.budget})
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		if err == nil {
			var found struct {
				ProjectSlug string `json:"projectSlug"`
			}
			if jerr := json.Unmarshal(resp.body, &found); jerr == nil && found.ProjectSlug != "" {
				var ev []byte
				if ev, err = c.getEvent(ctx, t.base, t.org, found.ProjectSlug, id, t.budget); err == nil {
					evs = append(evs, ev)
					continue
				}
			} else {
				err = fmt.Errorf("eventids %s: response has no projectSlug", id)
			}
		}
		if isNotFound(err) {
			info.ErrorsExpected--
			info.Warnings = append(info.Warnings, "error "+id+" is listed by the replay but Sentry has no such event (dropped, filtered or past retention)")
			continue
		}
		if ierr := c.incomplete(info, err, "error event "+id+" could not be fetched"); ierr != nil {
			return nil, ierr
		}
	}
	info.ErrorsFetched = len(evs)
	return evs, nil
}

// Issue is a Sentry issue (group) linked to a replay through its errors.
type Issue struct {
	ID      string `json:"id"`                 // numeric group id
	ShortID string `json:"short_id,omitempty"` // e.g. FRONTEND-1A3
	Title   string `json:"title,omitempty"`
	Project string `json:"project,omitempty"` // project slug
}

// LinkedIssues lists the issues of the errors linked to the replay ref names,
// in first-seen order. For a local bundle it reads errors.json (groupID,
// title) without the network.
func (c *Client) LinkedIssues(ctx context.Context, ref Ref) ([]Issue, error) {
	if ref.Kind == RefBundle {
		return bundleIssues(ref.Dir)
	}
	t, err := c.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	d, err := c.targetDetails(ctx, t)
	if err != nil {
		return nil, err
	}
	rows, err := c.eventsMeta(ctx, t, d)
	if err != nil {
		return nil, err
	}
	var issues []Issue
	seen := map[string]bool{}
	for _, r := range rows {
		if r.IssueID == "" || seen[string(r.IssueID)] {
			continue
		}
		seen[string(r.IssueID)] = true
		issues = append(issues, Issue{ID: string(r.IssueID), ShortID: r.Issue, Title: r.Title, Project: r.Project})
	}
	return issues, nil
}

// bundleIssues reads the issues of a local bundle's errors.json, in the
// shapes a bundle may hold it: an array of events, or the API's
// {"data":[...]}.
func bundleIssues(dir string) ([]Issue, error) {
	path := filepath.Join(dir, ErrorsFile)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read bundle errors: %w", err)
	}
	type event struct {
		GroupID flexString `json:"groupID"`
		Title   string     `json:"title"`
	}
	var evs []event
	if err := json.Unmarshal(b, &evs); err != nil {
		var wrap struct {
			Data []event `json:"data"`
		}
		if werr := json.Unmarshal(b, &wrap); werr != nil || wrap.Data == nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrMalformedBundle, path, err)
		}
		evs = wrap.Data
	}
	var issues []Issue
	seen := map[string]bool{}
	for _, e := range evs {
		if e.GroupID == "" || seen[string(e.GroupID)] {
			continue
		}
		seen[string(e.GroupID)] = true
		issues = append(issues, Issue{ID: string(e.GroupID), Title: e.Title})
	}
	return issues, nil
}

// PostIssueComment posts markdown as a comment (note) on an issue: POST
// /api/0/organizations/{org}/issues/{issue_id}/comments/ with {"text": ...};
// Sentry answers 201. The token needs event:write. org "" uses the
// configured org. A comment is not retried on 5xx (it may have been saved).
func (c *Client) PostIssueComment(ctx context.Context, org, issueID, markdown string) error {
	if org == "" {
		org = c.cfg.Org
	}
	if org == "" {
		return fmt.Errorf("%w: no organization to post to: pass --org or set SENTRY_ORG", ErrConfig)
	}
	if issueID == "" {
		return fmt.Errorf("post comment: empty issue id")
	}
	body, err := json.Marshal(map[string]string{"text": markdown})
	if err != nil {
		return fmt.Errorf("post comment: %w", err)
	}
	_, err = c.do(ctx, call{method: "POST", base: c.regionURL(ctx, org), body: body,
		path:  "/api/0/organizations/" + url.PathEscape(org) + "/issues/" + url.PathEscape(issueID) + "/comments/",
		scope: scopeEventWrite, what: "issue " + issueID})
	return err
}
