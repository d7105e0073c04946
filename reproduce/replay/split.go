package replay

import (
	"bytes"
	"errors"
	"io"
	"os"
	"sync/atomic"
)

// A large plain recording file is loaded on two cores. The load's scan
// (validating every event, keying it, indexing where it lies) is
// sequential by nature: where an event begins depends on every byte
// before it. So the second half is scanned speculatively: a goroutine
// starts at the file's middle, takes the first place that looks like the
// start of an event (`{"type":N,"data":` or `…,"timestamp":` after a ','
// or '['; a '{' followed by '"' and a name cannot lie inside a string of
// valid JSON) and scans from there to the end as if it were one, while the
// load scans from the start. When the load reaches that offset and finds
// an event beginning exactly there, the two halves are joined: the same
// keys, index, sums and segment count the load alone would have made.
// Anything else — the load passes the offset inside an event, the second
// half finds an error or a limit, the halves would exceed the event limit,
// the shape is not known from the file's first bytes — and the load simply
// goes on alone to the end, so errors and results are exactly the
// sequential load's.

// splitMin is the smallest file loaded on two cores.
var splitMin int64 = 16 << 20

// testSplitJoined, when set, is called when a split load joins its halves.
var testSplitJoined func()

// errSplit stops the load's scan where the second half begins.
var errSplit = errors.New("the second half takes over")

// errStopped stops the second half's scan when it is not needed.
var errStopped = errors.New("the second half is not needed")

// tail is the second half of a split load: from the event at at to the
// end of the file.
type tail struct {
	at     int64 // where its first event begins; -1: no place found
	k      eventKeys
	ix     *eventIndex // nil: dropped
	sums   []uint32    // the chunks from the middle on
	size   int64       // bytes from the middle to the end
	segs   int         // segment elements after the one at holds
	events int
	err    error
}

// shapeOf says from a file's first bytes whether it is an array of
// segments (multi) or one segment of events; ok false when it cannot
// tell (leading nulls, anything unusual).
func shapeOf(path string) (multi, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return false, false
	}
	defer f.Close()
	var head [256]byte
	n, _ := io.ReadFull(f, head[:])
	b := trimSpace(head[:n])
	if len(b) == 0 || b[0] != '[' {
		return false, false
	}
	b = trimSpace(b[1:])
	if len(b) == 0 {
		return false, false
	}
	switch b[0] {
	case '[':
		return true, true
	case '{':
		return false, true
	}
	return false, false
}

// eventStart is the first offset in b that looks like an event's start:
// after a ',' or '[', `{"type":N,"data":` or `{"type":N,"timestamp":`,
// spaces allowed between the tokens.
func eventStart(b []byte) int {
	ws := func(i int) int {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		return i
	}
	lit := func(i int, s string) int {
		if i = ws(i); bytes.HasPrefix(b[i:], []byte(s)) {
			return i + len(s)
		}
		return -1
	}
	for i := 0; i < len(b); i++ {
		j := bytes.IndexByte(b[i:], '{')
		if j < 0 {
			return -1
		}
		p := i + j
		i = p
		q := p - 1
		for q >= 0 && isSpace(b[q]) {
			q--
		}
		if q < 0 || (b[q] != ',' && b[q] != '[') {
			continue
		}
		k := lit(p+1, `"type"`)
		if k < 0 {
			continue
		}
		if k = lit(k, ":"); k < 0 {
			continue
		}
		d := ws(k)
		e := d
		for e < len(b) && b[e] >= '0' && b[e] <= '9' {
			e++
		}
		if e == d {
			continue
		}
		if k = lit(e, ","); k < 0 {
			continue
		}
		if m := lit(k, `"data"`); m >= 0 && lit(m, ":") >= 0 {
			return p
		}
		if m := lit(k, `"timestamp"`); m >= 0 && lit(m, ":") >= 0 {
			return p
		}
	}
	return -1
}

