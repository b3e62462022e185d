package domain

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// The demo fleet and test drives' use cases (R3.4–R3.6): a stock car moved
// to the fleet, its other uses approved by the manager, test drives booked
// in slots, checked out and returned, the late car's alarms and the
// fleet's upkeep. The rules are vehicle_testdrive.go's and
// vehicle_demo.go's; the services apply them to what is stored.

// TestDriveState is where a test drive is.
type TestDriveState string

// The states of a test drive: booked, the car out with the driver, back,
// or cancelled.
const (
	DriveBooked    TestDriveState = "booked"
	DriveOut       TestDriveState = "out"
	DriveReturned  TestDriveState = "returned"
	DriveCancelled TestDriveState = "cancelled"
)

// TestDriveBookers book, check out and return test drives.
var TestDriveBookers = []Role{RoleConsultant, RoleSupervisor, RoleManager}

// DemoFleetViewers may list the demo fleet and ask for another use.
var DemoFleetViewers = []Role{RoleConsultant, RoleSupervisor, RoleManager, RoleGM, RoleStockKeeper}

// DemoFleetManagers move stock cars to the fleet and approve other uses.
var DemoFleetManagers = []Role{RoleManager}

// TestDrive is one booking of a demo car for a lead (R3.5). A store's
// record: another store's is ENOTFOUND.
type TestDrive struct {
	ID, StoreID      int64
	VehicleID        int64
	VIN, Model       string
	LeadID           int64
	Consultant       int64
	Start, End       time.Time
	State            TestDriveState
	LicenceIssued    time.Time // zero before checkout
	AgreementFileID  string    // the signed agreement's photo (Telegram file id)
	Out, In          DriveReading
	OutAt, InAt      time.Time
	LateConsultantAt time.Time // when the consultant was told the car is late
	LateSupervisorAt time.Time // when the supervisors were
	CreatedAt        time.Time
	CreatedBy        int64
	FollowUpID       int64 // the contact the return logged on the lead
}

// Slot is the drive's booking as a slot.
func (d TestDrive) Slot() TestDriveSlot {
	return TestDriveSlot{ID: d.ID, VehicleID: d.VehicleID, Consultant: d.Consultant, Start: d.Start, End: d.End}
}

// TestDriveBooking is a booking as asked: for a lead, at Start, of the
// car Car names (VIN or last 6; empty: the first free demo car) or of
// VehicleID (a free-slot button).
type TestDriveBooking struct {
	Lead      LeadRef
	Start     time.Time
	Car       string
	VehicleID int64
}

// TestDriveBooked is the outcome of a booking: the drive, or — when the
// car is booked then — the clash and the nearest free slots of the car.
type TestDriveBooked struct {
	Drive *TestDrive
	Lead  *Lead
	Clash *Error
	Free  []TestDriveSlot
}

// TestDriveCheckout is what the desk records when the car leaves (R3.5).
type TestDriveCheckout struct {
	LicenceIssued   time.Time
	Reading         DriveReading
	AgreementFileID string
}

// TestDriveReturned is the outcome of a return: the drive and the contact
// logged on the lead.
type TestDriveReturned struct {
	Drive *TestDrive
	Lead  *Lead
}

// TestDriveAlarm is a late car's alarm due now (R3.5): to the consultant,
// or to the store's supervisors; the mark is stored with it.
type TestDriveAlarm struct {
	Drive      TestDrive
	Step       LateStep
	Recipients []*Staff
	Consultant *Staff
}

// TestDriveService books and carries test drives in the actor's store.
type TestDriveService interface {
	// BookTestDrive books a slot of rules.vehicles.test_drive_slot
	// (CheckTestDriveSlot) for a lead the actor may work. A clash is not
	// an error: the outcome carries it and the free slots. EFORBIDDEN
	// unless a booker; ENOTFOUND err.vehicle_not_found / err.lead_not_found;
	// EINVALID err.vehicle_not_demo, err.drive_past, err.drive_closed;
	// ECONFLICT err.demo_none_free (no demo car free then).
	BookTestDrive(ctx context.Context, by int64, b TestDriveBooking) (*TestDriveBooked, error)
	// TestDrive loads a drive of the actor's store (ENOTFOUND err.drive_not_found).
	TestDrive(ctx context.Context, by, id int64) (*TestDrive, error)
	// CheckTestDriveCheckout checks a checkout without the agreement's
	// photo and writes nothing: the answer before the photo is asked for.
	CheckTestDriveCheckout(ctx context.Context, by, id int64, c TestDriveCheckout) (*TestDrive, error)
	// CheckOutTestDrive records the checkout (CheckLicence,
	// CheckDriveReading against the car's last reading, the agreement's
	// photo): the car is out. EINVALID err.drive_state, err.drive_agreement
	// and the rules' errors.
	CheckOutTestDrive(ctx context.Context, by, id int64, c TestDriveCheckout) (*TestDrive, error)
	// ReturnTestDrive records the return (the odometer never goes down):
	// the drive ends, the car's mileage is the reading, and the lead gets a
	// visit contact (R3.5).
	ReturnTestDrive(ctx context.Context, by, id int64, r DriveReading) (*TestDriveReturned, error)
	// LeadTestDrives are a lead's drives, newest first, for the lead card.
	LeadTestDrives(ctx context.Context, leadID int64) ([]TestDrive, error)
	// TestDrivesOut are the group's cars out on a test drive with an alarm
	// still to send, for the late job's Next.
	TestDrivesOut(ctx context.Context) ([]TestDrive, error)
	// TestDriveAlarms marks and returns the late alarms due at now, each on
	// its store's rules, once each (the marks commit with the caller's
	// messages).
	TestDriveAlarms(ctx context.Context, now time.Time) ([]TestDriveAlarm, error)
}

