package telegramtest

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// FaultKind selects how an injected failure looks to the client.
type FaultKind int

const (
	// FaultTooManyRequests answers 429 with parameters.retry_after, which
	// go-telegram/bot surfaces as *bot.TooManyRequestsError.
	FaultTooManyRequests FaultKind = iota + 1
	// FaultServerError answers 500 "Internal Server Error" in Telegram's
	// JSON envelope.
	FaultServerError
	// FaultDrop closes the TCP connection without any response, like a
	// network failure mid-request.
	FaultDrop
	// FaultBadGateway answers 502 with an HTML body, as Telegram's front
	// proxies do during outages; the client cannot decode it as JSON.
	FaultBadGateway
	// FaultBadRequest answers 400 "Bad Request: " + Fault.Description
	// (default "message is too long"): Telegram refusing a call for good,
	// which go-telegram/bot surfaces as bot.ErrorBadRequest.
	FaultBadRequest
	// FaultSlowAnswer lets the call take effect (the message is sent) but
	// holds its answer for Fault.Delay, or until the client gives up: a
	// Telegram that accepted a message whose answer comes too late.
	FaultSlowAnswer
)

// Fault describes one injected failure.
type Fault struct {
	Kind FaultKind // how the call fails
	// RetryAfter is the retry_after of a FaultTooManyRequests, in seconds
	// (default 1).
	RetryAfter int
	// Description is the reason of a FaultBadRequest, without the
	// "Bad Request: " prefix.
	Description string
	// Delay is how long a FaultSlowAnswer holds the answer (default 1 s).
	Delay time.Duration
}

type faultEntry struct {
	fault     Fault
	remaining int
}

// Fail makes the next n calls of method (case-insensitive) fail with f.
// Failed calls have no effect: nothing is stored, no update is confirmed.
// It panics if the method is not emulated. Calls to Fail queue up: Fail(m, 1, a); Fail(m, 2, b) fails the next call
// with a and the two after it with b.
func (s *Server) Fail(method string, n int, f Fault) {
	if n <= 0 {
		return
	}
	if f.Kind == FaultTooManyRequests && f.RetryAfter <= 0 {
		f.RetryAfter = 1
	}
	if f.Kind == FaultSlowAnswer && f.Delay <= 0 {
		f.Delay = time.Second
	}
	key := strings.ToLower(method)
	if _, ok := handlers[key]; !ok {
		// A typo would otherwise make the fault silently never fire.
		panic(fmt.Sprintf("telegramtest: Fail: %q is not an emulated method", method))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[key] = append(s.faults[key], &faultEntry{fault: f, remaining: n})
}

// DelayDownloads makes the next n file downloads (the /file/bot<token>/
// route, not getFile) wait d before they answer, or until the client gives
// up: a slow network between the bot and Telegram's file servers.
func (s *Server) DelayDownloads(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ; n > 0; n-- {
		s.slowDownloads = append(s.slowDownloads, d)
	}
}

// takeDownloadDelay is the delay of the download starting now (0: none).
func (s *Server) takeDownloadDelay() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.slowDownloads) == 0 {
		return 0
	}
	d := s.slowDownloads[0]
	s.slowDownloads = s.slowDownloads[1:]
	return d
}

// ClearFaults drops every fault not yet triggered.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string][]*faultEntry{}
	s.random = nil
}

// randomFault fails a share of a method's calls, drawn from a seeded
// source so a failing run can be replayed.
type randomFault struct {
	p      float64
	rng    *rand.Rand
	faults []Fault
}

