package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// Reports (issue 15), domain.ReportService: each figure is a grouped
// count (COUNT, SUM over CASE, GROUP BY owner or kind) of one store and
// period, answered from the indexes of migration 0027; no lead, visit or
// complaint is loaded to be counted in Go. Go only adds up the grouped
// rows (a store's staff rows into its total, stores into the group's).

var _ domain.ReportService = (*DB)(nil)

// Report implements domain.ReportService.
func (db *DB) Report(ctx context.Context, by int64, q domain.ReportQuery) (*domain.Report, error) {
	if q.Period.Kind == "" {
		return nil, domain.Errorkf(domain.EINVALID, "err.report_period", []any{""}, "no period")
	}
	var out *domain.Report
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.actor(ctx, by)
		if err != nil {
			return err
		}
		scope, err := domain.ReportScopeFor(actor, q)
		if err != nil {
			return err
		}
		now := db.now()
		rep := &domain.Report{Scope: scope, Period: q.Period, AsOf: now}
		home := db.Stores.Of(actor.StoreID)
		switch scope {
		case domain.ScopeGroup:
			rep.Group = &domain.Figures{}
			for _, st := range db.Stores.All() {
				sr, err := db.storeReport(ctx, st, q.Period, now, "", 0)
				if err != nil {
					return err
				}
				rep.Stores = append(rep.Stores, *sr)
				rep.Group.Add(sr.Total)
			}
		case domain.ScopeStore:
			sr, err := db.storeReport(ctx, home, q.Period, now, domain.ReportDepartment(actor), 0)
			if err != nil {
				return err
			}
			rep.Stores = []domain.StoreReport{*sr}
		default: // one person: the asker, or a member of the asker's store by name
			who := actor
			if scope == domain.ScopeConsultant {
				if who, err = db.StaffByName(ctx, actor.StoreID, q.Name); err != nil {
					return err
				}
			}
			sr, err := db.storeReport(ctx, home, q.Period, now, "", who.ID)
			if err != nil {
				return err
			}
			if len(sr.Staff) == 0 {
				sr.Staff = []domain.StaffReport{{StaffID: who.ID, Name: who.Name, Roles: who.Roles}}
			}
			rep.Stores = []domain.StoreReport{*sr}
		}
		out = rep
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReportSummaries implements domain.ReportService.
func (db *DB) ReportSummaries(ctx context.Context, store int64, kind domain.PeriodKind, now time.Time) ([]domain.ReportSummary, error) {
	st := db.Stores.ByID(store)
	if st == nil {
		return nil, db.knownStore(store)
	}
	p := domain.PeriodOf(kind, now, st.Calendar)
	if p.Kind != domain.PeriodDay {
		p = p.Previous()
	}
	var out []domain.ReportSummary
	err := db.InTx(ctx, func(ctx context.Context) error {
		var to []*domain.Staff
		for _, r := range []domain.Role{domain.RoleSupervisor, domain.RoleManager} {
			list, err := db.StaffWithRole(ctx, store, r)
			if err != nil {
				return err
			}
			for _, s := range domain.Reachable(list) {
				if !slices.ContainsFunc(to, func(o *domain.Staff) bool { return o.ID == s.ID }) {
					to = append(to, s)
				}
			}
		}
		byDept := map[string]*domain.StoreReport{}
		for _, s := range to {
			dept := domain.ReportDepartment(s)
			sr := byDept[dept]
			if sr == nil {
				var err error
				if sr, err = db.storeReport(ctx, st, p, now, dept, 0); err != nil {
					return err
				}
				byDept[dept] = sr
			}
			rep := &domain.Report{Scope: domain.ScopeStore, Period: p, AsOf: now, Stores: []domain.StoreReport{*sr}}
			if rep.Empty() {
				continue
			}
			out = append(out, domain.ReportSummary{To: s, Report: rep, Key: domain.ReportKey(p, s.ID)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// storeReport computes store st's report of period p (re-read in the
// store's zone) at asOf: its complaints limited to dept when set; only
// one person's figures (and no complaints or stock) when only is set.
func (db *DB) storeReport(ctx context.Context, st *domain.Store, p domain.ReportPeriod, asOf time.Time, dept string, only int64) (*domain.StoreReport, error) {
	p = p.In(st.Calendar)
	r := &reportRun{db: db, st: st, p: p, asOf: asOf, only: only, rows: map[int64]*domain.StaffReport{}}
	sr := &domain.StoreReport{StoreID: st.ID, Code: st.Code, Name: st.Name, Department: dept, Period: p}
	for _, step := range []func(context.Context, *domain.Figures) error{
		r.funnel, r.discipline, r.telesales, r.rota,
	} {
		if err := step(ctx, &sr.Total); err != nil {
			return nil, fmt.Errorf("report of store %s: %w", st.Code, err)
		}
	}
	if only == 0 {
		var err error
		if sr.Total.Complaints, err = r.complaints(ctx, dept); err != nil {
			return nil, fmt.Errorf("report of store %s: %w", st.Code, err)
		}
		if sr.Total.Stock, err = r.stock(ctx); err != nil {
			return nil, fmt.Errorf("report of store %s: %w", st.Code, err)
		}
	}
	staff, err := r.staffRows(ctx)
	if err != nil {
		return nil, fmt.Errorf("report of store %s: %w", st.Code, err)
	}
	sr.Staff = staff
	if only != 0 && len(staff) == 1 {
		// One person's totals are their row: a handover or collision
		// counted once for the store is theirs only from their side.
		x := staff[0]
		sr.Total.Funnel, sr.Total.Discipline, sr.Total.Telesales, sr.Total.Rota = x.Funnel, x.Discipline, x.Telesales, x.Rota
	}
	return sr, nil
}

// reportRun is one store's report being computed: the per-staff rows the
// grouped queries fill.
type reportRun struct {
	db   *DB
	st   *domain.Store
	p    domain.ReportPeriod
	asOf time.Time
	only int64
	rows map[int64]*domain.StaffReport
}

// row is staff id's row, made on first use; nil for another person than
// the one a personal report is of.
func (r *reportRun) row(id int64) *domain.StaffReport {
	if r.only != 0 && id != r.only {
		return nil
	}
	if x := r.rows[id]; x != nil {
		return x
	}
	x := &domain.StaffReport{StaffID: id}
	r.rows[id] = x
	return x
}

// whose is the SQL condition limiting a personal report to its person
// (col = only), with its argument; empty for a store report.
func (r *reportRun) whose(col string) (string, []any) {
	if r.only == 0 {
		return "", nil
	}
	return " AND " + col + " = ?", []any{r.only}
}

// from and to are the period's bounds as the store writes times.
func (r *reportRun) from() time.Time { return dbTime(r.p.From) }
func (r *reportRun) to() time.Time   { return dbTime(r.p.To) }

// upTo is the period's end or the report's time, whichever is first:
// what falls due after it has not fallen due yet.
func (r *reportRun) upTo() time.Time {
	if r.asOf.Before(r.p.To) {
		return dbTime(r.asOf)
	}
	return dbTime(r.p.To)
}

// scan runs a grouped query and calls fn with each row's scanned values.
func (r *reportRun) scan(ctx context.Context, what, query string, args []any, dest []any, fn func()) error {
	rows, err := r.db.conn(ctx).Raw(query, args...).Rows()
	if err != nil {
		return formatError(fmt.Errorf("%s: %w", what, err))
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		fn()
	}
	if err := rows.Err(); err != nil {
		return formatError(fmt.Errorf("%s: %w", what, err))
	}
	return nil
}

// staffRows names the rows and adds the store's active consultants and
// telesales with no figure, in name order (a personal report: its one
// person).
func (r *reportRun) staffRows(ctx context.Context) ([]domain.StaffReport, error) {
	if r.only == 0 {
		for _, role := range []domain.Role{domain.RoleConsultant, domain.RoleTelesales} {
			list, err := r.db.StaffWithRole(ctx, r.st.ID, role)
			if err != nil {
				return nil, err
			}
			for _, s := range list {
				r.row(s.ID)
			}
		}
	}
	ids := make([]int64, 0, len(r.rows))
	for id := range r.rows {
		ids = append(ids, id)
	}
	named, err := r.db.staffByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]domain.StaffReport, 0, len(r.rows))
	for id, x := range r.rows {
		if s := named[id]; s != nil {
			x.Name, x.Roles = s.Name, s.Roles
		} else {
			x.Name = fmt.Sprintf("#%d", id)
		}
		out = append(out, *x)
	}
	slices.SortFunc(out, func(a, b domain.StaffReport) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.StaffID - b.StaffID)
	})
	return out, nil
}

// funnelSQL is the funnel of a store's leads created in the period, per
// owner and source: R1.3's first contact within the rule's time (its
// milliseconds bound), then visit, test drive, order and delivery (grade
// D). Each step is kept on the lead (migration 0027's triggers), so this
// is one range of leads_store_funnel_idx, read from the index alone.
const funnelSQL = `SELECT owner_id, source, COUNT(*),
	SUM(CASE WHEN first_contact_ms <= ? THEN 1 ELSE 0 END),
	COUNT(visited_at), COUNT(test_driven_at), COUNT(ordered_at),
	SUM(CASE WHEN grade = 'D' THEN 1 ELSE 0 END)
	FROM leads
	WHERE store_id = ? AND created_at >= ? AND created_at < ?%s
	GROUP BY owner_id, source`

// funnel fills the funnel per owner, per source and in total.
func (r *reportRun) funnel(ctx context.Context, tot *domain.Figures) error {
	cond, condArgs := r.whose("owner_id")
	args := append([]any{r.st.Rules.Leads.FirstFollowUp.Milliseconds(), r.st.ID, r.from(), r.to()}, condArgs...)
	var owner int64
	var source string
	var f domain.Funnel
	bySource := map[domain.Source]*domain.Funnel{}
	err := r.scan(ctx, "funnel", fmt.Sprintf(funnelSQL, cond), args,
		[]any{&owner, &source, &f.Leads, &f.FirstContact24h, &f.Visits, &f.TestDrives, &f.Orders, &f.Deliveries}, func() {
			if x := r.row(owner); x != nil {
				x.Funnel.Add(f)
			}
			tot.Funnel.Add(f)
			src := domain.Source(source)
			if bySource[src] == nil {
				bySource[src] = &domain.Funnel{}
			}
			bySource[src].Add(f)
		})
	if err != nil {
		return err
	}
	for src, f := range bySource {
		tot.Sources = append(tot.Sources, domain.SourceFunnel{Source: src, Funnel: *f})
	}
	slices.SortFunc(tot.Sources, func(a, b domain.SourceFunnel) int {
		if c := sourceRank(a.Source) - sourceRank(b.Source); c != 0 {
			return c
		}
		return strings.Compare(string(a.Source), string(b.Source))
	})
	return nil
}

// sourceRank is a source's place in domain.Sources; unknown ones last.
func sourceRank(s domain.Source) int {
	if i := slices.Index(domain.Sources, s); i >= 0 {
		return i
	}
	return len(domain.Sources)
}

// followUpsDueSQL counts, per owner, the follow-ups logged against a due
// in the period and those logged by it (R1.5), from
// follow_ups_store_due_idx alone.
const followUpsDueSQL = `SELECT owner_id, COUNT(*), SUM(CASE WHEN at <= due_at THEN 1 ELSE 0 END)
	FROM follow_ups WHERE store_id = ? AND due_at >= ? AND due_at < ?%s
	GROUP BY owner_id`

// discipline fills follow-ups due and on time, overdue and ungraded.
func (r *reportRun) discipline(ctx context.Context, tot *domain.Figures) error {
	cond, condArgs := r.whose("owner_id")
	var owner int64
	var due, onTime int
	err := r.scan(ctx, "follow-ups due", fmt.Sprintf(followUpsDueSQL, cond), append([]any{r.st.ID, r.from(), r.to()}, condArgs...),
		[]any{&owner, &due, &onTime}, func() {
			d := domain.Discipline{FollowUpsDue: due, FollowUpsOnTime: onTime}
			if x := r.row(owner); x != nil {
				x.Discipline.Add(d)
			}
			tot.Discipline.Add(d)
		})
	if err != nil {
		return err
	}
	// The follow-ups still not logged whose due fell in the period.
	rules := r.st.Rules.Leads
	sets := []struct {
		what  string
		where string
		args  []any
		add   func(*domain.Discipline, int)
	}{
		{"follow-ups pending", "next_due_at >= ? AND next_due_at < ?", []any{r.from(), r.upTo()},
			func(d *domain.Discipline, n int) { d.FollowUpsDue += n }},
		{"overdue counts", "next_due_at < ?", []any{dbTime(r.asOf.AddDate(0, 0, -rules.OverdueAlertDays))},
			func(d *domain.Discipline, n int) { d.Overdue += n }},
		{"ungraded counts", ungradedWhere, []any{dbTime(r.asOf.AddDate(0, 0, -rules.GradeAfterDays))},
			func(d *domain.Discipline, n int) { d.Ungraded += n }},
	}
	for _, s := range sets {
		where, args := s.where, s.args
		if cond != "" {
			where, args = where+cond, append(slices.Clone(args), condArgs...)
		}
		counts, err := r.db.countsByOwner(ctx, s.what, r.st.ID, where, args...)
		if err != nil {
			return err
		}
		for owner, n := range counts {
			if x := r.row(owner); x != nil {
				s.add(&x.Discipline, n)
			}
			s.add(&tot.Discipline, n)
		}
	}
	return nil
}

// The telesales figures' queries (R1.8–R1.14).
const (
	invitationsSQL = `SELECT telesales_id, COUNT(*) FROM appointments
	WHERE store_id = ? AND created_at >= ? AND created_at < ? AND status <> 'replaced'%s
	GROUP BY telesales_id`
	showsSQL = `SELECT telesales_id, status, COUNT(*) FROM appointments
	WHERE store_id = ? AND status IN ('arrived', 'missed') AND at >= ? AND at < ?%s
	GROUP BY telesales_id, status`
	handoversAcceptedSQL = `SELECT from_id, to_id, COUNT(*) FROM handovers
	WHERE store_id = ? AND status = 'accepted' AND decided_at >= ? AND decided_at < ?%s
	GROUP BY from_id, to_id`
	collisionsRuledSQL = `SELECT owner_id, claimant_id, winner_id, COUNT(*) FROM collisions
	WHERE store_id = ? AND status = 'ruled' AND decided_at >= ? AND decided_at < ?%s
	GROUP BY owner_id, claimant_id, winner_id`
)

// telesales fills invitations, shows, handovers and collisions.
func (r *reportRun) telesales(ctx context.Context, tot *domain.Figures) error {
	span := []any{r.st.ID, r.from(), r.to()}
	cond, condArgs := r.whose("telesales_id")
	var id, other, winner int64
	var status string
	var n int
	if err := r.scan(ctx, "invitations", fmt.Sprintf(invitationsSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &n}, func() {
			if x := r.row(id); x != nil {
				x.Telesales.Invitations += n
			}
			tot.Telesales.Invitations += n
		}); err != nil {
		return err
	}
	if err := r.scan(ctx, "shows", fmt.Sprintf(showsSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &status, &n}, func() {
			add := func(t *domain.TelesalesFigures) {
				if status == domain.ApptArrived {
					t.Shows += n
				} else {
					t.NoShows += n
				}
			}
			if x := r.row(id); x != nil {
				add(&x.Telesales)
			}
			add(&tot.Telesales)
		}); err != nil {
		return err
	}
	two := func(a, b string) (string, []any) {
		if r.only == 0 {
			return "", nil
		}
		return " AND (" + a + " = ? OR " + b + " = ?)", []any{r.only, r.only}
	}
	cond, condArgs = two("from_id", "to_id")
	if err := r.scan(ctx, "handovers", fmt.Sprintf(handoversAcceptedSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &other, &n}, func() {
			if x := r.row(id); x != nil {
				x.Telesales.HandoversAccepted += n
			}
			if x := r.row(other); x != nil && other != id {
				x.Telesales.HandoversAccepted += n
			}
			tot.Telesales.HandoversAccepted += n
		}); err != nil {
		return err
	}
	cond, condArgs = two("owner_id", "claimant_id")
	return r.scan(ctx, "collisions", fmt.Sprintf(collisionsRuledSQL, cond), append(slices.Clone(span), condArgs...),
		[]any{&id, &other, &winner, &n}, func() {
			for _, side := range []int64{id, other} {
				if x := r.row(side); x != nil {
					if side == winner {
						x.Telesales.CollisionsWon += n
					} else {
						x.Telesales.CollisionsLost += n
					}
				}
			}
			tot.Telesales.CollisionsWon += n
			tot.Telesales.CollisionsLost += n
		})
}

// The rota figures' queries (R5.1, R5.3): days are the store's dates.
const (
	restDaysSQL = `SELECT staff_id, COUNT(*) FROM rest_days
	WHERE store_id = ? AND status = 'approved' AND day >= ? AND day < ?%s
	GROUP BY staff_id`
	receptionMissesSQL = `SELECT staff_id, SUM(misses) FROM reception_entries
	WHERE store_id = ? AND day >= ? AND day < ? AND misses > 0%s
	GROUP BY staff_id`
)

// rota fills rest days taken and reception misses.
func (r *reportRun) rota(ctx context.Context, tot *domain.Figures) error {
	cond, condArgs := r.whose("staff_id")
	args := append([]any{r.st.ID, r.p.First, r.p.To.Format(domain.DateLayout)}, condArgs...)
	var id int64
	var n int
	if err := r.scan(ctx, "rest days", fmt.Sprintf(restDaysSQL, cond), args, []any{&id, &n}, func() {
		if x := r.row(id); x != nil {
			x.Rota.RestDays += n
		}
		tot.Rota.RestDays += n
	}); err != nil {
		return err
	}
	return r.scan(ctx, "reception misses", fmt.Sprintf(receptionMissesSQL, cond), args, []any{&id, &n}, func() {
		if x := r.row(id); x != nil {
			x.Rota.ReceptionMisses += n
		}
		tot.Rota.ReceptionMisses += n
	})
}
