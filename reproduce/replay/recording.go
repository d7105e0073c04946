package replay

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"time"
)

// How a recording is read in time order without holding it.
//
// The timeline needs events in time order, but a recording is only roughly
// ordered (a performanceSpan is stamped with its start, in seconds, and
// sent after later events; segments may arrive out of order), so events
// cannot be handled as they stream in. Instead of materialising every raw
// event and sorting those, the recording is read twice:
//
//  1. while it is loaded (and validated, within its limits), each event's
//     normalized timestamp is kept: 8 bytes an event. A stable sort of
//     those gives every event its rank in time order, exactly the order a
//     stable sort of the events themselves gives.
//  2. BuildTimeline streams the recording again and hands each event to
//     the timeline the moment its rank comes up. An event that arrives
//     before its turn is copied aside until then; in a real recording that
//     is a few events around each late span, so memory stays at the read
//     buffer plus the DOM mirror whatever the recording's size (a
//     recording written backwards holds its events aside, as much as the
//     whole-file reader held before).
//
// Reading twice costs a second pass over the file (from the page cache) or
// a second inflate, far less than decoding a tree of generic values did;
// a plain file is not scanned the second time: the load keeps where each
// event lies and the second pass takes them by offset (index.go), and a
// large one is loaded on both cores (split.go). If the file changes
// between the passes the build fails rather than mix two recordings.

// recording is where a bundle's rrweb events come from.
type recording interface {
	// stream calls fn for every event, in recording order.
	stream(fn eventFunc) error
	// segments is the number of segments.
	segments() int
	// keys returns the events' time keys, in recording order.
	keys() (*eventKeys, error)
}

// errChanged says the recording read for the timeline is not the one
// loaded.
var errChanged = errors.New("the recording changed while it was read (load it again)")

// eventKeys are the time keys of a recording's events.
type eventKeys struct {
	ms    []float64 // normalized ms per event, in recording order; -1: malformed, skipped
	valid int
	// bad counts the malformed events; example is the first one, as a
	// warning shows it.
	bad     int
	example string
	// first says whether the first event looked like an rrweb event
	// (an object with "type" and "timestamp"); true when there is none.
	firstChecked, first bool
}

// add keys one event and returns its envelope.
func (k *eventKeys) add(ev []byte, sc *scanner) header {
	h := readHeader(ev, sc)
	ms := h.key()
	if !k.firstChecked {
		k.firstChecked = true
		k.first = looksLikeEvent(ev, sc)
	}
	if ms < 0 {
		k.bad++
		if k.bad == 1 {
			k.example = warningExample(ev)
		}
	} else {
		k.valid++
	}
	k.ms = append(k.ms, ms)
	return h
}

// looksLikeEvent reports whether ev is an object with "type" and
// "timestamp" members.
func looksLikeEvent(ev []byte, sc *scanner) bool {
	if !sc.valid || len(ev) == 0 || ev[0] != '{' {
		return false
	}
	var t, ts bool
	for _, f := range sc.fields {
		t = t || nameExactly(ev[f.k0:f.k1], "type")
		ts = ts || nameExactly(ev[f.k0:f.k1], "timestamp")
	}
	return t && ts
}

// header is an event's envelope, read as encoding/json reads
// {"type":int,"timestamp":raw,"data":raw}.
type header struct {
	typ      int
	ok       bool // an object with an integer type
	ts, data []byte
}

// readHeader reads the envelope of ev from the members its scan found.
func readHeader(ev []byte, sc *scanner) header {
	var h header
	if !sc.valid || len(ev) == 0 || ev[0] != '{' {
		return h
	}
	hasType, bad := false, false
	for _, f := range sc.fields {
		name, val := ev[f.k0:f.k1], ev[f.v0:f.v1]
		switch {
		case nameIs(name, "type"):
			c := cursor{b: val}
			v, ok, null := c.intValue()
			switch {
			case ok:
				h.typ, hasType = v, true
			case null:
				hasType = false
			default:
				bad = true
			}
		case nameIs(name, "timestamp"):
			h.ts = val
		case nameIs(name, "data"):
			h.data = val
		}
	}
	h.ok = hasType && !bad
	return h
}

