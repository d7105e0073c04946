package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// netProxy is layer 2 of the fail-closed network (see guard.go): an HTTP
// proxy that Chrome must use for every request, loopback included
// (--proxy-bypass-list=<-loopback>). It forwards a request only when allow
// admits its URL — the app under test's own assets — and refuses anything
// else with 403, without any help from CDP: a request that interception
// released by mistake stops here.
//
// Tunnels (CONNECT) carry https and WebSockets. A tunnel to an https app is
// spliced as it is (its paths are encrypted; layer 1 already checked them).
// A tunnel to a plain-http app carries a WebSocket handshake in clear: its
// path is checked like any request before the tunnel opens, so a socket to
// the app's API paths is refused too.
type netProxy struct {
	ln   net.Listener
	srv  *http.Server
	rule atomic.Pointer[func(u *url.URL) bool]
	log  *slog.Logger
	fwd  *httputil.ReverseProxy
	dial net.Dialer

	// host is the address the proxy listens on as a browser names it;
	// user and pass the credentials it asks for ("" on loopback), and
	// auth their Proxy-Authorization value.
	host, user, pass, auth string

	mu     sync.Mutex
	denied []string // "METHOD URL", the first maxDenied
	count  int
}

const maxDenied = 200

// newNetProxy starts a proxy on a loopback port.
func newNetProxy(allow func(*url.URL) bool, log *slog.Logger) (*netProxy, error) {
	return newNetProxyOn("", allow, log)
}

// newNetProxyOn starts a proxy on a port of host ("" is 127.0.0.1), an
// address of this machine that a browser on another host can reach. Off
// loopback the proxy asks for credentials of its own (407), which the
// network guard gives only to the browser (see guard.answerAuth): whoever
// else reaches the address gets nothing through it.
func newNetProxyOn(host string, allow func(*url.URL) bool, log *slog.Logger) (*netProxy, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, fmt.Errorf("network guard proxy on %s: %w", host, err)
	}
	p := &netProxy{ln: ln, log: log, dial: net.Dialer{Timeout: 10 * time.Second}, host: host}
	if asksCredentials(host) {
		p.user, p.pass = "repro", randomToken()
		p.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass))
	}
	p.setRule(allow)
	p.fwd = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = pr.In.URL
			pr.Out.Host = pr.In.Host
		},
		// Never through another proxy: Proxy is nil.
		Transport:     &http.Transport{DialContext: p.dial.DialContext, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second},
		FlushInterval: -1, // stream (server-sent events, slow responses)
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "repro: the app under test did not answer: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// setRule replaces what the proxy admits (a browser's own proxy serves the
// session that uses its first tab, then refuses everything again).
func (p *netProxy) setRule(allow func(*url.URL) bool) { p.rule.Store(&allow) }

func (p *netProxy) allow(u *url.URL) bool { return (*p.rule.Load())(u) }

// allowed is allow as a func value.
func (p *netProxy) allowed(u *url.URL) bool { return p.allow(u) }

// URL is the proxy's address for --proxy-server.
func (p *netProxy) URL() string { return "http://" + p.Addr() }

// Addr is the proxy's host:port as a browser dials it.
func (p *netProxy) Addr() string {
	_, port, _ := net.SplitHostPort(p.ln.Addr().String())
	return net.JoinHostPort(p.host, port)
}

// asksCredentials reports whether a proxy listening on host ("" is
// 127.0.0.1) asks for credentials: off loopback, where others may reach it.
func asksCredentials(host string) bool { return host != "" && !isLoopbackHost(host) }

// isLoopbackHost reports whether host names this machine's loopback.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// randomToken is 128 random bits, hex.
func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// authorized reports whether r carries the proxy's credentials (always,
// on loopback); if not, it answers 407 asking for them.
func (p *netProxy) authorized(w http.ResponseWriter, r *http.Request) bool {
	if p.auth == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get("Proxy-Authorization")), []byte(p.auth)) == 1 {
		return true
	}
	p.log.Debug("network guard proxy: asked for credentials", "method", r.Method, "remote", r.RemoteAddr)
	w.Header().Set("Proxy-Authenticate", `Basic realm="repro"`)
	http.Error(w, "repro: proxy credentials required", http.StatusProxyAuthRequired)
	return false
}

// Denied returns how many requests the proxy refused and the first of them.
func (p *netProxy) Denied() (int, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count, append([]string(nil), p.denied...)
}

// Close stops the proxy and closes open tunnels.
func (p *netProxy) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil {
		_ = p.srv.Close()
	}
	if t, ok := p.fwd.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}

func (p *netProxy) deny(w http.ResponseWriter, method, target string) {
	p.mu.Lock()
	p.count++
	if len(p.denied) < maxDenied {
		p.denied = append(p.denied, method+" "+target)
	}
	p.mu.Unlock()
	p.log.Debug("network guard proxy: refused", "method", method, "url", target)
	http.Error(w, "repro: blocked by the fail-closed network: "+method+" "+target, http.StatusForbidden)
}

func (p *netProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.authorized(w, r) {
		return
	}
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	if !r.URL.IsAbs() || r.URL.Host == "" {
		http.Error(w, "repro: this is a proxy; send absolute-form requests", http.StatusBadRequest)
		return
	}
	if !p.allow(r.URL) {
		p.deny(w, r.Method, r.URL.String())
		return
	}
	p.fwd.ServeHTTP(w, r)
}

// tunnel handles CONNECT host:port.
func (p *netProxy) tunnel(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	tls := p.allow(&url.URL{Scheme: "https", Host: host, Path: "/"})
	plain := p.allow(&url.URL{Scheme: "http", Host: host, Path: "/"})
	if !tls && !plain {
		p.deny(w, "CONNECT", host)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "repro: cannot tunnel", http.StatusInternalServerError)
		return
	}
	client, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer client.Close()
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		return
	}
	var first *http.Request
	if !tls {
		// A plain-http app: the tunnel carries a WebSocket handshake in
		// clear. Check its path before anything reaches the app.
		_ = client.SetReadDeadline(time.Now().Add(30 * time.Second))
		first, err = http.ReadRequest(buf.Reader)
		_ = client.SetReadDeadline(time.Time{})
		if err != nil {
			return
		}
		u := &url.URL{Scheme: "http", Host: host, Path: first.URL.Path, RawQuery: first.URL.RawQuery}
		if !p.allow(u) {
			p.mu.Lock()
			p.count++
			if len(p.denied) < maxDenied {
				p.denied = append(p.denied, first.Method+" "+u.String()+" (in a tunnel)")
			}
			p.mu.Unlock()
			_, _ = io.WriteString(client, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	upstream, err := p.dial.DialContext(ctx, "tcp", host)
	cancel()
	if err != nil {
		return
	}
	defer upstream.Close()
	if first != nil {
		if err := first.Write(upstream); err != nil {
			return
		}
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(upstream, buf.Reader); closeWrite(upstream); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, upstream); closeWrite(client); done <- struct{}{} }()
	<-done
	<-done
}

// closeWrite half-closes a tunnel side so the other side sees EOF.
func closeWrite(c net.Conn) {
	if t, ok := c.(interface{ CloseWrite() error }); ok {
		_ = t.CloseWrite()
		return
	}
	_ = c.Close()
}
