package domain

import (
	"fmt"
	"time"
)

// Rules holds every number of the regulation (DOMAIN.md). Each is a setting
// (config.example.yaml, section "rules"); DefaultRules gives the
// regulation's values, and practice values for chapters 3–5. The yaml names
// here are the config keys.
type Rules struct {
	Leads      LeadRules      `yaml:"leads"`
	Complaints ComplaintRules `yaml:"complaints"`
	Vehicles   VehicleRules   `yaml:"vehicles"`
	Orders     OrderRules     `yaml:"orders"`
	SubDealers SubDealerRules `yaml:"sub_dealers"`
	Rota       RotaRules      `yaml:"rota"`
	Staff      StaffRules     `yaml:"staff"`
	Reports    ReportRules    `yaml:"reports"`
}

// GradeDays maps a lead grade (H, A, B, C) to a number of days.
type GradeDays struct {
	H int `yaml:"H"`
	A int `yaml:"A"`
	B int `yaml:"B"`
	C int `yaml:"C"`
}

// LeadRules are chapter 1's numbers (R1.3–R1.14).
type LeadRules struct {
	FirstFollowUp      time.Duration `yaml:"first_follow_up"`      // R1.3
	GradeAfterDays     int           `yaml:"grade_after_days"`     // R1.4
	GradeAfterCalls    int           `yaml:"grade_after_calls"`    // R1.4
	FollowUpEveryDays  GradeDays     `yaml:"follow_up_every_days"` // R1.5
	MorningPush        ClockTime     `yaml:"morning_push"`         // issue 4
	OverdueAlertDays   int           `yaml:"overdue_alert_days"`   // supervisors' per-consultant count
	AppointmentRemind  time.Duration `yaml:"appointment_remind"`   // R1.8
	HandoverAnswerHrs  int           `yaml:"handover_answer_working_hours"`
	CollisionNotes     time.Duration `yaml:"collision_notes"`      // R1.14.5
	CollisionToManager time.Duration `yaml:"collision_to_manager"` // R1.14.4
	CleanupTime        ClockTime     `yaml:"month_end_cleanup_time"`
	CleanupDaysBefore  int           `yaml:"month_end_cleanup_days_before"` // 0 = the last day
}

// ComplaintRules are chapter 2's deadlines (R2.4, R2.8).
type ComplaintRules struct {
	OnSiteSolution         time.Duration `yaml:"on_site_solution"`
	FirstReply             time.Duration `yaml:"first_reply"`
	AppraisalResult        time.Duration `yaml:"appraisal_result"`
	TicketInitialReply     time.Duration `yaml:"ticket_initial_reply"`
	TicketContactDays      int           `yaml:"ticket_contact_working_days"`
	TicketProgressDays     int           `yaml:"ticket_progress_working_days"`
	FollowUpContactDays    int           `yaml:"follow_up_contact_working_days"`
	ManagerOpinionDays     int           `yaml:"manager_opinion_working_days"`
	RemindAtFraction       float64       `yaml:"remind_at_fraction"`
	RemindAtLeast          time.Duration `yaml:"remind_at_least"`
	WeeklyRegisterDay      time.Weekday  `yaml:"-"`
	WeeklyRegisterDayName  string        `yaml:"weekly_register_day"`
	WeeklyRegisterTime     ClockTime     `yaml:"weekly_register_time"`
	ResultsReminderDayName string        `yaml:"results_reminder_day"`
	ResultsReminderDay     time.Weekday  `yaml:"-"`
	// Departments that receive complaints (R2.3); each has a register (R2.8).
	Departments []string `yaml:"departments"`
}

