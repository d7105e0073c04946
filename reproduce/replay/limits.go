package replay

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// A replay is attacker-shaped input: a Sentry DSN is public, so anyone can
// send a recording, and one 65 KB zlib item can inflate to gigabytes of
// events. Every read of a bundle therefore draws on one budget per bundle,
// and a replay that would exceed it is refused with a LimitError instead of
// being held in memory.

// Default limits per bundle. A real replay is far below both: the SDK
// abandons a segment above a 20 MB buffer and stops recording after 60
// minutes (at most ~720 segments, typically a few hundred events each).
const (
	// DefaultMaxBytes bounds the bytes decoded for one bundle: every file
	// read (replay.json, recording-segments.json, errors.json,
	// manifest.json, fetch.json, envelopes) plus every recording inflated.
	DefaultMaxBytes int64 = 512 << 20
	// DefaultMaxEvents bounds the rrweb events of one bundle, over all
	// segments.
	DefaultMaxEvents = 1_000_000
	// maxRecordingBytes bounds one inflated recording (one envelope item,
	// or one compressed segments file) whatever the bundle budget left.
	maxRecordingBytes = 64 << 20
	// maxDepth bounds JSON nesting while recordings are split into events,
	// as encoding/json does, so "[[[[…" fails at once.
	maxDepth = 10000
)

// Limits bound the work one replay bundle may cause. The zero value of a
// field means its default.
type Limits struct {
	// MaxBytes bounds the bytes read and inflated for one bundle.
	MaxBytes int64
	// MaxEvents bounds the rrweb events of one bundle.
	MaxEvents int
}

// DefaultLimits returns the limits Load and LoadBundle apply.
func DefaultLimits() Limits { return Limits{MaxBytes: DefaultMaxBytes, MaxEvents: DefaultMaxEvents} }

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxEvents <= 0 {
		l.MaxEvents = DefaultMaxEvents
	}
	return l
}

// ErrTooLarge means a replay exceeded one of its Limits. A *LimitError
// wraps it (and ErrNotReplay: such input is not a replay repro will read).
var ErrTooLarge = errors.New("replay exceeds a limit")

// Kinds of limit a LimitError names.
const (
	LimitBytes     = "bytes"     // Limits.MaxBytes, per bundle
	LimitEvents    = "events"    // Limits.MaxEvents, per bundle
	LimitRecording = "recording" // one inflated recording, fixed at 64 MiB
	LimitDepth     = "depth"     // JSON nesting, fixed at 10000
)

// LimitError reports which limit a replay hit and where.
type LimitError struct {
	// Limit is LimitBytes, LimitEvents, LimitRecording or LimitDepth.
	Limit string
	// Max is the limit's value (bytes, events or levels).
	Max int64
	// Where names the file or item being read, e.g. "recording-segments.json".
	Where string
}

func (e *LimitError) Error() string {
	var what string
	switch e.Limit {
	case LimitBytes:
		what = fmt.Sprintf("more than %s decoded, the per-bundle byte limit", formatBytes(e.Max))
	case LimitEvents:
		what = fmt.Sprintf("more than %d rrweb events, the per-bundle event limit", e.Max)
	case LimitRecording:
		what = fmt.Sprintf("one recording inflates past %s (the SDK sends at most 20 MB)", formatBytes(e.Max))
	case LimitDepth:
		what = fmt.Sprintf("JSON nested deeper than %d levels", e.Max)
	default:
		what = fmt.Sprintf("over the %s limit %d", e.Limit, e.Max)
	}
	if e.Where == "" {
		return "replay too large: " + what
	}
	return "replay too large: " + e.Where + ": " + what
}

// Unwrap lets errors.Is find ErrTooLarge and ErrNotReplay.
func (e *LimitError) Unwrap() []error { return []error{ErrTooLarge, ErrNotReplay} }

// formatBytes writes n in the largest binary unit that divides it.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// budget is what one bundle may still decode; every reader of the bundle
// draws on the same one.
type budget struct {
	lim    Limits
	bytes  int64
	events int
}

func newBudget(l Limits) *budget { return &budget{lim: l.withDefaults()} }

// left is how many bytes may still be decoded.
func (b *budget) left() int64 { return b.lim.MaxBytes - b.bytes }

// event counts one event.
func (b *budget) event(where string) error {
	b.events++
	if b.events > b.lim.MaxEvents {
		return &LimitError{Limit: LimitEvents, Max: int64(b.lim.MaxEvents), Where: where}
	}
	return nil
}

// reader counts what r yields against the budget and fails with a
// LimitError as soon as one byte more than the budget is read.
func (b *budget) reader(r io.Reader, where string) io.Reader {
	return &capReader{r: r, left: func() int64 { return b.left() }, take: func(n int) { b.bytes += int64(n) },
		err: func() error { return &LimitError{Limit: LimitBytes, Max: b.lim.MaxBytes, Where: where} }}
}

// recordingReader caps one inflated recording at maxRecordingBytes.
func recordingReader(r io.Reader, where string) io.Reader {
	var n int64
	return &capReader{r: r, left: func() int64 { return maxRecordingBytes - n }, take: func(k int) { n += int64(k) },
		err: func() error { return &LimitError{Limit: LimitRecording, Max: maxRecordingBytes, Where: where} }}
}

// capReader reads at most left()+1 bytes at a time: the extra byte tells a
// stream that ends exactly at the limit from one that goes past it.
type capReader struct {
	r    io.Reader
	left func() int64
	take func(int)
	err  func() error
	done error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.done != nil {
		return 0, c.done
	}
	left := c.left()
	if left < 0 {
		c.done = c.err()
		return 0, c.done
	}
	if int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := c.r.Read(p)
	c.take(n)
	if int64(n) > left {
		c.done = c.err()
		return n - 1, c.done
	}
	return n, err
}

// fits refuses a file larger than what the budget has left before any of
// it is read.
func (b *budget) fits(f *os.File, where string) error {
	st, err := f.Stat()
	if err == nil && st.Mode().IsRegular() && st.Size() > b.left() {
		return &LimitError{Limit: LimitBytes, Max: b.lim.MaxBytes, Where: where}
	}
	return nil
}

// readFile reads a whole file on the budget (fs.ErrNotExist passes through).
func (b *budget) readFile(path, where string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := b.fits(f, where); err != nil {
		return nil, err
	}
	return io.ReadAll(b.reader(f, where))
}
