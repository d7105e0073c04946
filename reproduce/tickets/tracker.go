package tickets

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Ticket is what a ticket says: its title, body and every comment.
type Ticket struct {
	Ref      Ref
	Title    string
	Body     string
	Comments []Comment
}

// Comment is one comment on a ticket, its body as plain text (Markdown,
// wiki markup, or the text and link targets of an ADF document).
type Comment struct {
	ID     string
	Author string // login (GitHub), accountId (Jira Cloud) or user name (Data Center)
	Body   string
}

// Posted says what Post did.
type Posted struct {
	CommentID string
	Edited    bool // an earlier comment of repro's was edited
}

// Tracker is one ticket in its tracker, with the token to read and
// comment on it.
type Tracker interface {
	// Ref is the ticket.
	Ref() Ref
	// Where says where posts go (the ticket and the API), for --dry-run.
	Where() string
	// Read reads the title, body and all comments.
	Read(ctx context.Context) (*Ticket, error)
	// Body is p as this tracker's comment body would hold it.
	Body(p Post) string
	// Post adds p as a comment, or edits the token user's earlier
	// comment holding p's marker.
	Post(ctx context.Context, p Post) (Posted, error)
}

// Config is where tokens and API addresses come from; ConfigFromEnv reads
// the environment as gh and GitHub Actions set it, and Jira's usual names.
type Config struct {
	GitHubToken     string // GH_TOKEN, else GITHUB_TOKEN
	GitHubAPIURL    string // GITHUB_API_URL (as GitHub Actions sets it)
	GitHubServerURL string // GITHUB_SERVER_URL: the host GITHUB_API_URL belongs to
	JiraToken       string // JIRA_API_TOKEN
	JiraEmail       string // JIRA_EMAIL: set for Jira Cloud (basic auth), unset for a Data Center PAT
}

// ConfigFromEnv reads Config from the process environment.
func ConfigFromEnv() Config { return ConfigFrom(os.Getenv) }

// ConfigFrom reads Config from an environment (GH_TOKEN, else GITHUB_TOKEN,
// as gh does; GITHUB_API_URL and GITHUB_SERVER_URL as Actions sets them;
// JIRA_API_TOKEN and JIRA_EMAIL).
func ConfigFrom(getenv func(string) string) Config {
	gh := getenv("GH_TOKEN")
	if gh == "" {
		gh = getenv("GITHUB_TOKEN")
	}
	return Config{GitHubToken: gh, GitHubAPIURL: getenv("GITHUB_API_URL"), GitHubServerURL: getenv("GITHUB_SERVER_URL"),
		JiraToken: getenv("JIRA_API_TOKEN"), JiraEmail: getenv("JIRA_EMAIL")}
}

// String describes the configuration without its tokens.
func (c Config) String() string {
	set := func(s string) string {
		if s == "" {
			return "unset"
		}
		return "set"
	}
	return fmt.Sprintf("github token %s, GITHUB_API_URL=%q, jira token %s, JIRA_EMAIL=%q", set(c.GitHubToken), c.GitHubAPIURL, set(c.JiraToken), c.JiraEmail)
}

// New returns the tracker client for ref.
func New(ref Ref, cfg Config, opts ...Option) (Tracker, error) {
	switch ref.Kind {
	case GitHub:
		return NewGitHub(ref, cfg.GitHubToken, GitHubAPIBase(ref, cfg), opts...), nil
	case Jira:
		return NewJira(ref, cfg.JiraToken, cfg.JiraEmail, opts...), nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNotTicket, ref.URL)
}

// GitHubAPIBase is the REST API for a GitHub ticket: GITHUB_API_URL when
// set (unless GITHUB_SERVER_URL says it belongs to another host), else
// https://api.github.com for github.com and https://HOST/api/v3 for an
// Enterprise host.
func GitHubAPIBase(ref Ref, cfg Config) string {
	host := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(ref.Site, "https://"), "http://"))
	if cfg.GitHubAPIURL != "" {
		server := ""
		if u, err := url.Parse(cfg.GitHubServerURL); err == nil {
			server = strings.ToLower(u.Host)
		}
		if server == "" || server == host {
			return strings.TrimRight(cfg.GitHubAPIURL, "/")
		}
	}
	if host == "github.com" || host == "www.github.com" {
		return "https://api.github.com"
	}
	return "https://" + host + "/api/v3"
}

// findMine is the last comment by me that holds marker.
func findMine(comments []Comment, me, marker string) (Comment, bool) {
	for i := len(comments) - 1; i >= 0; i-- {
		c := comments[i]
		if c.Author == me && me != "" && strings.Contains(c.Body, marker) {
			return c, true
		}
	}
	return Comment{}, false
}
