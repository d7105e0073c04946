package sentryapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/repro-dev/repro/reproduce/atomicfile"
)

// bundleFiles renders the bundle's files. replay.json is the details
// response byte for byte; segments are joined the way Sentry streams them.
func bundleFiles(detailsBody []byte, segs, evs []json.RawMessage, info FetchInfo) (map[string][]byte, error) {
	var s bytes.Buffer
	s.WriteByte('[')
	for i, seg := range segs {
		if i > 0 {
			s.WriteByte(',')
		}
		s.Write(seg)
	}
	s.WriteByte(']')
	if evs == nil {
		evs = []json.RawMessage{}
	}
	errs, err := json.Marshal(evs)
	if err != nil {
		return nil, fmt.Errorf("encode errors.json: %w", err)
	}
	if info.Warnings == nil {
		info.Warnings = []string{}
	}
	meta, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode fetch.json: %w", err)
	}
	return map[string][]byte{
		ReplayFile:   detailsBody,
		SegmentsFile: s.Bytes(),
		ErrorsFile:   errs,
		FetchFile:    append(meta, '\n'),
	}, nil
}

// Bundles hold recorded request and response bodies, the user's email and
// IP: only their owner may read them. Directories the fetch creates are
// 0700, files 0600.
const (
	dirMode  os.FileMode = 0o700
	fileMode os.FileMode = 0o600
)

// writeBundleAtomic writes files into a temporary directory next to dir and
// renames it into place, so dir is either the old bundle, the new one, or
// absent; never half-written.
func writeBundleAtomic(dir string, files map[string][]byte) (err error) {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, dirMode); err != nil {
		return fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, ".repro-fetch-*")
	if err != nil {
		return fmt.Errorf("create temp bundle dir: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, dirMode); err != nil {
		return fmt.Errorf("chmod temp bundle dir: %w", err)
	}
	for name, b := range files {
		if err := atomicfile.Write(filepath.Join(tmp, name), b, fileMode); err != nil {
			return err
		}
	}
	// Move an old bundle aside first: rename cannot replace a non-empty dir.
	var old string
	if _, serr := os.Stat(dir); serr == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replace bundle %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return fmt.Errorf("move bundle into %s: %w", dir, err)
	}
	if old != "" {
		_ = os.RemoveAll(old)
	}
	return nil
}

// Cache keeps fetched bundles on disk, one directory per replay id, so a
// second run is offline.
type Cache struct {
	Dir string // holds <replay id>/ bundles and by-event/<event id> aliases
}

// DefaultCache is DefaultCacheFrom the process environment.
func DefaultCache() (Cache, error) { return DefaultCacheFrom(os.Getenv) }

// DefaultCacheFrom is $XDG_CACHE_HOME/repro/replays, with XDG_CACHE_HOME
// read from getenv (a caller's own environment), else
// os.UserCacheDir()/repro/replays.
func DefaultCacheFrom(getenv func(string) string) (Cache, error) {
	if x := getenv("XDG_CACHE_HOME"); x != "" {
		return Cache{Dir: filepath.Join(x, "repro", "replays")}, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return Cache{}, fmt.Errorf("find cache dir (set XDG_CACHE_HOME): %w", err)
	}
	return Cache{Dir: filepath.Join(d, "repro", "replays")}, nil
}

// Path is where the bundle for a replay id lives.
func (c Cache) Path(replayID string) string { return filepath.Join(c.Dir, replayID) }

// Lookup returns the cached bundle for a replay id if it is complete: a
// partial bundle is a miss, so the next run tries to fetch it whole.
func (c Cache) Lookup(replayID string) (string, bool) {
	if c.Dir == "" {
		return "", false
	}
	dir := c.Path(replayID)
	b, err := os.ReadFile(filepath.Join(dir, FetchFile))
	if err != nil {
		return "", false
	}
	var info FetchInfo
	if json.Unmarshal(b, &info) != nil || info.Partial || info.ReplayID != replayID {
		return "", false
	}
	for _, f := range []string{ReplayFile, SegmentsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", false
		}
	}
	return dir, true
}

// alias remembers that an event id (feedback or error) led to a replay.
func (c Cache) alias(eventID, replayID string) error {
	d := filepath.Join(c.Dir, "by-event")
	if err := os.MkdirAll(d, dirMode); err != nil {
		return fmt.Errorf("cache alias: %w", err)
	}
	return atomicfile.Write(filepath.Join(d, eventID), []byte(replayID+"\n"), fileMode)
}

func (c Cache) lookupAlias(eventID string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(c.Dir, "by-event", eventID))
	if err != nil {
		return "", false
	}
	return NormalizeID(strings.TrimSpace(string(b)))
}

// Bundle returns a local bundle directory for any reference: a local bundle
// is itself; a replay in the cache is used without the network unless
// refresh; otherwise it is fetched into the cache. Issue references always
// ask Sentry which replays the issue has.
func (c *Client) Bundle(ctx context.Context, ref Ref, cache Cache, refresh bool) (string, error) {
	if ref.Kind == RefBundle {
		return ref.Dir, nil
	}
	if cache.Dir == "" {
		return "", errors.New("bundle: cache has no directory")
	}
	if !refresh {
		switch ref.Kind {
		case RefReplay, RefID:
			if dir, ok := cache.Lookup(ref.ID); ok {
				return dir, nil
			}
		}
		if ref.Kind == RefID || ref.Kind == RefFeedback {
			if id, ok := cache.lookupAlias(ref.ID); ok {
				if dir, ok := cache.Lookup(id); ok {
					return dir, nil
				}
			}
		}
	}
	t, err := c.resolve(ctx, ref)
	if err != nil {
		return "", err
	}
	res, err := c.fetchTarget(ctx, t, cache.Path(t.replayID))
	if err != nil {
		return "", err
	}
	if t.replayID != ref.ID && (ref.Kind == RefID || ref.Kind == RefFeedback) {
		if err := cache.alias(ref.ID, t.replayID); err != nil {
			c.log.Debug("cannot save cache alias", "err", err.Error())
		}
	}
	return res.Dir, nil
}
