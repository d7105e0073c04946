package tickettest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// GitHub is a fake of GitHub's REST API (docs.github.com/rest/issues):
//
//	GET   /user
//	GET   /repos/{owner}/{repo}/issues/{n}
//	GET   /repos/{owner}/{repo}/issues/{n}/comments?per_page=&page=   (Link: rel="next")
//	POST  /repos/{owner}/{repo}/issues/{n}/comments                    {"body"} → 201
//	PATCH /repos/{owner}/{repo}/issues/comments/{id}                   {"body"} → 200
//
// Tokens come as "Authorization: Bearer T" or "token T". An unknown token
// gets 401 Bad credentials; a read-only token 403 "Resource not accessible
// by personal access token" on writes; a repository the token may not see
// answers 404 Not Found, as GitHub does for private repositories.
type GitHub struct {
	*recorder
	URL string

	mu      sync.Mutex
	users   map[string]user // token → user
	issues  map[string]*ghIssue
	nextID  int64
	perPage int // the most comments a page holds, whatever per_page asks
}

type user struct {
	login    string
	readOnly bool
	hidden   map[string]bool // repos this token cannot see
}

type ghIssue struct {
	title, body string
	comments    []GitHubComment
}

// GitHubComment is a comment as the fake stores it.
type GitHubComment struct {
	ID    int64
	Login string
	Body  string
}

// NewGitHub starts the fake.
func NewGitHub(t testing.TB) *GitHub {
	g := &GitHub{recorder: &recorder{}, users: map[string]user{}, issues: map[string]*ghIssue{}, nextID: 1000, perPage: 100}
	g.URL = start(t, g).URL
	return g
}

// AddToken lets token in as login; readOnly tokens may not write.
func (g *GitHub) AddToken(token, login string, readOnly bool, hiddenRepos ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	u := user{login: login, readOnly: readOnly, hidden: map[string]bool{}}
	for _, r := range hiddenRepos {
		u.hidden[r] = true
	}
	g.users[token] = u
}

// AddIssue creates owner/repo#n.
func (g *GitHub) AddIssue(owner, repo string, n int, title, body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.issues[fmt.Sprintf("%s/%s#%d", owner, repo, n)] = &ghIssue{title: title, body: body}
}

// AddComment adds a comment by login to an issue.
func (g *GitHub) AddComment(owner, repo string, n int, login, body string) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	is := g.issues[fmt.Sprintf("%s/%s#%d", owner, repo, n)]
	g.nextID++
	is.comments = append(is.comments, GitHubComment{ID: g.nextID, Login: login, Body: body})
	return g.nextID
}

// Comments returns an issue's comments.
func (g *GitHub) Comments(owner, repo string, n int) []GitHubComment {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]GitHubComment(nil), g.issues[fmt.Sprintf("%s/%s#%d", owner, repo, n)].comments...)
}

// SetMaxPerPage caps a page of comments (to test pagination with few).
func (g *GitHub) SetMaxPerPage(n int) { g.mu.Lock(); g.perPage = n; g.mu.Unlock() }

var (
	ghIssueRe    = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/([0-9]+)$`)
	ghCommentsRe = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/([0-9]+)/comments$`)
	ghEditRe     = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/comments/([0-9]+)$`)
)

func ghMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(status)})
}

// ServeHTTP answers as GitHub's REST API does.
func (g *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if g.record(w, r, body) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		token, _ = strings.CutPrefix(auth, "token ")
	}
	u, known := g.users[token]
	if !known {
		ghMessage(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	p := r.URL.Path
	if p == "/user" && r.Method == http.MethodGet {
		writeJSON(w, 200, map[string]any{"login": u.login, "id": 1})
		return
	}
	var m []string
	var issue *ghIssue
	find := func(re *regexp.Regexp) bool {
		if m = re.FindStringSubmatch(p); m == nil {
			return false
		}
		if u.hidden[m[1]+"/"+m[2]] {
			return true
		}
		issue = g.issues[fmt.Sprintf("%s/%s#%s", m[1], m[2], m[3])]
		return true
	}
	switch {
	case find(ghIssueRe) && r.Method == http.MethodGet:
		if issue == nil {
			ghMessage(w, 404, "Not Found")
			return
		}
		writeJSON(w, 200, map[string]any{"number": m[3], "title": issue.title, "body": issue.body, "state": "open"})
	case find(ghCommentsRe):
		if issue == nil {
			ghMessage(w, 404, "Not Found")
			return
		}
		switch r.Method {
		case http.MethodGet:
			g.listComments(w, r, issue)
		case http.MethodPost:
			if u.readOnly {
				ghMessage(w, 403, "Resource not accessible by personal access token")
				return
			}
			var in struct {
				Body *string `json:"body"`
			}
			if json.Unmarshal(body, &in) != nil || in.Body == nil {
				ghMessage(w, 422, "Invalid request.\n\n\"body\" wasn't supplied.")
				return
			}
			g.nextID++
			issue.comments = append(issue.comments, GitHubComment{ID: g.nextID, Login: u.login, Body: *in.Body})
			writeJSON(w, 201, ghCommentJSON(issue.comments[len(issue.comments)-1]))
		default:
			ghMessage(w, 404, "Not Found")
		}
	case ghEditRe.MatchString(p) && r.Method == http.MethodPatch:
		m = ghEditRe.FindStringSubmatch(p)
		if u.hidden[m[1]+"/"+m[2]] {
			ghMessage(w, 404, "Not Found")
			return
		}
		id, _ := strconv.ParseInt(m[3], 10, 64)
		for key, is := range g.issues {
			if !strings.HasPrefix(key, m[1]+"/"+m[2]+"#") {
				continue
			}
			for i := range is.comments {
				c := &is.comments[i]
				if c.ID != id {
					continue
				}
				if u.readOnly || c.Login != u.login {
					ghMessage(w, 403, "Resource not accessible by personal access token")
					return
				}
				var in struct {
					Body string `json:"body"`
				}
				if json.Unmarshal(body, &in) != nil {
					ghMessage(w, 400, "Problems parsing JSON")
					return
				}
				c.Body = in.Body
				writeJSON(w, 200, ghCommentJSON(*c))
				return
			}
		}
		ghMessage(w, 404, "Not Found")
	default:
		ghMessage(w, 404, "Not Found")
	}
}

func ghCommentJSON(c GitHubComment) map[string]any {
	return map[string]any{"id": c.ID, "body": c.Body, "user": map[string]any{"login": c.Login}}
}

// listComments pages as GitHub does: per_page (max 100), page from 1, and
// a Link header with rel="next" and rel="last" while pages remain.
func (g *GitHub) listComments(w http.ResponseWriter, r *http.Request, issue *ghIssue) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100, g.perPage)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	from := min((page-1)*per, len(issue.comments))
	to := min(from+per, len(issue.comments))
	last := max((len(issue.comments)+per-1)/per, 1)
	if page < last {
		link := func(n int) string {
			return fmt.Sprintf("<http://%s%s?per_page=%d&page=%d>", r.Host, r.URL.Path, per, n)
		}
		w.Header().Set("Link", link(page+1)+`; rel="next", `+link(last)+`; rel="last"`)
	}
	out := []map[string]any{}
	for _, c := range issue.comments[from:to] {
		out = append(out, ghCommentJSON(c))
	}
	writeJSON(w, 200, out)
}
