package store

import (
	"sync"
	"time"
)

// Clock is the scaled clock of a durable emulator. It differs from
// engine.ScaledClock in two ways, both needed to replay a history exactly:
// it can be pinned (while a call is applied its time stands still, so the
// time recorded with the call is the only time the call saw; while the log
// is replayed it reads each record's time), and it resumes from a given
// emulator time rather than from the wall clock.
type Clock struct {
	mu        sync.Mutex
	scale     float64
	emuStart  time.Time
	realStart time.Time
	pinned    bool
	pin       time.Time
}

// NewClock returns a clock pinned at start (call Resume to let it run).
func NewClock(scale float64, start time.Time) *Clock {
	if scale <= 0 {
		scale = 1
	}
	start = start.Round(0).UTC()
	return &Clock{scale: scale, emuStart: start, realStart: time.Now(), pinned: true, pin: start}
}

// Now implements engine.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.pinned {
		return c.pin
	}
	return c.emuStart.Add(time.Duration(float64(time.Since(c.realStart)) * c.scale))
}

// RealDuration converts an emulator duration into real time (the engine's
// loop sleeps by it).
func (c *Clock) RealDuration(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.scale)
}

// Scale reports the factor.
func (c *Clock) Scale() float64 { return c.scale }

// Hold pins the clock at its current reading and returns it; Release lets it
// run on from there (it never goes back).
func (c *Clock) Hold() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.nowLocked()
	c.pinned, c.pin = true, t
	return t
}

// Release undoes Hold.
func (c *Clock) Release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pinned {
		return
	}
	now := c.emuStart.Add(time.Duration(float64(time.Since(c.realStart)) * c.scale))
	if now.Before(c.pin) {
		// Keep time monotonic: run on from the pinned reading.
		c.emuStart, c.realStart = c.pin, time.Now()
	}
	c.pinned = false
}

// Set pins the clock at t if t is later than its reading (replay).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pinned {
		c.pin, c.pinned = c.nowLocked(), true
	}
	if t.After(c.pin) {
		c.pin = t.Round(0).UTC()
	}
}

// Resume lets the clock run from its pinned reading (end of replay).
func (c *Clock) Resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pinned {
		c.emuStart, c.realStart, c.pinned = c.pin, time.Now(), false
	}
}
