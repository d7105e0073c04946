package mockserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock records planned waits instead of sleeping, so latency tests
// assert what was planned, never wall time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return ctx.Err()
}

// response is what a test client saw.
type response struct {
	status int
	header http.Header
	body   string
}

// startMock serves m on a real loopback HTTP server for the test.
func startMock(t *testing.T, m *Mock) *httptest.Server {
	t.Helper()
	if err := m.Err(); err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(m)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, base, method, target, body string, hdr ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+target, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}

// ex is a recorded exchange with a captured JSON response and no latency.
func ex(seq int, method, url, reqBody string, status int, respBody string) Exchange {
	e := Exchange{
		Seq: seq, Method: method, URL: url,
		Status: status, ResponseHeaders: jsonHeader(),
		ResponseBody: []byte(respBody), ResponseBodyCaptured: true,
	}
	if reqBody != "" {
		e.RequestBody, e.RequestBodyCaptured = []byte(reqBody), true
	}
	return e
}
