// Command loadrun drives a loopback mockserver holding 10,000 recorded
// exchanges with concurrent clients and prints p50/p99 latency and
// throughput. It measures mockserver alone (no browser):
//
//	go run ./mockserver/internal/loadrun -clients 32 -duration 5s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/repro-dev/repro/mockserver"
)

func main() {
	n := flag.Int("exchanges", 10000, "recorded exchanges to serve")
	clients := flag.Int("clients", 32, "concurrent clients")
	dur := flag.Duration("duration", 5*time.Second, "how long to drive load")
	flag.Parse()
	if err := run(*n, *clients, *dur); err != nil {
		fmt.Fprintln(os.Stderr, "loadrun:", err)
		os.Exit(1)
	}
}

// exchanges mirrors the benchmark fixture: 500 routes, GETs with a page and
// a cache-buster, POSTs with JSON bodies.
func exchanges(n int) []mockserver.Exchange {
	out := make([]mockserver.Exchange, 0, n)
	for i := range n {
		e := mockserver.Exchange{Seq: i + 1, Status: 200,
			ResponseHeaders: http.Header{"Content-Type": {"application/json"}},
			ResponseBody:    []byte(fmt.Sprintf(`{"i":%d,"payload":"%s"}`, i, strings.Repeat("x", 200))), ResponseBodyCaptured: true}
		if i%2 == 0 {
			e.Method, e.URL = "GET", fmt.Sprintf("/api/r%d/items?page=%d&_=%d", i%500, i/500, 1718000000000+i)
		} else {
			e.Method, e.URL = "POST", fmt.Sprintf("/api/r%d/items", i%500)
			e.RequestBody, e.RequestBodyCaptured = []byte(fmt.Sprintf(`{"id":%d,"q":"text"}`, i)), true
		}
		out = append(out, e)
	}
	return out
}

func request(ctx context.Context, base string, i int) (*http.Request, error) {
	if i%2 == 0 {
		return http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/r%d/items?_=%d&page=%d", base, i%500, time.Now().UnixMilli(), i/500), nil)
	}
	return http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("%s/api/r%d/items", base, i%500),
		strings.NewReader(fmt.Sprintf(`{"q":"text","id":%d}`, i)))
}

func run(n, clients int, dur time.Duration) error {
	ctx := context.Background()
	// Repeats past the recording are normal under load; keep only a small
	// journal so memory measures the server, not the evidence.
	m := mockserver.New(exchanges(n), mockserver.WithLatency(mockserver.LatencyNone), mockserver.WithJournalLimit(1000))
	srv, err := mockserver.Start(ctx, m, "")
	if err != nil {
		return err
	}
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}}

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		all      []time.Duration
		failures int
	)
	deadline := time.Now().Add(dur)
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			var lat []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				req, err := request(ctx, srv.URL(), rng.IntN(n))
				if err != nil {
					bad++
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					bad++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(t0))
				if resp.StatusCode != http.StatusOK {
					bad++
				}
			}
			mu.Lock()
			all = append(all, lat...)
			failures += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(all) == 0 {
		return fmt.Errorf("no request completed")
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))] }
	s := m.Summary()
	fmt.Printf("exchanges=%d clients=%d duration=%s\n", n, clients, elapsed.Round(time.Millisecond))
	fmt.Printf("requests=%d failures=%d throughput=%.0f req/s\n", len(all), failures, float64(len(all))/elapsed.Seconds())
	fmt.Printf("latency p50=%s p90=%s p99=%s max=%s\n", pct(0.50), pct(0.90), pct(0.99), all[len(all)-1])
	fmt.Printf("journal: recorded=%d repeated=%d unmatched=%d\n", s.Recorded, s.Repeated, s.Unmatched)
	if failures > 0 {
		return fmt.Errorf("%d requests failed", failures)
	}
	return nil
}
