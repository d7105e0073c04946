package replay

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Recordings are split into events while they stream in (from a file or a
// zlib reader), never held whole: each event is validated and handed on
// while it sits in the read buffer, counted against the budget at once, so
// a bomb of a million tiny events or of "[[[[…" nesting is refused after
// reading only what the limits allow.

// segmentShape says what the top-level array holds.
type segmentShape int

const (
	// shapeAuto: the API's array of segments (arrays or nulls), or one
	// segment of event objects, told apart by the first non-null element.
	shapeAuto segmentShape = iota
	// shapeEvents: one segment whose elements are kept whatever they are
	// (an envelope's replay_recording; the timeline warns about non-events).
	shapeEvents
)

// eventFunc receives one event of segment seg. ev is valid only during
// the call; sc holds its top-level members when it is an object.
type eventFunc func(seg int, ev []byte, sc *scanner) error

// streamSegments reads a JSON array of segments (or one segment) from r
// into memory: each event copied.
func streamSegments(r io.Reader, shape segmentShape, b *budget, where string) ([][]json.RawMessage, error) {
	var segs [][]json.RawMessage
	var list eventList
	cur := -1
	flush := func() {
		if cur >= 0 {
			segs[cur] = list.slice()
		}
		list = eventList{}
	}
	n, err := streamEvents(r, shape, b, where, func(seg int, ev []byte, _ *scanner) error {
		if seg != cur {
			flush()
			for len(segs) <= seg {
				segs = append(segs, nil)
			}
			cur = seg
		}
		list.add(append(json.RawMessage(nil), ev...))
		return nil
	})
	if err != nil {
		return nil, err
	}
	flush()
	if n == 0 {
		return nil, nil
	}
	for len(segs) < n {
		segs = append(segs, nil)
	}
	return segs, nil
}

// streamEvents reads a JSON array of segments (or one segment) from r,
// calling fn for each event, and returns how many segments it held.
func streamEvents(r io.Reader, shape segmentShape, b *budget, where string, fn eventFunc) (int, error) {
	s := &jsonStream{r: r, b: b, where: where, buf: make([]byte, 0, streamBlock)}
	c, err := s.next()
	if err == io.EOF {
		return 0, errors.New("want a JSON array of segments or events, got no data")
	}
	if err != nil {
		return 0, err
	}
	if c != '[' {
		return 0, fmt.Errorf("want a JSON array of segments or events, got %q", c)
	}
	s.pos++
	var (
		nsegs int
		nulls int  // leading null elements, before the shape is known
		multi bool // an array of segments
		known = shape == shapeEvents
		one   int // events of a single segment
	)
	for i := 0; ; i++ {
		c, err := s.next()
		if err != nil {
			return 0, unexpectedEOF(err)
		}
		if c == ']' {
			if i > 0 {
				return 0, fmt.Errorf("unexpected ']' after ',' at element %d", i)
			}
			s.pos++
			break
		}
		if !known && c != 'n' {
			known, multi = true, c != '{'
			if !multi && nulls > 0 {
				return 0, errors.New("event 0 is not a JSON object")
			}
			if multi {
				nsegs = nulls
			}
		}
		switch {
		case !known: // a leading null: a segment if the array is one of segments
			if _, err := s.value(); err != nil {
				return 0, err
			}
			nulls++
		case multi && c == 'n':
			v, err := s.value()
			if err != nil {
				return 0, err
			}
			if string(v) != "null" {
				return 0, fmt.Errorf("segment %d is not an array of events", i)
			}
			nsegs++
		case multi && c == '[':
			if err := s.events(i, nsegs, fn); err != nil {
				return 0, err
			}
			nsegs++
		case multi:
			return 0, fmt.Errorf("segment %d is not an array of events", i)
		default:
			if shape == shapeAuto && c != '{' {
				return 0, fmt.Errorf("event %d is not a JSON object", i)
			}
			if err := s.b.event(s.where); err != nil {
				return 0, err
			}
			v, err := s.value()
			if err != nil {
				return 0, wrapUnlessLimit(err, "event %d", i)
			}
			if err := fn(0, v, &s.sc); err != nil {
				return 0, err
			}
			one++
		}
		if done, err := s.comma(); err != nil {
			return 0, err
		} else if done {
			break
		}
	}
	if c, err := s.next(); err != io.EOF {
		if err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("unexpected %q after the array", c)
	}
	switch {
	case !known && nulls > 0:
		return nulls, nil
	case multi:
		return nsegs, nil
	case one > 0:
		return 1, nil
	}
	return 0, nil
}

// streamBlock is the read buffer's starting size; it doubles while one
// event does not fit.
const streamBlock = 256 << 10

// jsonStream reads JSON values off a reader through its own buffer, so an
// event can be validated and handed on where it lies.
type jsonStream struct {
	r     io.Reader
	b     *budget
	where string
	buf   []byte // unread input is buf[pos:]
	pos   int
	base  int64 // how much of the input lies before buf
	rerr  error // the reader's error (io.EOF at the end), once seen
	sc    scanner
}

// fill moves the unread input to the front and reads until the buffer is
// full (doubling it when the unread input already fills it) or the reader
// fails. It reports whether anything was read.
func (s *jsonStream) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf[:cap(s.buf)], s.buf[s.pos:])
		s.base += int64(s.pos)
		s.buf, s.pos = s.buf[:n], 0
	}
	if len(s.buf) == cap(s.buf) {
		nb := make([]byte, len(s.buf), 2*cap(s.buf)+streamBlock)
		copy(nb, s.buf)
		s.buf = nb
	}
	start, idle := len(s.buf), 0
	for len(s.buf) < cap(s.buf) && s.rerr == nil {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		switch {
		case err != nil:
			s.rerr = err
		case n > 0:
			idle = 0
		default:
			if idle++; idle > 100 {
				s.rerr = io.ErrNoProgress
			}
		}
	}
	return len(s.buf) > start
}