// VehicleRules are chapter 3's numbers (practice).
type VehicleRules struct {
	StockAlertDays       int           `yaml:"stock_alert_days"`
	StockOverdueDays     int           `yaml:"stock_overdue_days"`
	TestDriveLate        time.Duration `yaml:"test_drive_late"`
	LicenceMinYears      int           `yaml:"licence_min_years"`
	DemoUpkeepRemindDays int           `yaml:"demo_upkeep_remind_days"`
	DemoRetireMonths     int           `yaml:"demo_retire_months"`
	DemoRetireKm         int           `yaml:"demo_retire_km"`
	// PDIItems is the arrival inspection's checklist (R3.1).
	PDIItems []string `yaml:"pdi_items"`
	// TestDriveSlot is the length of a test-drive booking (R3.5).
	TestDriveSlot time.Duration `yaml:"test_drive_slot"`
	// TestDriveEscalate is how long after the consultant's late alert the
	// supervisor is told (R3.5).
	TestDriveEscalate time.Duration `yaml:"test_drive_escalate"`
}

// OrderRules are chapter 4's order numbers (practice). Discounts are in yuan.
type OrderRules struct {
	ConsultantMaxDiscount int `yaml:"consultant_max_discount"`
	SupervisorMaxDiscount int `yaml:"supervisor_max_discount"`
	ManagerMaxDiscount    int `yaml:"manager_max_discount"`
	AllocationUnpaidDays  int `yaml:"allocation_unpaid_days"`
	// DeliveryFollowUpDays are the days after delivery on which the
	// customer is called and their satisfaction logged (R4.5), ascending.
	DeliveryFollowUpDays []int `yaml:"delivery_follow_up_days"`
	// ApprovalRemind is how long a discount, change or cancellation waits
	// for its ruling before its rank is reminded; after as long again it
	// climbs one rank (R4.2).
	ApprovalRemind time.Duration `yaml:"approval_remind"`
}

// SubDealerRules are chapter 4's sub-dealer numbers (R4.6, practice).
type SubDealerRules struct {
	DepositWorkingDays int     `yaml:"deposit_working_days"`
	TargetsByDay       int     `yaml:"targets_by_day"`
	ExpiryRemindDays   int     `yaml:"expiry_remind_days"`
	MissedMonthsAlert  int     `yaml:"missed_months_alert"`
	LowShare           float64 `yaml:"low_share"`
	LowShareMonths     int     `yaml:"low_share_months"`
}

// RotaRules are chapter 5's limits (practice).
type RotaRules struct {
	RestDaysPerMonth     int           `yaml:"rest_days_per_month"`
	RestDaysPerWeek      int           `yaml:"rest_days_per_week"`
	MaxOffPerDay         int           `yaml:"max_off_per_day"`
	RequestDaysAhead     int           `yaml:"request_days_ahead"`
	NoRestOnWeekends     bool          `yaml:"no_rest_on_weekends"`
	NoRestOnHolidays     bool          `yaml:"no_rest_on_holidays"`
	DutyRoles            []DutyRole    `yaml:"duty_roles"`
	DutyReminder         ClockTime     `yaml:"duty_reminder"`
	ReceptionAnswerLimit time.Duration `yaml:"reception_answer_timeout"`
}

// DutyRole is one duty of the day and the tasks it carries (R5.2).
type DutyRole struct {
	Name  string   `yaml:"name"`
	Tasks []string `yaml:"tasks"`
}

// ReportRules are when the scheduled report summaries go to the
// supervisors and managers (issue 15), in the store's time zone.
type ReportRules struct {
	Daily   ClockTime `yaml:"daily_time"`   // the day's summary, every day
	Weekly  ClockTime `yaml:"weekly_time"`  // last week's, on Monday
	Monthly ClockTime `yaml:"monthly_time"` // last month's, on the 1st
}

// StaffRules are the bot's own numbers for enrolment.
type StaffRules struct {
	InviteTTL time.Duration `yaml:"invite_ttl"`
}

