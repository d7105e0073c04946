package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// CassetteVersion is the cassette file format version Encode writes.
const CassetteVersion = 1

// Cassette is a serializable list of recorded exchanges: the data half of
// the cassette/recorder split. Serving it is the Mock's job, and writing it
// to disk the caller's (Encode writes to any io.Writer; repro writes every
// file atomically, with a package mockserver does not import).
type Cassette struct {
	Version   int        `json:"version"`
	Exchanges []Exchange `json:"exchanges"`
}

// LoadCassette reads a cassette file written from Encode (or by hand).
func LoadCassette(path string) (*Cassette, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load cassette: %w", err)
	}
	defer f.Close()
	c, err := DecodeCassette(f)
	if err != nil {
		return nil, fmt.Errorf("load cassette %s: %w", path, err)
	}
	return c, nil
}

// DecodeCassette reads a cassette from r and checks its version.
func DecodeCassette(r io.Reader) (*Cassette, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var c Cassette
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode cassette: %w", err)
	}
	switch {
	case c.Version == 0:
		return nil, errors.New("decode cassette: missing \"version\"")
	case c.Version > CassetteVersion:
		return nil, fmt.Errorf("decode cassette: version %d is newer than this mockserver (%d)", c.Version, CassetteVersion)
	}
	return &c, nil
}

// Encode writes the cassette as stable, indented JSON (map keys sorted,
// exchanges in slice order, HTML characters not escaped).
func (c *Cassette) Encode(w io.Writer) error {
	out := *c
	if out.Version == 0 {
		out.Version = CassetteVersion
	}
	if out.Exchanges == nil {
		out.Exchanges = []Exchange{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encode cassette: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("encode cassette: %w", err)
	}
	return nil
}
