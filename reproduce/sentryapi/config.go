package sentryapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// DefaultURL is Sentry SaaS, used when nothing else names a server.
const DefaultURL = "https://sentry.io"

// Config says which Sentry to talk to and as whom. It is resolved like the
// legacy sentry-cli: flags > environment > ./.sentryclirc > ~/.sentryclirc.
//
// Printing a Config (String, %v, %+v, %#v, JSON, slog) never shows the token.
type Config struct {
	Token   string // SENTRY_AUTH_TOKEN, [auth] token
	URL     string // SENTRY_URL, [defaults] url; default https://sentry.io
	Org     string // SENTRY_ORG, [defaults] org
	Project string // SENTRY_PROJECT, [defaults] project
}

// ConfigSources are where LoadConfigFrom looks; LoadConfig uses the process's.
type ConfigSources struct {
	Getenv  func(string) string // nil: no environment
	HomeDir string              // "" : no ~/.sentryclirc
	WorkDir string              // "" : no ./.sentryclirc
}

// LoadConfig resolves the configuration from the process environment, the
// working directory and $HOME. Non-empty fields of overrides (the flags) win.
func LoadConfig(overrides Config) (Config, error) {
	src := ConfigSources{Getenv: os.Getenv}
	if home, err := os.UserHomeDir(); err == nil {
		src.HomeDir = home
	}
	if wd, err := os.Getwd(); err == nil {
		src.WorkDir = wd
	}
	return LoadConfigFrom(overrides, src)
}

// LoadConfigFrom is LoadConfig with explicit sources, for tests and embedding.
func LoadConfigFrom(overrides Config, src ConfigSources) (Config, error) {
	// Lowest precedence first; each layer overwrites what it sets.
	layers := []Config{}
	if src.HomeDir != "" {
		c, err := readSentryclirc(filepath.Join(src.HomeDir, ".sentryclirc"))
		if err != nil {
			return Config{}, err
		}
		layers = append(layers, c)
	}
	if src.WorkDir != "" && src.WorkDir != src.HomeDir {
		c, err := readSentryclirc(filepath.Join(src.WorkDir, ".sentryclirc"))
		if err != nil {
			return Config{}, err
		}
		layers = append(layers, c)
	}
	if src.Getenv != nil {
		layers = append(layers, Config{
			Token:   src.Getenv("SENTRY_AUTH_TOKEN"),
			URL:     src.Getenv("SENTRY_URL"),
			Org:     src.Getenv("SENTRY_ORG"),
			Project: src.Getenv("SENTRY_PROJECT"),
		})
	}
	layers = append(layers, overrides)

	cfg := Config{URL: DefaultURL}
	for _, l := range layers {
		cfg = cfg.merge(l)
	}
	u, err := normalizeBaseURL(cfg.URL)
	if err != nil {
		return Config{}, err
	}
	cfg.URL = u
	return cfg, nil
}

func (c Config) merge(over Config) Config {
	set := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	set(&c.Token, over.Token)
	set(&c.URL, over.URL)
	set(&c.Org, over.Org)
	set(&c.Project, over.Project)
	return c
}

// normalizeBaseURL checks an http(s) URL and strips the trailing slash.
func normalizeBaseURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%w: SENTRY_URL %q is not an http(s) URL; use e.g. https://sentry.io", ErrConfig, s)
	}
	if u.User != nil {
		return "", fmt.Errorf("%w: SENTRY_URL must not carry credentials; put the token in SENTRY_AUTH_TOKEN", ErrConfig)
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

// readSentryclirc reads the [auth] and [defaults] keys of a sentry-cli INI
// file. A missing file is an empty config.
func readSentryclirc(path string) (Config, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("%w: read %s: %v", ErrConfig, path, err)
	}
	defer f.Close()
	var c Config
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		switch section + "." + k {
		case "auth.token":
			c.Token = v
		case "defaults.url":
			c.URL = v
		case "defaults.org":
			c.Org = v
		case "defaults.project":
			c.Project = v
		}
	}
	if err := sc.Err(); err != nil {
		return Config{}, fmt.Errorf("%w: read %s: %v", ErrConfig, path, err)
	}
	return c, nil
}

func (c Config) tokenState() string {
	if c.Token == "" {
		return "<none>"
	}
	return "[redacted]"
}

// String shows the configuration with the token redacted.
func (c Config) String() string {
	return fmt.Sprintf("Config{URL:%s Org:%s Project:%s Token:%s}", c.URL, c.Org, c.Project, c.tokenState())
}

// GoString is String, so %#v cannot leak the token either.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb, so no verb (%d, %x, ...) reaches the
// raw fields.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// MarshalJSON writes the configuration with the token redacted.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		URL     string `json:"url"`
		Org     string `json:"org,omitempty"`
		Project string `json:"project,omitempty"`
		Token   string `json:"token"`
	}{c.URL, c.Org, c.Project, c.tokenState()})
}

// LogValue makes slog print the configuration with the token redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", c.URL), slog.String("org", c.Org),
		slog.String("project", c.Project), slog.String("token", c.tokenState()))
}