// key is the event's normalized time in ms, or -1 when the event is
// malformed (no type, or no usable timestamp).
func (h header) key() float64 {
	if !h.ok {
		return -1
	}
	var f float64
	var ok bool
	if n, plain := plainInt(h.ts); plain {
		f, ok = float64(n), true // exact: at most 15 digits
	} else if len(h.ts) > 0 && (h.ts[0] == '-' || h.ts[0] >= '0' && h.ts[0] <= '9') {
		v, err := strconv.ParseFloat(string(h.ts), 64)
		f, ok = v, err == nil
	} else {
		f, ok = flexFloat(h.ts)
	}
	if !ok {
		return -1
	}
	ms, ok := timestampMillis(f)
	if !ok {
		return -1
	}
	return ms
}

// plainInt reads b when it is 1 to 15 digits (an rrweb timestamp in ms):
// a number float64 holds exactly, as ParseFloat would read it.
func plainInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// msTime is TimestampToTime for a normalized ms value.
func msTime(ms float64) time.Time {
	sec := math.Floor(ms / 1000)
	us := math.Round((ms - sec*1000) * 1000)
	return time.Unix(int64(sec), int64(us)*1000).UTC()
}

// warningExample is how a warning shows an event: compact, at most 200
// bytes.
func warningExample(raw []byte) string {
	var buf bytes.Buffer
	ex := string(raw)
	if json.Compact(&buf, raw) == nil {
		ex = buf.String()
	}
	if len(ex) > 200 {
		ex = ex[:200] + "…"
	}
	return ex
}

// ordered calls fn with every valid event of rec in time order (ties in
// recording order). The item's bytes are valid only during the call.
//
// A recording read from a file or envelopes is read, validated, keyed and
// put in order on one goroutine while the timeline takes its events on
// this one (the machine has two cores; the handoff is a few reused blocks
// of copies).
func ordered(rec recording, k *eventKeys, fn func(item)) error {
	rank := ranks(k)
	if _, mem := rec.(memRecording); !mem {
		return pipelined(rec, k, rank, fn)
	}
	q := &queue{fn: fn}
	err := verified(rec, k, rank, func(seg int, ev []byte, h header, ms float64, r int32) error {
		q.take(seg, ev, h, ms, r)
		return nil
	})
	return q.done(err)
}

// ranks gives every event its position in time order (-1: skipped).
func ranks(k *eventKeys) []int32 {
	order := make([]int32, 0, k.valid)
	for i, ms := range k.ms {
		if ms >= 0 {
			order = append(order, int32(i))
		}
	}
	if !slices.IsSortedFunc(order, func(a, b int32) int { return cmp.Compare(k.ms[a], k.ms[b]) }) {
		slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(k.ms[a], k.ms[b]) })
	}
	rank := make([]int32, len(k.ms))
	for i := range rank {
		rank[i] = -1
	}
	for r, i := range order {
		rank[i] = int32(r)
	}
	return rank
}

// verified streams rec, checks every event against its key and passes
// the valid ones on with their rank.
func verified(rec recording, k *eventKeys, rank []int32, take func(seg int, ev []byte, h header, ms float64, r int32) error) error {
	if fr, ok := rec.(*fileRecording); ok && fr.ix != nil {
		return fr.ix.replay(fr.path, k, rank, take)
	}
	idx := 0
	err := rec.stream(func(seg int, ev []byte, s *scanner) error {
		if idx >= len(k.ms) {
			return errChanged
		}
		h := readHeader(ev, s)
		ms := h.key()
		if ms != k.ms[idx] {
			return errChanged
		}
		r := rank[idx]
		idx++
		if r < 0 {
			return nil
		}
		return take(seg, ev, h, ms, r)
	})
	if err == nil && idx != len(k.ms) {
		err = errChanged
	}
	return err
}

// queue hands events to fn by rank: in turn at once, early ones once
// their turn comes.
type queue struct {
	fn      func(item)
	next    int32
	pending map[int32]early
	held    slab // the early events' bytes, reused whenever none waits
}

type early struct {
	seg int
	ev  []byte
	h   header // its data inside ev
	ms  float64
}

