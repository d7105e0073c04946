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

// TryOtherHost is StartOtherHost for a test that can do without: never,
// here.
func TryOtherHost(t testing.TB, path string) (OtherHost, bool) {
	t.Helper()
	t.Log("no other host: network namespaces are Linux's")
	return OtherHost{}, false
}
