package sentryapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// RefKind says what a user-given reference names.
type RefKind int

// The kinds of reference ParseRef understands.
const (
	// RefID is a bare 32-hex id: a replay id, or else a feedback (or error)
	// event id whose contexts name a replay. The client tries the replay first.
	RefID RefKind = iota + 1
	// RefReplay is a replay id known to be one (from a replay URL).
	RefReplay
	// RefFeedback is an event id known to be a feedback event (from a feedback URL).
	RefFeedback
	// RefIssue is an issue: numeric group id or SHORT-ID (PROJ-1A3).
	RefIssue
	// RefBundle is a local bundle directory.
	RefBundle
)

// String names the kind for messages.
func (k RefKind) String() string {
	switch k {
	case RefID:
		return "id"
	case RefReplay:
		return "replay"
	case RefFeedback:
		return "feedback"
	case RefIssue:
		return "issue"
	case RefBundle:
		return "bundle"
	}
	return fmt.Sprintf("RefKind(%d)", int(k))
}

// Ref is a parsed reference to a replay.
type Ref struct {
	Kind    RefKind
	ID      string // normalized 32-hex id (RefID, RefReplay, RefFeedback) or issue id / short id (RefIssue)
	Org     string // org slug when the reference names one (URLs)
	BaseURL string // Sentry base URL when the reference is a URL, e.g. https://sentry.example.com
	Dir     string // RefBundle: the bundle directory
}

var (
	hexID     = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	dashedID  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	numericID = regexp.MustCompile(`^[0-9]+$`)
	shortID   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*-[A-Za-z0-9]+$`)
)

// NormalizeID returns the 32-hex lowercase form of a replay or event id
// (dashes stripped), or false if s is not one.
func NormalizeID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if dashedID.MatchString(s) {
		s = strings.ReplaceAll(s, "-", "")
	}
	if !hexID.MatchString(s) {
		return "", false
	}
	return strings.ToLower(s), true
}

// ParseRef reads what a user typed: a local bundle directory, a replay id
// (32-hex, dashed or not), a replay URL (https://<org>.sentry.io/replays/<id>/,
// self-hosted https://host/organizations/<org>/replays/<id>/, with any query),
// an issue URL, or a feedback URL (…/feedback/?feedbackSlug=<project>:<id>).
// A bare id stays RefID until the client learns whether it is a replay or a
// feedback event.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, errors.New("empty replay reference: pass a replay id, replay URL or bundle directory")
	}
	if ref, ok, err := parseBundleDir(s); ok || err != nil {
		return ref, err
	}
	if id, ok := NormalizeID(s); ok {
		return Ref{Kind: RefID, ID: id}, nil
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return parseURLRef(s)
	}
	return Ref{}, fmt.Errorf("replay reference %q is not a 32-hex id, a Sentry replay URL or a bundle directory (with replay.json or recording-segments.json)", s)
}

// ParseIssueRef reads an --issue value: a numeric issue id, a SHORT-ID
// like PROJ-1A3, or an issue URL.
func ParseIssueRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	switch {
	case numericID.MatchString(s):
		return Ref{Kind: RefIssue, ID: s}, nil
	case shortID.MatchString(s):
		return Ref{Kind: RefIssue, ID: strings.ToUpper(s)}, nil
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		ref, err := parseURLRef(s)
		if err == nil && ref.Kind == RefIssue {
			return ref, nil
		}
	}
	return Ref{}, fmt.Errorf("issue %q is not a numeric issue id, a SHORT-ID like PROJ-1A3 or an issue URL", s)
}

func parseBundleDir(s string) (Ref, bool, error) {
	fi, err := os.Stat(s)
	if err != nil || !fi.IsDir() {
		return Ref{}, false, nil
	}
	for _, name := range []string{"replay.json", "recording-segments.json"} {
		if _, err := os.Stat(filepath.Join(s, name)); err == nil {
			abs, aerr := filepath.Abs(s)
			if aerr != nil {
				abs = s
			}
			return Ref{Kind: RefBundle, Dir: abs}, true, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return Ref{}, true, fmt.Errorf("read bundle %s: %w", s, err)
		}
	}
	if _, ok := NormalizeID(s); ok {
		return Ref{}, false, nil // a directory that happens to be named like an id: treat s as the id
	}
	return Ref{}, true, fmt.Errorf("directory %s is not a replay bundle: it has neither replay.json nor recording-segments.json", s)
}

// parseURLRef handles replay, issue and feedback URLs, SaaS and self-hosted.
func parseURLRef(s string) (Ref, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return Ref{}, fmt.Errorf("replay URL %q cannot be parsed", s)
	}
	var org, base string
	parts := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	host := strings.ToLower(u.Hostname())
	if len(parts) >= 2 && parts[0] == "organizations" {
		// Self-hosted (and old SaaS): /organizations/<org>/<rest>.
		org, parts = parts[1], parts[2:]
		base = u.Scheme + "://" + u.Host
	} else if sub, ok := strings.CutSuffix(host, ".sentry.io"); ok && !strings.Contains(sub, ".") && sub != "us" && sub != "de" && sub != "www" {
		// SaaS: https://<org>.sentry.io/<rest>.
		org, base = sub, DefaultURL
	} else {
		return Ref{}, fmt.Errorf("URL %q names no organization: expected https://<org>.sentry.io/replays/<id>/ or https://<host>/organizations/<org>/replays/<id>/", s)
	}
	if base == "https://sentry.io" || strings.HasSuffix(host, ".sentry.io") {
		base = DefaultURL
	}
	ref := Ref{Org: org, BaseURL: base}
	switch {
	case len(parts) >= 2 && parts[0] == "replays":
		id, ok := NormalizeID(parts[1])
		if !ok {
			return Ref{}, fmt.Errorf("replay URL %q: %q is not a 32-hex replay id", s, parts[1])
		}
		ref.Kind, ref.ID = RefReplay, id
	case len(parts) >= 2 && parts[0] == "issues":
		if !numericID.MatchString(parts[1]) && !shortID.MatchString(parts[1]) {
			return Ref{}, fmt.Errorf("issue URL %q: %q is not an issue id", s, parts[1])
		}
		ref.Kind, ref.ID = RefIssue, strings.ToUpper(parts[1])
	case len(parts) >= 1 && parts[0] == "feedback":
		// The feedback UI selects one with ?feedbackSlug=<project>:<event id>.
		slug := u.Query().Get("feedbackSlug")
		_, ev, _ := strings.Cut(slug, ":")
		id, ok := NormalizeID(ev)
		if !ok {
			return Ref{}, fmt.Errorf("feedback URL %q has no feedbackSlug=<project>:<event id>", s)
		}
		ref.Kind, ref.ID = RefFeedback, id
	default:
		return Ref{}, fmt.Errorf("URL %q is not a replay, issue or feedback URL", s)
	}
	return ref, nil
}