// DefaultRules returns the regulation's numbers.
func DefaultRules() Rules {
	return Rules{
		Leads: LeadRules{
			FirstFollowUp:      24 * time.Hour,
			GradeAfterDays:     7,
			GradeAfterCalls:    3,
			FollowUpEveryDays:  GradeDays{H: 3, A: 7, B: 15, C: 30},
			MorningPush:        8*60 + 30,
			OverdueAlertDays:   3,
			AppointmentRemind:  30 * time.Minute,
			HandoverAnswerHrs:  2,
			CollisionNotes:     24 * time.Hour,
			CollisionToManager: 48 * time.Hour,
			CleanupTime:        17 * 60,
			CleanupDaysBefore:  0,
		},
		Complaints: ComplaintRules{
			OnSiteSolution:         10 * time.Minute,
			FirstReply:             24 * time.Hour,
			AppraisalResult:        7 * 24 * time.Hour,
			TicketInitialReply:     2 * time.Hour,
			TicketContactDays:      1,
			TicketProgressDays:     2,
			FollowUpContactDays:    1,
			ManagerOpinionDays:     1,
			RemindAtFraction:       0.2,
			RemindAtLeast:          2 * time.Minute,
			WeeklyRegisterDay:      time.Monday,
			WeeklyRegisterDayName:  "monday",
			WeeklyRegisterTime:     9 * 60,
			ResultsReminderDay:     time.Tuesday,
			ResultsReminderDayName: "tuesday",
			Departments:            []string{"销售部", "售后部", "客服中心"},
		},
		Vehicles: VehicleRules{
			StockAlertDays:       45,
			StockOverdueDays:     90,
			TestDriveLate:        30 * time.Minute,
			LicenceMinYears:      1,
			DemoUpkeepRemindDays: 30,
			DemoRetireMonths:     24,
			DemoRetireKm:         50000,
			PDIItems: []string{"车身漆面", "内饰", "随车工具和资料", "灯光", "轮胎和胎压",
				"油液", "电瓶", "电气和仪表", "刹车", "路试"},
			TestDriveSlot:     30 * time.Minute,
			TestDriveEscalate: 30 * time.Minute,
		},
		Orders: OrderRules{
			ConsultantMaxDiscount: 2000,
			SupervisorMaxDiscount: 5000,
			ManagerMaxDiscount:    10000,
			AllocationUnpaidDays:  4,
			DeliveryFollowUpDays:  []int{1, 7, 30},
			ApprovalRemind:        2 * time.Hour,
		},
		SubDealers: SubDealerRules{
			DepositWorkingDays: 5,
			TargetsByDay:       5,
			ExpiryRemindDays:   30,
			MissedMonthsAlert:  2,
			LowShare:           0.7,
			LowShareMonths:     3,
		},
		Reports: ReportRules{Daily: 18*60 + 30, Weekly: 9 * 60, Monthly: 9 * 60},
		Rota: RotaRules{
			RestDaysPerMonth: 4,
			RestDaysPerWeek:  1,
			MaxOffPerDay:     2,
			RequestDaysAhead: 1,
			NoRestOnWeekends: true,
			NoRestOnHolidays: true,
			DutyRoles: []DutyRole{
				{Name: "opening", Tasks: []string{"开展厅门，打开灯光和屏幕", "检查试驾车是否清洁，电量或油量是否充足"}},
				{Name: "closing", Tasks: []string{"锁好展厅和钥匙柜", "核对当天到店登记是否完整"}},
				{Name: "showroom", Tasks: []string{"在展厅门口站岗迎宾", "接待来店客户并登记到店"}},
			},
			DutyReminder:         8 * 60,
			ReceptionAnswerLimit: 2 * time.Minute,
		},
		Staff: StaffRules{InviteTTL: 48 * time.Hour},
	}
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}

// ParseWeekday reads an English weekday name ("monday", "Mon").
func ParseWeekday(s string) (time.Weekday, bool) {
	for name, d := range weekdays {
		if len(s) >= 3 && len(s) <= len(name) && equalFoldPrefix(name, s) {
			return d, true
		}
	}
	return 0, false
}

