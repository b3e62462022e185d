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
// Each method is one read-only transaction (InReadTx): one snapshot for
// every figure, while the chats' writes go on beside a group's report.

var _ domain.ReportService = (*DB)(nil)

// Report implements domain.ReportService.
func (db *DB) Report(ctx context.Context, by int64, q domain.ReportQuery) (*domain.Report, error) {
	if q.Period.Kind == "" {
		return nil, domain.Errorkf(domain.EINVALID, "err.report_period", []any{""}, "no period")
	}
	var out *domain.Report
	err := db.InReadTx(ctx, func(ctx context.Context) error {
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
	err := db.InReadTx(ctx, func(ctx context.Context) error {
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
		r.funnel, r.activity, r.discipline, r.telesales, r.rota,
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
		sr.Total.Funnel, sr.Total.Activity, sr.Total.Discipline, sr.Total.Telesales, sr.Total.Rota = x.Funnel, x.Activity, x.Discipline, x.Telesales, x.Rota
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
