package replay

import (
	"runtime"
	"runtime/debug"
	"sync"
)

// While a long timeline is built, the live heap is the timeline growing
// (and the events the rules drop later), and nearly everything else
// allocated is garbage at once. At the default GC target the heap may grow
// to twice the live size before a collection, which on a 100 MB recording
// is most of the peak RSS; a target of buildGCPercent keeps the peak near
// 1.4x the live size for about 10% more CPU. The target is lowered only
// while a large build runs (largeBuild events or more; the first of
// concurrent builds lowers it, the last restores it), never above a
// stricter one or GOGC=off the process set itself, and the build's garbage
// is collected before it is restored, so the default target then starts
// from the timeline's own size rather than the build's.
const (
	buildGCPercent = 40
	largeBuild     = 50_000
)

var gcTarget struct {
	sync.Mutex
	builds int
	saved  int
}

// lowerGC lowers the GC target for a build; call the returned func when
// the build ends.
func lowerGC() (restore func()) {
	gcTarget.Lock()
	defer gcTarget.Unlock()
	if gcTarget.builds == 0 {
		gcTarget.saved = debug.SetGCPercent(buildGCPercent)
		if gcTarget.saved < buildGCPercent { // stricter, or off (-1): keep it
			debug.SetGCPercent(gcTarget.saved)
		}
	}
	gcTarget.builds++
	return func() {
		gcTarget.Lock()
		defer gcTarget.Unlock()
		if gcTarget.builds--; gcTarget.builds == 0 {
			runtime.GC()
			debug.SetGCPercent(gcTarget.saved)
		}
	}
}
