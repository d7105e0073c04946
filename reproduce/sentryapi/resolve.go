package sentryapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// target is where a replay lives once a Ref is resolved.
type target struct {
	org, base, replayID string
	details             []byte // the details response when resolution fetched it
	warnings            []string
	budget              *fetchBudget // what fetching the replay may still read
}

// apiBase checks that a reference's server is the configured one (the token
// is only ever sent there) and discovers the org's region.
func (c *Client) apiBase(ctx context.Context, ref Ref, org string) (string, error) {
	if ref.BaseURL != "" && !sameServer(ref.BaseURL, c.cfg.URL) {
		return "", fmt.Errorf("%w: the URL is on %s but the configured Sentry is %s; set SENTRY_URL=%s (the token is only sent to the configured server)",
			ErrConfig, ref.BaseURL, c.cfg.URL, ref.BaseURL)
	}
	return c.regionURL(ctx, org), nil
}

// regionURL asks GET /api/0/organizations/{org}/ for links.regionUrl (SaaS
// orgs live on us.sentry.io or de.sentry.io) and falls back to the configured
// URL on any error, which is also the self-hosted case.
func (c *Client) regionURL(ctx context.Context, org string) string {
	c.mu.Lock()
	r, ok := c.regions[org]
	c.mu.Unlock()
	if ok {
		return r
	}
	r = c.cfg.URL
	resp, err := c.do(ctx, call{method: "GET", base: c.cfg.URL, path: "/api/0/organizations/" + url.PathEscape(org) + "/",
		scope: scopeOrgRead, what: "organization " + org})
	if err != nil {
		c.log.Debug("region discovery failed; using the configured URL", "org", org, "err", err.Error())
		return r // not cached: a later call may succeed
	}
	var body struct {
		Links struct {
			RegionURL string `json:"regionUrl"`
		} `json:"links"`
	}
	if err := json.Unmarshal(resp.body, &body); err == nil && body.Links.RegionURL != "" {
		// A region on another host, or over http when the configured URL
		// is https, would receive the token: it is ignored.
		if u, err := normalizeBaseURL(body.Links.RegionURL); err == nil && c.allowedURL(mustParse(u)) {
			r = u
		} else {
			c.log.Debug("ignoring regionUrl outside the configured server or not over https", "org", org, "region_url", body.Links.RegionURL)
		}
	}
	c.mu.Lock()
	c.regions[org] = r
	c.mu.Unlock()
	return r
}

// sameServer reports whether a URL is on the configured server: the same
// host, or a subdomain of it (us.sentry.io under sentry.io).
func sameServer(a, configured string) bool {
	ua, err1 := url.Parse(a)
	uc, err2 := url.Parse(configured)
	if err1 != nil || err2 != nil {
		return false
	}
	ha, hc := strings.ToLower(ua.Host), strings.ToLower(uc.Host)
	return ha == hc || strings.HasSuffix(ha, "."+hc)
}

// orgFor picks the reference's org, else the configured one.
func (c *Client) orgFor(ref Ref) (string, error) {
	if ref.Org != "" {
		return ref.Org, nil
	}
	if c.cfg.Org != "" {
		return c.cfg.Org, nil
	}
	return "", fmt.Errorf("%w: no organization: pass --org, set SENTRY_ORG or use a replay URL", ErrConfig)
}

