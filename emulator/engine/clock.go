package engine

import (
	"sync"
	"time"
)

// ScaledClock is real time multiplied by a scale factor: at scale 10 one real
// second is ten emulator seconds. It starts at the real wall time of its
// creation (UTC, without a monotonic reading, so every time it returns is
// comparable by wall clock).
type ScaledClock struct {
	realStart time.Time // carries the monotonic reading used for elapsed time
	emuStart  time.Time
	scale     float64
}

// NewScaledClock returns a scaled clock; a scale <= 0 means 1.
func NewScaledClock(scale float64) *ScaledClock {
	if scale <= 0 {
		scale = 1
	}
	now := time.Now()
	return &ScaledClock{realStart: now, emuStart: now.Round(0).UTC(), scale: scale}
}

// Now implements Clock.
func (c *ScaledClock) Now() time.Time {
	return c.emuStart.Add(time.Duration(float64(time.Since(c.realStart)) * c.scale))
}

// Scale reports the factor.
func (c *ScaledClock) Scale() float64 { return c.scale }

// RealDuration converts an emulator duration into the real duration it takes.
func (c *ScaledClock) RealDuration(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.scale)
}

// ManualClock only moves when told to (Advance). With a manual clock the engine
// is deterministic: nothing happens between two calls, and Engine.Advance
// processes everything that became due, in time order, synchronously.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a manual clock reading start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start.Round(0)}
}

// Now implements Clock.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward (negative d is ignored). Prefer
// Engine.Advance, which also processes what became due; if the clock is
// advanced directly, the engine catches up on its next call.
func (c *ManualClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// realDurationer is implemented by clocks that can convert emulator durations
// into real ones (the scaled clock); the loop uses it to sleep.
type realDurationer interface {
	RealDuration(time.Duration) time.Duration
}
