package replay

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Recordings are split into events while they stream in (from a file or a
// zlib reader), never held whole: an event is kept once it is complete and
// counted against the budget at once, so a bomb of a million tiny events
// or of "[[[[…" nesting is refused after reading only what the limits allow.

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

// streamSegments reads a JSON array of segments (or one segment) from r.
func streamSegments(r io.Reader, shape segmentShape, b *budget, where string) ([][]json.RawMessage, error) {
	s := &jsonStream{r: bufio.NewReaderSize(r, 64<<10), b: b, where: where}
	c, err := s.next()
	if err == io.EOF {
		return nil, errors.New("want a JSON array of segments or events, got no data")
	}
	if err != nil {
		return nil, err
	}
	if c != '[' {
		return nil, fmt.Errorf("want a JSON array of segments or events, got %q", c)
	}
	s.r.ReadByte()
	var (
		segs  [][]json.RawMessage
		nulls int  // leading null elements, before the shape is known
		multi bool // an array of segments
		known = shape == shapeEvents
		one   eventList
	)
	for i := 0; ; i++ {
		c, err := s.next()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		if c == ']' {
			if i > 0 {
				return nil, fmt.Errorf("unexpected ']' after ',' at element %d", i)
			}
			s.r.ReadByte()
			break
		}
		if !known && c != 'n' {
			known, multi = true, c != '{'
			if !multi && nulls > 0 {
				return nil, errors.New("event 0 is not a JSON object")
			}
			if multi {
				segs = make([][]json.RawMessage, nulls)
			}
		}
		switch {
		case !known: // a leading null: a segment if the array is one of segments
			if _, err := s.value(); err != nil {
				return nil, err
			}
			nulls++
		case multi && c == 'n':
			v, err := s.value()
			if err != nil {
				return nil, err
			}
			if string(v) != "null" {
				return nil, fmt.Errorf("segment %d is not an array of events", i)
			}
			segs = append(segs, nil)
		case multi && c == '[':
			seg, err := s.events(i)
			if err != nil {
				return nil, err
			}
			segs = append(segs, seg)
		case multi:
			return nil, fmt.Errorf("segment %d is not an array of events", i)
		default:
			if shape == shapeAuto && c != '{' {
				return nil, fmt.Errorf("event %d is not a JSON object", i)
			}
			if err := s.b.event(s.where); err != nil {
				return nil, err
			}
			v, err := s.value()
			if err != nil {
				return nil, wrapUnlessLimit(err, "event %d", i)
			}
			one.add(v)
		}
		if done, err := s.comma(); err != nil {
			return nil, err
		} else if done {
			break
		}
	}
	if c, err := s.next(); err != io.EOF {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("unexpected %q after the array", c)
	}
	switch {
	case !known && nulls > 0:
		return make([][]json.RawMessage, nulls), nil
	case multi:
		return segs, nil
	case one.n > 0:
		return [][]json.RawMessage{one.slice()}, nil
	}
	return nil, nil
}

// jsonStream reads JSON values off a buffered reader.
type jsonStream struct {
	r     *bufio.Reader
	b     *budget
	where string
	buf   []byte // scratch for the value being read
	slab  []byte // where small values are kept
}

// next returns the next non-space byte without consuming it.
func (s *jsonStream) next() (byte, error) {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, s.r.UnreadByte()
	}
}

// comma consumes the ',' between elements (false) or the closing ']' (true).
func (s *jsonStream) comma() (bool, error) {
	c, err := s.next()
	if err != nil {
		return false, unexpectedEOF(err)
	}
	s.r.ReadByte()
	switch c {
	case ',':
		return false, nil
	case ']':
		return true, nil
	}
	return false, fmt.Errorf("unexpected %q between array elements", c)
}

// events reads segment i: an array of events of any shape.
func (s *jsonStream) events(i int) ([]json.RawMessage, error) {
	s.r.ReadByte() // '['
	var seg eventList
	for j := 0; ; j++ {
		c, err := s.next()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		if c == ']' && j == 0 {
			s.r.ReadByte()
			return nil, nil
		}
		if err := s.b.event(s.where); err != nil {
			return nil, err
		}
		v, err := s.value()
		if err != nil {
			return nil, wrapUnlessLimit(err, "segment %d event %d", i, j)
		}
		seg.add(v)
		if done, err := s.comma(); err != nil {
			return nil, wrapUnlessLimit(err, "segment %d", i)
		} else if done {
			return seg.slice(), nil
		}
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

// value reads one whole JSON value and returns a copy of its bytes. It
// tracks strings and nesting only to find where the value ends, then
// checks the value with json.Valid.
func (s *jsonStream) value() (json.RawMessage, error) {
	s.buf = s.buf[:0]
	depth, inStr, esc := 0, false, false
	scalar := false
	for {
		chunk, err := s.r.Peek(1)
		if len(chunk) == 0 {
			if scalar && err == io.EOF {
				return s.finish()
			}
			return nil, unexpectedEOF(err)
		}
		chunk, _ = s.r.Peek(s.r.Buffered())
		end := -1
	scan:
		for i, c := range chunk {
			if inStr {
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr = false
					if depth == 0 {
						end = i + 1
						break scan
					}
				}
				continue
			}
			if scalar {
				switch c {
				case ',', ']', '}', ' ', '\t', '\r', '\n':
					end = i
					break scan
				}
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				depth++
				if depth > maxDepth {
					return nil, &LimitError{Limit: LimitDepth, Max: maxDepth, Where: s.where}
				}
			case '}', ']':
				depth--
				if depth < 0 {
					return nil, fmt.Errorf("unexpected %q", c)
				}
				if depth == 0 {
					end = i + 1
					break scan
				}
			case ' ', '\t', '\r', '\n', ',', ':':
				if depth == 0 {
					return nil, fmt.Errorf("unexpected %q", c)
				}
			default:
				if depth == 0 {
					scalar = true
				}
			}
		}
		if end >= 0 {
			s.buf = append(s.buf, chunk[:end]...)
			s.r.Discard(end)
			return s.finish()
		}
		s.buf = append(s.buf, chunk...)
		s.r.Discard(len(chunk))
	}
}

// finish validates the value read and returns a copy sized to fit.
func (s *jsonStream) finish() (json.RawMessage, error) {
	if !json.Valid(s.buf) {
		var v any
		err := json.Unmarshal(s.buf, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, err
	}
	// Small events are carved out of a shared slab: a million tiny events
	// cost a few hundred allocations instead of a million. Each keeps its
	// capacity to its length, so an append to one never touches another.
	n := len(s.buf)
	if n > slabSize/8 {
		return append(json.RawMessage(nil), s.buf...), nil
	}
	if len(s.slab)+n > cap(s.slab) {
		s.slab = make([]byte, 0, slabSize)
	}
	start := len(s.slab)
	s.slab = append(s.slab, s.buf...)
	return json.RawMessage(s.slab[start : start+n : start+n]), nil
}

// slabSize is the size of the shared blocks small events are copied into.
const slabSize = 64 << 10

// unexpectedEOF turns the end of input inside a value into an error that says so.
func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
