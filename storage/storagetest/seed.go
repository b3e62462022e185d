package storagetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/storage"
)

// SeedInfo says what SeedGroup stored, for benchmarks to check their
// answers against and to pick whom to act as.
type SeedInfo struct {
	Staff, Leads int
	// Stores are the group's stores, registered in db (db.Stores holds
	// them too); the first is the database's default store.
	Stores []*domain.Store
	// DueOf counts, per store id, the leads due before tomorrow.
	DueOf  map[int64]int
	Roles  map[domain.Role]int  // staff per role
	Grades map[domain.Grade]int // leads per grade
	// Calendar and Rules are what the leads' due times were computed with
	// (domain.NextFollowUp); TodayStart and TomorrowStart bound now's day
	// on that calendar.
	Calendar                  *domain.Calendar
	Rules                     domain.LeadRules
	TodayStart, TomorrowStart time.Time
	// Overdue and DueToday count the leads due before today and today.
	Overdue, DueToday int
	// ConsultantID and ConsultantTelegramID name a consultant with leads
	// due today or overdue; LeadID is one of those leads.
	ConsultantID, ConsultantTelegramID int64
	LeadID                             int64
}

// SeedCalendar returns the calendar SeedGroup computes due times on: a 4S
// showroom in China, open every day (cmd/dealerbot's default store).
func SeedCalendar() *domain.Calendar {
	loc, err := time.LoadLocation("Asia/Shanghai") // a name CRON_TZ= takes
	if err != nil {
		loc = time.FixedZone("CST", 8*3600) // the same: Shanghai has no daylight saving
	}
	return &domain.Calendar{
		Location:    loc,
		Open:        9 * 60,
		Close:       18 * 60,
		WorkingDays: []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
	}
}

// seedRowsPerInsert is how many leads one INSERT stores. Their values are
// written into the statement, not bound: the SQLite driver finds each
// bound value by a linear search, so 500 rows of 19 values would cost the
// square of 9,500, and binding fewer still cost more than parsing these.
const seedRowsPerInsert = 500