func (q *queue) take(seg int, ev []byte, h header, ms float64, r int32) {
	if r != q.next {
		if q.pending == nil {
			q.pending = map[int32]early{}
		}
		held := q.held.copy(ev)
		if h.data != nil {
			d0 := cap(ev) - cap(h.data) // data lies inside ev
			h.data = held[d0 : d0+len(h.data)]
		}
		q.pending[r] = early{seg, held, h, ms}
		return
	}
	q.fn(item{typ: h.typ, ms: ms, t: msTime(ms), seg: seg, data: h.data, raw: ev})
	q.next++
	for len(q.pending) > 0 {
		p, ok := q.pending[q.next]
		if !ok {
			return
		}
		delete(q.pending, q.next)
		q.fn(item{typ: p.h.typ, ms: p.ms, t: msTime(p.ms), seg: p.seg, data: p.h.data, raw: p.ev})
		q.next++
		if len(q.pending) == 0 {
			q.held.reset()
		}
	}
}

// done is the error of a stream that fed q: err, or errChanged when an
// event still waits for its turn.
func (q *queue) done(err error) error {
	if err == nil && len(q.pending) > 0 {
		return errChanged
	}
	return err
}

// batch is a run of events, in time order, copied for the other
// goroutine.
type batch struct {
	buf []byte
	evs []evRef
	// muts are the batch's Mutations, read on the reading goroutine into
	// one arena: the DOM mirror's share of decoding is the largest, and
	// the timeline's goroutine is the busier one.
	muts  []mutation
	arena *nodeArena
	// customs are the batch's Custom events, read likewise.
	customs []customRead
}

// evRef is one event of a batch: its bytes and its data member's, as
// offsets into the batch's buffer.
type evRef struct {
	seg, off, n, d0, d1 int
	typ                 int
	data                bool
	ms                  float64
	mut                 int32 // 1 + its index in muts; 0: not a Mutation
	custom              int32 // 1 + its index in customs; 0: not read
	// src, srcRead, srcOK: an IncrementalSnapshot's source, as in item.
	src            int
	srcRead, srcOK bool
}

const (
	batchBytes  = 512 << 10
	batchEvents = 1024
	// batchArena bounds the arena a reused batch keeps: one that grew
	// past it on a huge event is dropped rather than kept.
	batchArena = 1 << 16
)

func newBatch() batch {
	return batch{buf: make([]byte, 0, batchBytes), arena: new(nodeArena)}
}

// reset empties b for reuse.
func (b *batch) reset() {
	b.buf, b.evs = b.buf[:0], b.evs[:0]
	a := b.arena
	large := cap(a.nodes) > batchArena || cap(a.attrs) > batchArena || cap(a.kids) > batchArena
	for i := range b.muts {
		mu := &b.muts[i]
		large = large || cap(mu.removes) > batchArena || cap(mu.adds) > batchArena ||
			cap(mu.texts) > batchArena || cap(mu.attrs) > batchArena
	}
	if large {
		b.arena, b.muts = new(nodeArena), nil
	}
	b.arena.reset()
	b.muts = b.muts[:0]
	clear(b.customs) // what they point to is the timeline's now
	b.customs = b.customs[:0]
}

// add copies it into the batch, reading its data when it is a Mutation.
func (b *batch) add(it item, in *interner) {
	e := evRef{seg: it.seg, off: len(b.buf), n: len(it.raw), typ: it.typ, ms: it.ms}
	if it.data != nil {
		e.data = true
		e.d0 = cap(it.raw) - cap(it.data) // data lies inside raw
		e.d1 = e.d0 + len(it.data)
	}
	if it.typ == rrIncremental && it.data != nil {
		// Read as a Mutation (and its source with it); kept only when it
		// is one.
		if len(b.muts) < cap(b.muts) {
			b.muts = b.muts[:len(b.muts)+1]
		} else {
			b.muts = append(b.muts, mutation{})
		}
		a := b.arena
		nodes, attrs, kids := len(a.nodes), len(a.attrs), len(a.kids)
		src, ok, bad := b.muts[len(b.muts)-1].decode(it.data, a, in)
		e.src, e.srcRead, e.srcOK = src, true, ok && !bad
		if e.srcOK && src == 0 {
			e.mut = int32(len(b.muts))
		} else {
			b.muts = b.muts[:len(b.muts)-1]
			a.nodes, a.attrs, a.kids = a.nodes[:nodes], a.attrs[:attrs], a.kids[:kids]
		}
	}
	b.buf = append(b.buf, it.raw...)
	if it.typ == rrCustom && it.data != nil {
		// Read from the batch's copy: its raw members must outlive the
		// reader's buffer.
		ev := b.buf[e.off : e.off+e.n]
		b.customs = append(b.customs, customRead{})
		readCustom(ev[e.d0:e.d1], in, &b.customs[len(b.customs)-1])
		e.custom = int32(len(b.customs))
	}
	b.evs = append(b.evs, e)
}