// resolve turns any remote Ref into the replay it names.
func (c *Client) resolve(ctx context.Context, ref Ref) (*target, error) {
	if ref.Kind == RefBundle {
		return nil, fmt.Errorf("%s is a local bundle, not a Sentry reference", ref.Dir)
	}
	org, err := c.orgFor(ref)
	if err != nil {
		return nil, err
	}
	base, err := c.apiBase(ctx, ref, org)
	if err != nil {
		return nil, err
	}
	t := &target{org: org, base: base}
	switch ref.Kind {
	case RefReplay:
		t.replayID = ref.ID
	case RefID:
		// Try the replay first; an id that is not one may be a feedback event.
		body, err := c.getDetails(ctx, t.base, org, ref.ID, nil)
		if err == nil {
			t.replayID, t.details = ref.ID, body
			return t, nil
		}
		if !isNotFound(err) {
			return nil, err
		}
		id, ferr := c.replayFromEvent(ctx, base, org, ref.ID)
		if ferr != nil {
			if isNotFound(ferr) {
				return nil, fmt.Errorf("no replay and no event with id %s in org %s (both 404); check the id and org, or it is past retention: %w", ref.ID, org, ErrNotFound)
			}
			return nil, ferr
		}
		t.replayID = id
	case RefFeedback:
		id, err := c.replayFromEvent(ctx, base, org, ref.ID)
		if err != nil {
			return nil, err
		}
		t.replayID = id
	case RefIssue:
		// One replay is wanted: replay-count's list is enough.
		ir, err := c.resolveIssue(ctx, base, org, ref.ID, false)
		if err != nil {
			return nil, err
		}
		if len(ir.ReplayIDs) == 0 {
			return nil, fmt.Errorf("issue %s has no replays in the last 90 days: %w", ref.ID, ErrNotFound)
		}
		t.replayID = ir.ReplayIDs[0]
		switch n := len(ir.ReplayIDs); {
		case n >= ReplayCountCap:
			t.warnings = append(t.warnings, fmt.Sprintf("issue %s has %d or more replays; fetched %s (pass a replay id to choose another; repro batch --issue lists them all)", ref.ID, n, t.replayID))
		case n > 1:
			t.warnings = append(t.warnings, fmt.Sprintf("issue %s has %d replays; fetched %s (pass a replay id to choose another)", ref.ID, n, t.replayID))
		}
	default:
		return nil, fmt.Errorf("unsupported reference kind %v", ref.Kind)
	}
	return t, nil
}

func isNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Err == ErrNotFound
}

// replayFromEvent finds the event's project with the eventids endpoint, then
// reads the replay id from the full event: contexts.feedback.replay_id
// (feedback), contexts.replay.replay_id, or the replayId tag (errors).
func (c *Client) replayFromEvent(ctx context.Context, base, org, eventID string) (string, error) {
	resp, err := c.do(ctx, call{method: "GET", base: base,
		path:  "/api/0/organizations/" + url.PathEscape(org) + "/eventids/" + eventID + "/",
		scope: scopeOrgRead, what: "event " + eventID})
	if err != nil {
		return "", err
	}
	var found struct {
		ProjectSlug string `json:"projectSlug"`
	}
	if err := json.Unmarshal(resp.body, &found); err != nil || found.ProjectSlug == "" {
		return "", fmt.Errorf("resolve event %s: unexpected eventids response", eventID)
	}
	ev, err := c.getEvent(ctx, base, org, found.ProjectSlug, eventID, nil)
	if err != nil {
		return "", err
	}
	id, ok := replayIDOfEvent(ev)
	if !ok {
		return "", fmt.Errorf("event %s (project %s) names no replay: it has no contexts.feedback.replay_id, contexts.replay.replay_id or replayId tag: %w", eventID, found.ProjectSlug, ErrNotFound)
	}
	return id, nil
}

// replayIDOfEvent reads the replay id an event points to.
func replayIDOfEvent(ev []byte) (string, bool) {
	var e struct {
		Contexts struct {
			Feedback struct {
				ReplayID string `json:"replay_id"`
			} `json:"feedback"`
			Replay struct {
				ReplayID string `json:"replay_id"`
			} `json:"replay"`
		} `json:"contexts"`
		Tags json.RawMessage `json:"tags"`
	}
	if json.Unmarshal(ev, &e) != nil {
		return "", false
	}
	for _, s := range []string{e.Contexts.Feedback.ReplayID, e.Contexts.Replay.ReplayID} {
		if id, ok := NormalizeID(s); ok {
			return id, true
		}
	}
	// The API serializes tags as [{"key","value"}]; raw events as a map or [[k,v]].
	var list []struct{ Key, Value string }
	if json.Unmarshal(e.Tags, &list) == nil {
		for _, t := range list {
			if t.Key == "replayId" {
				return NormalizeID(t.Value)
			}
		}
	}
	var m map[string]string
	if json.Unmarshal(e.Tags, &m) == nil {
		return NormalizeID(m["replayId"])
	}
	var pairs [][2]string
	if json.Unmarshal(e.Tags, &pairs) == nil {
		for _, p := range pairs {
			if p[0] == "replayId" {
				return NormalizeID(p[1])
			}
		}
	}
	return "", false
}
