package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dealerbot/dealerbot/domain"
)

// storage books and carries test drives (R3.5): chat and the late job call it.
var _ domain.TestDriveService = (*DB)(nil)

// freeSlotOffers is how many free slots a clash offers.
const freeSlotOffers = 3

// testDriveRow is a row of test_drives.
type testDriveRow struct {
	ID               int64 `gorm:"primaryKey"`
	StoreID          int64
	VehicleID        int64
	LeadID           int64
	ConsultantID     int64
	SlotStart        time.Time
	SlotEnd          time.Time
	State            string
	LicenceIssued    *time.Time
	AgreementFileID  string
	KmOut, FuelOut   *int
	KmIn, FuelIn     *int
	OutAt, InAt      *time.Time
	LateConsultantAt *time.Time
	LateSupervisorAt *time.Time
	FollowUpID       *int64
	CreatedBy        int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName implements gorm's schema.Tabler.
func (testDriveRow) TableName() string { return "test_drives" }

func intOrZero(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (r *testDriveRow) drive(v *vehicleRow) domain.TestDrive {
	d := domain.TestDrive{ID: r.ID, StoreID: r.StoreID, VehicleID: r.VehicleID, LeadID: r.LeadID, Consultant: r.ConsultantID,
		Start: utc(r.SlotStart), End: utc(r.SlotEnd), State: domain.TestDriveState(r.State),
		LicenceIssued: timeOrZero(r.LicenceIssued), AgreementFileID: r.AgreementFileID,
		Out:   domain.DriveReading{Km: intOrZero(r.KmOut), Fuel: intOrZero(r.FuelOut)},
		In:    domain.DriveReading{Km: intOrZero(r.KmIn), Fuel: intOrZero(r.FuelIn)},
		OutAt: timeOrZero(r.OutAt), InAt: timeOrZero(r.InAt),
		LateConsultantAt: timeOrZero(r.LateConsultantAt), LateSupervisorAt: timeOrZero(r.LateSupervisorAt),
		CreatedAt: utc(r.CreatedAt), CreatedBy: r.CreatedBy}
	if r.FollowUpID != nil {
		d.FollowUpID = *r.FollowUpID
	}
	if v != nil {
		d.VIN, d.Model = v.VIN, v.Model
	}
	return d
}

func errDriveNotFound(id int64) error {
	return domain.Errorkf(domain.ENOTFOUND, "err.drive_not_found", []any{id}, "no test drive %d", id)
}

func mayBook(s *domain.Staff) bool { return s.Roles.HasAny(domain.TestDriveBookers...) }

// carSlots locks a car's row (two bookings of one car queue here) and
// returns its live bookings: booked or out.
func (db *DB) carSlots(ctx context.Context, v *vehicleRow) ([]domain.TestDriveSlot, error) {
	var lock vehicleRow
	if err := db.conn(ctx).Clauses(forUpdate).Where("id = ?", v.ID).Take(&lock).Error; err != nil {
		return nil, fmt.Errorf("lock car %d: %w", v.ID, err)
	}
	var rows []testDriveRow
	if err := db.conn(ctx).Where("vehicle_id = ? AND state IN ?", v.ID,
		[]string{string(domain.DriveBooked), string(domain.DriveOut)}).Order("slot_start").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("car %d bookings: %w", v.ID, err)
	}
	out := make([]domain.TestDriveSlot, len(rows))
	for i := range rows {
		out[i] = rows[i].drive(nil).Slot()
	}
	return out, nil
}

// BookTestDrive implements domain.TestDriveService.
func (db *DB) BookTestDrive(ctx context.Context, by int64, b domain.TestDriveBooking) (*domain.TestDriveBooked, error) {
	var out *domain.TestDriveBooked
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, mayBook)
		if err != nil {
			return err
		}
		lead, err := db.workableLead(ctx, actor, b.Lead)
		if err != nil {
			return err
		}
		st := db.Stores.Of(actor.StoreID)
		now := db.now()
		var cars []*vehicleRow
		switch {
		case b.VehicleID != 0:
			v, err := db.vehicleByID(ctx, actor.StoreID, b.VehicleID)
			if err != nil {
				return err
			}
			cars = append(cars, v)
		case b.Car != "":
			v, err := db.findVehicle(ctx, actor.StoreID, b.Car)
			if err != nil {
				return err
			}
			cars = append(cars, v)
		default:
			var rows []vehicleRow
			if err := db.conn(ctx).Where("store_id = ? AND state = ?", actor.StoreID, string(domain.VehicleDemo)).
				Order("id").Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				return domain.Errorkf(domain.ECONFLICT, "err.demo_none", nil, "the store has no demo car")
			}
			for i := range rows {
				cars = append(cars, &rows[i])
			}
		}
		out = &domain.TestDriveBooked{Lead: lead}
		for i, v := range cars {
			if err := domain.CheckDemoUse(v.vehicle(), domain.DemoUseTestDrive, false); err != nil {
				return err
			}
			others, err := db.carSlots(ctx, v)
			if err != nil {
				return err
			}
			slot := domain.TestDriveSlot{VehicleID: v.ID, Consultant: actor.ID, Start: b.Start, End: b.Start.Add(st.Rules.Vehicles.TestDriveSlot)}
			err = domain.CheckTestDriveSlot(slot, others, now, st.Calendar)
			var de *domain.Error
			if errors.As(err, &de) && de.Code == domain.ECONFLICT {
				if i == 0 {
					out.Clash = de
					out.Free = domain.FreeTestDriveSlots(v.ID, b.Start, st.Rules.Vehicles.TestDriveSlot, others, now, st.Calendar, freeSlotOffers)
				}
				continue
			}
			if err != nil {
				return err
			}
			row := testDriveRow{StoreID: actor.StoreID, VehicleID: v.ID, LeadID: lead.ID, ConsultantID: actor.ID,
				SlotStart: dbTime(slot.Start), SlotEnd: dbTime(slot.End), State: string(domain.DriveBooked),
				CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
			if err := db.conn(ctx).Create(&row).Error; err != nil {
				return fmt.Errorf("book test drive: %w", err)
			}
			d := row.drive(v)
			out.Drive, out.Clash, out.Free = &d, nil, nil
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "book test drive by %d", by)
	}
	return out, nil
}

