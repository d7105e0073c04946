package replay

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

// A plain recording file is scanned once. While it is loaded (validated
// and keyed), where each event lies is kept — its offset, its length, its
// type and its data member: 12 bytes an event — with a CRC-32C of every
// indexChunk bytes of the file. The timeline's read (the second pass) then
// takes each event from the file by its offset instead of scanning the
// file again, and checks every chunk it reads against the first pass's
// sum, so the bytes it hands on are the bytes that were validated: a file
// that changed in between fails the build (errChanged), as a key that no
// longer matches does on the scanning read.
//
// The index is dropped (the scanning read is used) when it would grow past
// an eighth of the bytes it describes (a recording of tiny events), and it
// is not kept for zlib files, whose second read inflates them again
// anyway.

// indexChunk is how many bytes of the file each sum covers (a variable
// only for the fuzz test, which splits files of a few hundred bytes).
var indexChunk int64 = 256 << 10

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// eventIndex says where each event of a plain recording file lies.
type eventIndex struct {
	evs  []evAt     // in recording order, one per key
	segs []segStart // where each segment's events begin
	sums []uint32   // CRC-32C of each indexChunk bytes of the file
	size int64      // the file's size
	end  int64      // where the last event indexed ends
}

// evAt is one event, 12 bytes: gap bytes after the previous event's end
// (the file's start for the first) lie its n bytes, with its data member
// at [d0:d0+dlen] within them (d0 == 0: none; an event starts with '{').
// gt holds the gap (at most maxGap) above the type (0–15: rrweb's are
// 0–6). An event whose numbers do not fit drops the index.
type evAt struct {
	n, dlen uint32
	d0, gt  uint16
}

const maxGap = 1<<12 - 1

func (e evAt) gap() int64 { return int64(e.gt >> 4) }
func (e evAt) typ() int   { return int(e.gt & 15) }

// withGap is e with its gap set to gap (at most maxGap).
func (e evAt) withGap(gap int64) evAt {
	e.gt = uint16(gap)<<4 | e.gt&15
	return e
}

// segStart: the events from index ev on are segment seg's.
type segStart struct{ ev, seg int }

// add indexes one event at off in the file with its envelope h; false when
// the index should be dropped.
func (x *eventIndex) add(seg int, ev []byte, off int64, h header) bool {
	if len(x.segs) == 0 || x.segs[len(x.segs)-1].seg != seg {
		x.segs = append(x.segs, segStart{ev: len(x.evs), seg: seg})
	}
	gap := off - x.end
	if gap < 0 || gap > maxGap || len(ev) > math.MaxUint32 || h.typ < 0 || h.typ > 15 {
		return false
	}
	e := evAt{n: uint32(len(ev)), gt: uint16(gap)<<4 | uint16(h.typ)}
	if h.data != nil {
		d0 := cap(ev) - cap(h.data) // data lies inside ev
		if d0 <= 0 || d0 > math.MaxUint16 {
			return false
		}
		e.d0, e.dlen = uint16(d0), uint32(len(h.data))
	}
	x.evs = append(x.evs, e)
	x.end = off + int64(len(ev))
	if len(x.evs)%4096 == 0 {
		const each = 12 // unsafe.Sizeof(evAt{})
		return int64(len(x.evs))*each <= x.end/8+1<<20
	}
	return true
}