// pipelined runs verified and the queue on their own goroutine and calls
// fn here with the events in turn.
func pipelined(rec recording, k *eventKeys, rank []int32, fn func(item)) error {
	out := make(chan batch, 2)
	free := make(chan batch, 3)
	var err error
	go func() {
		defer close(out)
		var in interner // the reader's own: strings cannot be shared with fn's
		b := newBatch()
		q := &queue{fn: func(it item) {
			b.add(it, &in)
			if len(b.buf) >= batchBytes || len(b.evs) >= batchEvents {
				out <- b
				select {
				case b = <-free:
					b.reset()
				default:
					b = newBatch()
				}
			}
		}}
		err = q.done(verified(rec, k, rank, func(seg int, ev []byte, h header, ms float64, r int32) error {
			q.take(seg, ev, h, ms, r)
			return nil
		}))
		if err == nil && len(b.evs) > 0 {
			out <- b
		}
	}()
	for b := range out {
		for _, e := range b.evs {
			ev := b.buf[e.off : e.off+e.n : e.off+e.n]
			it := item{typ: e.typ, ms: e.ms, t: msTime(e.ms), seg: e.seg, raw: ev, src: e.src, srcRead: e.srcRead, srcOK: e.srcOK}
			if e.data {
				it.data = ev[e.d0:e.d1]
			}
			if e.mut > 0 {
				it.mut = &b.muts[e.mut-1]
			}
			if e.custom > 0 {
				it.custom = &b.customs[e.custom-1]
			}
			fn(it)
		}
		select {
		case free <- b:
		default:
		}
	}
	return err // set before out was closed
}

// memRecording is a recording held in memory (Bundle.Segments).
type memRecording [][]json.RawMessage

func (m memRecording) segments() int { return len(m) }

