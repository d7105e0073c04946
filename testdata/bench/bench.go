package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/repro-dev/repro/reproduce/session"
)

// peerArgs are the Chromium flags the peer launches with: the ones repro
// itself passes that matter for speed and quiet (Playwright adds its own
// automation defaults, as chromedp does for repro).
//
// repro turns off the omnibox popups Chromium preloads even headless (a
// renderer of their own, about 1.5 CPU-seconds of a launch), so the peer
// does too. Chromium keeps only the last --disable-features, so this one
// repeats playwright-core's own list (1.65.1, pinned in peer/package-lock.json)
// and adds the two.
var peerArgs = []string{"--no-sandbox", "--disable-gpu", "--disable-background-networking",
	"--disable-component-update", "--disable-sync", "--no-first-run",
	"--disable-features=" + strings.Join(append(playwrightDisabledFeatures, "WebUIOmniboxPopup", "WebUIOmniboxAimPopup"), ",")}

// playwrightDisabledFeatures is playwright-core 1.65.1's own
// --disable-features list (chromiumSwitches).
var playwrightDisabledFeatures = []string{
	"AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
	"HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
	"ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect", "TcpPortRandomizationWin",
	"OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled", "PreconnectToSearch",
	"msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
}

// bench holds what every measurement shares: the repository, a built repro,
// the Chromium both sides use, and the peer's installed node_modules.
type bench struct {
	root    string // repository root
	tmp     string // removed by close
	repro   string // the built binary
	chrome  string
	peerDir string
	commit  string // HEAD, and whether the tree had uncommitted changes
	when    string
	verbose bool
	keep    bool // leave tmp in place
	servers []*http.Server
}

func newBench(ctx context.Context, chrome string, verbose, keep, withPeer bool) (*bench, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	if chrome == "" {
		if chrome, err = session.FindChrome(""); err != nil {
			return nil, fmt.Errorf("%v (install it: apt-get install -y chromium, or pass -chrome PATH)", err)
		}
	}
	tmp, err := os.MkdirTemp("", "repro-bench-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	b := &bench{root: root, tmp: tmp, chrome: chrome, peerDir: filepath.Join(root, "testdata", "bench", "peer"),
		verbose: verbose, keep: keep, when: time.Now().Format("2006-01-02 15:04")}
	b.commit = b.describeCommit(ctx)

	b.repro = filepath.Join(tmp, "repro")
	if out, err := b.command(ctx, root, nil, "go", "build", "-o", b.repro, "./cmd/repro"); err != nil {
		b.close()
		return nil, fmt.Errorf("build repro: %v\n%s", err, out)
	}
	peer := ""
	if withPeer {
		if err := b.installPeer(ctx); err != nil {
			b.close()
			return nil, err
		}
		peer = " · peer playwright-core " + b.peerVersion()
	}
	fmt.Printf("repro %s%s · %s\n", b.commit, peer, chrome)
	return b, nil
}

func (b *bench) close() {
	for _, s := range b.servers {
		_ = s.Close()
	}
	if b.keep {
		fmt.Fprintln(os.Stderr, "bench: kept", b.tmp)
		return
	}
	_ = os.RemoveAll(b.tmp)
}

// repoRoot is the nearest directory up from the working directory whose
// go.mod is repro's.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if mod, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(mod, []byte("module github.com/repro-dev/repro\n")) {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("run the bench inside the repro repository (go run ./testdata/bench …)")
		}
		dir = up
	}
}

func (b *bench) describeCommit(ctx context.Context) string {
	out, err := b.command(ctx, b.root, nil, "git", "rev-parse", "--short", "HEAD")
	if err != nil {
		return "(no git commit)"
	}
	c := strings.TrimSpace(out)
	if st, err := b.command(ctx, b.root, nil, "git", "status", "--porcelain", "--untracked-files=no"); err == nil && strings.TrimSpace(st) != "" {
		c += " + uncommitted changes"
	}
	return c
}

// installPeer runs npm ci in peer/ unless node_modules matches
// package-lock.json (the same stamp testdata/apps/build uses).
func (b *bench) installPeer(ctx context.Context) error {
	lock, err := os.ReadFile(filepath.Join(b.peerDir, "package-lock.json"))
	if err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	sum := sha256.Sum256(lock)
	want := hex.EncodeToString(sum[:])
	stamp := filepath.Join(b.peerDir, "node_modules", ".repro-lock-sha256")
	if have, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(have)) == want {
		return nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return errors.New("npm is needed to install the Playwright peer (apt-get install -y nodejs npm)")
	}
	fmt.Fprintln(os.Stderr, "bench: npm ci in testdata/bench/peer")
	if out, err := b.command(ctx, b.peerDir, nil, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
		return fmt.Errorf("npm ci in testdata/bench/peer failed (is the npm registry reachable?): %v\n%s", err, out)
	}
	return os.WriteFile(stamp, []byte(want+"\n"), 0o644)
}

