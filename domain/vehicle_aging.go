package domain

import (
	"math"
	"sort"
	"time"
)

// StockAge is a stock car's aging class (R3.2).
type StockAge string

// The aging classes: an alert past rules.vehicles.stock_alert_days, overdue
// (reported to the manager daily) past stock_overdue_days.
const (
	StockAgeOK      StockAge = "ok"
	StockAgeAlert   StockAge = "alert"
	StockAgeOverdue StockAge = "overdue"
)

// DaysInStock counts the calendar days from the car's arrival to now, in
// the store's zone: a car that arrived yesterday is 1 day old whatever the
// hour.
func DaysInStock(arrived, now time.Time, loc *time.Location) int {
	return CalendarDays(arrived, now, loc)
}

// CalendarDays counts the dates from from's to to's in loc, negative when to
// is the earlier.
func CalendarDays(from, to time.Time, loc *time.Location) int {
	y1, m1, d1 := from.In(loc).Date()
	y2, m2, d2 := to.In(loc).Date()
	a := time.Date(y1, m1, d1, 12, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 12, 0, 0, 0, time.UTC)
	return int(math.Round(b.Sub(a).Hours() / 24))
}

// ClassifyAge says whether a car days in stock is fine, raises the alert
// (older than StockAlertDays) or is overdue (older than StockOverdueDays).
func (r VehicleRules) ClassifyAge(days int) StockAge {
	switch {
	case days > r.StockOverdueDays:
		return StockAgeOverdue
	case days > r.StockAlertDays:
		return StockAgeAlert
	}
	return StockAgeOK
}

// StockAging is one car in the aging report.
type StockAging struct {
	Vehicle Vehicle
	Days    int
	Class   StockAge
}

// AgeStock is the aging report (R3.2): the cars that count as stock (in
// stock or reserved), oldest first, each with its days and class. The
// order is first in, first out: the car to sell next leads.
func AgeStock(cars []Vehicle, now time.Time, loc *time.Location, r VehicleRules) []StockAging {
	var out []StockAging
	for _, v := range cars {
		if v.State != VehicleInStock && v.State != VehicleReserved {
			continue
		}
		d := DaysInStock(v.ArrivedAt, now, loc)
		out = append(out, StockAging{Vehicle: v, Days: d, Class: r.ClassifyAge(d)})
	}
	sort.SliceStable(out, func(i, j int) bool { return fifoLess(out[i].Vehicle, out[j].Vehicle) })
	return out
}

// SortFIFO orders cars first in, first out: earliest arrival first, ties
// by VIN so that the order is the same on every run.
func SortFIFO(cars []Vehicle) {
	sort.SliceStable(cars, func(i, j int) bool { return fifoLess(cars[i], cars[j]) })
}

func fifoLess(a, b Vehicle) bool {
	if !a.ArrivedAt.Equal(b.ArrivedAt) {
		return a.ArrivedAt.Before(b.ArrivedAt)
	}
	return a.VIN < b.VIN
}
