package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// studioArticle is one article of the studio app's backend.
type studioArticle struct {
	Slug      string   `json:"slug"`
	Title     string   `json:"title"`
	Excerpt   string   `json:"excerpt"`
	Body      string   `json:"body"`
	TagList   []string `json:"tagList"`
	Author    author   `json:"author"`
	UpdatedAt string   `json:"updatedAt"`
	Draft     bool     `json:"-"` // drafts are never listed but hold their title
}

type author struct {
	Username string `json:"username"`
	Name     string `json:"name"`
}

// studioAPI is the studio app's backend (testdata/apps/README.md). Each
// scenario gets a fresh one, so articles published in one session do not
// leak into the next.
type studioAPI struct {
	mu       sync.Mutex
	articles []*studioArticle
}

func newStudioAPI() *studioAPI {
	dana := author{Username: "dana", Name: "Dana Lee"}
	mara := author{Username: "mara", Name: "Mara Quist"}
	art := func(title, excerpt, body string, tags []string, a author, at string) *studioArticle {
		return &studioArticle{Slug: slugify(title), Title: title, Excerpt: excerpt, Body: body, TagList: tags, Author: a, UpdatedAt: at}
	}
	drafted := art("Team offsite 2026", "Draft.", "Draft agenda.", []string{"offsite"}, mara, "2026-02-03T09:12:00Z")
	drafted.Draft = true
	return &studioAPI{articles: []*studioArticle{
		art("Team offsite 2025", "What we did in Lisbon, what worked and what we would change.",
			"Three days in Lisbon with the whole product team.\nThe workshops worked; the schedule was too full.\nNext time: fewer sessions, longer breaks.",
			[]string{"offsite", "team"}, dana, "2025-10-14T16:40:00Z"),
		art("Offsite budget review", "Where the money went and what next year's offsite can spend.",
			"Travel took half of the budget.\nVenues were cheaper than planned.",
			[]string{"offsite", "finance"}, mara, "2025-11-02T10:05:00Z"),
		art("Release notes 4.2", "Faster search, a new editor toolbar and fixes for tag chips.",
			"Search answers in half the time.\nThe editor toolbar was rebuilt.",
			[]string{"release"}, dana, "2026-01-20T08:30:00Z"),
		art("Design review: the new editor", "Notes from the review of the editor redesign.",
			"We reviewed the editor redesign with five customers.",
			[]string{"design"}, mara, "2026-01-12T14:00:00Z"),
		art("Incident follow-up: search latency", "Why search was slow on 8 January and what we changed.",
			"A missing index made search slow for two hours.",
			[]string{"incident"}, dana, "2026-01-09T11:45:00Z"),
		art("Hiring update: spring", "Two open roles on the platform team.",
			"We are hiring two platform engineers.",
			[]string{"hiring"}, mara, "2026-01-05T09:00:00Z"),
		drafted,
	}}
}

func (s *studioAPI) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/login", s.login)
	mux.HandleFunc("GET /api/articles", s.list)
	mux.HandleFunc("GET /api/articles/{slug}", s.get)
	mux.HandleFunc("POST /api/articles", s.create)
	mux.HandleFunc("PUT /api/articles/{slug}", s.update)
}

