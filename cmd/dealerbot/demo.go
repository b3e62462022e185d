package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dealerbot/dealerbot/bot/telegramtest"
	"github.com/dealerbot/dealerbot/domain"
)

// The demo runs the real bot against the Bot API emulator over loopback
// HTTP, with SQLite in a local file: no token, no network. The terminal is
// the phone of whichever demo staff member you are.

// demoStaff are the people of the demo store.
var demoStaff = []struct{ name, roles string }{
	{"王经理", "manager,admin"},
	{"李主管", "supervisor"},
	{"张电销", "telesales"},
	{"陈顾问", "consultant"},
	{"刘顾问", "consultant"},
	{"赵接待", "reception"},
	{"孙客服", "service"},
}

// The demo's leads are in demoLeads below.

const demoHelp = `Demo commands (everything else goes to the bot as the current person):
  /as NAME       be someone else (a name not on the staff is a stranger's phone)
  /who           the demo people
  /press N       press button N of the last message with buttons you got (or just #N)
  /clock         the demo clock; /clock +1d, +2h, +30m moves it and runs the jobs due
  /demo          this help;  /quit  leave
  {invite}       in a line, stands for the last invite code the bot handed out
`

// demoClock is the demo's adjustable clock.
type demoClock struct{ offset time.Duration }

