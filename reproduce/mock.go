package reproduce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/repro-dev/repro/mockserver"
	"github.com/repro-dev/repro/reproduce/plan"
	"github.com/repro-dev/repro/reproduce/replay"
)

// MockRules say which parts of a request the mock backend compares by
// presence rather than value: what the rerun cannot send as recorded.
type MockRules struct {
	// VolatileBodyFields are request-body fields whose recorded values the
	// rerun cannot type (masked inputs) or the fixture no longer holds
	// (scrubbed).
	VolatileBodyFields []string `json:"volatile_body_fields,omitempty"`
	// VolatileParams are query parameters of the same kind.
	VolatileParams []string `json:"volatile_params,omitempty"`
}

// MockRulesOf are the rules a rerun of tl needs: the request-body fields
// and query parameters that held text typed into masked inputs.
func MockRulesOf(tl *replay.Timeline) MockRules {
	return MockRules{VolatileBodyFields: MaskedBodyFields(tl), VolatileParams: MaskedQueryParams(tl)}
}

// NewMock builds the mock backend a rerun talks to: the recorded exchanges
// matched by rules, with the options' latency (default: the recorded one,
// since timing can be the bug) and upstream, plus any extra options. Both
// `repro run` and generated regression tests (through replaytest) build
// their mock here.
func (opts RunOptions) NewMock(exchanges []mockserver.Exchange, rules MockRules, extra ...mockserver.Option) (*mockserver.Mock, error) {
	latency := mockserver.LatencyRecorded
	if opts.Latency != nil {
		latency = *opts.Latency
	}
	mockOpts := []mockserver.Option{mockserver.WithLatency(latency)}
	if len(rules.VolatileBodyFields) > 0 {
		mockOpts = append(mockOpts, mockserver.WithVolatileBodyFields(rules.VolatileBodyFields...))
	}
	if len(rules.VolatileParams) > 0 {
		mockOpts = append(mockOpts, mockserver.WithVolatileParams(rules.VolatileParams...))
	}
	if opts.Upstream != "" {
		mockOpts = append(mockOpts, mockserver.WithUpstream(opts.Upstream, opts.ForwardUnmatched))
	}
	mock := mockserver.New(exchanges, append(mockOpts, extra...)...)
	if err := mock.Err(); err != nil {
		return nil, fmt.Errorf("mock backend: %w", err)
	}
	return mock, nil
}

// MockBackend is NewMock for a rerun of tl: its recorded exchanges and the
// rules it needs.
func (opts RunOptions) MockBackend(tl *replay.Timeline, extra ...mockserver.Option) (*mockserver.Mock, error) {
	return opts.NewMock(Exchanges(tl), MockRulesOf(tl), extra...)
}

// FixtureVersion is the version of the fixture.json format WriteFixture
// writes and LoadFixture reads.
const FixtureVersion = 1

// A Fixture is the data of a generated regression test (the steps are its
// code): the recorded environment as a plan without steps, the mock
// backend's rules, and the recorded exchanges. On disk it is a directory
// holding fixture.json and cassette.json.
type Fixture struct {
	// Plan is the recorded environment: URL, origins, viewport, user
	// agent, locale, timezone, clock and seed. Its Steps are not stored.
	Plan plan.Plan
	Mock MockRules
	// Exchanges are the recorded API calls the mock answers from.
	Exchanges []mockserver.Exchange
}

type fixtureJSON struct {
	Version int        `json:"version"`
	Plan    *plan.Plan `json:"plan"`
	Mock    MockRules  `json:"mock"`
}

// Files returns the fixture's files, by name, as WriteFixture writes them.
func (f *Fixture) Files() (map[string][]byte, error) {
	env := f.Plan
	env.Steps, env.Pinned, env.Dropped = []plan.Step{}, nil, nil
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(fixtureJSON{Version: FixtureVersion, Plan: &env, Mock: f.Mock}); err != nil {
		return nil, fmt.Errorf("encode fixture: %w", err)
	}
	var cas bytes.Buffer
	if err := (&mockserver.Cassette{Version: mockserver.CassetteVersion, Exchanges: f.Exchanges}).Encode(&cas); err != nil {
		return nil, err
	}
	return map[string][]byte{"fixture.json": buf.Bytes(), "cassette.json": cas.Bytes()}, nil
}

// LoadFixture reads a fixture directory (fixture.json and cassette.json).
func LoadFixture(dir string) (*Fixture, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "fixture.json"))
	if err != nil {
		return nil, fmt.Errorf("load fixture: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var fj fixtureJSON
	if err := dec.Decode(&fj); err != nil {
		return nil, fmt.Errorf("load fixture %s: %w", filepath.Join(dir, "fixture.json"), err)
	}
	switch {
	case fj.Version == 0 || fj.Plan == nil:
		return nil, fmt.Errorf("load fixture %s: no version or no plan: not a fixture repro generate wrote", dir)
	case fj.Version > FixtureVersion:
		return nil, fmt.Errorf("load fixture %s: version %d is newer than this repro (%d): update github.com/repro-dev/repro", dir, fj.Version, FixtureVersion)
	}
	cas, err := mockserver.LoadCassette(filepath.Join(dir, "cassette.json"))
	if err != nil {
		return nil, err
	}
	if len(fj.Plan.Steps) > 0 {
		return nil, errors.New("load fixture: the plan holds steps: a fixture's steps are its test's code")
	}
	f := &Fixture{Plan: *fj.Plan, Mock: fj.Mock, Exchanges: cas.Exchanges}
	f.Plan.Steps = nil
	return f, nil
}