// login accepts any well-formed credentials after 800 ms (password hashing).
func (s *studioAPI) login(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 800*time.Millisecond) {
		return
	}
	var req struct {
		User struct {
			Email    string `json:"email"`
			Password string `json:"password"`
		} `json:"user"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.User.Email == "" || req.User.Password == "" {
		writeJSON(w, http.StatusUnprocessableEntity, errorsBody("email or password", "is invalid"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": map[string]any{
		"id": "u_1042", "email": req.User.Email, "username": "dana", "name": "Dana Lee",
		"token": "tok_5b1f0c9e2a7d4e38",
	}})
}

// list returns the published articles, newest first, optionally only those
// whose title, excerpt or tags contain q (case-insensitive).
func (s *studioAPI) list(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 250*time.Millisecond) {
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	s.mu.Lock()
	out := []map[string]any{}
	for _, a := range s.sorted() {
		if a.Draft || (q != "" && !a.matches(q)) {
			continue
		}
		out = append(out, map[string]any{
			"slug": a.Slug, "title": a.Title, "excerpt": a.Excerpt, "tagList": a.TagList,
			"author": a.Author, "updatedAt": a.UpdatedAt,
		})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"articles": out, "articlesCount": len(out)})
}

func (s *studioAPI) get(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 200*time.Millisecond) {
		return
	}
	s.mu.Lock()
	a := s.find(r.PathValue("slug"))
	var copied studioArticle
	if a != nil {
		copied = *a
	}
	s.mu.Unlock()
	if a == nil || copied.Draft {
		writeJSON(w, http.StatusNotFound, errorsBody("article", "not found"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"article": copied})
}

type articleInput struct {
	Article struct {
		Title   *string  `json:"title"`
		Body    *string  `json:"body"`
		TagList []string `json:"tagList"`
	} `json:"article"`
}

// create publishes an article after 600 ms. A title that another article
// (a draft included) already has is answered 422 with an errors object.
func (s *studioAPI) create(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 600*time.Millisecond) {
		return
	}
	var in articleInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("body", "must be JSON"))
		return
	}
	title, body := deref(in.Article.Title), deref(in.Article.Body)
	errs := map[string][]string{}
	if strings.TrimSpace(title) == "" {
		errs["title"] = append(errs["title"], "can't be blank")
	}
	if strings.TrimSpace(body) == "" {
		errs["body"] = append(errs["body"], "can't be blank")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if title != "" && s.find(slugify(title)) != nil {
		errs["title"] = append(errs["title"], "has already been taken")
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": errs})
		return
	}
	a := &studioArticle{
		Slug: slugify(title), Title: strings.TrimSpace(title), Excerpt: excerptOf(body), Body: body,
		TagList: nonNil(in.Article.TagList), Author: author{Username: "dana", Name: "Dana Lee"},
		UpdatedAt: time.Now().UTC().Format(time.RFC3339),
	}
	s.articles = append(s.articles, a)
	writeJSON(w, http.StatusCreated, map[string]any{"article": a})
}

// update saves the fields sent for an existing article (its slug stays).
func (s *studioAPI) update(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 400*time.Millisecond) {
		return
	}
	var in articleInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("body", "must be JSON"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.find(r.PathValue("slug"))
	if a == nil || a.Draft {
		writeJSON(w, http.StatusNotFound, errorsBody("article", "not found"))
		return
	}
	if in.Article.Title != nil {
		if strings.TrimSpace(*in.Article.Title) == "" {
			writeJSON(w, http.StatusUnprocessableEntity, errorsBody("title", "can't be blank"))
			return
		}
		a.Title = strings.TrimSpace(*in.Article.Title)
	}
	if in.Article.Body != nil {
		a.Body, a.Excerpt = *in.Article.Body, excerptOf(*in.Article.Body)
	}
	if in.Article.TagList != nil {
		a.TagList = in.Article.TagList
	}
	a.UpdatedAt = time.Now().UTC().Format(time.RFC3339)
	writeJSON(w, http.StatusOK, map[string]any{"article": a})
}

func (s *studioAPI) find(slug string) *studioArticle {
	for _, a := range s.articles {
		if a.Slug == slug {
			return a
		}
	}
	return nil
}

func (s *studioAPI) sorted() []*studioArticle {
	out := append([]*studioArticle(nil), s.articles...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].UpdatedAt > out[j].UpdatedAt })
	return out
}

func (a *studioArticle) matches(q string) bool {
	if strings.Contains(strings.ToLower(a.Title), q) || strings.Contains(strings.ToLower(a.Excerpt), q) {
		return true
	}
	for _, t := range a.TagList {
		if strings.Contains(strings.ToLower(t), q) {
			return true
		}
	}
	return false
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(title string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(title), "-"), "-")
}

func excerptOf(body string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	if r := []rune(first); len(r) > 120 {
		return string(r[:119]) + "…"
	}
	return first
}

// errorsBody is the {"errors": {field: [message]}} shape both framework apps'
// APIs answer failures with.
func errorsBody(field, msg string) map[string]any {
	return map[string]any{"errors": map[string][]string{field: {msg}}}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
