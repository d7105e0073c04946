// Command inspectbench measures what `repro inspect` costs on a long
// replay: it builds a bundle of about -size MB from a committed recording
// (its real segments repeated, every timestamp shifted so the copies follow
// each other in time: a valid, time-ordered recording), then reads it in a
// child process exactly as `repro inspect` does (reproduce.Open, the story,
// its text) and prints the time, MB/s and that process's peak RSS as a
// multiple of the input; -n times (3), each followed by python3's
// json.load of the same file, the reference the goal was set against
// (3.4 s then): the median ratio, and what it makes the read at that
// speed. The bundle lives in a temporary directory and is removed
// afterwards (-keep DIR keeps it).
//
//	go run ./reproduce/replay/internal/inspectbench            # 100 MB from studio-healthy
//	go run ./reproduce/replay/internal/inspectbench -size 20 -from testdata/replays/tasks-bug
//
// The child is this program re-run with -decode DIR, so the peak RSS it
// reports (VmHWM) covers the decode alone, not the building of the input.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/repro-dev/repro/reproduce"
	"github.com/repro-dev/repro/reproduce/story"
)

func main() {
	from := flag.String("from", "testdata/replays/studio-healthy", "bundle whose recording is repeated")
	size := flag.Int("size", 100, "size of the recording to build, in MB")
	keep := flag.String("keep", "", "write the bundle to this directory and keep it")
	decode := flag.String("decode", "", "(child) read this bundle as repro inspect does and report")
	cpuprofile := flag.String("cpuprofile", "", "write the decode's CPU profile to this file")
	n := flag.Int("n", 3, "reads (each followed by python3's json.load of the file, the reference)")
	flag.Parse()
	if *decode != "" {
		if err := child(*decode, *cpuprofile); err != nil {
			fmt.Fprintln(os.Stderr, "inspectbench:", err)
			os.Exit(1)
		}
		return
	}
	if *n < 1 {
		fmt.Fprintln(os.Stderr, "inspectbench: -n must be at least 1")
		os.Exit(2)
	}
	if err := run(*from, *size, *n, *keep, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "inspectbench:", err)
		os.Exit(1)
	}
}

// report is what the child prints for its parent.
type report struct {
	Seconds float64 `json:"seconds"`
	HWMKiB  int64   `json:"vmhwm_kib"`
	Events  int     `json:"events"`
}

func run(from string, sizeMB, n int, keep, cpuprofile string) error {
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "inspectbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	input, reps, err := buildBundle(from, dir, int64(sizeMB)<<20)
	if err != nil {
		return fmt.Errorf("build the bundle: %w", err)
	}
	fmt.Printf("bundle: %s repeated %d times, %.1f MB (built in %.1fs)\n", from, reps, float64(input)/1e6, time.Since(start).Seconds())

	self, err := os.Executable()
	if err != nil {
		return err
	}
	// The reference: python's json.load of the same file, run alternately
	// with the read (this machine's speed swings within seconds, so only
	// a ratio measured in one run compares across days).
	py, pyErr := exec.LookPath("python3")
	if pyErr != nil {
		fmt.Println("python3 not found: no json.load reference, the read's times alone")
	}
	var secs, cpus, pys []float64
	var r report
	for i := 0; i < n; i++ {
		cmd := exec.Command(self, "-decode", dir, "-cpuprofile", cpuprofile)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		if err := json.Unmarshal(out, &r); err != nil {
			return fmt.Errorf("decode report %q: %w", out, err)
		}
		secs = append(secs, r.Seconds)
		cpus = append(cpus, (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds())
		peak := r.HWMKiB << 10
		fmt.Printf("  read %d: %.2fs, %.0f MB/s, CPU %.2fs, peak RSS %.1f MB = %.2fx the input\n",
			i+1, r.Seconds, float64(input)/1e6/r.Seconds, cpus[i], float64(peak)/1e6, float64(peak)/float64(input))
		if pyErr == nil {
			t0 := time.Now()
			c := exec.Command(py, "-c", "import json,sys; json.load(open(sys.argv[1], 'rb'))", filepath.Join(dir, "recording-segments.json"))
			c.Stderr = os.Stderr
			if err := c.Run(); err != nil {
				return fmt.Errorf("python3 json.load: %w", err)
			}
			pys = append(pys, time.Since(t0).Seconds())
			fmt.Printf("  python3 json.load %d: %.2fs\n", i+1, pys[i])
		}
	}
	med := median(secs)
	fmt.Printf("repro inspect path: %.2fs median of %d, %.0f MB/s, %d timeline events (CPU %.2fs: on a busy machine wall time is CPU time plus waiting)\n",
		med, n, float64(input)/1e6/med, r.Events, median(cpus))
	if len(pys) > 0 {
		ratios := make([]float64, n)
		for i := range ratios {
			ratios[i] = secs[i] / pys[i]
		}
		fmt.Printf("vs python3 json.load of the file: %.2fs median → %.3fx (per pair %.3fx); at a json.load of %.1fs (the speed the 1 s goal was set on) the read takes %.2fs\n",
			median(pys), med/median(pys), median(ratios), goalPython, median(ratios)*goalPython)
	}
	return nil
}

// goalPython is how long python3's json.load of the 100 MB bundle took
// on the machine and day the read's goal (1 s) was set.
const goalPython = 3.4

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// child reads dir the way `repro inspect` does and prints a report.
func child(dir, cpuprofile string) error {
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	r, err := reproduce.Open(dir)
	if err != nil {
		return err
	}
	story := story.Tell(r.Timeline)
	if err := story.WriteText(io.Discard); err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	hwm, err := vmHWM()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(report{Seconds: secs, HWMKiB: hwm, Events: len(r.Timeline.Events)})
}

// vmHWM reads this process's peak resident set size in KiB.
func vmHWM() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// buildBundle writes dir/recording-segments.json of at least size bytes:
// from's segments repeated, each copy shifted past the end of the last,
// plus from's replay.json and errors.json. It returns the bundle's size.
func buildBundle(from, dir string, size int64) (int64, int, error) {
	data, err := os.ReadFile(filepath.Join(from, "recording-segments.json"))
	if err != nil {
		return 0, 0, err
	}
	var segs [][]json.RawMessage
	if err := json.Unmarshal(data, &segs); err != nil {
		return 0, 0, err
	}
	var tmpl [][]eventTemplate
	lo, hi := int64(1<<62), int64(0)
	for _, seg := range segs {
		var ts []eventTemplate
		for _, raw := range seg {
			et, err := templateOf(raw)
			if err != nil {
				return 0, 0, err
			}
			if et.outerMs > 0 {
				lo, hi = min(lo, et.outerMs), max(hi, et.outerMs)
			}
			ts = append(ts, et)
		}
		tmpl = append(tmpl, ts)
	}
	// Whole seconds between copies, so second-based timestamps shift by an
	// integer and keep their digits.
	period := ((hi-lo)/1000 + 2) * 1000

	var total int64
	for _, name := range []string{"replay.json", "errors.json"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return 0, 0, err
		}
		total += int64(len(b))
	}
	f, err := os.Create(filepath.Join(dir, "recording-segments.json"))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	var buf bytes.Buffer
	buf.WriteByte('[')
	reps := 0
	written := int64(0)
	for ; written+int64(buf.Len()) < size-total || reps == 0; reps++ {
		for si, seg := range tmpl {
			if reps > 0 || si > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('[')
			for ei, et := range seg {
				if ei > 0 {
					buf.WriteByte(',')
				}
				et.write(&buf, int64(reps)*period)
			}
			buf.WriteByte(']')
		}
		if buf.Len() > 4<<20 {
			n, err := f.Write(buf.Bytes())
			if err != nil {
				return 0, 0, err
			}
			written += int64(n)
			buf.Reset()
		}
	}
	buf.WriteByte(']')
	n, err := f.Write(buf.Bytes())
	if err != nil {
		return 0, 0, err
	}
	written += int64(n)
	return total + written, reps, f.Close()
}

