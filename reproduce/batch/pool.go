package batch

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/repro-dev/repro/reproduce/session"
)

// Endpoint is one browser reruns can use: a local Chrome that the batch
// launches, or a running browser's (or a pool service's) DevTools URL.
type Endpoint struct {
	Chrome session.ChromeConfig
}

// Name says the endpoint in results without what may be a secret (a pool
// service's token in the URL's query or user info).
func (e Endpoint) Name() string {
	if e.Chrome.RemoteURL == "" {
		return "local"
	}
	return session.RemoteName(e.Chrome.RemoteURL)
}

// pool spreads reruns over the endpoints: each browser starts on first
// use and is shared; a rerun goes to the endpoint with the fewest reruns
// in flight; an endpoint whose browser fails is left out from then on.
type pool struct {
	mu    sync.Mutex
	slots []*slot
}

type slot struct {
	ep       Endpoint
	browser  *session.Browser
	starting chan struct{} // closed when a start under way ends
	inFlight int
	down     error // why the endpoint is left out
}

func newPool(opts Options) *pool {
	eps := opts.Endpoints
	if len(eps) == 0 {
		eps = []Endpoint{{Chrome: opts.Rerun.Chrome}}
	}
	p := &pool{}
	for _, ep := range eps {
		p.slots = append(p.slots, &slot{ep: ep})
	}
	return p
}

func (p *pool) size() int { return len(p.slots) }

// errNoEndpoint is every endpoint failed.
var errNoEndpoint = errors.New("no browser endpoint is usable")

// acquire returns a browser for one rerun (starting it when needed) and
// its endpoint; release must follow.
func (p *pool) acquire(ctx context.Context) (*session.Browser, Endpoint, error) {
	var errs []error
	for {
		p.mu.Lock()
		var pick *slot
		errs = errs[:0]
		for _, s := range p.slots {
			if s.down != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.ep.Name(), s.down))
				continue
			}
			if pick == nil || s.inFlight < pick.inFlight {
				pick = s
			}
		}
		if pick == nil {
			p.mu.Unlock()
			return nil, Endpoint{}, fmt.Errorf("%w: %w", errNoEndpoint, errors.Join(errs...))
		}
		pick.inFlight++
		if pick.browser != nil {
			p.mu.Unlock()
			return pick.browser, pick.ep, nil
		}
		if pick.starting != nil {
			wait := pick.starting
			pick.inFlight--
			p.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return nil, Endpoint{}, context.Cause(ctx)
			}
			continue
		}
		pick.starting = make(chan struct{})
		p.mu.Unlock()

		b, err := session.NewBrowser(ctx, pick.ep.Chrome)
		p.mu.Lock()
		close(pick.starting)
		pick.starting = nil
		if err != nil {
			pick.inFlight--
			if ctx.Err() != nil {
				p.mu.Unlock()
				return nil, Endpoint{}, context.Cause(ctx)
			}
			pick.down = err
			p.mu.Unlock()
			continue
		}
		pick.browser = b
		p.mu.Unlock()
		return b, pick.ep, nil
	}
}

// release ends a rerun on ep. err is the rerun's error; when the browser
// itself is gone (it crashed, or the connection to it dropped), the
// endpoint is left out and release reports true: the rerun may be tried
// elsewhere.
func (p *pool) release(ep Endpoint, b *session.Browser, err error) (endpointFailed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.slots {
		if s.browser != b {
			continue
		}
		s.inFlight--
		if err != nil && b.Err() != nil && s.down == nil {
			s.down = fmt.Errorf("browser lost: %w", b.Err())
			go b.Close()
		}
		return s.down != nil
	}
	return false
}

// close stops the launched browsers and disconnects from remote ones.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range p.slots {
		if s.browser != nil && s.down == nil {
			wg.Go(func() { s.browser.Close() })
		}
	}
	wg.Wait()
}