// replay reads the file at path again and hands take its valid events
// with their keys and ranks, as verified does with a scanning read.
func (x *eventIndex) replay(path string, k *eventKeys, rank []int32, take func(seg int, ev []byte, h header, ms float64, r int32) error) error {
	if len(x.evs) != len(k.ms) || len(rank) != len(k.ms) {
		return errChanged
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read the recording again: %w", err)
	}
	defer f.Close()
	rd := &checkedReader{r: f, sums: x.sums, size: x.size, buf: make([]byte, 0, 4*indexChunk)}
	seg, next := 0, 0
	var end int64
	for i, e := range x.evs {
		for next < len(x.segs) && x.segs[next].ev == i {
			seg = x.segs[next].seg
			next++
		}
		off := end + e.gap()
		end = off + int64(e.n)
		if rank[i] < 0 {
			continue
		}
		ev, err := rd.at(off, int(e.n))
		if err != nil {
			return err
		}
		h := header{typ: e.typ(), ok: true}
		if e.d0 > 0 {
			d1 := uint64(e.d0) + uint64(e.dlen)
			if d1 > uint64(e.n) {
				return errChanged
			}
			h.data = ev[e.d0:d1]
		}
		if err := take(seg, ev, h, k.ms[i], rank[i]); err != nil {
			return err
		}
	}
	return rd.rest()
}

// checkedReader reads a file forward in indexChunk pieces, each checked
// against its sum before any of its bytes is handed on.
type checkedReader struct {
	r     io.Reader
	sums  []uint32
	size  int64
	buf   []byte // file[base:base+len(buf)], every byte checked
	base  int64
	chunk int // chunks read
}

// at returns file[off:off+n], valid until the next call; off never goes
// back.
func (c *checkedReader) at(off int64, n int) ([]byte, error) {
	end := off + int64(n)
	if off < c.base || end > c.size {
		return nil, errChanged
	}
	for c.base+int64(len(c.buf)) < end {
		if err := c.more(off); err != nil {
			return nil, err
		}
	}
	i, j := off-c.base, end-c.base
	return c.buf[i:j:j], nil
}

// more reads and checks the next chunk, dropping the bytes before keep.
func (c *checkedReader) more(keep int64) error {
	if c.chunk >= len(c.sums) {
		return errChanged
	}
	want := int(min(indexChunk, c.size-int64(c.chunk)*indexChunk))
	if len(c.buf)+want > cap(c.buf) {
		drop := int(min(keep-c.base, int64(len(c.buf))))
		n := copy(c.buf, c.buf[drop:])
		c.buf, c.base = c.buf[:n], c.base+int64(drop)
		if n+want > cap(c.buf) {
			nb := make([]byte, n, 2*(n+want))
			copy(nb, c.buf)
			c.buf = nb
		}
	}
	piece := c.buf[len(c.buf) : len(c.buf)+want]
	if _, err := io.ReadFull(c.r, piece); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errChanged
		}
		return fmt.Errorf("read the recording again: %w", err)
	}
	if crc32.Checksum(piece, castagnoli) != c.sums[c.chunk] {
		return errChanged
	}
	c.chunk++
	c.buf = c.buf[:len(c.buf)+want]
	return nil
}

// rest checks the file after the last event: the chunks not read yet, and
// nothing past the size the first read saw.
func (c *checkedReader) rest() error {
	for c.chunk < len(c.sums) {
		if err := c.more(c.base + int64(len(c.buf))); err != nil {
			return err
		}
	}
	var one [1]byte
	if n, _ := c.r.Read(one[:]); n > 0 {
		return errChanged
	}
	return nil
}

// chunkSums passes a plain recording file through and sums every
// indexChunk bytes of it.
type chunkSums struct {
	r    io.Reader
	sums []uint32
	cur  uint32
	n    int // bytes in the current chunk
	size int64
}

func (c *chunkSums) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	b := p[:n]
	for len(b) > 0 {
		k := min(len(b), int(indexChunk)-c.n)
		c.cur = crc32.Update(c.cur, castagnoli, b[:k])
		c.n += k
		c.size += int64(k)
		b = b[k:]
		if c.n == int(indexChunk) {
			c.sums = append(c.sums, c.cur)
			c.cur, c.n = 0, 0
		}
	}
	return n, err
}

// finish returns the sums of every chunk, the last one short, and the
// size read.
func (c *chunkSums) finish() ([]uint32, int64) {
	if c.n > 0 {
		c.sums = append(c.sums, c.cur)
		c.cur, c.n = 0, 0
	}
	return c.sums, c.size
}
