package escape

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Terminal is s as terminal text: every C0 and C1 control character (ESC,
// BEL, CSI 0x9B, so no OSC 0 title, OSC 8 hyperlink or CSI sequence), DEL,
// line break, bidi control and invalid byte is shown as an escape (\x1b,
// \n, \u202e, \x9b); tab is kept.
func Terminal(s string) string { return showInvisible(s, isTab) }

// Text builds terminal text in which every value is shown, never obeyed.
// The zero value is ready to use.
type Text struct{ b strings.Builder }

// Printf appends format with args. format is the text's layout and must be
// a constant; every argument but a number or boolean is written through
// Terminal.
func (t *Text) Printf(format constant, args ...any) {
	t.b.WriteString(fmt.Sprintf(string(format), escapeArgs(args, Terminal, nil)...))
}

// String returns the text.
func (t *Text) String() string { return t.b.String() }

// TerminalWriter passes everything written to it on to its writer with
// every invisible character but newline and tab shown as an escape, as
// Terminal does. It is the last line of defence on a stream: output a
// renderer escaped already passes unchanged, and JSON stays valid JSON of
// the same value (encoding/json leaves no raw C0 control in a string, and
// what it leaves raw — DEL, C1, bidi controls — becomes a \uXXXX escape).
// A rune split across two writes is held back until the next write or
// Flush.
type TerminalWriter struct {
	w       io.Writer
	pending []byte
}

// NewTerminalWriter returns a TerminalWriter writing to w.
func NewTerminalWriter(w io.Writer) *TerminalWriter { return &TerminalWriter{w: w} }

func keepLineAndTab(r rune) bool { return r == '\n' || r == '\t' }

// Write escapes p and writes it; it reports len(p) written when the
// underlying writer took everything.
func (t *TerminalWriter) Write(p []byte) (int, error) {
	buf := p
	if len(t.pending) > 0 {
		buf = append(t.pending, p...)
		t.pending = nil
	}
	// Hold back an incomplete rune at the end (at most 3 bytes).
	cut := len(buf)
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	if cut < len(buf) {
		t.pending = append([]byte(nil), buf[cut:]...)
	}
	if _, err := io.WriteString(t.w, showInvisible(string(buf[:cut]), keepLineAndTab)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap returns the writer t writes to (to ask whether it is a terminal).
func (t *TerminalWriter) Unwrap() io.Writer { return t.w }

// Flush writes a rune held back by Write (then invalid UTF-8: shown as
// \xNN bytes).
func (t *TerminalWriter) Flush() error {
	if len(t.pending) == 0 {
		return nil
	}
	s := showInvisible(string(t.pending), keepLineAndTab)
	t.pending = nil
	_, err := io.WriteString(t.w, s)
	return err
}
