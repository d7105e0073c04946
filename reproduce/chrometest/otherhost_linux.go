package chrometest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// StartOtherHost starts Chromium (path, or as DevTools finds it) on
// another host. It needs root and iproute2 (ip netns); without them the
// test is skipped, saying so. The test's cleanup stops the browser and
// removes the namespace and the link.
func StartOtherHost(t testing.TB, path string) OtherHost {
	t.Helper()
	h, ok := TryOtherHost(t, path)
	if !ok {
		t.Skip("SKIPPED: putting a browser on another host needs a network namespace (root and iproute2)")
	}
	return h
}

// TryOtherHost is StartOtherHost for a test that can do without: ok is
// false (and the test's log says why) where no namespace can be made.
func TryOtherHost(t testing.TB, path string) (h OtherHost, ok bool) {
	t.Helper()
	suffix := randomHex(3)
	ns, hostIf, nsIf := "repro-"+suffix, "rp"+suffix+"h", "rp"+suffix+"n"
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Logf("no other host: ip netns add: %v: %s", err, strings.TrimSpace(string(out)))
		return OtherHost{}, false
	}
	t.Cleanup(func() {
		// Deleting the namespace deletes its end of the link, and with it
		// the pair.
		_ = exec.Command("ip", "netns", "del", ns).Run()
		_ = exec.Command("ip", "link", "del", hostIf).Run()
	})
	b := randomBytes(2)
	subnet := fmt.Sprintf("10.%d.%d", 200+int(b[0])%50, b[1])
	hostIP, nsIP := subnet+".1", subnet+".2"
	for _, c := range [][]string{
		{"ip", "link", "add", hostIf, "type", "veth", "peer", "name", nsIf},
		{"ip", "link", "set", nsIf, "netns", ns},
		{"ip", "addr", "add", hostIP + "/30", "dev", hostIf},
		{"ip", "link", "set", hostIf, "up"},
		{"ip", "netns", "exec", ns, "ip", "addr", "add", nsIP + "/30", "dev", nsIf},
		{"ip", "netns", "exec", ns, "ip", "link", "set", nsIf, "up"},
		{"ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v: %s", strings.Join(c, " "), err, out)
		}
	}
	ws, _ := startDevTools(t, path, []string{"ip", "netns", "exec", ns})
	u, err := url.Parse(ws)
	if err != nil {
		t.Fatalf("chromium's DevTools URL %q: %v", ws, err)
	}
	fwd := forwardInto(t, "/var/run/netns/"+ns, u.Host)
	u.Host = fwd
	return OtherHost{HostIP: hostIP, DevTools: u.String()}, true
}

// forwardInto listens on this machine's loopback and forwards each
// connection to addr inside the network namespace at nsPath. It returns
// the listening address.
func forwardInto(t testing.TB, nsPath, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := dialIn(nsPath, addr)
				if err != nil {
					return
				}
				defer up.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
				go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return ln.Addr().String()
}

// dialIn connects to addr from inside the network namespace at nsPath: the
// socket is made on a thread moved into the namespace, and keeps it.
func dialIn(nsPath, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	res := make(chan result, 1)
	go func() {
		// The thread goes back to this machine's namespace before it is
		// unlocked; if it cannot, it is not unlocked, and ends with this
		// goroutine.
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			res <- result{err: err}
			return
		}
		defer self.Close()
		target, err := os.Open(nsPath)
		if err != nil {
			res <- result{err: err}
			return
		}
		defer target.Close()
		if err := setns(target); err != nil {
			res <- result{err: fmt.Errorf("enter %s: %w", nsPath, err)}
			return
		}
		c, err := net.Dial("tcp", addr)
		if setns(self) == nil {
			runtime.UnlockOSThread()
		}
		res <- result{c, err}
	}()
	r := <-res
	return r.c, r.err
}

// setns moves the calling thread into the network namespace f.
func setns(f *os.File) error { return unix.Setns(int(f.Fd()), unix.CLONE_NEWNET) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }
