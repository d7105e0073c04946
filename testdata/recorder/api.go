package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// apiFor returns the backend of an app. The behaviours are documented in
// testdata/apps/README.md; the apps only call them with relative /api/ URLs.
// Each call starts from the app's seed data, so every scenario does.
func apiFor(app string) (http.Handler, error) {
	mux := http.NewServeMux()
	switch app {
	case "imagechat":
		mux.HandleFunc("POST /api/chat", chatHandler)
	case "account":
		mux.HandleFunc("POST /api/login", loginHandler)
		mux.HandleFunc("PUT /api/settings", settingsHandler)
	case "feed":
		mux.HandleFunc("GET /api/items", itemsHandler)
	case "studio":
		newStudioAPI().routes(mux)
	case "tasks":
		newTasksAPI().routes(mux)
	default:
		return nil, fmt.Errorf("no API for app %q", app)
	}
	return mux, nil
}

// chatHandler simulates an image model that times out upstream: after 4.5 s
// it answers 500 with a JSON error body.
func chatHandler(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ShotID int    `json:"shot_id"`
		Prompt string `json:"prompt"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "bad_request", "message": "body must be JSON"})
		return
	}
	if !sleepCtx(r.Context(), 4500*time.Millisecond) {
		return
	}
	writeJSON(w, http.StatusInternalServerError, map[string]any{
		"error":      "generation_failed",
		"message":    "upstream image model timed out",
		"request_id": "req_7f3a9c21",
		"shot_id":    req.ShotID,
	})
}

// loginHandler accepts any credentials and returns the account after
// 2 s (password hashing), long enough for impatient repeated clicks.
func loginHandler(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 2*time.Second) {
		return
	}
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Email == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "missing_credentials"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user":     map[string]any{"id": "u_1042", "email": req.Email, "name": "Dana Lee"},
		"settings": map[string]any{"region": "eu-west", "plan": "team", "newsletter": false},
	})
}

// settingsHandler echoes the saved settings.
func settingsHandler(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "bad_request"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"saved": true, "settings": req})
}

var feedTopics = []string{"Release notes", "Design review", "Incident follow-up", "Hiring update", "Roadmap", "Team offsite", "Customer story", "Security notice", "Changelog", "Q&A recap"}
var feedAuthors = []string{"Mara Quist", "Theo Brandt", "Ines Okafor", "Dana Lee", "Ravi Menon"}

// itemsHandler serves pages 1..5 of 10 items. Page 3 has one item whose
// author is null (a deleted account), which the buggy feed cannot render.
func itemsHandler(w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "page must be a positive integer"})
		return
	}
	const perPage, pages = 10, 5
	items := []map[string]any{}
	if page <= pages {
		for i := 0; i < perPage; i++ {
			n := (page-1)*perPage + i + 1
			var author any = map[string]any{"id": 100 + n%len(feedAuthors), "name": feedAuthors[n%len(feedAuthors)]}
			if page == 3 && i == 4 {
				author = nil
			}
			items = append(items, map[string]any{
				"id":       n,
				"title":    fmt.Sprintf("%s #%d", feedTopics[n%len(feedTopics)], n),
				"excerpt":  "A short summary of what changed this week and why it matters to the team.",
				"author":   author,
				"comments": (n * 7) % 23,
			})
		}
	}
	var next any
	if page < pages {
		next = page + 1
	}
	writeJSON(w, http.StatusOK, map[string]any{"page": page, "next_page": next, "items": items})
}

// sleepCtx waits d or until ctx ends; it reports whether the wait completed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
