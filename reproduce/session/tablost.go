package session

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/chromedp"
)

// ErrTabLost is a run whose tab crashed or was closed under it: the page
// the user saw is gone, so what the run observed says nothing about the
// app (an infrastructure failure, not a divergence).
var ErrTabLost = errors.New("the browser tab crashed or was closed during the run")

// tabLost remembers why a session's tab went away ("" while it is there).
type tabLost struct{ why atomic.Pointer[string] }

func (l *tabLost) set(why string) { l.why.CompareAndSwap(nil, &why) }

// err is ErrTabLost with its cause, or nil.
func (l *tabLost) err() error {
	if p := l.why.Load(); p != nil {
		return fmt.Errorf("%w (%s)", ErrTabLost, *p)
	}
	return nil
}

// watchTab notes the tab crashing (its renderer died: out of memory, a
// killed process) or being closed by someone else (a pool that reclaims
// tabs), so Execute stops and says so instead of judging a dead page.
func (s *Session) watchTab() {
	crashed := chromedp.Events(s.tab, inspector.TargetCrashed)
	go func() {
		for _, err := range crashed {
			if err != nil {
				return
			}
			s.lost.set("its renderer crashed")
			return
		}
	}()
	detached, err := chromedp.Detached(s.tab)
	if err != nil {
		return
	}
	tab := s.tab
	go func() {
		select {
		case <-detached:
			if !s.closing.Load() {
				s.lost.set("it was closed")
			}
		case <-tab.Done():
		}
	}()
}
