package tickettest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Jira is a fake of Jira's REST API, Cloud (v3: basic auth with an email
// and API token, ADF bodies) or Data Center (v2: a bearer personal access
// token, wiki-markup bodies), as developer.atlassian.com documents them:
//
//	GET  /rest/api/{v}/myself
//	GET  /rest/api/{v}/issue/{key}?fields=summary,description
//	GET  /rest/api/{v}/issue/{key}/comment?startAt=&maxResults=   {startAt, maxResults, total, comments}
//	POST /rest/api/{v}/issue/{key}/comment                        {"body"} → 201
//	PUT  /rest/api/{v}/issue/{key}/comment/{id}                   {"body"} → 200
//	GET  /rest/api/{v}/comment/{id}/properties/{propertyKey}      {"key", "value"}; 404 when unset
//
// A new comment's "properties" ([{"key", "value"}], as Add comment takes
// them) are kept with it; an edit keeps them.
//
// Errors are {"errorMessages": [...], "errors": {...}}: 401 for a bad
// token, 404 "Issue does not exist or you do not have permission to see
// it." for an issue the user may not browse, 403 for a user without the
// Add Comments permission (or editing another's comment), 400 for a body
// of the wrong format for the API version.
type Jira struct {
	*recorder
	URL   string
	Cloud bool

	mu         sync.Mutex
	users      map[string]jiraUser // Authorization header → user
	issues     map[string]*jiraIssue
	nextID     int
	maxResults int
}

type jiraUser struct {
	id        string
	canWrite  bool
	canBrowse bool
}

type jiraIssue struct {
	summary     string
	description any // ADF document (Cloud) or a wiki string (Data Center)
	comments    []JiraComment
}

// JiraComment is a comment as the fake stores it: Body is an ADF
// document (Cloud) or a string (Data Center).
type JiraComment struct {
	ID         string
	Author     string
	Body       any
	Properties map[string]any // entity properties: key → value
}

// NewJira starts the fake; cloud picks Jira Cloud's auth and API version.
func NewJira(t testing.TB, cloud bool) *Jira {
	j := &Jira{recorder: &recorder{}, Cloud: cloud, users: map[string]jiraUser{}, issues: map[string]*jiraIssue{}, nextID: 10000, maxResults: 100}
	j.URL = start(t, j).URL
	return j
}

// AddUser lets a user in: on Cloud with email and token (basic auth, its
// account id the email's local part), on Data Center with a PAT (its user
// name is id).
func (j *Jira) AddUser(id, email, token string, canBrowse, canWrite bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	auth := "Bearer " + token
	if j.Cloud {
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token))
	}
	j.users[auth] = jiraUser{id: id, canWrite: canWrite, canBrowse: canBrowse}
}

// AddIssue creates an issue; description is an ADF document on Cloud and
// a string on Data Center.
func (j *Jira) AddIssue(key, summary string, description any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.issues[key] = &jiraIssue{summary: summary, description: description}
}

// AddComment adds a comment by author.
func (j *Jira) AddComment(key, author string, body any) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.nextID++
	id := strconv.Itoa(j.nextID)
	j.issues[key].comments = append(j.issues[key].comments, JiraComment{ID: id, Author: author, Body: body})
	return id
}

// Comments returns an issue's comments.
func (j *Jira) Comments(key string) []JiraComment {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]JiraComment(nil), j.issues[key].comments...)
}

// SetMaxResults caps a page of comments.
func (j *Jira) SetMaxResults(n int) { j.mu.Lock(); j.maxResults = n; j.mu.Unlock() }