// FailRandomly makes each call of method fail with probability p, with one
// of faults picked at random; p = 0 turns it off. Queued faults (Fail) go
// first. The draw is seeded, so the same calls in the same order fail the
// same way.
func (s *Server) FailRandomly(method string, p float64, seed uint64, faults ...Fault) {
	key := strings.ToLower(method)
	if _, ok := handlers[key]; !ok {
		panic(fmt.Sprintf("telegramtest: FailRandomly: %q is not an emulated method", method))
	}
	for i, f := range faults {
		if f.Kind == FaultTooManyRequests && f.RetryAfter <= 0 {
			faults[i].RetryAfter = 1
		}
		if f.Kind == FaultSlowAnswer && f.Delay <= 0 {
			faults[i].Delay = time.Second
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.random == nil {
		s.random = map[string]*randomFault{}
	}
	if p <= 0 || len(faults) == 0 {
		delete(s.random, key)
		return
	}
	s.random[key] = &randomFault{p: p, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), faults: faults}
}

func (s *Server) takeFaultLocked(method string) (Fault, bool) {
	q := s.faults[method]
	if len(q) == 0 {
		if r := s.random[method]; r != nil && r.rng.Float64() < r.p {
			return r.faults[r.rng.IntN(len(r.faults))], true
		}
		return Fault{}, false
	}
	f := q[0].fault
	q[0].remaining--
	if q[0].remaining == 0 {
		s.faults[method] = q[1:]
	}
	return f, true
}

// holdAnswer waits out a FaultSlowAnswer's delay, or until the client
// stops waiting.
func holdAnswer(r *http.Request, f Fault) {
	t := time.NewTimer(f.Delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f.Kind {
	case FaultTooManyRequests:
		s.writeReply(w, nil, tooManyRequests(f.RetryAfter))
	case FaultBadRequest:
		desc := f.Description
		if desc == "" {
			desc = "message is too long"
		}
		s.writeReply(w, nil, badRequest("%s", desc))
	case FaultBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n")
	case FaultDrop:
		// Drain the body first so the client sees a clean EOF instead of a
		// reset racing with its own write.
		_, _ = io.Copy(io.Discard, r.Body)
		hj, ok := w.(http.Hijacker)
		if !ok {
			// Cannot happen over HTTP/1.1; fall back to the closest thing.
			s.writeReply(w, nil, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error"})
			return
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
	default:
		s.writeReply(w, nil, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error"})
	}
}

// SentRecord is one accepted send (sendMessage, sendDocument, sendPhoto),
// timestamped with Options.Now, so tests can measure the bot's send rate.
type SentRecord struct {
	Method    string    // Telegram spelling, e.g. "sendMessage"
	ChatID    int64     // destination chat
	MessageID int       // id of the message created
	At        time.Time // Options.Now when accepted
	Paid      bool      // sent with allow_paid_broadcast
}

// canonicalMethod restores Telegram's spelling for the send log.
var canonicalMethod = map[string]string{
	"sendmessage":  "sendMessage",
	"senddocument": "sendDocument",
	"sendphoto":    "sendPhoto",
}

func (s *Server) recordSendLocked(method string, sm *storedMessage, paid bool) {
	if m, ok := canonicalMethod[method]; ok {
		method = m
	}
	s.sent = append(s.sent, SentRecord{Method: method, ChatID: sm.view.ChatID, MessageID: sm.view.ID, At: sm.view.Date, Paid: paid})
}

// Sent returns every accepted send in order, whether or not limits are
// enforced.
func (s *Server) Sent() []SentRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentRecord(nil), s.sent...)
}

// RateLimited is the number of 429 responses served, injected or enforced.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served429
}

// checkLimitsLocked enforces Telegram's flood limits when
// Options.EnforceLimits is on. Windows are sliding and strict, with no burst
// allowance: with the default of 1 per chat per second, a second send to the
// same chat less than one second after the first is refused, one exactly a
// second later is accepted. A send with allow_paid_broadcast (paid) counts
// against Options.PaidPerSecond (1,000) for all sends together; one without
// against Options.GlobalPerSecond (30) for the sends without it, so the
// free rate is never exceeded by unpaid messages whatever the paid ones do.
func (s *Server) checkLimitsLocked(c *chatState, paid bool) *apiError {
	if !s.opts.EnforceLimits {
		return nil
	}
	now := s.now()
	id := c.chat.ID
	wait := s.windowWaitLocked(now, time.Second, s.opts.PerChatPerSecond, func(r SentRecord) bool { return r.ChatID == id })
	if paid {
		wait = max(wait, s.windowWaitLocked(now, time.Second, s.opts.PaidPerSecond, func(SentRecord) bool { return true }))
	} else {
		wait = max(wait, s.windowWaitLocked(now, time.Second, s.opts.GlobalPerSecond, func(r SentRecord) bool { return !r.Paid }))
	}
	if c.isGroup() {
		wait = max(wait, s.windowWaitLocked(now, time.Minute, s.opts.GroupPerMinute, func(r SentRecord) bool { return r.ChatID == id }))
	}
	if wait <= 0 {
		return nil
	}
	// retry_after is whole seconds, rounded up so that waiting it out is
	// always enough.
	secs := int((wait + time.Second - 1) / time.Second)
	return tooManyRequests(max(secs, 1))
}

// windowWaitLocked returns how long until one more matching send fits in the
// window (0 if it fits now). The window is (now-window, now]. If k sends are
// in it and the limit is max, the (k-max+1)-th oldest must leave first.
func (s *Server) windowWaitLocked(now time.Time, window time.Duration, limit int, match func(SentRecord) bool) time.Duration {
	from := now.Add(-window)
	var times []time.Time // newest first
	for i := len(s.sent) - 1; i >= 0; i-- {
		r := s.sent[i]
		if !r.At.After(from) {
			break
		}
		if match(r) {
			times = append(times, r.At)
		}
	}
	if len(times) < limit {
		return 0
	}
	// Ascending index len-limit is newest-first index limit-1.
	blocking := times[limit-1]
	return blocking.Add(window).Sub(now)
}
