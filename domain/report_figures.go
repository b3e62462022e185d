package domain

import (
	"slices"
	"time"
)

// The figures of a report (issue 15): what a store and each of its people
// did in a period, and the outcome ReportService returns.

// Funnel is the lead funnel of a cohort: the leads created in the period
// (by their current owner, or by source), and of them how many reached each
// step by the report's time. Every step is counted among the leads, so each
// step is at most the one before except where a customer skipped a step
// (ordered without a test drive: TestDrives may be below Orders).
type Funnel struct {
	Leads int
	// FirstContact24h: a follow-up was logged within
	// rules.leads.first_follow_up (24 h) of the lead's creation (R1.3).
	FirstContact24h int
	Visits          int // at least one showroom visit registered
	TestDrives      int // at least one test drive out or returned
	Orders          int // at least one order placed (pending, confirmed or cancelled later)
	Deliveries      int // graded D (delivered, R4.5)
}

// Add adds o's counts to f.
func (f *Funnel) Add(o Funnel) {
	f.Leads += o.Leads
	f.FirstContact24h += o.FirstContact24h
	f.Visits += o.Visits
	f.TestDrives += o.TestDrives
	f.Orders += o.Orders
	f.Deliveries += o.Deliveries
}

// FunnelStep is one step of a funnel with its conversion from the step
// before (the first step's is 1 when it has leads).
type FunnelStep struct {
	Name       string // lead, contact24h, visit, testdrive, order, delivery
	Count      int
	Conversion float64 // Count / the step before's Count; 0 when that is 0
}

// Steps lists the funnel's steps in order with each step's conversion.
func (f Funnel) Steps() []FunnelStep {
	counts := []struct {
		name string
		n    int
	}{{"lead", f.Leads}, {"contact24h", f.FirstContact24h}, {"visit", f.Visits},
		{"testdrive", f.TestDrives}, {"order", f.Orders}, {"delivery", f.Deliveries}}
	out := make([]FunnelStep, len(counts))
	prev := f.Leads
	for i, c := range counts {
		out[i] = FunnelStep{Name: c.name, Count: c.n, Conversion: Ratio(c.n, prev)}
		prev = c.n
	}
	return out
}

// Ratio is n/of, 0 when of is 0.
func Ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Activity is what happened in the period, each event counted by its own
// date within [From, To) whatever the lead's creation: unlike the funnel
// (a cohort of the period's leads followed to now), a past period's
// activity does not change, and an order taken today for last month's
// lead is today's. Per staff member: the owner of a new lead or of a lead
// first contacted, the consultant of a visit, test drive, order
// or delivery, the one who did the post-delivery follow-up.
type Activity struct {
	NewLeads      int // leads created
	FirstContacts int // leads' first follow-up logged (R1.3)
	Visits        int // showroom arrivals registered
	TestDrives    int // test drives out or returned, by slot
	Orders        int // orders placed, not refused
	Confirmed     int // orders confirmed: the discount's ruling, else placed without one
	Deliveries    int // cars delivered (R4.5)
	AfterSales    int // post-delivery follow-ups done (R4.5)
}

// Add adds o's counts to a.
func (a *Activity) Add(o Activity) {
	a.NewLeads += o.NewLeads
	a.FirstContacts += o.FirstContacts
	a.Visits += o.Visits
	a.TestDrives += o.TestDrives
	a.Orders += o.Orders
	a.Confirmed += o.Confirmed
	a.Deliveries += o.Deliveries
	a.AfterSales += o.AfterSales
}

// ActivityItem is one count of an Activity with its name.
type ActivityItem struct {
	Name  string // lead, contact, visit, testdrive, order, confirmed, delivery, aftersales
	Count int
}

// Items lists the activity's counts in order.
func (a Activity) Items() []ActivityItem {
	return []ActivityItem{{"lead", a.NewLeads}, {"contact", a.FirstContacts}, {"visit", a.Visits},
		{"testdrive", a.TestDrives}, {"order", a.Orders}, {"confirmed", a.Confirmed},
		{"delivery", a.Deliveries}, {"aftersales", a.AfterSales}}
}

// SourceFunnel is the funnel of the leads of one source (R1.1).
type SourceFunnel struct {
	Source Source
	Funnel Funnel
}

// Discipline is a staff member's follow-up discipline (R1.3–R1.5).
type Discipline struct {
	// FollowUpsDue are the follow-ups that fell due in the period (up to
	// the report's time): those logged against a due in the period, and
	// the leads whose next follow-up fell due in it and is still not
	// logged. FollowUpsOnTime are those logged by their due instant.
	// Follow-ups logged before migration 0027 did not record their due
	// and are not counted.
	FollowUpsDue    int
	FollowUpsOnTime int
	// Overdue are the open leads whose follow-up is overdue by more than
	// rules.leads.overdue_alert_days (3) at the report's time.
	Overdue int
	// Ungraded are the leads still N more than rules.leads.grade_after_days
	// (7) after their creation or reopening, at the report's time (R1.4).
	Ungraded int
}