// ADFText is an ADF document holding paragraphs of plain text.
func ADFText(paragraphs ...string) map[string]any {
	var content []any
	for _, p := range paragraphs {
		content = append(content, map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": p}}})
	}
	return map[string]any{"version": 1, "type": "doc", "content": content}
}

var (
	jiraIssueRe   = regexp.MustCompile(`^/rest/api/([23])/issue/([A-Z][A-Z0-9_]+-[0-9]+)$`)
	jiraCommentRe = regexp.MustCompile(`^/rest/api/([23])/issue/([A-Z][A-Z0-9_]+-[0-9]+)/comment(?:/([0-9]+))?$`)
	jiraMyselfRe  = regexp.MustCompile(`^/rest/api/([23])/myself$`)
	jiraPropRe    = regexp.MustCompile(`^/rest/api/([23])/comment/([0-9]+)/properties/([^/]+)$`)
)

func jiraErr(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
}

func (j *Jira) author(id string) map[string]any {
	if j.Cloud {
		return map[string]any{"accountId": id, "displayName": id}
	}
	return map[string]any{"name": id, "key": id, "displayName": id}
}

// ServeHTTP answers as Jira's REST API does.
func (j *Jira) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if j.record(w, r, body) {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	u, ok := j.users[r.Header.Get("Authorization")]
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
		jiraErr(w, 401, "You are not authenticated. Authentication required to perform this operation.")
		return
	}
	version := "2"
	if j.Cloud {
		version = "3"
	}
	p := r.URL.Path
	if m := jiraMyselfRe.FindStringSubmatch(p); m != nil && r.Method == http.MethodGet {
		if m[1] != version {
			jiraErr(w, 404, "Not found")
			return
		}
		writeJSON(w, 200, j.author(u.id))
		return
	}
	if m := jiraPropRe.FindStringSubmatch(p); m != nil && r.Method == http.MethodGet {
		j.serveProperty(w, u, version, m[1], m[2], m[3])
		return
	}
	var key, ver, id string
	if m := jiraCommentRe.FindStringSubmatch(p); m != nil {
		ver, key, id = m[1], m[2], m[3]
	} else if m := jiraIssueRe.FindStringSubmatch(p); m != nil && r.Method == http.MethodGet {
		ver, key = m[1], m[2]
	} else {
		jiraErr(w, 404, "Not found")
		return
	}
	if ver != version {
		jiraErr(w, 404, "Not found")
		return
	}
	issue := j.issues[key]
	if issue == nil || !u.canBrowse {
		jiraErr(w, 404, "Issue does not exist or you do not have permission to see it.")
		return
	}
	isComment := strings.Contains(p, "/comment")
	switch {
	case !isComment:
		writeJSON(w, 200, map[string]any{"key": key, "fields": map[string]any{"summary": issue.summary, "description": issue.description}})
	case r.Method == http.MethodGet && id == "":
		start, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
		max, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
		if max <= 0 {
			max = 5000
		}
		max = min(max, j.maxResults)
		start = min(max0(start), len(issue.comments))
		end := min(start+max, len(issue.comments))
		out := []any{}
		for _, c := range issue.comments[start:end] {
			out = append(out, map[string]any{"id": c.ID, "author": j.author(c.Author), "body": c.Body})
		}
		writeJSON(w, 200, map[string]any{"startAt": start, "maxResults": max, "total": len(issue.comments), "comments": out})
	case r.Method == http.MethodPost && id == "", r.Method == http.MethodPut && id != "":
		if !u.canWrite {
			jiraErr(w, 403, "You do not have the permission to comment on this issue.")
			return
		}
		var in struct {
			Body       json.RawMessage `json:"body"`
			Properties []struct {
				Key   string `json:"key"`
				Value any    `json:"value"`
			} `json:"properties"`
		}
		if json.Unmarshal(body, &in) != nil || len(in.Body) == 0 {
			writeJSON(w, 400, map[string]any{"errorMessages": []string{}, "errors": map[string]string{"comment": "Comment body can not be empty!"}})
			return
		}
		var b any
		if msg := j.checkBody(in.Body, &b); msg != "" {
			writeJSON(w, 400, map[string]any{"errorMessages": []string{}, "errors": map[string]string{"comment": msg}})
			return
		}
		if r.Method == http.MethodPost {
			j.nextID++
			c := JiraComment{ID: strconv.Itoa(j.nextID), Author: u.id, Body: b, Properties: map[string]any{}}
			for _, pr := range in.Properties {
				c.Properties[pr.Key] = pr.Value
			}
			issue.comments = append(issue.comments, c)
			writeJSON(w, 201, map[string]any{"id": c.ID, "author": j.author(u.id), "body": b})
			return
		}
		for i := range issue.comments {
			c := &issue.comments[i]
			if c.ID != id {
				continue
			}
			if c.Author != u.id {
				jiraErr(w, 403, "You do not have the permission to edit this comment.")
				return
			}
			c.Body = b
			writeJSON(w, 200, map[string]any{"id": c.ID, "author": j.author(u.id), "body": b})
			return
		}
		jiraErr(w, 404, "Can not find a comment for the id: "+id+".")
	default:
		jiraErr(w, 405, "Method not allowed")
	}
}

// checkBody wants an ADF document on v3 and a string on v2.
func (j *Jira) checkBody(raw json.RawMessage, out *any) string {
	if !j.Cloud {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "Operation value must be a string"
		}
		*out = s
		return ""
	}
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil || doc["type"] != "doc" || doc["version"] != float64(1) {
		return "Comment body is not valid Atlassian Document Format"
	}
	if _, ok := doc["content"].([]any); !ok {
		return "Comment body is not valid Atlassian Document Format"
	}
	*out = doc
	return ""
}

func max0(n int) int { return max(n, 0) }

// serveProperty answers GET /comment/{id}/properties/{key}: the comment
// must be on an issue the user may browse.
func (j *Jira) serveProperty(w http.ResponseWriter, u jiraUser, version, ver, id, key string) {
	if ver != version {
		jiraErr(w, 404, "Not found")
		return
	}
	for _, issue := range j.issues {
		for _, c := range issue.comments {
			if c.ID != id {
				continue
			}
			if !u.canBrowse {
				jiraErr(w, 404, "Can not find a comment for the id: "+id+".")
				return
			}
			v, ok := c.Properties[key]
			if !ok {
				jiraErr(w, 404, "The property with key '"+key+"' does not exist.")
				return
			}
			writeJSON(w, 200, map[string]any{"key": key, "value": v})
			return
		}
	}
	jiraErr(w, 404, "Can not find a comment for the id: "+id+".")
}
