package mockserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchExchanges builds n exchanges over 500 routes, half GETs with a page
// and a cache-buster, half POSTs with JSON bodies, so every route holds
// many candidates and the volatile rule is exercised.
func benchExchanges(n int) []Exchange {
	out := make([]Exchange, 0, n)
	for i := range n {
		route := i % 500
		e := Exchange{Seq: i + 1, Status: 200, ResponseHeaders: jsonHeader(),
			ResponseBody: []byte(fmt.Sprintf(`{"i":%d}`, i)), ResponseBodyCaptured: true}
		if i%2 == 0 {
			e.Method = "GET"
			e.URL = fmt.Sprintf("https://app.test/api/r%d/items?page=%d&_=%d", route, i/500, 1718000000000+i)
		} else {
			e.Method = "POST"
			e.URL = fmt.Sprintf("/api/r%d/items", route)
			e.RequestBody, e.RequestBodyCaptured = []byte(fmt.Sprintf(`{"id":%d,"q":"text","tags":["a","b"]}`, i)), true
		}
		out = append(out, e)
	}
	return out
}

// benchRequest is what a rerun would send for exchange i: a new
// cache-buster, JSON keys in another order.
func benchRequest(i int) (method, target, body string) {
	route := i % 500
	if i%2 == 0 {
		return "GET", fmt.Sprintf("/api/r%d/items?_=%d&page=%d", route, 1750000000000+i, i/500), ""
	}
	return "POST", fmt.Sprintf("/api/r%d/items", route), fmt.Sprintf(`{"tags":["a","b"],"q":"text","id":%d}`, i)
}

func benchRequests(b *testing.B, n int) []*Request {
	reqs := make([]*Request, n)
	for i := range n {
		method, target, body := benchRequest(i)
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		in, err := NewRequest(r)
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = in
	}
	return reqs
}

// BenchmarkMatch10k measures the indexed lookup with 10,000 exchanges.
func BenchmarkMatch10k(b *testing.B) {
	const n = 10000
	m := New(benchExchanges(n), WithLatency(LatencyNone))
	reqs := benchRequests(b, n)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if p := m.match(reqs[i%n]); p.entry == nil {
			b.Fatalf("request %d unmatched: %v", i%n, p.mismatch)
		}
	}
}

// BenchmarkMatch10kLinear is the baseline the index is measured against:
// the same rules applied to every exchange in turn.
func BenchmarkMatch10kLinear(b *testing.B) {
	const n = 10000
	m := New(benchExchanges(n), WithLatency(LatencyNone))
	reqs := benchRequests(b, n)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		in := reqs[i%n]
		found := false
		for _, e := range m.idx.entries {
			if r, _ := compare(in, e.req, e.bodyKnown, m.rules, false); len(r) == 0 {
				found = true
			}
		}
		if !found {
			b.Fatalf("request %d unmatched", i%n)
		}
	}
}

// BenchmarkServeHTTP10k is the whole handler: normalize, match, journal,
// write, in-process (no sockets).
func BenchmarkServeHTTP10k(b *testing.B) {
	const n = 10000
	m := New(benchExchanges(n), WithLatency(LatencyNone), WithJournalLimit(1000))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		method, target, body := benchRequest(i % n)
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkUnmatched10k is the fail-closed path, which ranks candidates.
func BenchmarkUnmatched10k(b *testing.B) {
	const n = 10000
	m := New(benchExchanges(n), WithLatency(LatencyNone))
	r := httptest.NewRequest("POST", "/api/r7/items", strings.NewReader(`{"id":-1}`))
	in, _ := NewRequest(r)
	b.ResetTimer()
	for b.Loop() {
		if p := m.match(in); p.mismatch == nil {
			b.Fatal("matched")
		}
	}
}

func TestBenchFixturesMatch(t *testing.T) {
	// The benchmarks assume every generated request matches its own
	// exchange; check it once under go test so a broken generator fails
	// loudly instead of benchmarking the error path.
	const n = 1000
	m := New(benchExchanges(n), WithLatency(LatencyNone))
	for i := range n {
		method, target, body := benchRequest(i)
		in, _ := NewRequest(httptest.NewRequest(method, target, strings.NewReader(body)))
		if p := m.match(in); p.entry == nil || p.entry.ex.Seq != i+1 {
			t.Fatalf("request %d: %+v", i, p)
		}
	}
}