// peerVersion is the installed playwright-core's version.
func (b *bench) peerVersion() string {
	var pkg struct{ Version string }
	raw, err := os.ReadFile(filepath.Join(b.peerDir, "node_modules", "playwright-core", "package.json"))
	if err != nil || json.Unmarshal(raw, &pkg) != nil {
		return "(version unknown)"
	}
	return pkg.Version
}

// command runs name with args in dir and returns its combined output.
func (b *bench) command(ctx context.Context, dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// job is one measured command and the end state it must reach.
type job struct {
	what  string // "repro", "peer", "test": names it in errors and -v output
	dir   string
	env   []string
	argv  []string
	want  int                    // its exit code
	check func(out string) error // what its output must show, if anything
	// mark, when set, names the stdout line (exactly) whose arrival is
	// timed too (timedMark).
	mark string
}

// markWriter notes when a line equal to mark first arrives.
type markWriter struct {
	mark  string
	start time.Time
	line  []byte
	at    time.Duration // 0 until the line has arrived
}

func (m *markWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if c != '\n' {
			m.line = append(m.line, c)
			continue
		}
		if m.at == 0 && string(m.line) == m.mark {
			m.at = time.Since(m.start)
		}
		m.line = m.line[:0]
	}
	return len(p), nil
}

// timed runs j once: the clock runs from just before the process starts to
// just after it has exited. It fails unless j reached its end state.
func (b *bench) timed(ctx context.Context, j job) (time.Duration, error) {
	d, _, err := b.timedMark(ctx, j)
	return d, err
}

// timedMark is timed, and also the time from the start to the arrival of
// the stdout line j.mark, which must arrive.
func (b *bench) timedMark(ctx context.Context, j job) (exit, mark time.Duration, err error) {
	cmd := exec.CommandContext(ctx, j.argv[0], j.argv[1:]...)
	cmd.Dir = j.dir
	cmd.Env = append(os.Environ(), j.env...)
	var out, errOut bytes.Buffer
	mw := &markWriter{mark: j.mark}
	if j.mark == "" {
		cmd.Stdout, cmd.Stderr = &out, &out
	} else {
		// Apart, each copied by its own goroutine; stderr follows stdout
		// in what is shown.
		cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, mw), &errOut
	}
	start := time.Now()
	mw.start = start
	err = cmd.Run()
	d := time.Since(start)
	out.Write(errOut.Bytes())
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return 0, 0, fmt.Errorf("%s: %w", j.what, err)
		}
		code = ee.ExitCode()
	}
	if ctx.Err() != nil {
		return 0, 0, ctx.Err()
	}
	if code != j.want {
		return 0, 0, fmt.Errorf("%s exited %d, want %d (the comparison needs both sides to reach the recorded end state):\n%s", j.what, code, j.want, tail(out.String(), b.verbose))
	}
	if j.check != nil {
		if err := j.check(out.String()); err != nil {
			return 0, 0, fmt.Errorf("%s: %v:\n%s", j.what, err, tail(out.String(), b.verbose))
		}
	}
	if j.mark != "" && mw.at == 0 {
		return 0, 0, fmt.Errorf("%s: no line %q on stdout:\n%s", j.what, j.mark, tail(out.String(), b.verbose))
	}
	if b.verbose {
		fmt.Printf("    %-8s %6.2f s", j.what, d.Seconds())
		if j.mark != "" {
			fmt.Printf(" (printed at %.2f s)", mw.at.Seconds())
		}
		fmt.Println()
	}
	return d, mw.at, nil
}

// tail is the end of a command's output, all of it when verbose.
func tail(s string, all bool) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if !all && len(lines) > 25 {
		lines = append([]string{"…"}, lines[len(lines)-25:]...)
	}
	return strings.Join(lines, "\n")
}

// median of ds (the mean of the middle two for an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func seconds(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.2f", d.Seconds())
	}
	return strings.Join(parts, " ")
}

// serveSPA serves dir on loopback with the rules repro uses for --app DIR
// (reproduce/app.go spaHandler): files as they are, index.html for a path
// that names no file and looks like a route, 404 for a missing asset,
// caching off.
func (b *bench) serveSPA(dir string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("serve %s: %w", dir, err)
	}
	files := http.FileServer(http.Dir(dir))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		urlPath := path.Clean("/" + r.URL.Path)
		p := filepath.Join(dir, filepath.FromSlash(urlPath))
		fi, err := os.Stat(p)
		missing := err != nil
		if err == nil && fi.IsDir() {
			_, err := os.Stat(filepath.Join(p, "index.html"))
			missing = err != nil
		}
		if missing {
			if path.Ext(urlPath) != "" && !strings.Contains(r.Header.Get("Accept"), "text/html") {
				http.NotFound(w, r)
				return
			}
			http.ServeFile(w, r, filepath.Join(dir, "index.html"))
			return
		}
		files.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	b.servers = append(b.servers, srv)
	return "http://" + ln.Addr().String(), nil
}

// writeJSON writes v as JSON to a new file in the bench's temporary
// directory.
func (b *bench) writeJSON(name string, v any) (string, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", err
	}
	p := filepath.Join(b.tmp, name)
	return p, os.WriteFile(p, data, 0o600)
}