// next returns the next non-space byte without consuming it.
func (s *jsonStream) next() (byte, error) {
	for {
		for s.pos < len(s.buf) {
			if c := s.buf[s.pos]; !isSpace(c) {
				return c, nil
			}
			s.pos++
		}
		if !s.fill() {
			if s.rerr == nil || s.rerr == io.EOF {
				return 0, io.EOF
			}
			return 0, s.rerr
		}
	}
}

// comma consumes the ',' between elements (false) or the closing ']' (true).
func (s *jsonStream) comma() (bool, error) {
	c, err := s.next()
	if err != nil {
		return false, unexpectedEOF(err)
	}
	s.pos++
	switch c {
	case ',':
		return false, nil
	case ']':
		return true, nil
	}
	return false, fmt.Errorf("unexpected %q between array elements", c)
}

// events reads element i of the top-level array, segment seg: an array
// of events of any shape.
func (s *jsonStream) events(i, seg int, fn eventFunc) error {
	s.pos++ // '['
	return s.eventsFrom(i, seg, 0, fn)
}

// eventsFrom reads the events of element i from its event j0 on (past its
// '['), up to and past its ']'.
func (s *jsonStream) eventsFrom(i, seg, j0 int, fn eventFunc) error {
	for j := j0; ; j++ {
		c, err := s.next()
		if err != nil {
			return unexpectedEOF(err)
		}
		if c == ']' && j == 0 {
			s.pos++
			return nil
		}
		if err := s.b.event(s.where); err != nil {
			return err
		}
		v, err := s.value()
		if err != nil {
			return wrapUnlessLimit(err, "segment %d event %d", i, j)
		}
		if err := fn(seg, v, &s.sc); err != nil {
			return err
		}
		if done, err := s.comma(); err != nil {
			return wrapUnlessLimit(err, "segment %d", i)
		} else if done {
			return nil
		}
	}
}

// value validates the next JSON value and returns its bytes, valid until
// the stream reads on.
func (s *jsonStream) value() ([]byte, error) {
	if _, err := s.next(); err != nil {
		return nil, unexpectedEOF(err)
	}
	for {
		eof := s.rerr != nil
		n, more, err := s.sc.scan(s.buf[s.pos:], eof, s.where)
		if err != nil {
			if eof && s.rerr != io.EOF && errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, s.rerr // the reader stopped (a limit) inside the value
			}
			return nil, err
		}
		if !more {
			v := s.buf[s.pos : s.pos+n]
			s.sc.off = s.base + int64(s.pos)
			s.pos += n
			return v, nil
		}
		s.fill()
	}
}

// eventList collects events in fixed-size blocks and makes one slice of
// them at the end: growing one slice of a million events by doubling
// copies (and write-barriers) tens of megabytes of pointers.
type eventList struct {
	blocks [][]json.RawMessage
	n      int
}

const eventBlock = 4096

func (l *eventList) add(v json.RawMessage) {
	if len(l.blocks) == 0 || len(l.blocks[len(l.blocks)-1]) == eventBlock {
		l.blocks = append(l.blocks, make([]json.RawMessage, 0, eventBlock))
	}
	last := &l.blocks[len(l.blocks)-1]
	*last = append(*last, v)
	l.n++
}

func (l *eventList) slice() []json.RawMessage {
	if l.n == 0 {
		return nil
	}
	if len(l.blocks) == 1 {
		return l.blocks[0]
	}
	out := make([]json.RawMessage, 0, l.n)
	for _, b := range l.blocks {
		out = append(out, b...)
	}
	return out
}

// unexpectedEOF turns the end of input inside a value into an error that says so.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