func (m memRecording) stream(fn eventFunc) error {
	var sc scanner
	for si, seg := range m {
		for _, raw := range seg {
			ev := trimSpace(raw)
			n, _, err := sc.scan(ev, true, "")
			if err != nil || n != len(ev) {
				sc.valid = false
			}
			if err := fn(si, ev, &sc); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m memRecording) keys() (*eventKeys, error) {
	k := &eventKeys{}
	err := m.stream(func(_ int, ev []byte, sc *scanner) error { k.add(ev, sc); return nil })
	return k, err
}

// fileRecording is a recording streamed from a file: a segments array or
// a single segment, plain or zlib-compressed.
type fileRecording struct {
	path  string
	zlib  bool
	lim   Limits
	where string
	nsegs int
	k     *eventKeys
	// ix says where each event of a plain file lies (nil for zlib, or
	// when it grew too large for the events' size): the timeline's read
	// takes them from the file without scanning them again.
	ix *eventIndex
}

func (r *fileRecording) segments() int             { return r.nsegs }
func (r *fileRecording) keys() (*eventKeys, error) { return r.k, nil }

// eventBytesAtLeast is about the smallest average size of a real
// recording's events (250–870 bytes in the recorded bundles).
const eventBytesAtLeast = 256

// load reads the file for the first time on bud: validated, within the
// limits, keyed. size is the file's plain size when known (0 otherwise):
// the keys are made room for at the events it may hold, as growing them
// one event at a time copies a 100 MB recording's keys a dozen times.
func (r *fileRecording) load(rd io.Reader, bud *budget, size int64) error {
	r.k = &eventKeys{}
	n := min(size/eventBytesAtLeast, int64(bud.lim.MaxEvents))
	if n > 0 {
		r.k.ms = make([]float64, 0, n)
	}
	var sums *chunkSums
	var sp *splitter
	if !r.zlib {
		sums = &chunkSums{r: rd}
		rd = sums
		r.ix = &eventIndex{}
		if n > 0 {
			r.ix.evs = make([]evAt, 0, n)
		}
		sp = startSplit(r.path, size, bud.lim, r.where)
	}
	nsegs, err := streamEvents(rd, shapeAuto, bud, r.where, func(seg int, ev []byte, sc *scanner) error {
		if sp != nil && sp.reached(sc.off, seg, bud) {
			return errSplit
		}
		h := r.k.add(ev, sc)
		if r.ix != nil && !r.ix.add(seg, ev, sc.off, h) {
			r.ix = nil
		}
		return nil
	})
	if errors.Is(err, errSplit) {
		// The second half scanned the rest: join it.
		t := sp.t
		bud.events += t.events - 1
		bud.bytes += size - sums.size
		if sp.multi {
			nsegs = sp.seg + 1 + t.segs
		} else {
			nsegs = 1
		}
		r.nsegs = nsegs
		all, _ := sums.finish()
		r.ix = t.join(r.k, r.ix, all, sp.mid, sp.seg)
		if testSplitJoined != nil {
			testSplitJoined()
		}
		return nil
	}
	if sp != nil {
		sp.wait()
	}
	r.nsegs = nsegs
	if r.ix != nil {
		r.ix.sums, r.ix.size = sums.finish()
	}
	return err
}

func (r *fileRecording) stream(fn eventFunc) error {
	f, err := os.Open(r.path)
	if err != nil {
		return fmt.Errorf("read the recording again: %w", err)
	}
	defer f.Close()
	bud := newBudget(r.lim)
	var rd io.Reader = bud.reader(f, r.where)
	if r.zlib {
		zr, err := zlib.NewReader(bufio.NewReaderSize(f, 64<<10))
		if err != nil {
			return fmt.Errorf("read the recording again: %w", err)
		}
		defer zr.Close()
		rd = recordingReader(bud.reader(zr, r.where), r.where)
	}
	_, err = streamEvents(rd, shapeAuto, bud, r.where, fn)
	return err
}

// envRecording is a recording rebuilt from envelopes' replay_recording
// items, inflated again when streamed.
type envRecording struct {
	items []envItem // in segment order
	nsegs int
	lim   Limits
	k     *eventKeys
}

// envItem is one replay_recording item: the recording of segment seg.
type envItem struct {
	seg   int
	body  []byte // the payload after its {"segment_id":N} line
	where string
	k     *eventKeys
}

func (r *envRecording) segments() int             { return r.nsegs }
func (r *envRecording) keys() (*eventKeys, error) { return r.k, nil }

func (r *envRecording) stream(fn eventFunc) error {
	bud := newBudget(r.lim)
	for _, it := range r.items {
		rd, err := recordingStream(it.body, bud, it.where)
		if err != nil {
			return err
		}
		_, err = streamEvents(rd, shapeEvents, bud, it.where, func(_ int, ev []byte, sc *scanner) error {
			return fn(it.seg, ev, sc)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// joinKeys concatenates the items' keys in segment order.
func (r *envRecording) joinKeys() {
	k := &eventKeys{}
	for _, it := range r.items {
		if it.k == nil {
			continue
		}
		if !k.firstChecked && it.k.firstChecked {
			k.firstChecked, k.first = true, it.k.first
		}
		if k.bad == 0 {
			k.example = it.k.example
		}
		k.bad += it.k.bad
		k.valid += it.k.valid
		k.ms = append(k.ms, it.k.ms...)
	}
	r.k = k
}

// slab holds copies of events in large blocks: a recording's late spans
// set thousands of events aside for a moment each, and copying them into
// one reused block spares the allocator and the collector.
type slab struct {
	cur  []byte
	full [][]byte // blocks filled since the last reset
}

const slabBlock = 1 << 20

// copy returns a copy of b that stays valid until reset.
func (s *slab) copy(b []byte) []byte {
	if cap(s.cur)-len(s.cur) < len(b) {
		if len(s.cur) > 0 {
			s.full = append(s.full, s.cur)
		}
		s.cur = make([]byte, 0, max(slabBlock, len(b)))
	}
	start := len(s.cur)
	s.cur = append(s.cur, b...)
	return s.cur[start:len(s.cur):len(s.cur)]
}

// reset makes the space reusable: nothing copied is referenced any more.
func (s *slab) reset() {
	if len(s.full) > 0 { // keep one block of the size that was needed
		s.cur, s.full = make([]byte, 0, min(len(s.full)+1, 64)*slabBlock), nil
	}
	s.cur = s.cur[:0]
}