// scanTail scans the file at path from mid (a multiple of indexChunk)
// as the second half of a split load and sends where it began on found
// (-1 when it found no place) before scanning on.
func scanTail(path string, mid, size int64, multi bool, lim Limits, where string, stop *atomic.Bool, found chan<- int64) *tail {
	t := &tail{at: -1, ix: &eventIndex{}}
	if n := min((size-mid)/eventBytesAtLeast, int64(lim.MaxEvents)); n > 0 {
		t.k.ms, t.ix.evs = make([]float64, 0, n), make([]evAt, 0, n)
	}
	sent := false
	defer func() {
		if !sent {
			found <- -1
		}
	}()
	fail := func(err error) *tail {
		t.err = err
		return t
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	if _, err := f.Seek(mid, io.SeekStart); err != nil {
		return fail(err)
	}
	sums := &chunkSums{r: f}
	bud := newBudget(lim)
	s := &jsonStream{r: sums, b: bud, where: where, buf: make([]byte, 0, streamBlock), base: mid}
	s.fill()
	p := eventStart(s.buf)
	if p < 0 {
		return fail(errors.New("no event start near the middle"))
	}
	s.pos = p
	t.at = mid + int64(p)
	t.ix.end = t.at
	found <- t.at
	sent = true

	fn := func(seg int, ev []byte, sc *scanner) error {
		if t.events++; t.events&1023 == 0 && stop.Load() {
			return errStopped
		}
		h := t.k.add(ev, sc)
		if t.ix != nil && !t.ix.add(seg, ev, sc.off, h) {
			t.ix = nil
		}
		return nil
	}
	// The rest of the segment (or of the one segment) it began in: it
	// begins at an event, not at the array's start (j0 1: a ']' cannot
	// come first).
	if err := s.eventsFrom(0, 0, 1, fn); err != nil {
		return fail(err)
	}
	// The segments after it.
	for multi {
		done, err := s.comma()
		if err != nil {
			return fail(err)
		}
		if done {
			break
		}
		c, err := s.next()
		if err != nil {
			return fail(unexpectedEOF(err))
		}
		t.segs++
		switch c {
		case 'n':
			v, err := s.value()
			if err != nil {
				return fail(err)
			}
			if string(v) != "null" {
				return fail(errors.New("not a segment"))
			}
		case '[':
			if err := s.events(0, t.segs, fn); err != nil {
				return fail(err)
			}
		default:
			return fail(errors.New("not a segment"))
		}
	}
	if _, err := s.next(); err != io.EOF {
		return fail(errors.New("more after the array"))
	}
	t.sums, t.size = sums.finish()
	return t
}

// join appends the second half t, which begins at the event the load
// reached with keys k and index ix (nil: dropped) in segment seg. It
// returns the index to keep (nil: dropped).
func (t *tail) join(k *eventKeys, ix *eventIndex, sums []uint32, mid int64, seg int) *eventIndex {
	if k.bad == 0 && t.k.bad > 0 {
		k.example = t.k.example
	}
	k.ms = append(k.ms, t.k.ms...)
	k.valid += t.k.valid
	k.bad += t.k.bad
	if ix == nil || t.ix == nil || t.at-ix.end > maxGap {
		return nil
	}
	if len(t.ix.evs) > 0 {
		t.ix.evs[0] = t.ix.evs[0].withGap(t.at - ix.end)
	}
	n := len(ix.evs)
	ix.evs = append(ix.evs, t.ix.evs...)
	for _, sg := range t.ix.segs {
		ix.segs = append(ix.segs, segStart{ev: n + sg.ev, seg: seg + sg.seg})
	}
	ix.end = t.ix.end
	ix.sums = append(sums[:mid/indexChunk:mid/indexChunk], t.sums...)
	ix.size = mid + t.size
	return ix
}

// splitter runs the second half of a split load beside the load.
type splitter struct {
	mid   int64
	multi bool
	stop  atomic.Bool
	found chan int64
	done  chan *tail
	at    int64 // where the second half began; -2: not known yet, -1: no split
	t     *tail // the second half, once ended
	seg   int   // the segment of the event at at
}

// startSplit starts the second half of a load of the plain file at path
// of size bytes; nil when the file is not split.
func startSplit(path string, size int64, lim Limits, where string) *splitter {
	mid := size / 2 / indexChunk * indexChunk
	if size < splitMin || mid == 0 {
		return nil
	}
	multi, ok := shapeOf(path)
	if !ok {
		return nil
	}
	sp := &splitter{mid: mid, multi: multi, at: -2, found: make(chan int64, 1), done: make(chan *tail, 1)}
	go func() { sp.done <- scanTail(path, mid, size, multi, lim.withDefaults(), where, &sp.stop, sp.found) }()
	return sp
}

// reached is told of every event the load scans, at off in the file, in
// segment seg, with the budget that counted it; true when the second half
// takes over from this event on (it began exactly here and ended well).
func (sp *splitter) reached(off int64, seg int, bud *budget) bool {
	if sp.at == -1 || off < sp.mid {
		return false
	}
	if sp.at == -2 {
		sp.at = <-sp.found
		if sp.at < 0 {
			return false
		}
	}
	if off < sp.at {
		return false
	}
	at := sp.at
	sp.at = -1 // decided here, either way
	if off > at {
		sp.stop.Store(true) // it began inside an event
		return false
	}
	sp.t = <-sp.done
	// The event here was counted by the load's budget and the second
	// half's: the two must not exceed the limit together.
	if sp.t.err != nil || bud.events-1+sp.t.events > bud.lim.MaxEvents {
		return false
	}
	sp.seg = seg
	return true
}

// wait ends the second half when the load went on alone.
func (sp *splitter) wait() {
	sp.stop.Store(true)
	if sp.t == nil {
		sp.t = <-sp.done
	}
}