func cmdDemo(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	var c commonFlags
	fs := newFlagSet("demo", stderr, &c)
	script := fs.String("script", "", "run the lines of FILE instead of reading the terminal, and print the transcript")
	dbPath := fs.String("db", "", "keep the demo database in FILE (default: a temporary file, removed at exit)")
	at := fs.String("at", "", `start the demo clock at "2006-01-02 15:04" store time (default: now)`)
	logLevel := fs.String("log", "error", "log level of the bot's own log, to stderr: debug, info, warn, error")
	filesDir := fs.String("files", "", "save every document and photo the bot sends (registers, exports, charts) in DIR (default: a new temporary folder, kept at exit)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(c.config, getenv)
	if err != nil {
		return err
	}
	loc := cfg.Calendar().Location
	cfg.Database.Driver = "sqlite"
	if *dbPath == "" {
		dir, err := os.MkdirTemp("", "dealerbot-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dbPath = filepath.Join(dir, "demo.db")
	}
	cfg.Database.Path = *dbPath
	cfg.Delivery.ShutdownTimeout = 3 * time.Second
	cfg.Telegram.PollTimeout = 5 * time.Second

	start := time.Now()
	if *at != "" {
		if start, err = time.ParseInLocation("2006-01-02 15:04", *at, loc); err != nil {
			return fmt.Errorf("demo --at: %q is not like 2026-12-01 09:00", *at)
		}
	}
	clock := &demoClock{offset: time.Until(start)}
	now := func() time.Time { return time.Now().Add(clock.offset).In(loc) }

	var in io.Reader = stdin
	if *script != "" {
		f, err := os.Open(*script)
		if err != nil {
			return fmt.Errorf("demo --script: %w", err)
		}
		defer f.Close()
		in = f
	}

	cfg.Log.Level = *logLevel
	log := newLogger(cfg.Log, stderr)
	emu := telegramtest.New(telegramtest.Options{Now: now, BotUsername: "dealerbot_demo_bot"})
	defer emu.Close()
	app, err := NewApp(ctx, cfg, log, now, emu.URL(), emu.Token())
	if err != nil {
		return err
	}
	defer app.Close()

	// The files the bot sends are kept where a newcomer can open them.
	if *filesDir == "" {
		if *filesDir, err = os.MkdirTemp("", "dealerbot-demo-files-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(*filesDir, 0o755); err != nil {
		return fmt.Errorf("demo --files: %w", err)
	}
	d := &demo{ctx: ctx, app: app, emu: emu, out: stdout, now: now, clock: clock, echo: *script != "", people: map[string]telegramtest.User{},
		names: map[int64]string{}, files: *filesDir}
	if err := d.seed(); err != nil {
		return err
	}
	emu.OnBotMessage(d.show)

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Bot.Start(runCtx) }()
	defer func() { stop(); <-done }()

	d.mu.Lock()
	fmt.Fprintf(stdout, "dealerbot demo — %s — clock %s (%s)\nYou are %s. Type /demo for the demo's commands, /help for the bot's.\nDocuments and photos the bot sends are saved in %s\n\n",
		cfg.Store.Name, now().Format("2006-01-02 15:04 Mon"), loc, d.me, d.files)
	d.mu.Unlock()
	return d.loop(in)
}

// demo is the terminal chat's state.
type demo struct {
	ctx   context.Context
	app   *App
	emu   *telegramtest.Server
	out   io.Writer
	now   func() time.Time
	clock *demoClock
	echo  bool

	// mu guards what the emulator's observer (another goroutine) touches.
	mu      sync.Mutex
	me      string
	people  map[string]telegramtest.User
	names   map[int64]string // chat id → person
	nextID  int64
	buttons map[string][]demoButton // per person: the last message to them that had any
	invite  string                  // the last invite code seen
	files   string                  // where sent documents and photos are saved
	saved   int                     // how many so far, numbering their names
}

type demoButton struct {
	chatID int64
	msgID  int
	data   string
}

// seed enrols the demo staff directly in the store, as if each had
// redeemed an invite, and publishes their menus.
func (d *demo) seed() error {
	d.nextID = 5000
	for _, p := range demoStaff {
		roles, err := domain.ParseRoles(p.roles)
		if err != nil {
			return err
		}
		_, inv, err := d.app.DB.InviteStaff(d.ctx, p.name, roles, d.app.Config.Rules.Staff.InviteTTL)
		if err != nil {
			return fmt.Errorf("demo staff %s: %w", p.name, err)
		}
		u := d.person(p.name)
		d.emu.OpenChat(u)
		if _, err := d.app.DB.RedeemInvite(d.ctx, inv.Code, u.ID, domain.LangZH); err != nil {
			return fmt.Errorf("demo staff %s: %w", p.name, err)
		}
	}
	staff, err := d.app.DB.ListStaff(d.ctx, false)
	if err != nil {
		return err
	}
	if err := d.seedLeads(staff); err != nil {
		return err
	}
	d.app.Bot.PublishMenus(d.ctx, staff)
	d.me = demoStaff[0].name
	return nil
}

// demoLeads are a few customers at different stages: some due today, some
// overdue, one still ungraded after its first week.
var demoLeads = []struct {
	owner, name, phone, model string
	grade                     domain.Grade
	source                    domain.Source
	ageDays, contactDaysAgo   int // contactDaysAgo < 0: never contacted
}{
	{"陈顾问", "王石", "13800138000", "轩逸", domain.GradeH, domain.SourceWalkIn, 6, 3},
	{"陈顾问", "李娜", "13900139001", "天籁", domain.GradeA, domain.SourceReferral, 20, 9},
	{"陈顾问", "赵强", "13700137002", "逍客", domain.GradeB, domain.SourceAutoShow, 30, 5},
	{"刘顾问", "孙丽", "13600136003", "奇骏", domain.GradeN, domain.SourceWalkIn, 9, 4},
	{"刘顾问", "周杰", "13500135004", "轩逸", domain.GradeC, domain.SourceWalkIn, 60, 31},
	{"张电销", "吴磊", "13300133005", "天籁", domain.GradeN, domain.SourceCall, 0, -1},
	{"张电销", "郑爽", "13200132006", "逍客", domain.GradeA, domain.SourceWeb, 12, 7},
}

// seedLeads logs the demo leads as their owners would have, days ago.
func (d *demo) seedLeads(staff []*domain.Staff) error {
	byName := map[string]*domain.Staff{}
	for _, s := range staff {
		byName[s.Name] = s
	}
	rules, cal, now := d.app.Config.Rules.Leads, d.app.Config.Calendar(), d.now()
	for _, x := range demoLeads {
		owner := byName[x.owner]
		l := &domain.Lead{StoreID: owner.StoreID, Name: x.name, Phone: x.phone, Model: x.model, Grade: x.grade, Source: x.source,
			OwnerID: owner.ID, Pool: domain.StartPool(x.source, owner.Roles), CreatedAt: now.AddDate(0, 0, -x.ageDays).Add(-2 * time.Hour)}
		if x.contactDaysAgo >= 0 {
			at := now.AddDate(0, 0, -x.contactDaysAgo).Add(-time.Hour)
			l.LastContactAt, l.FollowUps = &at, 1
		}
		l.Reschedule(rules, cal)
		if err := d.app.DB.CreateLead(d.ctx, l); err != nil {
			return fmt.Errorf("demo lead %s: %w", x.name, err)
		}
		if l.LastContactAt != nil {
			fu := &domain.FollowUp{LeadID: l.ID, StaffID: owner.ID, Channel: domain.ChannelPhone, Note: "电话沟通，了解需求", At: *l.LastContactAt, GradeBefore: l.Grade, GradeAfter: l.Grade}
			if err := d.app.DB.AddFollowUp(d.ctx, fu); err != nil {
				return err
			}
		}
	}
	return nil
}

// person returns the Telegram user of a demo person, making one if new.
func (d *demo) person(name string) telegramtest.User {
	if u, ok := d.people[name]; ok {
		return u
	}
	d.nextID++
	u := d.emu.User(d.nextID, name, "", "zh-hans")
	d.people[name] = u
	d.names[u.ID] = name
	return u
}

// printf writes to the terminal without interleaving with the observer.
func (d *demo) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.out, format, args...)
}

