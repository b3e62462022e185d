package domain

import (
	"testing"
	"time"
)

func TestR3_2_AgingClasses(t *testing.T) {
	r := DefaultRules().Vehicles // alert > 45 days, overdue > 90
	for days, want := range map[int]StockAge{0: StockAgeOK, 45: StockAgeOK, 46: StockAgeAlert, 90: StockAgeAlert, 91: StockAgeOverdue, 400: StockAgeOverdue} {
		if got := r.ClassifyAge(days); got != want {
			t.Errorf("ClassifyAge(%d) = %s, want %s", days, got, want)
		}
	}
}

func TestR3_2_DaysInStockCountsStoreDates(t *testing.T) {
	cal := testCalendar(t)
	// 23:30 in Shanghai is 15:30 UTC the same day; 00:30 is the day before in UTC.
	arrived := at(cal, "2026-10-01 23:30")
	for now, want := range map[string]int{"2026-10-01 23:59": 0, "2026-10-02 00:30": 1, "2026-11-15 09:00": 45, "2026-11-16 09:00": 46} {
		if got := DaysInStock(arrived, at(cal, now), cal.Location); got != want {
			t.Errorf("DaysInStock(%s) = %d, want %d", now, got, want)
		}
	}
}

func TestR3_2_AgeStockFIFO(t *testing.T) {
	cal, r := testCalendar(t), DefaultRules().Vehicles
	now := at(cal, "2026-12-31 10:00")
	cars := []Vehicle{
		{VIN: "B-new", State: VehicleInStock, ArrivedAt: at(cal, "2026-12-20 10:00")},
		{VIN: "D-sold", State: VehicleSold, ArrivedAt: at(cal, "2026-01-01 10:00")},
		{VIN: "C-old", State: VehicleReserved, ArrivedAt: at(cal, "2026-09-01 10:00")},
		{VIN: "A-mid", State: VehicleInStock, ArrivedAt: at(cal, "2026-11-01 10:00")},
		{VIN: "A-mid2", State: VehicleInStock, ArrivedAt: at(cal, "2026-11-01 10:00")},
		{VIN: "E-road", State: VehicleInTransit, ArrivedAt: time.Time{}},
	}
	got := AgeStock(cars, now, cal.Location, r)
	want := []struct {
		vin   string
		days  int
		class StockAge
	}{{"C-old", 121, StockAgeOverdue}, {"A-mid", 60, StockAgeAlert}, {"A-mid2", 60, StockAgeAlert}, {"B-new", 11, StockAgeOK}}
	if len(got) != len(want) {
		t.Fatalf("%d cars in the report: %+v", len(got), got)
	}
	for i, w := range want {
		if g := got[i]; g.Vehicle.VIN != w.vin || g.Days != w.days || g.Class != w.class {
			t.Errorf("%d: %s %d %s, want %+v", i, g.Vehicle.VIN, g.Days, g.Class, w)
		}
	}
	SortFIFO(cars)
	if cars[0].VIN != "E-road" || cars[1].VIN != "D-sold" || cars[2].VIN != "C-old" || cars[3].VIN != "A-mid" {
		t.Errorf("SortFIFO: %v %v %v %v", cars[0].VIN, cars[1].VIN, cars[2].VIN, cars[3].VIN)
	}
}