// driveOf loads a drive of the store with its car, locked.
func (db *DB) driveOf(ctx context.Context, store, id int64) (*testDriveRow, *vehicleRow, error) {
	var row testDriveRow
	q := db.conn(ctx).Clauses(forUpdate).Where("id = ? AND store_id = ?", id, store).Limit(1).Find(&row)
	if q.Error != nil {
		return nil, nil, q.Error
	}
	if q.RowsAffected == 0 {
		return nil, nil, errDriveNotFound(id)
	}
	v, err := db.vehicleByID(ctx, store, row.VehicleID)
	if err != nil {
		return nil, nil, err
	}
	return &row, v, nil
}

// TestDrive implements domain.TestDriveService.
func (db *DB) TestDrive(ctx context.Context, by, id int64) (*domain.TestDrive, error) {
	var out *domain.TestDrive
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, mayBook)
		if err != nil {
			return err
		}
		row, v, err := db.driveOf(ctx, actor.StoreID, id)
		if err != nil {
			return err
		}
		d := row.drive(v)
		out = &d
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "test drive %d for %d", id, by)
	}
	return out, nil
}

// checkCheckout checks staff by's checkout of drive id (who checks it out,
// its state, the licence and the reading against the car's last) and
// returns the store's view.
func (db *DB) checkCheckout(ctx context.Context, by, id int64, c domain.TestDriveCheckout) (*testDriveRow, *vehicleRow, error) {
	actor, err := db.stockActor(ctx, by, mayBook)
	if err != nil {
		return nil, nil, err
	}
	row, v, err := db.driveOf(ctx, actor.StoreID, id)
	if err != nil {
		return nil, nil, err
	}
	if row.State != string(domain.DriveBooked) {
		return nil, nil, domain.Errorkf(domain.EINVALID, "err.drive_state", []any{id, row.State}, "test drive %d is %s", id, row.State)
	}
	if err := domain.CheckDemoUse(v.vehicle(), domain.DemoUseTestDrive, false); err != nil {
		return nil, nil, err
	}
	st := db.Stores.Of(row.StoreID)
	if err := domain.CheckLicence(domain.Licence{Issued: c.LicenceIssued}, db.now(), st.Rules.Vehicles.LicenceMinYears, st.Calendar.Location); err != nil {
		return nil, nil, err
	}
	dc, err := db.demoCar(ctx, row.StoreID, v.ID)
	if err != nil {
		return nil, nil, err
	}
	if err := domain.CheckDriveReading(domain.DriveReading{Km: dc.Km}, c.Reading); err != nil {
		return nil, nil, err
	}
	return row, v, nil
}

