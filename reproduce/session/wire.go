package session

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/chromedp/chromedp"
)

// Typing without a round trip per key.
//
// A key event over DevTools is answered only once the page has handled it,
// so sending one event after the other's reply costs a round trip through
// the browser and the renderer per event: two per character. A keyboard
// does not wait for the page, and neither need the rerun, as long as the
// events reach the browser in order: Chrome hands a target's input events
// to the page in the order it reads them.
//
// chromedp sends each command from the goroutine that calls it and waits
// there for the reply, so commands sent from goroutines of their own may
// reach the browser in any order. What orders them is the protocol log:
// the connection (a pipe or a websocket) logs each message as "-> %s" while
// it holds its write lock, just before writing it, and a browser's
// connection writes its messages one at a time from one loop. So once
// command i is in the log, any command sent after that is written after it.
// callInOrder starts each command only when the one before has been logged
// (or answered, whichever comes first: without the log, it degrades to one
// command after the other's reply, never to a wrong order).

// wireLog is a browser's protocol logger: it tells the commands it sees
// written to those waiting for them.
type wireLog struct {
	waiting atomic.Int32 // len(waiters), read without the lock per message
	mu      sync.Mutex
	waiters []*wireWaiter
}

// wireWaiter waits for the next command of a method to a session.
type wireWaiter struct {
	session, method []byte // `"sessionId":"…"`, `"method":"…"` as written
	written         chan struct{}
}

// debugf is the chromedp.WithBrowserDebugf logger.
func (w *wireLog) debugf(format string, args ...any) {
	if w.waiting.Load() == 0 || format != "-> %s" || len(args) != 1 {
		return
	}
	msg, ok := args[0].([]byte)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, x := range w.waiters {
		if bytes.Contains(msg, x.method) && bytes.Contains(msg, x.session) {
			close(x.written)
			w.waiters = slices.Delete(w.waiters, i, i+1)
			w.waiting.Add(-1)
			return
		}
	}
}

// await returns a channel closed when the next command of method to the
// session is written, and the function that stops the wait.
func (w *wireLog) await(session, method string) (<-chan struct{}, func()) {
	x := &wireWaiter{session: member("sessionId", session), method: member("method", method), written: make(chan struct{})}
	w.mu.Lock()
	w.waiters = append(w.waiters, x)
	w.waiting.Add(1)
	w.mu.Unlock()
	return x.written, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if i := slices.Index(w.waiters, x); i >= 0 {
			w.waiters = slices.Delete(w.waiters, i, i+1)
			w.waiting.Add(-1)
		}
	}
}

// member is a JSON object member as encoding writes it compactly.
func member(name, value string) []byte {
	v, _ := json.Marshal(value)
	return append([]byte(`"`+name+`":`), v...)
}

// command is one DevTools command of a sequence.
type command struct {
	method string
	params any
}

// maxInFlight bounds the commands callInOrder has sent and not yet seen
// answered.
const maxInFlight = 32

// callInOrder sends cmds to t in order without waiting for a reply before
// sending the next (see above), then waits for every reply. It returns the
// first error, and how many commands went out before the reply to the one
// before them (with w nil, none: each waits for the reply before it).
func callInOrder(ctx context.Context, w *wireLog, t *chromedp.Target, cmds []command) (ahead int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(cmds))
	var replies sync.WaitGroup
	slots := make(chan struct{}, maxInFlight)
	var failed atomic.Bool
	for i, c := range cmds {
		if failed.Load() {
			break // one failed: the rest are not sent, as with one after another
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
		if errs[i] != nil {
			break
		}
		var written <-chan struct{}
		stop := func() {}
		if w != nil {
			written, stop = w.await(string(t.SessionID), c.method)
		}
		answered := make(chan struct{})
		replies.Add(1)
		go func() {
			defer replies.Done()
			defer func() { <-slots }()
			defer close(answered)
			if errs[i] = t.Call(ctx, c.method, c.params, nil); errs[i] != nil {
				failed.Store(true)
			}
		}()
		select {
		case <-written:
			if i+1 < len(cmds) {
				select {
				case <-answered:
				default:
					ahead++
				}
			}
		case <-answered:
		}
		stop()
	}
	replies.Wait()
	for _, err := range errs {
		if err != nil {
			return ahead, err
		}
	}
	return ahead, nil
}
