package mockserver

import (
	"encoding/json"
	"hash/maphash"
	"math"
	"sort"
	"strconv"
)

// bodyHash hashes a request body so that bodies the default matcher calls
// equal hash equally: JSON canonically (sorted keys, numbers by value,
// volatile fields by presence only), form bodies by field (sorted, volatile
// fields by presence), anything else byte for byte. It lets
// the index pick the few exchanges with this body out of thousands posted
// to one endpoint (GraphQL sends everything to POST /graphql). Collisions
// only cost a comparison: candidates are still compared in full.
func bodyHash(seed maphash.Seed, r *Request, ru *rules) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	if r.IsJSON {
		h.WriteByte('j')
		hashJSON(&h, r.JSON, ru)
	} else if r.IsForm {
		h.WriteByte('f')
		keys := make([]string, 0, len(r.Form))
		for k := range r.Form {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.WriteString(strconv.Quote(k))
			if ru.fields[k] {
				h.WriteByte('?')
				continue
			}
			for _, v := range r.Form[k] {
				h.WriteByte('=')
				h.WriteString(strconv.Quote(v))
			}
			h.WriteByte('&')
		}
	} else {
		h.WriteByte('r')
		h.Write(r.Body)
	}
	return h.Sum64()
}

func hashJSON(h *maphash.Hash, v any, ru *rules) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h.WriteByte('{')
		for _, k := range keys {
			h.WriteString(strconv.Quote(k))
			if ru.fields[k] {
				h.WriteByte('?')
				continue
			}
			h.WriteByte(':')
			hashJSON(h, t[k], ru)
		}
		h.WriteByte('}')
	case []any:
		h.WriteByte('[')
		for _, e := range t {
			hashJSON(h, e, ru)
			h.WriteByte(',')
		}
		h.WriteByte(']')
	case json.Number:
		// scalarEqual calls numbers equal when their float values are,
		// so hash the value (with -0 folded into 0); unparseable numbers
		// are only equal to the same spelling.
		if f, err := strconv.ParseFloat(string(t), 64); err == nil {
			if f == 0 {
				f = 0
			}
			h.WriteByte('n')
			var b [8]byte
			bits := math.Float64bits(f)
			for i := range b {
				b[i] = byte(bits >> (8 * i))
			}
			h.Write(b[:])
		} else {
			h.WriteByte('N')
			h.WriteString(string(t))
		}
	case string:
		h.WriteByte('s')
		h.WriteString(strconv.Quote(t))
	case bool:
		if t {
			h.WriteByte('T')
		} else {
			h.WriteByte('F')
		}
	case nil:
		h.WriteByte('0')
	}
}