// SeedGroup fills db, a fresh database, with a dealer group's worth of
// data at now: stores registered stores (the default store "main" and
// "s002", "s003", …, each on SeedCalendar and the default rules), staff
// members spread over them in blocks of equal size (of every 20, in turn,
// 14 consultants, 4 telesales, a supervisor and a manager; unique names;
// enrolled with Telegram ids 1..staff) and leads owned by the consultants
// and telesales, each in its owner's store. The leads
// were created over the last 120 days, the newest still N; their grades
// are spread as N 10%, H 10%, A 25%, B 30%, C 15%, O 3%, F 5%, L 2%; last
// contacts and counts fit their grade and age, and each next due time is
// domain.NextFollowUp's under domain.DefaultRules and SeedCalendar, which
// leaves about a third of the leads due today or overdue. Phones are
// unique. The same arguments give the same data. A million leads take
// about half a minute on SQLite: they are written with multi-row INSERTs
// in one transaction, and the indexes are built after them
// (storage.BulkLoad).
func SeedGroup(tb testing.TB, db *storage.DB, stores, staff, leads int, now time.Time) SeedInfo {
	tb.Helper()
	if stores < 1 || staff < 20*stores || leads < 0 {
		tb.Fatalf("SeedGroup: need 20 staff in every store to own the leads, got %d stores, %d staff and %d leads", stores, staff, leads)
	}
	ctx := context.Background()
	cal, rules := SeedCalendar(), domain.DefaultRules().Leads
	today := cal.StartOfDay(now)
	info := SeedInfo{
		Staff: staff, Leads: leads, Roles: map[domain.Role]int{}, Grades: map[domain.Grade]int{},
		Calendar: cal, Rules: rules, TodayStart: today.UTC(), TomorrowStart: today.AddDate(0, 0, 1).UTC(),
		Stores: seedStores(tb, ctx, db, stores),
	}

	workers := seedStaff(tb, ctx, db, info.Stores, staff, info.Roles) // who may own leads
	consultant := map[int64]bool{}
	for _, w := range workers {
		consultant[w.id] = w.isConsultant
	}
	var dueOf map[int64]int // consultant → leads due before tomorrow
	err := db.BulkLoad(ctx, "leads", func(ctx context.Context) error {
		// From the start on every run: a transaction may be run again.
		clear(info.Grades)
		info.Overdue, info.DueToday, dueOf, info.DueOf = 0, 0, map[int64]int{}, map[int64]int{}
		// The statements are written on another core while the database
		// runs the ones before.
		stmts, stop := make(chan string, 2), make(chan struct{})
		go func() {
			defer close(stmts)
			g := leadGen{rng: rand.New(rand.NewPCG(uint64(staff), uint64(leads))), now: now, n: leads,
				cal: cal, rules: rules, workers: workers}
			batch := make([]*domain.Lead, 0, seedRowsPerInsert)
			var sql strings.Builder
			for start := 0; start < leads; start += seedRowsPerInsert {
				batch = batch[:0]
				for i := start; i < min(start+seedRowsPerInsert, leads); i++ {
					l := g.lead(i)
					batch = append(batch, l)
					info.Grades[l.Grade]++
					if l.NextDueAt == nil {
						continue
					}
					switch domain.DueAt(*l.NextDueAt, now, cal) {
					case domain.DueOverdue:
						info.Overdue++
					case domain.DueToday:
						info.DueToday++
					default:
						continue
					}
					info.DueOf[l.StoreID]++
					if consultant[l.OwnerID] {
						dueOf[l.OwnerID]++
					}
				}
				sql.Reset()
				writeLeadInsert(&sql, batch)
				select {
				case stmts <- sql.String():
				case <-stop:
					return
				}
			}
		}()
		defer func() { // let the writer end before the counts are read
			close(stop)
			for range stmts {
			}
		}()
		for stmt := range stmts {
			if err := db.ExecRaw(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("SeedGroup: %v", err)
	}

	for _, w := range workers { // the first consultant, by id, with due leads
		if w.isConsultant && dueOf[w.id] > 0 {
			info.ConsultantID, info.ConsultantTelegramID = w.id, w.telegramID
			break
		}
	}
	if info.ConsultantID != 0 {
		id, err := db.QueryCount(ctx, "SELECT MIN(id) FROM leads WHERE owner_id = ? AND next_due_at < ?",
			info.ConsultantID, info.TomorrowStart)
		if err != nil {
			tb.Fatalf("SeedGroup: sample lead: %v", err)
		}
		info.LeadID = id
	}
	return info
}

// seedStores registers n stores in db: its default store, on the seed's
// calendar and rules, and n-1 more.
func seedStores(tb testing.TB, ctx context.Context, db *storage.DB, n int) []*domain.Store {
	tb.Helper()
	list := make([]*domain.Store, n)
	for i := range list {
		code := fmt.Sprintf("s%03d", i+1)
		if i == 0 {
			code = domain.DefaultStoreCode
		}
		list[i] = &domain.Store{Code: code, Name: fmt.Sprintf("门店%03d", i+1), Calendar: SeedCalendar(), Rules: domain.DefaultRules()}
	}
	stores, err := domain.NewStores(list...)
	if err != nil {
		tb.Fatalf("SeedGroup: %v", err)
	}
	if err := db.UseStores(ctx, stores); err != nil {
		tb.Fatalf("SeedGroup: %v", err)
	}
	return stores.All()
}

// seedWorker is a staff member who may own leads.
type seedWorker struct {
	id, telegramID, storeID int64
	roles                   domain.Roles
	isConsultant            bool
}

// seedStaff stores n members, the stores' in blocks of equal size,
// counting them per role in roles, and returns the consultants and
// telesales.
func seedStaff(tb testing.TB, ctx context.Context, db *storage.DB, stores []*domain.Store, n int, roles map[domain.Role]int) []seedWorker {
	tb.Helper()
	var workers []seedWorker
	err := db.InTx(ctx, func(ctx context.Context) error {
		workers = workers[:0]
		clear(roles)
		for i := range n {
			var r domain.Role
			switch k := i % 20; {
			case k < 14:
				r = domain.RoleConsultant
			case k < 18:
				r = domain.RoleTelesales
			case k < 19:
				r = domain.RoleSupervisor
			default:
				r = domain.RoleManager
			}
			s := &domain.Staff{
				StoreID:    stores[i*len(stores)/n].ID,
				Name:       fmt.Sprintf("%s%s %06d", seedSurnames[i%len(seedSurnames)], seedGiven[i/len(seedSurnames)%len(seedGiven)], i+1),
				Roles:      domain.Roles{r},
				TelegramID: int64(i + 1),
			}
			if err := db.CreateStaff(ctx, s); err != nil {
				return fmt.Errorf("staff %d: %w", i+1, err)
			}
			roles[r]++
			if r == domain.RoleConsultant || r == domain.RoleTelesales {
				workers = append(workers, seedWorker{id: s.ID, telegramID: s.TelegramID, storeID: s.StoreID, roles: s.Roles,
					isConsultant: r == domain.RoleConsultant})
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("SeedGroup: %v", err)
	}
	return workers
}

// Words the generated people and leads are made of.
var (
	seedSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	seedGiven    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英", "霞", "平", "刚"}
	seedModels   = []string{"Camry", "Corolla", "RAV4", "Highlander", "Levin", "bZ4X", "Sienna", "Crown"}
	seedHeardVia = []string{"phone", "newspaper", "radio", "magazine", "friends", "passing by", "other"}
	seedNotes    = []string{"", "", "", "wants a test drive", "asks about financing", "comparing with a competitor",
		"trade-in of a 2015 sedan", "call after 18:00", "prefers WeChat"}
	seedLostNotes = []string{"bought a competitor", "budget too small", "postponed to next year"}
)

// seedGrades are the grades of leads past their first two weeks, by weight
// (per cent of all leads; N makes up the other 10).
var seedGrades = []struct {
	grade  domain.Grade
	weight int
}{{domain.GradeH, 10}, {domain.GradeA, 25}, {domain.GradeB, 30}, {domain.GradeC, 15}, {domain.GradeO, 3},
	{domain.GradeF, 5}, {domain.GradeL, 2}}

// leadGen makes the seeded leads, one by index.
type leadGen struct {
	rng     *rand.Rand
	now     time.Time
	n       int
	cal     *domain.Calendar
	rules   domain.LeadRules
	workers []seedWorker
}

const day = 24 * time.Hour

// lead returns lead i of n. Leads are created in index order, evenly over
// the last 120 days, so ids grow with creation time as they would.
func (g *leadGen) lead(i int) *domain.Lead {
	r := g.rng
	age := time.Duration(float64(120*day) * (1 - (float64(i)+0.5)/float64(g.n)))
	created := g.now.Add(-age).UTC().Truncate(time.Second)
	w := g.workers[r.IntN(len(g.workers))]
	src := domain.Sources[r.IntN(len(domain.Sources))]
	l := &domain.Lead{
		Name:      seedSurnames[r.IntN(len(seedSurnames))] + seedGiven[r.IntN(len(seedGiven))],
		Phone:     seedPhone(i),
		Gender:    []string{"", "M", "F"}[r.IntN(3)],
		Returning: r.IntN(10) == 0,
		Source:    src,
		HeardVia:  seedHeardVia[r.IntN(len(seedHeardVia))],
		Model:     seedModels[r.IntN(len(seedModels))],
		TradeIn:   r.IntN(5) == 0,
		Notes:     seedNotes[r.IntN(len(seedNotes))],
		StoreID:   w.storeID,
		OwnerID:   w.id,
		Pool:      domain.StartPool(src, w.roles),
		CreatedAt: created,
	}
	// A lead is N for its first week (R1.4); in its second week most are
	// still N, overdue to be graded; older ones are graded. 7 days of 120
	// and 5/7 of the next 7 make N a tenth of the leads.
	weekN := float64(g.rules.GradeAfterDays) * float64(day)
	switch {
	case float64(age) < weekN || float64(age) < 2*weekN && r.Float64() < 5.0/7:
		l.Grade = domain.GradeN
		g.contactNew(l, age)
	default:
		l.Grade = g.grade()
		g.contactGraded(l, age)
	}
	l.Reschedule(g.rules, g.cal)
	return l
}

// grade draws the grade of a lead past its first weeks.
func (g *leadGen) grade() domain.Grade {
	k := g.rng.IntN(90)
	for _, sg := range seedGrades {
		if k < sg.weight {
			return sg.grade
		}
		k -= sg.weight
	}
	return domain.GradeC
}

// contactNew gives an N lead of the given age its first-week calls: none
// yet for half of those under a day old, else one to three, the last within
// the past three days.
func (g *leadGen) contactNew(l *domain.Lead, age time.Duration) {
	r := g.rng
	if age < day && r.IntN(2) == 0 {
		return
	}
	calls := 1 + r.IntN(g.rules.GradeAfterCalls)
	last := g.now.Add(-time.Duration(r.Float64() * float64(min(age, 3*day))))
	l.LastContactAt = seedTime(last)
	l.FollowUps, l.FirstWeekFollowUps = calls, calls
}

// contactGraded gives a graded lead its history: graded a week or so after
// creation, called more often the more often its grade wants, the last
// time within 1.65 of its grade's intervals (so that about a third of all
// leads are due by tomorrow).
func (g *leadGen) contactGraded(l *domain.Lead, age time.Duration) {
	r := g.rng
	every := 15 // O, F, L: no longer followed up; as B before
	switch l.Grade {
	case domain.GradeH:
		every = g.rules.FollowUpEveryDays.H
	case domain.GradeA:
		every = g.rules.FollowUpEveryDays.A
	case domain.GradeB:
		every = g.rules.FollowUpEveryDays.B
	case domain.GradeC:
		every = g.rules.FollowUpEveryDays.C
	}
	graded := l.CreatedAt.Add(time.Duration(g.rules.GradeAfterDays)*day + time.Duration(r.IntN(72))*time.Hour)
	if graded.After(g.now) {
		graded = g.now
	}
	l.GradedAt = seedTime(graded)
	since := time.Duration(r.Float64() * 1.65 * float64(every) * float64(day))
	last := g.now.Add(-since)
	if last.Before(*l.GradedAt) {
		last = *l.GradedAt
	}
	l.LastContactAt = seedTime(last)
	l.FirstWeekFollowUps = g.rules.GradeAfterCalls
	l.FollowUps = l.FirstWeekFollowUps + int((age-time.Duration(g.rules.GradeAfterDays)*day)/(time.Duration(every)*day)) + r.IntN(2)
	if l.Grade == domain.GradeF {
		l.LostNote = seedLostNotes[r.IntN(len(seedLostNotes))]
	}
}

// seedTime returns t to the second, in UTC, as a pointer.
func seedTime(t time.Time) *time.Time {
	u := t.UTC().Truncate(time.Second)
	return &u
}

// seedPhone returns lead i's phone: a mobile number, unique per i (the
// multiplier is prime to 10⁹), that does not follow i's order.
func seedPhone(i int) string {
	return fmt.Sprintf("13%09d", (uint64(i)*387420489+123456789)%1_000_000_000)
}

// writeLeadInsert writes one INSERT of the leads into b, with their values
// written in.
func writeLeadInsert(b *strings.Builder, leads []*domain.Lead) {
	b.WriteString(`INSERT INTO leads (name, phone, gender, "returning", source, heard_via, model, grade, trade_in, notes,
		store_id, owner_id, pool, created_at, last_contact_at, follow_ups, first_week_follow_ups, next_due_at, graded_at, lost_note) VALUES `)
	var num []byte
	for i, l := range leads {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j, s := range []string{l.Name, l.Phone, l.Gender} {
			if j > 0 {
				b.WriteByte(',')
			}
			writeString(b, s)
		}
		b.WriteByte(',')
		b.WriteString(strconv.FormatBool(l.Returning))
		for _, s := range []string{string(l.Source), l.HeardVia, l.Model, string(l.Grade)} {
			b.WriteByte(',')
			writeString(b, s)
		}
		b.WriteByte(',')
		b.WriteString(strconv.FormatBool(l.TradeIn))
		b.WriteByte(',')
		writeString(b, l.Notes)
		b.WriteByte(',')
		b.Write(strconv.AppendInt(num[:0], l.StoreID, 10))
		b.WriteByte(',')
		b.Write(strconv.AppendInt(num[:0], l.OwnerID, 10))
		b.WriteByte(',')
		writeString(b, string(l.Pool))
		b.WriteByte(',')
		b.WriteString(storage.TimeLiteral(l.CreatedAt))
		b.WriteByte(',')
		writeTime(b, l.LastContactAt)
		b.WriteByte(',')
		b.Write(strconv.AppendInt(num[:0], int64(l.FollowUps), 10))
		b.WriteByte(',')
		b.Write(strconv.AppendInt(num[:0], int64(l.FirstWeekFollowUps), 10))
		b.WriteByte(',')
		writeTime(b, l.NextDueAt)
		b.WriteByte(',')
		writeTime(b, l.GradedAt)
		b.WriteByte(',')
		writeString(b, l.LostNote)
		b.WriteByte(')')
	}
}

// writeString writes s as an SQL string literal.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	b.WriteString(strings.ReplaceAll(s, "'", "''"))
	b.WriteByte('\'')
}

// writeTime writes t as an SQL literal, NULL for nil.
func writeTime(b *strings.Builder, t *time.Time) {
	if t == nil {
		b.WriteString("NULL")
		return
	}
	b.WriteString(storage.TimeLiteral(*t))
}
