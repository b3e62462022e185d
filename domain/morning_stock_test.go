package domain

import "testing"

func TestR3_2_SplitAgingKeepsTheOldestOfEachClass(t *testing.T) {
	var aging []StockAging
	for _, c := range []StockAge{StockAgeOverdue, StockAgeOverdue, StockAgeOverdue, StockAgeAlert, StockAgeAlert, StockAgeOK} {
		aging = append(aging, StockAging{Vehicle: Vehicle{VIN: string(c) + string(rune('0'+len(aging)))}, Class: c})
	}
	overdue, alert := SplitAging(aging, 2)
	if len(overdue.Cars) != 2 || overdue.More != 1 || overdue.Cars[0].Vehicle.VIN != "overdue0" || overdue.Total() != 3 {
		t.Errorf("overdue %+v", overdue)
	}
	if len(alert.Cars) != 2 || alert.More != 0 || alert.Cars[0].Vehicle.VIN != "alert3" {
		t.Errorf("alert %+v", alert)
	}
	if d := (&MorningDigest{StockAlert: StockAgingList{More: 1}}); d.Empty() {
		t.Error("a digest with aging stock is empty")
	}
}