// Add adds o's counts to d.
func (d *Discipline) Add(o Discipline) {
	d.FollowUpsDue += o.FollowUpsDue
	d.FollowUpsOnTime += o.FollowUpsOnTime
	d.Overdue += o.Overdue
	d.Ungraded += o.Ungraded
}

// TelesalesFigures are a telesales member's figures for the period (R1.8–R1.14);
// a consultant's row holds the handovers they accepted and their
// collisions.
type TelesalesFigures struct {
	Invitations int // visits booked (appointments made in the period)
	Shows       int // booked visits in the period the customer came to
	NoShows     int // booked visits in the period the customer missed
	// HandoversAccepted: for telesales, their handovers a consultant
	// accepted in the period; for a consultant, the handovers they accepted.
	HandoversAccepted int
	CollisionsWon     int // collisions ruled in the period in their favour
	CollisionsLost    int // collisions ruled in the period against them
}

// Add adds o's counts to t.
func (t *TelesalesFigures) Add(o TelesalesFigures) {
	t.Invitations += o.Invitations
	t.Shows += o.Shows
	t.NoShows += o.NoShows
	t.HandoversAccepted += o.HandoversAccepted
	t.CollisionsWon += o.CollisionsWon
	t.CollisionsLost += o.CollisionsLost
}

// RotaFigures are a staff member's rota figures for the period (R5.1, R5.3).
type RotaFigures struct {
	RestDays        int // approved rest days in the period
	ReceptionMisses int // walk-ins they were called for and did not answer in time
}

// Add adds o's counts to r.
func (r *RotaFigures) Add(o RotaFigures) {
	r.RestDays += o.RestDays
	r.ReceptionMisses += o.ReceptionMisses
}

// StaffReport is one staff member's figures: the funnel of the leads they
// own, their discipline, telesales figures and rota.
type StaffReport struct {
	StaffID    int64
	Name       string
	Roles      Roles
	Funnel     Funnel
	Activity   Activity
	Discipline Discipline
	Telesales  TelesalesFigures
	Rota       RotaFigures
}

// Empty reports whether every figure is zero.
func (r *StaffReport) Empty() bool {
	return r.Funnel == Funnel{} && r.Activity == Activity{} && r.Discipline == Discipline{} && r.Telesales == TelesalesFigures{} && r.Rota == RotaFigures{}
}

// ComplaintCount is the complaints of one subject and department opened in
// the period.
type ComplaintCount struct {
	Subject    Subject
	Department string
	Count      int
}

// ComplaintFigures are the complaints opened in the period (R2.1–R2.7),
// limited to a department for its supervisor or manager.
type ComplaintFigures struct {
	Opened int
	// ByKind counts them by subject and department, in subject then
	// department order.
	ByKind []ComplaintCount
	// Valid, Invalid: decided at closing (R2.1); the rest are undecided.
	Valid, Invalid int
	// DeadlinesDue are the deadlines of R2.4 that fell due by the report's
	// time or were met before (first reply, solution, contact, appraisal
	// result, manager's opinion; the rolling progress reports are not
	// counted); DeadlinesMet those done by their due instant.
	DeadlinesDue, DeadlinesMet int
	// Escalated are the complaints escalated at least once (a breach sent
	// up the chain, R2.3); Escalations the escalation cards sent.
	Escalated, Escalations int
	// Closed in the period, and of them the satisfaction the service
	// centre's survey found (R2.7).
	Closed                           int
	Satisfied, Neutral, Dissatisfied int
}

// Add adds o's counts to c (ByKind merged by subject and department).
func (c *ComplaintFigures) Add(o ComplaintFigures) {
	c.Opened += o.Opened
	c.Valid += o.Valid
	c.Invalid += o.Invalid
	c.DeadlinesDue += o.DeadlinesDue
	c.DeadlinesMet += o.DeadlinesMet
	c.Escalated += o.Escalated
	c.Escalations += o.Escalations
	c.Closed += o.Closed
	c.Satisfied += o.Satisfied
	c.Neutral += o.Neutral
	c.Dissatisfied += o.Dissatisfied
next:
	for _, k := range o.ByKind {
		for i := range c.ByKind {
			if c.ByKind[i].Subject == k.Subject && c.ByKind[i].Department == k.Department {
				c.ByKind[i].Count += k.Count
				continue next
			}
		}
		c.ByKind = append(c.ByKind, k)
	}
}