// DemoDraft is a stock car's move to the fleet as typed.
type DemoDraft struct {
	Car          string // VIN or its last 6
	Keeper       string // a staff member's name in the store
	InsuranceDue time.Time
	ServiceDue   time.Time
	Km           int
}

// DemoFleetCar is a demo car with its keeper and what is due.
type DemoFleetCar struct {
	Car        DemoCar
	StoreID    int64
	Keeper     *Staff
	Upkeep     []UpkeepReminder
	Retirement Retirement
}

// DemoUseRequest is a request to use a demo car for something other than
// a test drive (R3.4), ruled on by a manager.
type DemoUseRequest struct {
	Approval
	StoreID int64
	Vehicle Vehicle
	Reason  string
	At      time.Time
}

// DemoUseRequested is the outcome of a request: the managers to ask.
type DemoUseRequested struct {
	Request   *DemoUseRequest
	Approvers []*Staff
}

// DemoUseDecided is the outcome of a ruling.
type DemoUseDecided struct {
	Request   *DemoUseRequest
	Decider   *Staff
	Approvers []*Staff
}

// DemoUpkeepNotice is a demo car's upkeep news of a day (R3.6): due dates
// and a retirement proposal, for the keeper and the store's managers.
type DemoUpkeepNotice struct {
	Car        DemoFleetCar
	Day        string // the store's date: one notice per car per day
	Recipients []*Staff
}

// DemoFleetService keeps a store's demo fleet (R3.4, R3.6).
type DemoFleetService interface {
	// MoveToDemo moves an in-stock car to the fleet (Transition to demo)
	// with its keeper. EFORBIDDEN unless a manager; ENOTFOUND
	// err.vehicle_not_found, err.staff_not_found; Transition's EINVALID.
	MoveToDemo(ctx context.Context, by int64, d DemoDraft) (*DemoFleetCar, error)
	// DemoFleet lists the actor's store's demo cars, with what is due.
	DemoFleet(ctx context.Context, by int64) ([]DemoFleetCar, error)
	// RequestDemoUse asks the store's managers for another use of a demo
	// car (CheckDemoUse). EINVALID err.vehicle_not_demo, err.note_empty.
	RequestDemoUse(ctx context.Context, by int64, car, reason string) (*DemoUseRequested, error)
	// DecideDemoUse rules on a request once (domain.Approval).
	DecideDemoUse(ctx context.Context, by, id int64, v Verdict) (*DemoUseDecided, error)
	// DemoUpkeep lists a store's demo cars with upkeep due or retirement
	// proposed at now, with who must hear it.
	DemoUpkeep(ctx context.Context, store int64, now time.Time) ([]DemoUpkeepNotice, error)
}

// ParseFuel reads a fuel level as typed: a fraction of the tank (3/4,
// 1/2), a percent (75%) or a number of percent. EINVALID err.fuel_text.
func ParseFuel(s string) (int, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	bad := Errorkf(EINVALID, "err.fuel_text", []any{s}, "%q is not a fuel level like 3/4 or 75%%", s)
	if a, b, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.Atoi(a)
		d, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || d <= 0 || n < 0 || n > d {
			return 0, bad
		}
		return n * 100 / d, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 100 {
		return 0, bad
	}
	return n, nil
}

// ParseKm reads an odometer reading in whole km. EINVALID err.km_bad.
func ParseKm(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "km"))
	if err != nil || n < 0 || n > 10_000_000 {
		return 0, Errorkf(EINVALID, "err.km_bad", []any{s}, "%q is not an odometer reading in km", s)
	}
	return n, nil
}
