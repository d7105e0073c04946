package session

import "context"

// Page returns the chromedp context of the session's tab, for a later
// stage that drives the page itself rather than through plan steps (the
// recorded-frames renderer, reproduce/frames, loads static documents into
// it). Every request the page makes still goes through the session's
// fail-closed network. It must not be used while a step runs, and it ends
// with the session.
func (s *Session) Page() context.Context { return s.tab }