// StockFigures are the store's stock at the report's time (R3.2) and its
// demo fleet's use in the period (R3.4, R3.5).
type StockFigures struct {
	// Aging buckets of the cars in stock or reserved, by days since
	// arrival: up to rules.vehicles.stock_alert_days (45), up to
	// stock_overdue_days (90), and older.
	Fresh, Aging, Overdue int
	DemoCars              int // in the demo fleet at the report's time
	TestDrives            int // demo test drives out or returned, slot in the period
	DemoKm                int // kilometres driven on the returned ones (odometer in minus out, R3.5)
	DemoOtherUses         int // other uses of demo cars approved in the period (R3.4)
	// AllocationWaits is how many orders were first allocated a car in
	// the period (R4.3; a reallocation after a lapse is not a new wait)
	// and AllocationWaitDays their mean wait in days, from the order's
	// confirmation (its discount's ruling, else its placing).
	AllocationWaits    int
	AllocationWaitDays float64
}

// Add adds o's counts to s (the mean wait weighted by waits).
func (s *StockFigures) Add(o StockFigures) {
	if n := s.AllocationWaits + o.AllocationWaits; n > 0 {
		s.AllocationWaitDays = (s.AllocationWaitDays*float64(s.AllocationWaits) + o.AllocationWaitDays*float64(o.AllocationWaits)) / float64(n)
	}
	s.Fresh += o.Fresh
	s.Aging += o.Aging
	s.Overdue += o.Overdue
	s.DemoCars += o.DemoCars
	s.TestDrives += o.TestDrives
	s.DemoKm += o.DemoKm
	s.DemoOtherUses += o.DemoOtherUses
	s.AllocationWaits += o.AllocationWaits
}

// Figures are a store's (or the group's) totals.
type Figures struct {
	Funnel     Funnel
	Sources    []SourceFunnel // in Sources order, sources without leads left out
	Activity   Activity
	Discipline Discipline
	Telesales  TelesalesFigures
	Rota       RotaFigures
	Complaints ComplaintFigures
	Stock      StockFigures
}

// Add adds o to f.
func (f *Figures) Add(o Figures) {
	f.Funnel.Add(o.Funnel)
	f.Activity.Add(o.Activity)
	f.Discipline.Add(o.Discipline)
	f.Telesales.Add(o.Telesales)
	f.Rota.Add(o.Rota)
	f.Complaints.Add(o.Complaints)
	f.Stock.Add(o.Stock)
next:
	for _, s := range o.Sources {
		for i := range f.Sources {
			if f.Sources[i].Source == s.Source {
				f.Sources[i].Funnel.Add(s.Funnel)
				continue next
			}
		}
		f.Sources = append(f.Sources, s)
	}
	slices.SortStableFunc(f.Sources, func(a, b SourceFunnel) int {
		return slices.Index(Sources, a.Source) - slices.Index(Sources, b.Source)
	})
}

// Empty reports whether there is nothing to report.
func (f *Figures) Empty() bool {
	return f.Funnel == Funnel{} && f.Activity == Activity{} && f.Discipline == Discipline{} && f.Telesales == TelesalesFigures{} &&
		f.Rota == RotaFigures{} && f.Complaints.Opened == 0 && f.Complaints.Closed == 0 &&
		f.Complaints.DeadlinesDue == 0 && f.Complaints.Escalations == 0 && f.Stock == StockFigures{}
}

// StoreReport is one store's report: its totals and one row per staff
// member (in name order). A report of one person (ScopeSelf,
// ScopeConsultant) has only that row, and totals of their own figures
// with no complaints or stock.
type StoreReport struct {
	StoreID    int64
	Code, Name string
	// Department limits the complaint figures (a supervisor's or
	// manager's own); "" for all.
	Department string
	Period     ReportPeriod // in the store's zone
	Total      Figures
	Staff      []StaffReport
}

// Report is the outcome of ReportService.Report: the stores in scope
// (one, or every store for ScopeGroup) and for ScopeGroup the group total
// (the sum of the stores). AsOf is the report's time: the snapshot
// figures (overdue, ungraded, stock) are as of it, and steps reached
// after the period count up to it.
type Report struct {
	Scope  ReportScope
	Period ReportPeriod // as asked (the asker's zone)
	AsOf   time.Time
	Stores []StoreReport
	Group  *Figures // nil unless Scope is ScopeGroup
}

// Empty reports whether the report has no figure at all: nobody is sent
// an empty report.
func (r *Report) Empty() bool {
	for i := range r.Stores {
		if !r.Stores[i].Total.Empty() {
			return false
		}
		for j := range r.Stores[i].Staff {
			if !r.Stores[i].Staff[j].Empty() {
				return false
			}
		}
	}
	return true
}
