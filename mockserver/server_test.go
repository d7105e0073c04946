package mockserver

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestLoopbackAddr(t *testing.T) {
	cases := []struct {
		in, want, wantErr string
	}{
		{"", "127.0.0.1:0", ""},
		{"127.0.0.1:8080", "127.0.0.1:8080", ""},
		{"localhost:0", "127.0.0.1:0", ""},
		{"[::1]:0", "[::1]:0", ""},
		{":8080", "", "every interface"},
		{"0.0.0.0:8080", "", "not loopback"},
		{"192.168.1.5:80", "", "not loopback"},
		{"example.com:80", "", "not loopback"},
		{"127.0.0.1", "", "host:port"},
		{"127.0.0.1:http", "", "bad port"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := LoopbackAddr(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestStartServesOnLoopbackUntilClosed(t *testing.T) {
	m := New([]Exchange{ex(1, "GET", "/api/me", "", 200, `"me"`)}, WithLatency(LatencyNone))
	s, err := Start(context.Background(), m, "")
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(s.Addr())
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Fatalf("listening on %s, want loopback", s.Addr())
	}
	if got := call(t, s.URL(), "GET", "/api/me", ""); got.body != `"me"` {
		t.Errorf("body = %s", got.body)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The port may already belong to someone else, so the test is that
	// our Mock no longer answers, not that the connection fails.
	if resp, err := http.Get(s.URL() + "/api/me"); err == nil {
		resp.Body.Close()
	}
	if n := len(s.Mock().Journal()); n != 1 {
		t.Errorf("journal has %d entries, want 1: the Mock answered after Close", n)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	if _, err := Start(context.Background(), New(nil), "0.0.0.0:0"); err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestServerStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Start(ctx, New(nil), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-s.done // would block forever if cancellation were ignored
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown after stop = %v", err)
	}
}