// CheckTestDriveCheckout implements domain.TestDriveService.
func (db *DB) CheckTestDriveCheckout(ctx context.Context, by, id int64, c domain.TestDriveCheckout) (*domain.TestDrive, error) {
	var out *domain.TestDrive
	err := db.InTx(ctx, func(ctx context.Context) error {
		row, v, err := db.checkCheckout(ctx, by, id, c)
		if err != nil {
			return err
		}
		d := row.drive(v)
		out = &d
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "check checkout %d by %d", id, by)
	}
	return out, nil
}

// CheckOutTestDrive implements domain.TestDriveService.
func (db *DB) CheckOutTestDrive(ctx context.Context, by, id int64, c domain.TestDriveCheckout) (*domain.TestDrive, error) {
	var out *domain.TestDrive
	err := db.InTx(ctx, func(ctx context.Context) error {
		row, v, err := db.checkCheckout(ctx, by, id, c)
		if err != nil {
			return err
		}
		if c.AgreementFileID == "" {
			return domain.Errorkf(domain.EINVALID, "err.drive_agreement", nil, "the signed agreement's photo is missing")
		}
		now := db.now()
		licence := dbTime(c.LicenceIssued)
		set := map[string]any{"state": string(domain.DriveOut), "licence_issued": licence, "agreement_file_id": c.AgreementFileID,
			"km_out": c.Reading.Km, "fuel_out": c.Reading.Fuel, "out_at": now, "updated_at": now}
		out, err = db.moveDrive(ctx, row, v, domain.DriveBooked, set, c.Reading.Km)
		return err
	})
	if err != nil {
		return nil, wrapInternal(err, "check out %d by %d", id, by)
	}
	return out, nil
}

// moveDrive moves drive row on from state `from` (set: its new state and
// what comes with it) and sets its car's km: EINVALID (err.drive_state)
// when it moved meanwhile. It returns the drive as stored now.
func (db *DB) moveDrive(ctx context.Context, row *testDriveRow, v *vehicleRow, from domain.TestDriveState, set map[string]any, km int) (*domain.TestDrive, error) {
	res := db.conn(ctx).Model(&testDriveRow{}).Where("id = ? AND state = ?", row.ID, string(from)).Updates(set)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, domain.Errorkf(domain.EINVALID, "err.drive_state", []any{row.ID, row.State}, "test drive %d moved meanwhile", row.ID)
	}
	if err := db.conn(ctx).Model(&demoCarRow{}).Where("vehicle_id = ?", v.ID).Update("km", km).Error; err != nil {
		return nil, err
	}
	row, v, err := db.driveOf(ctx, row.StoreID, row.ID)
	if err != nil {
		return nil, err
	}
	d := row.drive(v)
	return &d, nil
}

// ReturnTestDrive implements domain.TestDriveService.
func (db *DB) ReturnTestDrive(ctx context.Context, by, id int64, r domain.DriveReading) (*domain.TestDriveReturned, error) {
	var out *domain.TestDriveReturned
	err := db.InTx(ctx, func(ctx context.Context) error {
		actor, err := db.stockActor(ctx, by, mayBook)
		if err != nil {
			return err
		}
		row, v, err := db.driveOf(ctx, actor.StoreID, id)
		if err != nil {
			return err
		}
		if row.State != string(domain.DriveOut) {
			return domain.Errorkf(domain.EINVALID, "err.drive_state", []any{id, row.State}, "test drive %d is %s", id, row.State)
		}
		if err := domain.CheckDriveReading(domain.DriveReading{Km: intOrZero(row.KmOut)}, r); err != nil {
			return err
		}
		now := db.now()
		lead, err := db.LeadInStore(ctx, row.StoreID, row.LeadID)
		if err != nil {
			return err
		}
		// The drive is a contact with the customer (R3.5): a visit on the
		// lead, by the consultant who booked it, its next follow-up moved
		// on as any contact's.
		st := db.Stores.Of(lead.StoreID)
		fu := &domain.FollowUp{LeadID: lead.ID, StaffID: row.ConsultantID, Channel: domain.ChannelVisit, At: now, GradeBefore: lead.Grade,
			Note: fmt.Sprintf("试驾 %s %s，%d→%d km", v.Model, v.VIN[len(v.VIN)-domain.VINSuffixLen:], intOrZero(row.KmOut), r.Km)}
		if lead.Grade.Open() {
			lead.LogFollowUp(now, "", st.Rules.Leads, st.Calendar)
		}
		fu.GradeAfter = lead.Grade
		if err := db.AddFollowUp(ctx, fu); err != nil {
			return err
		}
		if err := db.UpdateLead(ctx, lead); err != nil {
			return err
		}
		set := map[string]any{"state": string(domain.DriveReturned), "km_in": r.Km, "fuel_in": r.Fuel, "in_at": now,
			"follow_up_id": fu.ID, "updated_at": now}
		d, err := db.moveDrive(ctx, row, v, domain.DriveOut, set, r.Km)
		if err != nil {
			return err
		}
		out = &domain.TestDriveReturned{Drive: d, Lead: lead}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "return %d by %d", id, by)
	}
	return out, nil
}

