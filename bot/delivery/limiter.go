package delivery

import (
	"sync"
	"time"
)

// Limits are Telegram's flood limits the sender keeps to.
type Limits struct {
	GlobalPerSecond  int // messages a second in all (Telegram: 30)
	PerChatPerSecond int // messages a second to one private chat (1)
	GroupPerMinute   int // messages a minute to one group (20)
	// PaidBroadcast sends every message with allow_paid_broadcast, which
	// Telegram lets go beyond 30 a second, up to PaidBroadcastRate (at
	// most and by default 1,000), for Telegram's fee per message in Stars.
	PaidBroadcast     bool
	PaidBroadcastRate int
}

// MaxPaidBroadcastRate is Telegram's bound for paid broadcasts.
const MaxPaidBroadcastRate = 1000

// PerSecond is the rate of the whole bot, shared by every replica:
// GlobalPerSecond, or PaidBroadcastRate with paid broadcasts.
func (l Limits) PerSecond() int {
	l = l.withDefaults()
	if l.PaidBroadcast {
		return l.PaidBroadcastRate
	}
	return l.GlobalPerSecond
}

func (l Limits) withDefaults() Limits {
	if l.GlobalPerSecond <= 0 {
		l.GlobalPerSecond = 30
	}
	if l.PerChatPerSecond <= 0 {
		l.PerChatPerSecond = 1
	}
	if l.GroupPerMinute <= 0 {
		l.GroupPerMinute = 20
	}
	if l.PaidBroadcastRate <= 0 || l.PaidBroadcastRate > MaxPaidBroadcastRate {
		l.PaidBroadcastRate = MaxPaidBroadcastRate
	}
	return l
}

// limiter keeps sends inside sliding windows. A send holds its slot from
// the moment it starts until one window after Telegram answered it: the
// answer comes after Telegram counted the message, so however late a
// request travels, Telegram never sees more than the limit in any window.
// This needs no safety margin, and on loopback it loses almost nothing:
// the rate is limit / (window + round trip).
type limiter struct {
	mu      sync.Mutex
	limits  Limits
	global  *window
	chats   map[int64][]*window
	paused  map[int64]time.Time // a chat's 429 retry_after
	sweepAt time.Time
}

// window is one sliding window: the answer times of recent sends and the
// number of sends still waiting for an answer. A group has two: 1 a second
// and 20 a minute.
type window struct {
	size     time.Duration
	limit    int
	done     []time.Time // ascending
	inflight int
}

func newLimiter(l Limits) *limiter {
	l = l.withDefaults()
	return &limiter{
		limits: l,
		global: &window{size: time.Second, limit: l.PerSecond()},
		chats:  map[int64][]*window{},
		paused: map[int64]time.Time{},
	}
}

// wait says how long until one more send fits (0: now). While sends
// are in flight and fill the window, the answer is unknown; it returns a
// short poll interval then.
func (w *window) wait(now time.Time) time.Duration {
	i := 0
	for i < len(w.done) && !w.done[i].After(now.Add(-w.size)) {
		i++
	}
	w.done = w.done[i:]
	used := len(w.done) + w.inflight
	if used < w.limit {
		return 0
	}
	if len(w.done) == 0 || w.inflight >= w.limit {
		return 5 * time.Millisecond
	}
	return w.done[used-w.limit].Add(w.size).Sub(now)
}

// chat returns a chat's windows: 1 a second, and for a group (negative
// id) also 20 a minute.
func (l *limiter) chat(id int64) []*window {
	ws := l.chats[id]
	if ws == nil {
		ws = []*window{{size: time.Second, limit: l.limits.PerChatPerSecond}}
		if id < 0 {
			ws = append(ws, &window{size: time.Minute, limit: l.limits.GroupPerMinute})
		}
		l.chats[id] = ws
	}
	return ws
}

// acquire takes a slot for a send to chat and returns 0, or returns how
// long to wait before asking again and takes nothing.
func (l *limiter) acquire(chat int64, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	ws := append(l.chat(chat), l.global)
	wait := l.paused[chat].Sub(now)
	for _, w := range ws {
		wait = max(wait, w.wait(now))
	}
	if wait > 0 {
		return wait
	}
	for _, w := range ws {
		w.inflight++
	}
	return 0
}

// setGlobal sets the global window's limit: this replica's share.
func (l *limiter) setGlobal(perSecond int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.global.limit = max(perSecond, 1)
}

// release gives the slot back with the time Telegram answered.
func (l *limiter) release(chat int64, answered time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range append(l.chat(chat), l.global) {
		w.inflight--
		w.done = append(w.done, answered)
	}
}

// pause holds a chat back until `until` (Telegram's retry_after).
func (l *limiter) pause(chat int64, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.paused[chat]) {
		l.paused[chat] = until
	}
}

// sweep forgets idle chats now and then, so the maps stay small.
func (l *limiter) sweep(now time.Time) {
	if now.Before(l.sweepAt) {
		return
	}
	l.sweepAt = now.Add(time.Minute)
	for id, ws := range l.chats {
		idle := true
		for _, w := range ws {
			idle = idle && w.inflight == 0 && (len(w.done) == 0 || w.done[len(w.done)-1].Before(now.Add(-w.size)))
		}
		if idle {
			delete(l.chats, id)
		}
	}
	for id, t := range l.paused {
		if t.Before(now) {
			delete(l.paused, id)
		}
	}
}

// pacer spreads the sends evenly, one every 1/GlobalPerSecond, where the
// windows alone would let a second's quota out at once at the start of
// each window. Whatever is in flight when the process dies is "in doubt"
// and sent again after the restart; paced, that is only what the network
// holds at the rate (30 a second × the round trip), not a whole burst.
//
// It is a token bucket holding a token and a half: a round that comes a
// little late (timers, a slow query) starts at once and keeps the rate, yet
// no two sends start less than half an interval apart.
type pacer struct {
	interval time.Duration
	next     time.Time // the earliest start of the next send
}

func newPacer(perSecond int) *pacer {
	return &pacer{interval: time.Second / time.Duration(max(perSecond, 1))}
}

// setRate changes the pace, from the next send on.
func (p *pacer) setRate(perSecond int) {
	p.interval = time.Second / time.Duration(max(perSecond, 1))
}

// wait says how long until the next send may start (0: now).
func (p *pacer) wait(now time.Time) time.Duration {
	return max(p.next.Sub(now), 0)
}

// take records a send started at now.
func (p *pacer) take(now time.Time) {
	start := p.next
	if early := now.Add(-p.interval / 2); early.After(start) {
		start = early // idle for a while: no credit beyond half an interval
	}
	p.next = start.Add(p.interval)
}
