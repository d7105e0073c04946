package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// bundleInput is everything one scenario produced.
type bundleInput struct {
	sc         scenario
	origin     string
	envelopes  []envelope
	observed   observed
	steps      []step
	chromium   string
	sdkName    string
	sdkVersion string
	recordedAt time.Time
}

// writeBundle writes the replay bundle of a scenario into dir, replacing any
// older one: replay.json, recording-segments.json, errors.json,
// envelopes/NNNN.envelope and manifest.json.
func writeBundle(dir string, in bundleInput) error {
	var (
		events   []map[string]any
		segments = map[int][]byte{}
		errs     [][]byte
		maxSeg   = -1
	)
	for _, env := range in.envelopes {
		for _, it := range env.Items {
			switch it.Type {
			case "replay_event":
				var ev map[string]any
				if err := json.Unmarshal(it.Payload, &ev); err != nil {
					return fmt.Errorf("decode replay_event: %w", err)
				}
				events = append(events, ev)
			case "replay_recording":
				if _, dup := segments[it.SegmentID]; dup {
					return fmt.Errorf("segment %d received twice", it.SegmentID)
				}
				if !json.Valid(it.Payload) {
					return fmt.Errorf("segment %d is not valid JSON", it.SegmentID)
				}
				segments[it.SegmentID] = it.Payload
				maxSeg = max(maxSeg, it.SegmentID)
			case "event":
				errs = append(errs, it.Payload)
			}
		}
	}
	if len(events) == 0 || maxSeg < 0 {
		return fmt.Errorf("no replay was received (%d envelopes)", len(in.envelopes))
	}

	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "envelopes"), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for i, env := range in.envelopes {
		name := filepath.Join(dir, "envelopes", fmt.Sprintf("%04d.envelope", i+1))
		if err := os.WriteFile(name, env.Raw, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}

	// The API streams segments as "[" + seg0 + "," + seg1 + "]", a missing one as [].
	var segs [][]byte
	for i := 0; i <= maxSeg; i++ {
		s, ok := segments[i]
		if !ok {
			s = []byte("[]")
		}
		segs = append(segs, s)
	}
	if err := os.WriteFile(filepath.Join(dir, "recording-segments.json"), joinJSON(segs), 0o644); err != nil {
		return fmt.Errorf("write recording-segments.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "errors.json"), joinJSON(errs), 0o644); err != nil {
		return fmt.Errorf("write errors.json: %w", err)
	}

	details, err := replayDetails(events, segs)
	if err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(dir, "replay.json"), map[string]any{"data": details}); err != nil {
		return err
	}
	allow := []string{}
	if in.sc.CaptureBodies {
		allow = []string{in.origin + "/api/"}
	}
	obs := in.observed
	if obs.Requests == nil {
		obs.Requests = []accessEntry{}
	}
	if obs.Console == nil {
		obs.Console = []consoleEntry{}
	}
	if obs.Exceptions == nil {
		obs.Exceptions = []exception{}
	}
	if obs.Navigations == nil {
		obs.Navigations = []string{}
	}
	manifest := map[string]any{
		"scenario":    in.sc.Name,
		"app":         in.sc.App,
		"variant":     in.sc.Variant,
		"description": in.sc.Description,
		"recorded_at": in.recordedAt.UTC().Format(time.RFC3339),
		"sdk":         map[string]string{"name": in.sdkName, "version": in.sdkVersion},
		"chromium":    in.chromium,
		"origin":      in.origin,
		"replay_id":   details["id"],
		"options": map[string]any{
			"network_detail_allow_urls": allow,
			"use_compression":           in.sc.Compression,
		},
		"expected_verdict": in.sc.Expected,
		"bug":              in.sc.Bug,
		"steps":            in.steps,
		"observed":         obs,
	}
	return writeJSONFile(filepath.Join(dir, "manifest.json"), manifest)
}

func joinJSON(parts [][]byte) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(p)
	}
	b.WriteByte(']')
	return b.Bytes()
}

