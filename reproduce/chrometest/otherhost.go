package chrometest

// OtherHost is a Chromium on another host, as a pool's browser is: it runs
// in a network namespace of its own, linked to this machine by a virtual
// cable, so that its loopback is not this machine's and this machine is
// reached only at HostIP.
type OtherHost struct {
	// HostIP is this machine's address on the link, as the other host
	// reaches it.
	HostIP string
	// DevTools is the browser's DevTools URL, reached from this machine
	// (through a port forwarded into the namespace: Chromium listens on
	// its own loopback only).
	DevTools string
}
