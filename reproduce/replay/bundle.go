package replay

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Bundle file names.
const (
	detailsFile  = "replay.json"
	segmentsFile = "recording-segments.json"
	errorsFile   = "errors.json"
	manifestFile = "manifest.json"
	fetchFile    = "fetch.json"
	envelopeDir  = "envelopes"
)

// maxSegmentGap bounds how many empty segments are inserted for missing
// segment ids when building segments from envelopes.
const maxSegmentGap = 1000

// LoadBundle reads a bundle directory within DefaultLimits: replay.json
// (details, optional), recording-segments.json, errors.json (optional),
// manifest.json (optional, kept raw), fetch.json (optional,
// {"partial":true}) and envelopes/*.envelope (optional raw ingest).
// Without recording-segments.json the recording is rebuilt from the
// envelopes. Unknown files are ignored. The recording is validated now and
// read again, streamed, by BuildTimeline (the bundle keeps no raw events),
// so its files must stay in place until the timeline is built.
func LoadBundle(dir string) (*Bundle, error) { return loadBundle(dir, newBudget(DefaultLimits())) }

func loadBundle(dir string, bud *budget) (*Bundle, error) {
	b := &Bundle{Dir: dir}
	read := func(name string) ([]byte, bool, error) {
		data, err := bud.readFile(filepath.Join(dir, name), name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("load bundle %s: %w", dir, err)
		}
		return data, true, nil
	}

	data, ok, err := read(detailsFile)
	if err != nil {
		return nil, err
	}
	hasDetails := ok
	if ok {
		if b.Details, err = ParseDetails(data); err != nil {
			return nil, malformed(dir, detailsFile, err)
		}
	}

	hasSegments, err := loadSegmentsFile(filepath.Join(dir, segmentsFile), b, bud)
	if err != nil {
		return nil, malformed(dir, segmentsFile, err)
	}

	data, hasErrors, err := read(errorsFile)
	if err != nil {
		return nil, err
	}
	if hasErrors {
		if b.Errors, err = parseErrorList(data); err != nil {
			return nil, malformed(dir, errorsFile, err)
		}
	}

	if data, ok, err = read(manifestFile); err != nil {
		return nil, err
	} else if ok {
		if !json.Valid(data) {
			return nil, malformed(dir, manifestFile, errors.New("invalid JSON"))
		}
		b.Manifest = json.RawMessage(data)
	}

	if data, ok, err = read(fetchFile); err != nil {
		return nil, err
	} else if ok {
		var f struct {
			Partial bool `json:"partial"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, malformed(dir, fetchFile, err)
		}
		b.Partial = f.Partial
	}

	envs, err := readEnvelopeDir(filepath.Join(dir, envelopeDir), bud)
	if err != nil {
		return nil, malformed(dir, envelopeDir, err)
	}
	if len(envs) > 0 {
		fromEnv, err := bundleFromEnvelopes(envs, bud, !hasSegments)
		if err != nil {
			return nil, malformed(dir, envelopeDir, err)
		}
		b.UserAgent = fromEnv.UserAgent
		if !hasSegments {
			b.rec = fromEnv.rec
			hasSegments = true
		}
		if !hasDetails {
			b.Details = fromEnv.Details
		}
		if !hasErrors {
			b.Errors = fromEnv.Errors
		}
	}
	if !hasSegments {
		return nil, fmt.Errorf("%w: %s: no %s and no %s/*.envelope", ErrNotReplay, dir, segmentsFile, envelopeDir)
	}
	return b, nil
}

// malformed says a bundle file could not be read as what it should hold:
// the input is not a readable replay (ErrNotReplay). A limit error keeps
// its own words, which already name the file.
func malformed(dir, name string, err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return fmt.Errorf("load bundle %s: %w", dir, le)
	}
	return fmt.Errorf("%w: load bundle %s: %s: %w", ErrNotReplay, dir, name, err)
}

// wrapUnlessLimit adds context to err, except to a *LimitError, whose
// Where says where it was hit.
func wrapUnlessLimit(err error, format string, args ...any) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// loadSegmentsFile streams recording-segments.json into b, if it exists:
// validated and keyed now, decoded when the timeline is built.
func loadSegmentsFile(path string, b *Bundle, bud *budget) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if err := bud.fits(f, segmentsFile); err != nil {
		return false, err
	}
	rec := &fileRecording{path: path, lim: bud.lim, where: segmentsFile}
	b.rec = rec
	return true, rec.load(bud.reader(f, segmentsFile), bud, fileSize(f))
}

// fileSize is f's size when it is a regular file, else 0.
func fileSize(f *os.File) int64 {
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		return st.Size()
	}
	return 0
}

// readEnvelopeDir decodes every *.envelope file of dir in name order; a
// missing dir gives none.
func readEnvelopeDir(dir string, bud *budget) ([]*Envelope, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.envelope"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var envs []*Envelope
	for _, name := range names {
		where := envelopeDir + "/" + filepath.Base(name)
		data, err := bud.readFile(name, where)
		if err != nil {
			return nil, err
		}
		env, err := DecodeEnvelope(data)
		if err != nil {
			return nil, wrapUnlessLimit(err, "%s", filepath.Base(name))
		}
		envs = append(envs, env)
	}
	return envs, nil
}

// parseErrorList decodes errors.json: an array of error events (or the
// API's {"data":[...]}).
func parseErrorList(data []byte) ([]ErrorEvent, error) {
	var arr []json.RawMessage
	if err := json.Unmarshal(data, &arr); err != nil {
		var wrap struct {
			Data []json.RawMessage `json:"data"`
		}
		if err2 := json.Unmarshal(data, &wrap); err2 != nil || wrap.Data == nil {
			return nil, fmt.Errorf("want an array of error events: %w", err)
		}
		arr = wrap.Data
	}
	out := make([]ErrorEvent, 0, len(arr))
	for i, raw := range arr {
		ev, err := ParseErrorEvent(raw)
		if err != nil {
			return nil, fmt.Errorf("error %d: %w", i, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// DecodeSegments decodes recording segments: the API's array of segments
// (each an array of events; null counts as an empty segment), or a single
// segment (an array of event objects). Events stay raw (copied). The data
// is held by the caller already, so only DefaultMaxEvents applies.
func DecodeSegments(data []byte) ([][]json.RawMessage, error) {
	return streamSegments(bytes.NewReader(data), shapeAuto, newBudget(Limits{MaxBytes: int64(len(data)) + 1}), "segments")
}

// jsonKind returns the first significant byte of a JSON value: '{', '[',
// 'n' (null), or another byte for scalars.
func jsonKind(raw []byte) byte {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// BundleFromEnvelopes builds a bundle from raw ingest envelopes, within
// DefaultLimits: recordings ordered by segment id (the first copy of a
// duplicated id wins), details from the replay_event items, errors from the
// event items.
func BundleFromEnvelopes(envs []*Envelope) (*Bundle, error) {
	return bundleFromEnvelopes(envs, newBudget(DefaultLimits()), true)
}

// bundleFromEnvelopes is BundleFromEnvelopes on a budget; without
// recordings it skips inflating them (a bundle whose segments file is there
// reads only details, errors and the user agent from its envelopes).
func bundleFromEnvelopes(envs []*Envelope, bud *budget, recordings bool) (*Bundle, error) {
	b := &Bundle{}
	recs := map[int]*envItem{}
	var events []*ReplayEvent
	for ei, env := range envs {
		if env == nil {
			continue
		}
		for ii, it := range env.Items {
			switch it.Type {
			case "replay_recording":
				if !recordings {
					continue
				}
				rec, err := it.loadRecording(bud, fmt.Sprintf("envelope %d item %d", ei, ii))
				if err != nil {
					return nil, wrapUnlessLimit(err, "envelope %d item %d", ei, ii)
				}
				if _, dup := recs[rec.seg]; !dup {
					recs[rec.seg] = rec
				}
			case "replay_event":
				re, err := it.ReplayEvent()
				if err != nil {
					return nil, fmt.Errorf("envelope %d item %d: %w", ei, ii, err)
				}
				events = append(events, re)
			case "event":
				ev, err := it.ErrorEvent()
				if err != nil {
					return nil, fmt.Errorf("envelope %d item %d: %w", ei, ii, err)
				}
				b.Errors = append(b.Errors, *ev)
			}
		}
	}
	ids := make([]int, 0, len(recs))
	for id := range recs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	fillGaps := len(ids) > 0 && ids[len(ids)-1]-len(ids) < maxSegmentGap
	er := &envRecording{lim: bud.lim}
	for _, id := range ids {
		for fillGaps && er.nsegs < id {
			er.nsegs++
		}
		rec := recs[id]
		rec.seg = er.nsegs
		er.items = append(er.items, *rec)
		er.nsegs++
	}
	er.joinKeys()
	b.rec = er
	b.Details = detailsFromReplayEvents(events)
	for _, e := range events {
		if e.UserAgent != "" {
			b.UserAgent = e.UserAgent
			break
		}
	}
	return b, nil
}

// detailsFromReplayEvents merges per-segment replay_event items into the
// details the API would have returned.
func detailsFromReplayEvents(events []*ReplayEvent) Details {
	var d Details
	seen := map[string]bool{}
	add := func(dst *[]string, vals []string) {
		for _, v := range vals {
			if !seen[v] {
				seen[v] = true
				*dst = append(*dst, v)
			}
		}
	}
	for _, e := range events {
		if d.ID == "" {
			d.ID = e.ReplayID
		}
		if !e.Start.IsZero() && (d.StartedAt.IsZero() || e.Start.Before(d.StartedAt)) {
			d.StartedAt = e.Start
		}
		if e.Time.After(d.FinishedAt) {
			d.FinishedAt = e.Time
		}
		add(&d.ErrorIDs, e.ErrorIDs)
		add(&d.TraceIDs, e.TraceIDs)
		add(&d.URLs, e.URLs)
		if e.Release != "" && !seen["release:"+e.Release] {
			seen["release:"+e.Release] = true
			d.Releases = append(d.Releases, e.Release)
		}
		d.Environment = firstNonEmpty(d.Environment, e.Environment)
		d.ReplayType = firstNonEmpty(d.ReplayType, e.ReplayType)
		d.Platform = firstNonEmpty(d.Platform, e.Platform)
		if d.SDK.Name == "" {
			d.SDK = e.SDK
		}
		if d.User == (User{}) {
			d.User = e.User
		}
	}
	d.CountSegments = len(events)
	d.CountErrors = len(d.ErrorIDs)
	if !d.StartedAt.IsZero() && d.FinishedAt.After(d.StartedAt) {
		d.Duration = d.FinishedAt.Sub(d.StartedAt).Seconds()
	}
	return d
}

// Load reads a replay from path within DefaultLimits, detected by content:
// a bundle directory, a recording-segments file (array of segments), a
// single segment file (array of events, plain or zlib) or a raw envelope
// file. A details file alone is not enough. As with LoadBundle, a
// recording file is read again by BuildTimeline.
func Load(path string) (*Bundle, error) { return LoadWith(path, DefaultLimits()) }

// LoadWith is Load with explicit limits; a replay over them fails with a
// *LimitError (errors.Is ErrTooLarge).
func LoadWith(path string, lim Limits) (*Bundle, error) {
	bud := newBudget(lim)
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load replay: %w", err)
	}
	if st.IsDir() {
		return loadBundle(path, bud)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load replay: %w", err)
	}
	defer f.Close()
	return loadFile(path, f, bud)
}

// loadFile detects and decodes the content of one file, streaming
// recordings (plain or zlib) and reading anything else whole.
func loadFile(path string, f *os.File, bud *budget) (*Bundle, error) {
	notReplay := func(why string) error { return fmt.Errorf("%w: %s: %s", ErrNotReplay, path, why) }
	name := filepath.Base(path)
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(512)
	var kind byte
	if len(head) >= 2 && head[0] == 0x78 {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, notReplay("not JSON, not an envelope, not zlib: " + err.Error())
		}
		defer zr.Close()
		rec := &fileRecording{path: path, zlib: true, lim: bud.lim, where: name}
		return segmentsBundle(path, rec, rec.load(recordingReader(bud.reader(zr, name), name), bud, 0))
	}
	kind = jsonKind(head)
	switch kind {
	case '[':
		if err := bud.fits(f, name); err != nil {
			return nil, err
		}
		rec := &fileRecording{path: path, lim: bud.lim, where: name}
		return segmentsBundle(path, rec, rec.load(bud.reader(br, name), bud, fileSize(f)))
	case '{':
		if err := bud.fits(f, name); err != nil {
			return nil, err
		}
		data, err := io.ReadAll(bud.reader(br, name))
		if err != nil {
			return nil, fmt.Errorf("load replay: %w", err)
		}
		if env, err := DecodeEnvelope(data); err == nil && len(env.Items) > 0 {
			b, err := bundleFromEnvelopes([]*Envelope{env}, bud, true)
			if errors.Is(err, ErrTooLarge) {
				return nil, err
			}
			if err != nil {
				return nil, notReplay(err.Error())
			}
			if b.SegmentCount() == 0 {
				return nil, notReplay("envelope has no replay_recording item")
			}
			b.Dir = path
			return b, nil
		}
		if d, err := ParseDetails(data); err == nil && d.ID != "" {
			return nil, notReplay("replay details only, no recording (load the bundle directory)")
		}
		return nil, notReplay("JSON object is neither an envelope nor a replay")
	case 0:
		return nil, notReplay("empty file")
	}
	return nil, notReplay("not JSON, not an envelope")
}

// segmentsBundle wraps a recording read from one file as a bundle.
func segmentsBundle(path string, rec *fileRecording, err error) (*Bundle, error) {
	if errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrNotReplay, path, err.Error())
	}
	// The first event must have an rrweb "type" and "timestamp"; an empty
	// recording passes (BuildTimeline reports ErrEmptyReplay).
	if rec.k.firstChecked && !rec.k.first {
		return nil, fmt.Errorf("%w: %s: array elements are not rrweb events (no type/timestamp)", ErrNotReplay, path)
	}
	return &Bundle{Dir: path, rec: rec}, nil
}

// recording returns where the bundle's events come from: Segments when
// set, else the recording the bundle was loaded from.
func (b *Bundle) recording() recording {
	if b.Segments != nil || b.rec == nil {
		return memRecording(b.Segments)
	}
	return b.rec
}

// SegmentCount is the number of recording segments.
func (b *Bundle) SegmentCount() int { return b.recording().segments() }

// ReadSegments returns the recording's raw events per segment: Segments
// when set, else read again from the file or envelopes the bundle was
// loaded from (a loaded bundle keeps no raw events in memory).
func (b *Bundle) ReadSegments() ([][]json.RawMessage, error) {
	rec := b.recording()
	if m, ok := rec.(memRecording); ok {
		return m, nil
	}
	segs := make([][]json.RawMessage, rec.segments())
	err := rec.stream(func(seg int, ev []byte, _ *scanner) error {
		if seg < 0 || seg >= len(segs) {
			return errChanged
		}
		segs[seg] = append(segs[seg], append(json.RawMessage(nil), ev...))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read segments of %s: %w", b.Dir, err)
	}
	return segs, nil
}

// String summarises the bundle for logs.
func (b *Bundle) String() string {
	n := 0
	if k, err := b.recording().keys(); err == nil && k != nil {
		n = len(k.ms)
	}
	return strings.TrimSpace(fmt.Sprintf("replay %s: %d segments, %d events, %d errors", b.Details.ID, b.SegmentCount(), n, len(b.Errors)))
}
