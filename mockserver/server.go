package mockserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server serves a Mock over HTTP on a loopback address.
type Server struct {
	mock *Mock
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	once sync.Once
	err  error
}

// LoopbackAddr checks a listen address and returns it normalized: "" means
// 127.0.0.1 on a random port, "localhost" becomes 127.0.0.1, and any host
// that is not a loopback IP is refused, because a mock of a user's backend
// must not be reachable from the network.
func LoopbackAddr(addr string) (string, error) {
	if addr == "" {
		return "127.0.0.1:0", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("listen address %q: want host:port, e.g. 127.0.0.1:8080: %w", addr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return "", fmt.Errorf("listen address %q: bad port %q", addr, port)
	}
	switch {
	case host == "":
		return "", fmt.Errorf("listen address %q would listen on every interface; use 127.0.0.1:%s", addr, port)
	case host == "localhost":
		host = "127.0.0.1"
	default:
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return "", fmt.Errorf("listen address %q is not loopback; mockserver only listens on 127.0.0.1 or ::1", addr)
		}
	}
	return net.JoinHostPort(host, port), nil
}

// Start listens on addr (see LoopbackAddr) and serves m until Close,
// Shutdown, or ctx is done. It refuses a Mock whose Err is not nil. A
// request whose Host header is not a loopback name (localhost,
// 127.0.0.0/8, [::1]) gets 421: that is what a DNS-rebinding page sends.
func Start(ctx context.Context, m *Mock, addr string) (*Server, error) {
	if m == nil {
		return nil, errors.New("start mockserver: nil Mock")
	}
	if err := m.Err(); err != nil {
		return nil, fmt.Errorf("start mockserver: %w", err)
	}
	norm, err := LoopbackAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("start mockserver: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", norm)
	if err != nil {
		return nil, fmt.Errorf("start mockserver: %w", err)
	}
	s := &Server{
		mock: m,
		ln:   ln,
		srv:  &http.Server{Handler: loopbackHostOnly(m), ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// URL is the server's base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Mock returns the Mock being served, for its journal.
func (s *Server) Mock() *Mock { return s.mock }

// Shutdown stops accepting requests and waits, until ctx is done, for
// in-flight ones to finish.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.once.Do(func() { err = s.srv.Shutdown(ctx) })
	if err != nil {
		return fmt.Errorf("shutdown mockserver: %w", err)
	}
	select {
	case <-s.done:
		return s.err
	case <-ctx.Done():
		return fmt.Errorf("shutdown mockserver: %w", ctx.Err())
	}
}

// Close stops the server at once, dropping in-flight requests.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() { err = s.srv.Close() })
	<-s.done
	if err != nil {
		return fmt.Errorf("close mockserver: %w", err)
	}
	return s.err
}
