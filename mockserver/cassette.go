package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CassetteVersion is the cassette file format version written by Save.
const CassetteVersion = 1

// Cassette is a serializable list of recorded exchanges: the data half of
// the cassette/recorder split. Serving it is the Mock's job.
type Cassette struct {
	Version   int        `json:"version"`
	Exchanges []Exchange `json:"exchanges"`
}

// LoadCassette reads a cassette file written by Save (or by hand).
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

// Save writes the cassette to path atomically: it writes a temporary file
// in the same directory and renames it, so a reader never sees half a file.
func (c *Cassette) Save(path string) (err error) {
	var buf bytes.Buffer
	if err := c.Encode(&buf); err != nil {
		return fmt.Errorf("save cassette %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save cassette: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("save cassette %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("save cassette %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("save cassette %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("save cassette %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save cassette %s: %w", path, err)
	}
	return nil
}