func equalFoldPrefix(name, s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// Validate checks every number and fills the derived fields. Its error
// names the config key ("rules.leads.follow_up_every_days.H") and the fault.
func (r *Rules) Validate() error {
	type check struct {
		key string
		ok  bool
		why string
	}
	pos := func(key string, v int) check {
		return check{key, v > 0, fmt.Sprintf("must be a whole number above 0, got %d", v)}
	}
	nonneg := func(key string, v int) check {
		return check{key, v >= 0, fmt.Sprintf("must be 0 or more, got %d", v)}
	}
	dur := func(key string, d time.Duration) check {
		return check{key, d > 0, fmt.Sprintf("must be a duration above 0 such as 24h or 10m, got %s", d)}
	}
	clock := func(key string, t ClockTime) check {
		return check{key, t >= 0 && t < 24*60, fmt.Sprintf("must be a time of day such as \"18:30\", got %d minutes", int(t))}
	}
	share := func(key string, f float64) check {
		return check{key, f > 0 && f < 1, fmt.Sprintf("must be a fraction between 0 and 1, got %g", f)}
	}
	l, c, v, o, s, ro := &r.Leads, &r.Complaints, &r.Vehicles, &r.Orders, &r.SubDealers, &r.Rota
	checks := []check{
		dur("rules.leads.first_follow_up", l.FirstFollowUp),
		pos("rules.leads.grade_after_days", l.GradeAfterDays),
		pos("rules.leads.grade_after_calls", l.GradeAfterCalls),
		pos("rules.leads.follow_up_every_days.H", l.FollowUpEveryDays.H),
		pos("rules.leads.follow_up_every_days.A", l.FollowUpEveryDays.A),
		pos("rules.leads.follow_up_every_days.B", l.FollowUpEveryDays.B),
		pos("rules.leads.follow_up_every_days.C", l.FollowUpEveryDays.C),
		pos("rules.leads.overdue_alert_days", l.OverdueAlertDays),
		dur("rules.leads.appointment_remind", l.AppointmentRemind),
		pos("rules.leads.handover_answer_working_hours", l.HandoverAnswerHrs),
		dur("rules.leads.collision_notes", l.CollisionNotes),
		dur("rules.leads.collision_to_manager", l.CollisionToManager),
		nonneg("rules.leads.month_end_cleanup_days_before", l.CleanupDaysBefore),
		{"rules.leads.month_end_cleanup_days_before", l.CleanupDaysBefore < 28, "must be below 28"},
		dur("rules.complaints.on_site_solution", c.OnSiteSolution),
		dur("rules.complaints.first_reply", c.FirstReply),
		dur("rules.complaints.appraisal_result", c.AppraisalResult),
		dur("rules.complaints.ticket_initial_reply", c.TicketInitialReply),
		pos("rules.complaints.ticket_contact_working_days", c.TicketContactDays),
		pos("rules.complaints.ticket_progress_working_days", c.TicketProgressDays),
		pos("rules.complaints.follow_up_contact_working_days", c.FollowUpContactDays),
		pos("rules.complaints.manager_opinion_working_days", c.ManagerOpinionDays),
		share("rules.complaints.remind_at_fraction", c.RemindAtFraction),
		dur("rules.complaints.remind_at_least", c.RemindAtLeast),
		pos("rules.vehicles.stock_alert_days", v.StockAlertDays),
		{"rules.vehicles.stock_overdue_days", v.StockOverdueDays > v.StockAlertDays,
			fmt.Sprintf("must be above stock_alert_days (%d), got %d", v.StockAlertDays, v.StockOverdueDays)},
		dur("rules.vehicles.test_drive_late", v.TestDriveLate),
		nonneg("rules.vehicles.licence_min_years", v.LicenceMinYears),
		pos("rules.vehicles.demo_upkeep_remind_days", v.DemoUpkeepRemindDays),
		pos("rules.vehicles.demo_retire_months", v.DemoRetireMonths),
		pos("rules.vehicles.demo_retire_km", v.DemoRetireKm),
		{"rules.vehicles.pdi_items", len(v.PDIItems) > 0, "at least one checklist item is required"},
		dur("rules.vehicles.test_drive_slot", v.TestDriveSlot),
		dur("rules.vehicles.test_drive_escalate", v.TestDriveEscalate),
		nonneg("rules.orders.consultant_max_discount", o.ConsultantMaxDiscount),
		{"rules.orders.supervisor_max_discount", o.SupervisorMaxDiscount >= o.ConsultantMaxDiscount,
			"must be at least consultant_max_discount"},
		{"rules.orders.manager_max_discount", o.ManagerMaxDiscount >= o.SupervisorMaxDiscount,
			"must be at least supervisor_max_discount"},
		pos("rules.orders.allocation_unpaid_days", o.AllocationUnpaidDays),
		dur("rules.orders.approval_remind", o.ApprovalRemind),
		pos("rules.sub_dealers.deposit_working_days", s.DepositWorkingDays),
		{"rules.sub_dealers.targets_by_day", s.TargetsByDay >= 1 && s.TargetsByDay <= 28,
			fmt.Sprintf("must be a day of the month from 1 to 28, got %d", s.TargetsByDay)},
		pos("rules.sub_dealers.expiry_remind_days", s.ExpiryRemindDays),
		pos("rules.sub_dealers.missed_months_alert", s.MissedMonthsAlert),
		share("rules.sub_dealers.low_share", s.LowShare),
		pos("rules.sub_dealers.low_share_months", s.LowShareMonths),
		pos("rules.rota.rest_days_per_month", ro.RestDaysPerMonth),
		pos("rules.rota.rest_days_per_week", ro.RestDaysPerWeek),
		pos("rules.rota.max_off_per_day", ro.MaxOffPerDay),
		nonneg("rules.rota.request_days_ahead", ro.RequestDaysAhead),
		{"rules.rota.duty_roles", len(ro.DutyRoles) > 0, "at least one duty role is required"},
		{"rules.complaints.departments", len(c.Departments) > 0, "at least one department is required"},
		dur("rules.rota.reception_answer_timeout", ro.ReceptionAnswerLimit),
		dur("rules.staff.invite_ttl", r.Staff.InviteTTL),
		clock("rules.reports.daily_time", r.Reports.Daily),
		clock("rules.reports.weekly_time", r.Reports.Weekly),
		clock("rules.reports.monthly_time", r.Reports.Monthly),
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("%s: %s", ch.key, ch.why)
		}
	}
	if len(o.DeliveryFollowUpDays) == 0 {
		return fmt.Errorf("rules.orders.delivery_follow_up_days: at least one day is required")
	}
	for i, d := range o.DeliveryFollowUpDays {
		if d <= 0 || i > 0 && d <= o.DeliveryFollowUpDays[i-1] {
			return fmt.Errorf("rules.orders.delivery_follow_up_days[%d]: days above 0 in ascending order, got %v", i, o.DeliveryFollowUpDays)
		}
	}
	for i, d := range ro.DutyRoles {
		if d.Name == "" {
			return fmt.Errorf("rules.rota.duty_roles[%d].name: missing", i)
		}
	}
	seenItem := map[string]bool{}
	for i, it := range v.PDIItems {
		if it == "" || len([]rune(it)) > 40 || seenItem[it] {
			return fmt.Errorf("rules.vehicles.pdi_items[%d]: a name of 1 to 40 characters, each once, got %q", i, it)
		}
		seenItem[it] = true
	}
	for i, d := range c.Departments {
		// A department is a button's data: Telegram's 64 bytes.
		if d == "" || len([]rune(d)) > 20 {
			return fmt.Errorf("rules.complaints.departments[%d]: a name of 1 to 20 characters, got %q", i, d)
		}
	}
	var ok bool
	if c.WeeklyRegisterDay, ok = ParseWeekday(c.WeeklyRegisterDayName); !ok {
		return fmt.Errorf("rules.complaints.weekly_register_day: %q is not a weekday such as monday", c.WeeklyRegisterDayName)
	}
	if c.ResultsReminderDay, ok = ParseWeekday(c.ResultsReminderDayName); !ok {
		return fmt.Errorf("rules.complaints.results_reminder_day: %q is not a weekday such as tuesday", c.ResultsReminderDayName)
	}
	return nil
}
