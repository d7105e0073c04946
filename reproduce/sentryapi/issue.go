package sentryapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
)

// ReplayCountCap is the most replay ids Sentry's replay-count endpoint
// returns for one issue (MAX_REPLAY_COUNT in getsentry/sentry
// src/sentry/replays/usecases/replay_counts.py). An issue that gets this
// many may have more: they are listed from its events.
const ReplayCountCap = 51

// IssueReplays is an issue and the replays Sentry links to it.
type IssueReplays struct {
	IssueID   string   // numeric group id
	ShortID   string   // PROJ-1A3, when the issue was given by short id
	ReplayIDs []string // 32-hex replay ids, distinct: replay-count's, then those only its events name
	// Partial is set when the listing stopped early (a page failed, or the
	// page cap) and the client allows partial results; Warnings says why.
	Partial  bool
	Warnings []string
}

// ResolveIssue lists an issue's replays. issue is a numeric id or a SHORT-ID,
// resolved first with GET /api/0/organizations/{org}/shortids/{short_id}/.
// org "" uses the configured org.
//
// Sentry's replay-count answers at most ReplayCountCap ids; when it does,
// the issue's events that carry a replay are paged through as well (see
// issueEventReplays), bounded by the page cap (WithMaxPages). A listing cut
// short fails, or with WithAllowPartial(true) comes back Partial.
func (c *Client) ResolveIssue(ctx context.Context, org, issue string) (IssueReplays, error) {
	ref, err := ParseIssueRef(issue)
	if err != nil {
		return IssueReplays{}, err
	}
	if org != "" {
		ref.Org = org
	}
	if org, err = c.orgFor(ref); err != nil {
		return IssueReplays{}, err
	}
	base, err := c.apiBase(ctx, ref, org)
	if err != nil {
		return IssueReplays{}, err
	}
	return c.resolveIssue(ctx, base, org, ref.ID, true)
}

// resolveIssue lists the issue's replays: replay-count's, and with all,
// when replay-count is capped, those of its events too (picking one replay
// needs no more than replay-count's).
func (c *Client) resolveIssue(ctx context.Context, base, org, issue string, all bool) (IssueReplays, error) {
	ir := IssueReplays{IssueID: issue}
	if !numericID.MatchString(issue) {
		ir.ShortID = issue
		resp, err := c.do(ctx, call{method: "GET", base: base,
			path:  "/api/0/organizations/" + url.PathEscape(org) + "/shortids/" + url.PathEscape(issue) + "/",
			scope: scopeOrgRead, what: "issue " + issue})
		if err != nil {
			return IssueReplays{}, err
		}
		var s struct {
			GroupID flexString `json:"groupId"`
		}
		if err := json.Unmarshal(resp.body, &s); err != nil || s.GroupID == "" {
			return IssueReplays{}, fmt.Errorf("resolve short id %s: response has no groupId", issue)
		}
		ir.IssueID = string(s.GroupID)
		if !numericID.MatchString(ir.IssueID) {
			// It goes into the events URL path below.
			return IssueReplays{}, fmt.Errorf("resolve short id %s: groupId %s is not a number", issue, quoteID(ir.IssueID))
		}
	}
	q := url.Values{
		"query": {"issue.id:[" + ir.IssueID + "]"}, "returnIds": {"true"}, "data_source": {"events"},
		"statsPeriod": {"90d"}, "project": {"-1"},
	}
	resp, err := c.do(ctx, call{method: "GET", base: base, query: q,
		path:  "/api/0/organizations/" + url.PathEscape(org) + "/replay-count/",
		scope: scopeOrgRead, what: "issue " + issue})
	if err != nil {
		return IssueReplays{}, err
	}
	var counts map[string][]string
	if err := json.Unmarshal(resp.body, &counts); err != nil {
		return IssueReplays{}, fmt.Errorf("replay-count for issue %s: unexpected response: %w", issue, err)
	}
	seen := map[string]bool{}
	for _, id := range counts[ir.IssueID] {
		if n, ok := NormalizeID(id); ok && !seen[n] {
			seen[n] = true
			ir.ReplayIDs = append(ir.ReplayIDs, n)
		}
	}
	if !all || len(counts[ir.IssueID]) < ReplayCountCap {
		return ir, nil // replay-count's list is whole, or enough
	}
	if err := c.issueEventReplays(ctx, base, org, &ir, seen); err != nil {
		return IssueReplays{}, err
	}
	return ir, nil
}

// issueEventReplays adds to ir the replays named by the issue's events
// that carry one: GET /api/0/organizations/{org}/issues/{issue_id}/events/
// ("List an Issue's Events", GroupEventsEndpoint: a GenericOffsetPaginator
// of at most 100 events a page) with query=has:replayId, in Sentry's order,
// each id once. Without full=true every event is Sentry's
// SimpleEventSerializer outline, whose tags list holds the SDK's replayId
// tag; contexts.replay.replay_id is read too when a server sends it.
//
// Every page comes out of one fetch budget and the page cap bounds them. A
// page that fails, or the page cap, fails the listing, or with AllowPartial
// keeps what was listed (replay-count's ids at least), flagged Partial.
func (c *Client) issueEventReplays(ctx context.Context, base, org string, ir *IssueReplays, seen map[string]bool) error {
	what := "replays of issue " + ir.IssueID
	q := url.Values{
		"query": {"has:replayId"}, "statsPeriod": {"90d"}, "per_page": {fmt.Sprint(c.perPage)},
	}
	events, unnamed := 0, 0
	err := c.eachPage(ctx, call{method: "GET", base: base, query: q,
		path:  "/api/0/organizations/" + url.PathEscape(org) + "/issues/" + url.PathEscape(ir.IssueID) + "/events/",
		scope: scopeEventRead, what: what, budget: c.newFetchBudget(what)}, func(page int, resp *response) (bool, error) {
		var evs []json.RawMessage
		if err := json.Unmarshal(resp.body, &evs); err != nil {
			return false, fmt.Errorf("events of issue %s, page %d: expected a JSON array of events: %w", ir.IssueID, page, err)
		}
		for _, ev := range evs {
			events++
			id, ok := replayIDOfEvent(ev)
			if !ok {
				unnamed++
				continue
			}
			if !seen[id] {
				seen[id] = true
				ir.ReplayIDs = append(ir.ReplayIDs, id)
			}
		}
		return true, nil
	})
	if unnamed > 0 {
		c.log.Debug("issue events without a readable replay id", "issue", ir.IssueID, "events", events, "without", unnamed)
	}
	var pe *pageError
	var le *LimitError
	capped := errors.As(err, &le) && le.Limit == LimitPages
	failed := errors.As(err, &pe) && !errors.Is(err, ErrTooLarge)
	switch {
	case err == nil:
		return nil
	case !capped && !failed:
		return err
	case !c.allowPartial:
		return fmt.Errorf("issue %s: listing its replays stopped with %d listed (pass --allow-partial to keep them): %w", ir.IssueID, len(ir.ReplayIDs), err)
	case capped:
		ir.Warnings = append(ir.Warnings, fmt.Sprintf("issue %s: listed %d replays from the first %d pages of its events, the page cap; it may have more",
			ir.IssueID, len(ir.ReplayIDs), le.Max))
	default:
		ir.Warnings = append(ir.Warnings, fmt.Sprintf("issue %s: listed %d replays; page %d of its events failed: %v",
			ir.IssueID, len(ir.ReplayIDs), pe.page, pe.err))
	}
	ir.Partial = true
	c.log.Warn("partial replay list", "issue", ir.IssueID, "warning", ir.Warnings[len(ir.Warnings)-1])
	return nil
}