// LeadTestDrives implements domain.TestDriveService.
func (db *DB) LeadTestDrives(ctx context.Context, leadID int64) ([]domain.TestDrive, error) {
	var rows []testDriveRow
	if err := db.conn(ctx).Where("lead_id = ?", leadID).Order("slot_start DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, wrapInternal(err, "lead %d test drives", leadID)
	}
	return db.drivesWithCars(ctx, rows)
}

func (db *DB) drivesWithCars(ctx context.Context, rows []testDriveRow) ([]domain.TestDrive, error) {
	out := make([]domain.TestDrive, len(rows))
	for i := range rows {
		var v vehicleRow
		if err := db.conn(ctx).Where("id = ?", rows[i].VehicleID).Take(&v).Error; err != nil {
			return nil, wrapInternal(err, "test drive %d car", rows[i].ID)
		}
		out[i] = rows[i].drive(&v)
	}
	return out, nil
}

// TestDrivesOut implements domain.TestDriveService.
func (db *DB) TestDrivesOut(ctx context.Context) ([]domain.TestDrive, error) {
	var rows []testDriveRow
	if err := db.conn(ctx).Where("state = ? AND late_supervisor_at IS NULL", string(domain.DriveOut)).
		Order("slot_end").Find(&rows).Error; err != nil {
		return nil, wrapInternal(err, "test drives out")
	}
	out := make([]domain.TestDrive, len(rows))
	for i := range rows {
		out[i] = rows[i].drive(nil)
	}
	return out, nil
}

// TestDriveAlarms implements domain.TestDriveService.
func (db *DB) TestDriveAlarms(ctx context.Context, now time.Time) ([]domain.TestDriveAlarm, error) {
	var out []domain.TestDriveAlarm
	err := db.InTx(ctx, func(ctx context.Context) error {
		var rows []testDriveRow
		if err := db.conn(ctx).Where("state = ? AND late_supervisor_at IS NULL AND slot_end <= ?", string(domain.DriveOut), dbTime(now)).
			Order("slot_end, id").Find(&rows).Error; err != nil {
			return err
		}
		for i := range rows {
			row := &rows[i]
			st := db.Stores.Of(row.StoreID)
			step, _ := domain.TestDriveLateness(utc(row.SlotEnd), false, now, st.Rules.Vehicles)
			consultant, err := db.StaffByID(ctx, row.ConsultantID)
			if err != nil {
				return err
			}
			var v vehicleRow
			if err := db.conn(ctx).Where("id = ?", row.VehicleID).Take(&v).Error; err != nil {
				return err
			}
			mark := func(col string) (bool, error) {
				res := db.conn(ctx).Model(&testDriveRow{}).Where("id = ? AND "+col+" IS NULL", row.ID).Update(col, dbTime(now))
				return res.RowsAffected == 1, res.Error
			}
			if step >= domain.LateConsultant && row.LateConsultantAt == nil {
				ok, err := mark("late_consultant_at")
				if err != nil {
					return err
				}
				if ok {
					out = append(out, domain.TestDriveAlarm{Drive: row.drive(&v), Step: domain.LateConsultant,
						Recipients: []*domain.Staff{consultant}, Consultant: consultant})
				}
			}
			if step >= domain.LateSupervisor {
				ok, err := mark("late_supervisor_at")
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				sups, err := db.storeStaffWithRole(ctx, row.StoreID, domain.RoleSupervisor)
				if err != nil {
					return err
				}
				out = append(out, domain.TestDriveAlarm{Drive: row.drive(&v), Step: domain.LateSupervisor,
					Recipients: sups, Consultant: consultant})
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapInternal(err, "test drive alarms")
	}
	return out, nil
}