// current is who the terminal speaks as.
func (d *demo) current() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.me
}

// loop reads lines until EOF or /quit.
func (d *demo) loop(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	for {
		if !d.echo {
			d.printf("%s> ", d.current())
		}
		if !sc.Scan() {
			if !d.echo {
				d.printf("\n")
			}
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if d.echo {
			if line == "" {
				d.printf("\n")
				continue
			}
			if strings.HasPrefix(line, "#") && !isPressShortcut(line) {
				d.printf("%s\n", line)
				continue
			}
			d.printf("%s> %s\n", d.current(), line)
		}
		if line == "" {
			continue
		}
		if quit, err := d.handle(line); err != nil {
			d.printf("  (demo) %v\n", err)
		} else if quit {
			return nil
		}
		if d.ctx.Err() != nil {
			return nil
		}
	}
}

func isPressShortcut(s string) bool {
	return len(s) > 1 && s[0] == '#' && strings.Trim(s[1:], "0123456789") == ""
}

// handle runs one line: a demo command, or a message to the bot.
func (d *demo) handle(line string) (quit bool, err error) {
	d.mu.Lock()
	locked := true
	unlock := func() {
		if locked {
			d.mu.Unlock()
			locked = false
		}
	}
	defer unlock()
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch {
	case cmd == "/quit" || cmd == "/exit":
		return true, nil
	case cmd == "/demo":
		fmt.Fprint(d.out, demoHelp)
		return false, nil
	case cmd == "/who":
		for _, p := range demoStaff {
			fmt.Fprintf(d.out, "  %s (%s)\n", p.name, p.roles)
		}
		return false, nil
	case cmd == "/as":
		if arg == "" {
			return false, errors.New("say who: /as 陈顾问")
		}
		_, known := d.people[arg]
		d.person(arg)
		d.me = arg
		if !known {
			fmt.Fprintf(d.out, "  (demo) %s is a new Telegram user, not on the staff\n", arg)
		}
		return false, nil
	case cmd == "/clock":
		unlock() // jobs may send, and the observer prints
		return false, d.moveClock(arg)
	case cmd == "/press" || isPressShortcut(cmd):
		n := strings.TrimPrefix(cmd, "#")
		if cmd == "/press" {
			n = arg
		}
		return false, d.press(n, unlock)
	}
	if strings.Contains(line, "{invite}") {
		if d.invite == "" {
			return false, errors.New("no invite code seen yet: /invite NAME ROLE first")
		}
		line = strings.ReplaceAll(line, "{invite}", d.invite)
	}
	u := d.person(d.me)
	unlock()
	id := d.emu.SendText(u, line)
	ctx, cancel := context.WithTimeout(d.ctx, 15*time.Second)
	defer cancel()
	if err := d.app.Bot.WaitHandled(ctx, int64(id)); err != nil {
		return false, err
	}
	return false, d.drain() // what it pushed to others, too
}

// press presses button n (1-based) of the last message that had buttons.
func (d *demo) press(n string, unlock func()) error {
	var i int
	mine := d.buttons[d.me]
	if _, err := fmt.Sscan(n, &i); err != nil || i < 1 || i > len(mine) {
		return fmt.Errorf("no button %q here (%d on the last message)", n, len(mine))
	}
	b, u := mine[i-1], d.person(d.me)
	unlock()
	qid, err := d.emu.PressButton(u, b.chatID, b.msgID, b.data)
	if err != nil {
		return err
	}
	id := d.emu.LastUpdateID()
	ctx, cancel := context.WithTimeout(d.ctx, 15*time.Second)
	defer cancel()
	if err := d.app.Bot.WaitHandled(ctx, int64(id)); err != nil {
		return err
	}
	a, err := d.emu.WaitCallbackAnswer(ctx, qid)
	if err == nil && a.Text != "" {
		d.printf("  (popup) %s\n", a.Text)
	}
	if err != nil {
		return err
	}
	return d.drain()
}

// moveClock shows or moves the demo clock, running the jobs that fall due.
func (d *demo) moveClock(arg string) error {
	if arg == "" {
		d.printf("  (demo) clock %s\n", d.now().Format("2006-01-02 15:04 Mon"))
		return nil
	}
	step, err := parseStep(arg)
	if err != nil {
		return err
	}
	from := d.now()
	d.clock.offset += step
	to := d.now()
	d.printf("  (demo) clock %s → %s\n", from.Format("01-02 15:04"), to.Format("2006-01-02 15:04 Mon"))
	// Frequent jobs would fill the screen: say how often each ran, and
	// every failure.
	// Deadlines fire at their second: show it when it is not :00.
	stamp := func(t time.Time) string {
		if t.Second() != 0 {
			return t.Format("01-02 15:04:05")
		}
		return t.Format("01-02 15:04")
	}
	var order []string
	runs := map[string][]string{}
	for _, f := range d.app.Jobs.Advance(d.ctx, from, to) {
		if _, seen := runs[f.Job]; !seen {
			order = append(order, f.Job)
		}
		runs[f.Job] = append(runs[f.Job], stamp(f.At))
		if f.Err != nil {
			d.printf("  (demo) job %s at %s failed: %v\n", f.Job, stamp(f.At), f.Err)
		}
	}
	for _, job := range order {
		at := runs[job]
		if len(at) <= 3 {
			d.printf("  (demo) job %s ran at %s\n", job, strings.Join(at, ", "))
		} else {
			d.printf("  (demo) job %s ran %d times\n", job, len(at))
		}
	}
	return d.drain()
}

// demoIdle is how long drain waits: as long as the bot keeps sending
// (a week of pushes at Telegram's one message a second per chat takes
// a while), but no more than stall without a message going out, and
// never more than max in all.
var demoIdle = idleWait{poll: 20 * time.Millisecond, stall: 10 * time.Second, max: 5 * time.Minute}

// drain waits until the bot is idle — nothing pending or being sent in
// the outbox — so the pushes print before the next prompt and the next
// command's answer follows its line. When the sending stalls it says how
// many are left (they print as they go).
func (d *demo) drain() error {
	left, err := demoIdle.wait(d.ctx, func(ctx context.Context) (int, error) {
		st, err := d.app.DB.OutboxStats(ctx)
		if err != nil {
			return 0, err
		}
		return st.Pending, nil
	})
	if err != nil || left == 0 {
		return err
	}
	d.printf("  (demo) %d messages still waiting to be sent; they print when they go\n", left)
	return nil
}

// idleWait is a policy for waiting until a backlog is empty.
type idleWait struct{ poll, stall, max time.Duration }

// wait polls pending until it is 0 and returns 0; or returns what is left
// when it has not fallen below its lowest yet for w.stall, or after w.max
// in all, or when ctx ends.
func (w idleWait) wait(ctx context.Context, pending func(context.Context) (int, error)) (int, error) {
	start := time.Now()
	lowest, progressAt := -1, start
	for {
		n, err := pending(ctx)
		if err != nil || n == 0 {
			return n, err
		}
		now := time.Now()
		if lowest < 0 || n < lowest {
			lowest, progressAt = n, now
		}
		if now.Sub(progressAt) >= w.stall || now.Sub(start) >= w.max {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return n, nil
		case <-time.After(w.poll):
		}
	}
}

// parseStep reads "+1d", "+2h30m", "45m".
func parseStep(s string) (time.Duration, error) {
	s = strings.TrimPrefix(s, "+")
	var total time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		var n int
		if _, err := fmt.Sscan(days, &n); err != nil || n < 0 {
			return 0, fmt.Errorf("%q: say +1d, +2h or +30m", s)
		}
		total, s = time.Duration(n)*24*time.Hour, rest
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("%q: say +1d, +2h or +30m", s)
		}
		total += d
	}
	if total <= 0 {
		return 0, errors.New("the clock only moves forward: +1d, +2h, +30m")
	}
	return total, nil
}

