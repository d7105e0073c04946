package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/escape"
)

// progressLine keeps one line on a terminal's stderr up to date while long
// work runs (a rerun, a minimization), so nothing runs for minutes in
// silence. Not on a terminal (a pipe, CI, a test), it writes nothing: the
// result lines stay the only output.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	last  time.Time
	shown bool
}

// newProgress returns a progress line on w, or nil when w is not a
// terminal. Its methods are safe on nil.
func newProgress(w io.Writer) *progressLine {
	f := w
	if tw, ok := w.(*escape.TerminalWriter); ok {
		f = tw.Unwrap()
	}
	file, ok := f.(*os.File)
	if !ok {
		return nil
	}
	st, err := file.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	// The line's own control sequences go to the terminal itself; the
	// recorded words in it are escaped by the callers (escape.Terminal).
	return &progressLine{w: file}
}

// set shows text, at most every 100 ms (the last word wins at done).
func (p *progressLine) set(text string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	if r := []rune(text); len(r) > 100 {
		text = string(r[:99]) + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s", text)
	p.shown = true
}

// done clears the line so the results print on a clean one.
func (p *progressLine) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.shown = false
	}
	p.last = time.Time{} // a new line after this shows at once
}

// run reports a rerun's step.
func (p *progressLine) run(r reproduce.RunProgress) {
	p.set(fmt.Sprintf("repro: run %d of %d · step %d of %d · %s", r.Run, r.Runs, r.Step+1, r.Steps, escape.Terminal(strings.TrimSpace(r.Words))))
}

// rerun reports a minimization's rerun.
func (p *progressLine) rerun(k, maxReruns, steps int) {
	p.set(fmt.Sprintf("repro: minimizing · rerun %d of at most %d · %d steps left", k, maxReruns, steps))
}
