package mockserver

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// LatencyPolicy decides how long the Mock waits before answering with a
// recorded exchange. The zero value answers without delay.
type LatencyPolicy struct {
	factor float64
}

var (
	// LatencyRecorded waits the recorded latency: timing can be the bug.
	// It is the default.
	LatencyRecorded = LatencyPolicy{factor: 1}
	// LatencyNone answers as fast as possible.
	LatencyNone = LatencyPolicy{factor: 0}
)

// Scaled waits the recorded latency multiplied by f (0.5 = twice as fast).
// A negative or non-finite f is treated as 0.
func Scaled(f float64) LatencyPolicy {
	if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	return LatencyPolicy{factor: f}
}

// Delay returns how long to wait for an exchange recorded with latency d.
func (p LatencyPolicy) Delay(d time.Duration) time.Duration {
	if p.factor == 0 || d <= 0 {
		return 0
	}
	return time.Duration(float64(d) * p.factor)
}

// String renders the policy as ParseLatency accepts it.
func (p LatencyPolicy) String() string {
	switch p.factor {
	case 0:
		return "none"
	case 1:
		return "recorded"
	}
	return strconv.FormatFloat(p.factor, 'g', -1, 64) + "x"
}

// ParseLatency parses a --latency flag: "recorded" (or ""), "none", or a
// scale factor such as "0.5", "0.5x" or "2x".
func ParseLatency(s string) (LatencyPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "recorded":
		return LatencyRecorded, nil
	case "none", "off":
		return LatencyNone, nil
	}
	num := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "x")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return LatencyPolicy{}, fmt.Errorf("latency %q: want recorded, none, or a non-negative factor like 0.5x", s)
	}
	return Scaled(f), nil
}

// Clock is the Mock's source of time, replaceable in tests with WithClock.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
