package bot

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
