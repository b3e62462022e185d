package delivery

import (
	"testing"
	"time"
)

func TestLimiter_PerChatAndGlobal(t *testing.T) {
	l := newLimiter(Limits{GlobalPerSecond: 3, PerChatPerSecond: 1, GroupPerMinute: 2})
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

	if w := l.acquire(1, at(0)); w != 0 {
		t.Fatalf("first send waits %s", w)
	}
	if w := l.acquire(1, at(1)); w == 0 {
		t.Fatal("second send to a chat while the first is in flight")
	}
	l.release(1, at(10))
	if w := l.acquire(1, at(500)); w != 510*time.Millisecond {
		t.Fatalf("chat wait %s, want 510ms (one second after the answer)", w)
	}
	if w := l.acquire(1, at(1010)); w != 0 {
		t.Fatalf("chat free after a second, waits %s", w)
	}
	l.release(1, at(1011))
	// Global: 3 a second, counted from the answers.
	g := newLimiter(Limits{GlobalPerSecond: 3, PerChatPerSecond: 1, GroupPerMinute: 20})
	for chat := range int64(3) {
		if w := g.acquire(chat, at(int(chat))); w != 0 {
			t.Fatal(w)
		}
	}
	if w := g.acquire(9, at(5)); w == 0 {
		t.Fatal("fourth send while three are in flight")
	}
	for chat := range int64(3) {
		g.release(chat, at(100+int(chat)))
	}
	if w := g.acquire(9, at(600)); w != 500*time.Millisecond {
		t.Fatalf("fourth send waits %s, want until one second after the first answer", w)
	}
	if w := g.acquire(9, at(1100)); w != 0 {
		t.Fatalf("global slot free after the window, waits %s", w)
	}
	// Groups: 1 a second and 2 a minute.
	if w := l.acquire(-5, at(3000)); w != 0 {
		t.Fatal(w)
	}
	l.release(-5, at(3000))
	if w := l.acquire(-5, at(3500)); w == 0 {
		t.Fatal("two group messages within a second")
	}
	if w := l.acquire(-5, at(4000)); w != 0 {
		t.Fatal(w)
	}
	l.release(-5, at(4000))
	if w := l.acquire(-5, at(30000)); w < 30*time.Second {
		t.Fatalf("third group message within a minute waits only %s", w)
	}
	// A 429 pauses the chat.
	l.pause(7, at(10000))
	if w := l.acquire(7, at(9000)); w != time.Second {
		t.Fatalf("paused chat waits %s", w)
	}
}

// TestPacer_SpreadsSends: at 30 a second the sends start one every 1/30 s,
// never a second's quota at once, and rounds that come late keep the rate.
func TestPacer_SpreadsSends(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, poll := range []time.Duration{time.Millisecond, 7 * time.Millisecond, 13 * time.Millisecond} {
		p := newPacer(30)
		var starts []time.Time
		for now := t0; now.Before(t0.Add(3 * time.Second)); now = now.Add(poll) {
			if p.wait(now) == 0 {
				p.take(now)
				starts = append(starts, now)
			}
		}
		// Spacing: never closer than half an interval, so at most 2 in any
		// 1/30 s and 4 in any 100 ms (a burst would start 30 at once).
		for i := 1; i < len(starts); i++ {
			if d := starts[i].Sub(starts[i-1]); d < time.Second/60 {
				t.Fatalf("poll %s: sends %d and %d %s apart", poll, i-1, i, d)
			}
		}
		for i := range starts {
			n := 0
			for j := i; j < len(starts) && starts[j].Sub(starts[i]) < 100*time.Millisecond; j++ {
				n++
			}
			if n > 4 {
				t.Fatalf("poll %s: %d sends within 100ms of %s", poll, n, starts[i].Sub(t0))
			}
		}
		// The rate: 90 in 3 seconds, give or take one.
		if n := len(starts); n < 89 || n > 91 {
			t.Errorf("poll %s: %d sends in 3 s, want 90", poll, n)
		}
	}
	// Idle for a while: one send at once, the next half an interval later
	// at the earliest, then the rate.
	p := newPacer(30)
	p.take(t0)
	later := t0.Add(time.Minute)
	if w := p.wait(later); w != 0 {
		t.Fatalf("after a minute idle waits %s", w)
	}
	p.take(later)
	if w := p.wait(later); w != p.interval-p.interval/2 {
		t.Fatalf("second send after idle waits %s, want half an interval", w)
	}
}
