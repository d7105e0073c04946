//go:build !linux

package chrometest

import "testing"

// StartOtherHost needs Linux network namespaces: elsewhere the test is
// skipped, saying so.
func StartOtherHost(t testing.TB, path string) OtherHost {
	t.Helper()
	t.Skip("SKIPPED: putting a browser on another host needs Linux network namespaces")
	return OtherHost{}
}
