package tickets

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Kind is the tracker a ticket lives in.
type Kind int

// The trackers repro posts to.
const (
	GitHub Kind = iota + 1
	Jira
)

// String names the tracker for messages.
func (k Kind) String() string {
	switch k {
	case GitHub:
		return "GitHub"
	case Jira:
		return "Jira"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ErrNotTicket: a URL is neither a GitHub issue nor a Jira issue.
var ErrNotTicket = errors.New("not a ticket URL")

// Ref is a parsed ticket URL.
type Ref struct {
	Kind Kind
	URL  string // as given
	// Site is scheme://host (plus Jira's context path, if any): where the
	// ticket's own web pages are.
	Site string
	// GitHub: the repository and issue number.
	Owner, Repo string
	Number      int
	// Jira: the issue key (PROJ-123).
	Key string
}

// String is the ticket as people write it: owner/repo#12 or PROJ-123.
func (r Ref) String() string {
	if r.Kind == GitHub {
		return fmt.Sprintf("%s/%s#%d", r.Owner, r.Repo, r.Number)
	}
	return r.Key
}

var (
	jiraKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]+-[1-9][0-9]*$`)
	ghName  = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// ParseURL recognises a ticket URL: https://HOST/OWNER/REPO/issues/N
// (github.com or an Enterprise host) or https://SITE[/context]/browse/KEY-123
// (Jira Cloud and Data Center). Anything else is ErrNotTicket.
func ParseURL(s string) (Ref, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return Ref{}, fmt.Errorf("%w: %q is not an http(s) URL", ErrNotTicket, s)
	}
	parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	site := u.Scheme + "://" + u.Host
	for i, p := range parts {
		if p == "browse" && i == len(parts)-2 && jiraKey.MatchString(parts[i+1]) {
			if i > 0 {
				site += "/" + strings.Join(parts[:i], "/")
			}
			return Ref{Kind: Jira, URL: s, Site: site, Key: parts[i+1]}, nil
		}
	}
	if len(parts) == 4 && parts[2] == "issues" && ghName.MatchString(parts[0]) && ghName.MatchString(parts[1]) {
		n, err := strconv.Atoi(parts[3])
		if err == nil && n > 0 {
			return Ref{Kind: GitHub, URL: s, Site: site, Owner: parts[0], Repo: parts[1], Number: n}, nil
		}
	}
	return Ref{}, fmt.Errorf("%w: %q is neither a GitHub issue (https://HOST/OWNER/REPO/issues/N) nor a Jira issue (https://SITE/browse/KEY-123)", ErrNotTicket, s)
}