// show prints what the bot did: answers in my chat, pushes to others.
func (d *demo) show(ev telegramtest.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ev.Kind != telegramtest.EventSent && ev.Kind != telegramtest.EventEdited {
		return
	}
	m := ev.Message
	if code := inviteCodeRE.FindStringSubmatch(m.Plain); code != nil {
		d.invite = code[1]
	}
	who := d.names[ev.ChatID]
	if who == "" {
		who = fmt.Sprintf("chat %d", ev.ChatID)
	}
	prefix := "  bot: "
	if who != d.me {
		prefix = "  → " + who + ": "
	}
	if ev.Kind == telegramtest.EventEdited {
		prefix += "(edited) "
	}
	indent := strings.Repeat(" ", len([]rune(prefix)))
	fmt.Fprintln(d.out, prefix+strings.ReplaceAll(m.Plain, "\n", "\n"+indent))
	if ev.Kind == telegramtest.EventSent {
		for _, f := range []*telegramtest.File{m.Document, m.Photo} {
			if f == nil {
				continue
			}
			if path, err := d.save(f); err != nil {
				fmt.Fprintln(d.out, indent+"(demo) could not save "+f.Name+": "+err.Error())
			} else {
				fmt.Fprintln(d.out, indent+"📎 "+path)
			}
		}
	}
	if len(m.Buttons) == 0 {
		return
	}
	// Buttons are remembered for whoever got them: /as them, then #N.
	var mine []demoButton
	var row []string
	for _, r := range m.Buttons {
		for _, b := range r {
			mine = append(mine, demoButton{chatID: ev.ChatID, msgID: m.ID, data: b.Data})
			row = append(row, fmt.Sprintf("[%d] %s", len(mine), b.Text))
		}
	}
	if d.buttons == nil {
		d.buttons = map[string][]demoButton{}
	}
	d.buttons[who] = mine
	fmt.Fprintln(d.out, indent+strings.Join(row, "  "))
}

// save writes a file the bot sent into the demo's folder, numbered in
// the order sent (a register sent to two people is two files), and
// returns its path.
func (d *demo) save(f *telegramtest.File) (string, error) {
	if f.Data == nil {
		return "", fmt.Errorf("sent as a URL (%s), not uploaded", f.URL)
	}
	name := filepath.Base(strings.ReplaceAll(f.Name, "\\", "/"))
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	if filepath.Ext(name) == "" {
		switch f.MimeType {
		case "image/png":
			name += ".png"
		case "image/jpeg":
			name += ".jpg"
		}
	}
	d.saved++
	path := filepath.Join(d.files, fmt.Sprintf("%03d_%s", d.saved, name))
	if err := os.WriteFile(path, f.Data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// inviteCodeRE finds an invite code in the bot's answers, for {invite}.
var inviteCodeRE = regexp.MustCompile(`start=([A-Z2-7]{16})`)
