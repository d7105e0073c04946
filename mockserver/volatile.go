package mockserver

import (
	"strconv"
	"strings"
)

// defaultVolatileParams are query parameter names whose values differ on
// every run by convention. See the package documentation for why each is
// here and why short names such as "t", "r" and "v" are not.
var defaultVolatileParams = []string{
	"_",         // jQuery cache: false
	"_dc",       // Ext JS disableCaching
	"_t", "_ts", // common underscore-prefixed timestamp busters
	"ts", "timestamp",
	"cb", "cachebust", "cachebuster", "cache_buster", "cache-buster", "nocache",
	"nonce",
	"rand", "random", "rnd",
}

// DefaultVolatileParams returns the query parameter names the default
// matcher treats as volatile without being told.
func DefaultVolatileParams() []string {
	return append([]string(nil), defaultVolatileParams...)
}

// Epoch bounds for the value rule: 2000-01-01 to 2100-01-01.
const (
	epochMinSeconds = 946684800
	epochMaxSeconds = 4102444800
)

// rules are the default matcher's tolerances, fixed when a Mock is built.
type rules struct {
	params map[string]bool // lower-case names
	fields map[string]bool // JSON body field names
}

func newRules(extraParams, fields []string) *rules {
	ru := &rules{params: map[string]bool{}, fields: map[string]bool{}}
	for _, p := range defaultVolatileParams {
		ru.params[p] = true
	}
	for _, p := range extraParams {
		ru.params[strings.ToLower(p)] = true
	}
	for _, f := range fields {
		ru.fields[f] = true
	}
	return ru
}

// volatileName reports whether a parameter is volatile by name alone.
func (ru *rules) volatileName(name string) bool {
	return ru.params[strings.ToLower(name)]
}

// volatileParam reports whether one side's parameter is tolerated: by name,
// or because every value looks volatile. The default matcher ignores a
// value-volatile parameter's value only when both sides look volatile.
func (ru *rules) volatileParam(name string, vals []string) bool {
	return ru.volatileName(name) || allLookVolatile(vals)
}

func allLookVolatile(vals []string) bool {
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		if !looksVolatile(v) {
			return false
		}
	}
	return true
}

// looksVolatile reports whether a value has the shape of a per-run value:
// a current Unix time in seconds (10 digits) or milliseconds (13 digits)
// between 2000 and 2100, or a Math.random() fraction ("0." and 8+ digits).
// Arbitrary random-looking tokens are deliberately not detected: they look
// exactly like entity IDs, and ignoring an ID would serve the wrong entity.
func looksVolatile(v string) bool {
	switch {
	case len(v) == 10 && allDigits(v):
		n, _ := strconv.ParseInt(v, 10, 64)
		return n >= epochMinSeconds && n < epochMaxSeconds
	case len(v) == 13 && allDigits(v):
		n, _ := strconv.ParseInt(v, 10, 64)
		return n >= epochMinSeconds*1000 && n < epochMaxSeconds*1000
	case len(v) >= 10 && strings.HasPrefix(v, "0.") && allDigits(v[2:]):
		return true
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
