package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// replicasEnv turns on TestBinary_ReplicasKillMidBurst: it takes about a
// minute (it waits for a minute boundary and for a lease to
// expire), too slow for every `go test ./...`; .ci/run sets it.
const replicasEnv = "DEALERBOT_TEST_REPLICAS"

// replica is one `dealerbot run` of the group.
type replica struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	addr string
	dead bool
}

// roundRobin is the test's reverse proxy: each request goes to the next
// replica, as Caddy's or nginx's round robin does; a replica that does not
// answer makes it answer 502, and Telegram (the emulator) tries again.
type roundRobin struct {
	next   atomic.Uint64
	addrs  []string
	hits   []atomic.Int64
	failed atomic.Int64 // answered 502: the replica did not answer
}

func (p *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(p.next.Add(1)-1) % len(p.addrs)
	p.hits[i].Add(1)
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(&url.URL{Scheme: "http", Host: p.addrs[i]})
	}, ErrorLog: log.New(io.Discard, "", 0), ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) {
		p.failed.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}}
	proxy.ServeHTTP(w, r)
}

// freeAddr returns a loopback address nobody listens on just now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestBinary_ReplicasKillMidBurst is issue 12's test of several replicas:
// three `dealerbot run` processes in webhook mode on one PostgreSQL
// database behind a round-robin proxy; 100 chats send a burst spread over
// them; a replica is killed with SIGKILL mid-burst. Then no update is
// lost or applied twice, each chat's updates apply in order, and every
// answer arrives. Then the leader is killed after a scheduled job fired:
// another replica leads within the lease's TTL+Renew, and the job's
// messages went out once.
//
// Telegram has no idempotency key: a message it accepted in the instant
// before a kill, and that was not yet marked sent, is sent again. Those
// are counted in the log ("in doubt") and allowed, no more.
func TestBinary_ReplicasKillMidBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three replicas of the binary")
	}
	if os.Getenv(replicasEnv) == "" {
		t.Skipf("set %s=1 to run it (about a minute; .ci/run does)", replicasEnv)
	}
	dsn := storagetest.PostgresDSN(t)
	bin := buildBinary(t)
	const secret = "replica-test-secret_0123456789"

	proxy := &roundRobin{}
	front := &http.Server{Handler: proxy, ReadHeaderTimeout: 5 * time.Second}
	frontLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = front.Serve(frontLn) }()
	defer front.Close()
	emu := telegramtest.New(telegramtest.Options{Token: binToken, WebhookVia: "http://" + frontLn.Addr().String(),
		WebhookRetry: 50 * time.Millisecond})
	defer emu.Close()

	// The scheduled job of the hand-over: the morning push at a minute
	// boundary after the burst, in a store open all day on UTC.
	start := time.Now().UTC()
	pushAt := start.Add(25 * time.Second).Truncate(time.Minute).Add(time.Minute)
	if pushAt.Hour() == 23 && pushAt.Minute() >= 58 {
		t.Skip("the morning push would fall after closing time (23:59 UTC)")
	}
	env := append(binEnv(binToken), envDatabaseDSN+"="+dsn, envWebhookSecret+"="+secret)
	dir := t.TempDir()
	reps := make([]*replica, 3)
	var cfgPath string
	for i := range reps {
		reps[i] = &replica{addr: freeAddr(t), logs: &syncBuffer{}}
		proxy.addrs = append(proxy.addrs, reps[i].addr)
		cfg := fmt.Sprintf(`telegram:
  api_url: %s
  mode: webhook
  webhook:
    listen: %s
    path: hook
    public_url: https://bot.example.com
database:
  driver: postgres
store:
  time_zone: UTC
  opening_hours: "00:00-23:59"
rules:
  leads:
    morning_push: "%s"
delivery:
  shutdown_timeout: 5s
`, emu.URL(), reps[i].addr, pushAt.Format("15:04"))
		cfgPath = filepath.Join(dir, fmt.Sprintf("replica%d.yaml", i))
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	proxy.hits = make([]atomic.Int64, len(reps))

	// Two migrations at once on the empty database, as a group's
	// upgrade might start them.
	migrateConcurrently(t, bin, cfgPath, env)

	// The test's own view of the database, through the same config.
	cfg, err := LoadConfig(cfgPath, func(k string) string {
		return map[string]string{envDatabaseDSN: dsn, envWebhookSecret: secret}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDB(context.Background(), cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	const chats, each = 100, 4
	admin, err := domain.ParseRoles("admin")
	if err != nil {
		t.Fatal(err)
	}
	users := make([]telegramtest.User, chats)
	for i := range users {
		out, err := db.Invite(ctx, domain.Console, fmt.Sprintf("管理员%d", i), admin)
		if err != nil {
			t.Fatal(err)
		}
		users[i] = emu.User(int64(1000+i), "A", "", "zh")
		emu.SendText(users[i], "/start "+out.Invite.Code)
	}
	for i, r := range reps {
		r.cmd = exec.Command(bin, "run", "--config", filepath.Join(dir, fmt.Sprintf("replica%d.yaml", i)))
		r.cmd.Env, r.cmd.Stderr = env, r.logs
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.cmd.Process.Kill(); _, _ = r.cmd.Process.Wait() })
	}
	allLogs := func() string {
		var b strings.Builder
		for i, r := range reps {
			fmt.Fprintf(&b, "--- replica %d (pid %d, dead %v)\n%s", i, r.cmd.Process.Pid, r.dead, r.logs.String())
		}
		return b.String()
	}
	for _, u := range users {
		if _, err := emu.WaitMessage(ctx, u.ID, func(m telegramtest.Message) bool { return strings.Contains(m.Plain, "欢迎") }); err != nil {
			t.Fatalf("enrolment: %v\n%s", err, allLogs())
		}
	}
	// Every admin owns a lead due today, so the morning push writes to each.
	staff, err := db.ListStaff(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	due := start.Add(time.Hour)
	for _, s := range staff {
		l := &domain.Lead{StoreID: s.StoreID, Name: "客户" + s.Name, Phone: fmt.Sprintf("1380013%04d", s.ID), Source: domain.SourceWeb, Model: "汉兰达",
			OwnerID: s.ID, Pool: domain.PoolTelesales, NextDueAt: &due}
		if err := db.CreateLead(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	leader := func() (*replica, time.Time) {
		holder, until, ok, err := db.LeaseHolder(ctx, jobs.LeaseName)
		if err != nil || !ok {
			return nil, time.Time{}
		}
		for _, r := range reps {
			if strings.Contains(holder, fmt.Sprintf("/pid %d/", r.cmd.Process.Pid)) {
				return r, until
			}
		}
		return nil, until
	}
	for {
		if r, _ := leader(); r != nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no replica leads\n%s", allLogs())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The burst, then a replica that does not lead killed mid-burst.
	for n := range each {
		for i, u := range users {
			emu.SendText(u, fmt.Sprintf("/invite K%d_%d consultant", i, n))
		}
	}
	invited := func() int { return countInvites(emu, users) }
	for invited() < chats*each/4 {
		if ctx.Err() != nil {
			t.Fatalf("burst stalled\n%s", allLogs())
		}
		time.Sleep(5 * time.Millisecond)
	}
	lead, _ := leader()
	victim := reps[0]
	if victim == lead {
		victim = reps[1]
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.cmd.Wait()
	victim.dead = true
	killedAt, burstKill := invited(), time.Now()
	for invited() < chats*each {
		if time.Since(burstKill) > 45*time.Second {
			sending, _ := db.QueryCount(ctx, "SELECT COUNT(*) FROM outbox WHERE status = 'sending'")
			pending, _ := db.QueryCount(ctx, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
			unapplied, _ := db.QueryCount(ctx, "SELECT COUNT(*) FROM inbound_updates WHERE applied_at IS NULL")
			t.Fatalf("after the kill only %d of %d answers; the outbox has %d sending (the killed replica's), %d pending; %d updates not applied\n%s",
				invited(), chats*each, sending, pending, unapplied, allLogs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // settle: a repeated command would show

	// An upgrade's `dealerbot migrate` while the replicas serve.
	if out, err := migrateCmd(bin, cfgPath, env).CombinedOutput(); err != nil {
		t.Errorf("migrate while serving: %v\n%s", err, out)
	}
	// No update lost or left: every one the emulator delivered is applied.
	if n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM inbound_updates WHERE applied_at IS NULL"); err != nil || n != 0 {
		t.Errorf("%d updates not applied (%v)", n, err)
	}
	inDoubt := 0
	for _, r := range reps {
		for _, m := range inDoubtRE.FindAllStringSubmatch(r.logs.String(), -1) {
			n, _ := strconv.Atoi(m[1])
			inDoubt += n
		}
	}
	repeats := checkInvites(t, emu, users, each)
	if repeats > inDoubt {
		t.Errorf("%d answers delivered twice, but only %d were in doubt", repeats, inDoubt)
	}
	// Applied once and in order: each name has one staff record, and a
	// chat's records were created in the order of its commands.
	staff, err = db.ListStaff(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string][]int64{}
	for _, s := range staff {
		ids[s.Name] = append(ids[s.Name], s.ID)
	}
	if len(staff) != chats+chats*each {
		t.Errorf("%d staff records, want %d", len(staff), chats+chats*each)
	}
	for i := range users {
		var order []int64
		for n := range each {
			got := ids[fmt.Sprintf("K%d_%d", i, n)]
			if len(got) != 1 {
				t.Errorf("K%d_%d has %d staff records", i, n, len(got))
				continue
			}
			order = append(order, got[0])
		}
		if !slices.IsSorted(order) {
			t.Errorf("chat %d: its commands applied out of order: ids %v", i, order)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", allLogs())
	}
	t.Logf("killed replica %d after %d of %d answers; %d in doubt, %d delivered twice; proxy hits %d/%d/%d, %d answered 502",
		slices.Index(reps, victim), killedAt, chats*each, inDoubt, repeats, proxy.hits[0].Load(), proxy.hits[1].Load(), proxy.hits[2].Load(), proxy.failed.Load())

	// The leader fires the morning push at pushAt; once each admin has it,
	// the leader is killed, and another replica must lead within TTL+Renew.
	isMorning := func(m telegramtest.Message) bool { return strings.Contains(m.Plain, "今天的跟进") }
	for _, u := range users {
		if _, err := emu.WaitMessage(ctx, u.ID, isMorning); err != nil {
			t.Fatalf("morning push at %s: %v\n%s", pushAt.Format("15:04"), err, allLogs())
		}
	}
	lead, _ = leader()
	if lead == nil || lead.dead {
		t.Fatalf("no live leader\n%s", allLogs())
	}
	if n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM job_runs WHERE job = 'morning-push@main' AND at = ?", pushAt); err != nil || n != 1 {
		t.Fatalf("the morning push at %s recorded %d times (%v)", pushAt.Format("15:04"), n, err)
	}
	if err := lead.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = lead.cmd.Wait()
	lead.dead = true
	bound := jobs.DefaultLeaseTTL + jobs.DefaultLeaseRenew
	var next *replica
	for next == nil || next.dead {
		if time.Since(killed) > bound+2*time.Second {
			t.Fatalf("no replica took over within %s\n%s", bound, allLogs())
		}
		time.Sleep(50 * time.Millisecond)
		next, _ = leader()
	}
	took := time.Since(killed)
	if took > bound {
		t.Errorf("the new leader took over after %s, more than TTL+Renew = %s", took.Round(time.Millisecond), bound)
	}
	// The new leader's catch-up and hand-over window cover pushAt: neither
	// may push again. Give a second push time to arrive.
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(next.logs.String(), "scheduler leads") || time.Now().Before(deadline) {
		if ctx.Err() != nil {
			t.Fatalf("the new leader did not say it leads\n%s", allLogs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	pushes := 0
	for _, u := range users {
		n := 0
		for _, m := range emu.Messages(u.ID) {
			if isMorning(m) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("admin %d got the morning push %d times", u.ID, n)
		}
		pushes += n
	}
	if n, err := db.QueryCount(ctx, "SELECT COUNT(*) FROM job_runs WHERE job = 'morning-push@main'"); err != nil || n != 1 {
		t.Errorf("the morning push fired %d times (%v)", n, err)
	}
	_ = next.cmd.Process.Signal(syscall.SIGTERM)
	if err := next.cmd.Wait(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("the last replica did not stop cleanly: %v", err)
	}
	next.dead = true
	if t.Failed() {
		t.Logf("logs:\n%s", allLogs())
	}
	t.Logf("leader killed; replica %d led after %s (bound %s); %d morning messages for %d admins",
		slices.Index(reps, next), took.Round(time.Millisecond), bound, pushes, len(users))
}

// checkInvites checks that every /invite of every chat took effect once
// (one invite code per name) and was answered, the answers of a chat in
// the order of its commands; it returns how many answers came twice.
func checkInvites(t *testing.T, emu *telegramtest.Server, users []telegramtest.User, each int) int {
	t.Helper()
	repeats := 0
	for i, u := range users {
		codes := map[string]map[string]int{}
		var order []int
		for _, m := range emu.Messages(u.ID) {
			for _, sub := range invitedRE.FindAllStringSubmatch(m.Plain, -1) {
				if codes[sub[1]] == nil {
					codes[sub[1]] = map[string]int{}
					_, n, _ := strings.Cut(sub[1], "_")
					k, _ := strconv.Atoi(n)
					order = append(order, k)
				}
				codes[sub[1]][sub[2]]++
			}
		}
		for name, byCode := range codes {
			if len(byCode) != 1 {
				t.Errorf("/invite %s took effect %d times: %v", name, len(byCode), byCode)
			}
			for _, n := range byCode {
				repeats += n - 1
			}
		}
		if len(codes) != each {
			t.Errorf("chat %d: %d of %d commands answered", i, len(codes), each)
		}
		if !slices.IsSorted(order) {
			t.Errorf("chat %d: answers out of order: %v", i, order)
		}
	}
	return repeats
}

// migrateCmd is `dealerbot migrate` on cfgPath.
func migrateCmd(bin, cfgPath string, env []string) *exec.Cmd {
	cmd := exec.Command(bin, "migrate", "--config", cfgPath)
	cmd.Env = env
	return cmd
}

// migrateConcurrently runs two `dealerbot migrate` at once; both must
// succeed and report the same version: PostgreSQL's advisory lock lets one
// create each step and the other find it done.
func migrateConcurrently(t *testing.T, bin, cfgPath string, env []string) {
	t.Helper()
	var wg sync.WaitGroup
	out := make([][]byte, 2)
	for i := range out {
		wg.Go(func() {
			var err error
			if out[i], err = migrateCmd(bin, cfgPath, env).CombinedOutput(); err != nil {
				t.Errorf("concurrent migrate %d: %v\n%s", i, err, out[i])
			}
		})
	}
	wg.Wait()
	if !t.Failed() && (string(out[0]) != string(out[1]) || !strings.Contains(string(out[0]), "schema is at version")) {
		t.Errorf("concurrent migrates: %q, %q", out[0], out[1])
	}
}

// TestBinary_MigrateConcurrentPostgres runs two `dealerbot migrate` at once
// on an empty PostgreSQL schema, as two replicas starting together or an
// upgrade racing a start would.
func TestBinary_MigrateConcurrentPostgres(t *testing.T) {
	dsn := storagetest.PostgresDSN(t)
	bin := buildBinary(t)
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("database:\n  driver: postgres\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		migrateConcurrently(t, bin, p, append(binEnv(""), envDatabaseDSN+"="+dsn))
	}
}