func writeJSONFile(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(name), err)
	}
	if err := os.WriteFile(name, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// replayDetails builds the Sentry API's replay details object from the
// replay_event items, the way Sentry aggregates them (sentry-format.md §1.2).
func replayDetails(events []map[string]any, segs [][]byte) (map[string]any, error) {
	first := events[0]
	replayID, _ := first["replay_id"].(string)
	start, end := math.Inf(1), math.Inf(-1)
	var errorIDs, traceIDs, urls []string
	seen := map[string]bool{}
	add := func(list *[]string, vals any, dashed bool) {
		arr, _ := vals.([]any)
		for _, v := range arr {
			s, _ := v.(string)
			if s == "" || seen[s] {
				continue
			}
			seen[s] = true
			if dashed {
				s = dashUUID(s)
			}
			*list = append(*list, s)
		}
	}
	for _, ev := range events {
		if id, _ := ev["replay_id"].(string); id != replayID {
			return nil, fmt.Errorf("more than one replay in the session: %s and %s", replayID, id)
		}
		if v, ok := ev["replay_start_timestamp"].(float64); ok {
			start = math.Min(start, v)
		}
		if v, ok := ev["timestamp"].(float64); ok {
			end = math.Max(end, v)
			start = math.Min(start, v)
		}
		add(&errorIDs, ev["error_ids"], true)
		add(&traceIDs, ev["trace_ids"], true)
		add(&urls, ev["urls"], false)
	}
	dead, rage := countClicks(segs)
	ua := ""
	if req, ok := first["request"].(map[string]any); ok {
		if h, ok := req["headers"].(map[string]any); ok {
			ua, _ = h["User-Agent"].(string)
		}
	}
	user := map[string]any{"id": nil, "username": nil, "email": nil, "ip": nil, "display_name": nil}
	if u, ok := first["user"].(map[string]any); ok {
		for k, v := range u {
			user[k] = v
		}
		if e, ok := u["email"]; ok {
			user["display_name"] = e
		}
	}
	tags := map[string][]string{}
	for _, ev := range events {
		if t, ok := ev["tags"].(map[string]any); ok {
			for k, v := range t {
				s := fmt.Sprint(v)
				if !contains(tags[k], s) {
					tags[k] = append(tags[k], s)
				}
			}
		}
	}
	releases := []string{}
	if r, ok := first["release"].(string); ok && r != "" {
		releases = append(releases, r)
	}
	bname, bver := browserFromUA(ua)
	nz := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return map[string]any{
		"id":                strings.ReplaceAll(replayID, "-", ""),
		"project_id":        projectID,
		"trace_ids":         nz(traceIDs),
		"error_ids":         nz(errorIDs),
		"environment":       first["environment"],
		"tags":              tags,
		"user":              user,
		"sdk":               sdkNameVersion(first["sdk"]),
		"os":                map[string]any{"name": osFromUA(ua), "version": nil},
		"browser":           map[string]any{"name": bname, "version": bver},
		"device":            map[string]any{"name": nil, "brand": nil, "model": nil, "family": "Other"},
		"is_archived":       false,
		"urls":              nz(urls),
		"count_urls":        len(urls),
		"count_dead_clicks": dead,
		"count_rage_clicks": rage,
		"count_errors":      len(errorIDs),
		"count_warnings":    0,
		"count_infos":       0,
		"duration":          int(math.Round(end - start)),
		"started_at":        isoTime(start),
		"finished_at":       isoTime(end),
		"replay_type":       first["replay_type"],
		"count_segments":    len(segs),
		"platform":          first["platform"],
		"releases":          releases,
		"dist":              nil,
		"warning_ids":       []string{},
		"info_ids":          []string{},
		"has_viewed":        false,
	}, nil
}

// countClicks classifies ui.slowClickDetected breadcrumbs as Sentry's ingest
// does: dead when it timed out on a/button/input after >= 7000 ms, rage when
// such a dead click also had clickCount >= 5. Rage clicks count as dead too.
func countClicks(segs [][]byte) (dead, rage int) {
	for _, s := range segs {
		var evs []struct {
			Type int `json:"type"`
			Data struct {
				Tag     string `json:"tag"`
				Payload struct {
					Category string `json:"category"`
					Data     struct {
						EndReason        string  `json:"endReason"`
						TimeAfterClickMs float64 `json:"timeAfterClickMs"`
						ClickCount       int     `json:"clickCount"`
						Node             struct {
							TagName string `json:"tagName"`
						} `json:"node"`
					} `json:"data"`
				} `json:"payload"`
			} `json:"data"`
		}
		if json.Unmarshal(s, &evs) != nil {
			continue
		}
		for _, e := range evs {
			p := e.Data.Payload
			if e.Type != 5 || e.Data.Tag != "breadcrumb" || p.Category != "ui.slowClickDetected" {
				continue
			}
			tag := strings.ToLower(p.Data.Node.TagName)
			if p.Data.EndReason != "timeout" || p.Data.TimeAfterClickMs < 7000 || (tag != "a" && tag != "button" && tag != "input") {
				continue
			}
			dead++
			if p.Data.ClickCount >= 5 {
				rage++
			}
		}
	}
	return dead, rage
}

func dashUUID(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "-", "")
	if len(s) != 32 {
		return s
	}
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

func isoTime(sec float64) string {
	if math.IsInf(sec, 0) {
		return ""
	}
	return time.UnixMicro(int64(sec * 1e6)).UTC().Format("2006-01-02T15:04:05.000000")
}

var uaBrowser = regexp.MustCompile(`(HeadlessChrome|Chrome|Firefox)/([0-9.]+)`)

func browserFromUA(ua string) (name, version string) {
	m := uaBrowser.FindStringSubmatch(ua)
	if m == nil {
		return "Other", ""
	}
	if m[1] == "HeadlessChrome" {
		return "Chrome Headless", m[2]
	}
	return m[1], m[2]
}

func osFromUA(ua string) string {
	switch {
	case strings.Contains(ua, "Linux"):
		return "Linux"
	case strings.Contains(ua, "Mac OS X"):
		return "Mac OS X"
	case strings.Contains(ua, "Windows"):
		return "Windows"
	}
	return "Other"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sdkNameVersion keeps the two SDK fields the details endpoint returns.
func sdkNameVersion(v any) map[string]any {
	m, _ := v.(map[string]any)
	return map[string]any{"name": m["name"], "version": m["version"]}
}