// eventTemplate is one event's bytes cut around its timestamps.
type eventTemplate struct {
	parts   [][]byte // the bytes between timestamps
	stamps  []string // the timestamps' literals, one fewer than parts
	outerMs int64
}

// shiftedKeys name the absolute times in a recording: the event's own, a
// breadcrumb's (seconds) and a span's start and end (seconds).
var shiftedKeys = map[string]bool{"timestamp": true, "startTimestamp": true, "endTimestamp": true}

// templateOf finds the literals of every shifted key in raw.
func templateOf(raw []byte) (eventTemplate, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type frame struct{ object, key bool }
	var stack []frame
	var et eventTemplate
	last, lastKey := 0, ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return et, err
		}
		top := len(stack) - 1
		isKey := top >= 0 && stack[top].object && stack[top].key
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				if top >= 0 && stack[top].object {
					stack[top].key = true
				}
				stack = append(stack, frame{object: v == '{', key: true})
			} else {
				stack = stack[:top]
			}
			continue
		case string:
			if isKey {
				lastKey = v
				stack[top].key = false
				continue
			}
		case json.Number:
			end := int(dec.InputOffset())
			f, err := v.Float64()
			if err == nil && shiftedKeys[lastKey] && f >= 1e9 {
				start := end - len(v)
				et.parts = append(et.parts, raw[last:start])
				et.stamps = append(et.stamps, string(v))
				last = end
				if len(stack) == 1 && lastKey == "timestamp" {
					ms := int64(f)
					if f <= 9999999999 {
						ms = int64(f * 1000)
					}
					et.outerMs = ms
				}
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].key = true
		}
	}
	et.parts = append(et.parts, raw[last:])
	return et, nil
}

// write writes the event with every timestamp moved shiftMs later, in the
// unit of each (the SDK's rule: above 9999999999 is ms, else seconds).
func (et eventTemplate) write(buf *bytes.Buffer, shiftMs int64) {
	for i, p := range et.parts {
		buf.Write(p)
		if i < len(et.stamps) {
			buf.WriteString(shift(et.stamps[i], shiftMs))
		}
	}
}

func shift(lit string, shiftMs int64) string {
	if shiftMs == 0 {
		return lit
	}
	intPart, frac, hasFrac := strings.Cut(lit, ".")
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return lit // an exponent form: left alone (never seen in SDK output)
	}
	if n > 9999999999 {
		n += shiftMs
	} else {
		n += shiftMs / 1000
	}
	s := strconv.FormatInt(n, 10)
	if hasFrac {
		s += "." + frac
	}
	return s
}
