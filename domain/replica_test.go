package domain

import (
	"testing"
	"time"
)

// TestDrainTime: the time until the last person has the morning push.
func TestDrainTime(t *testing.T) {
	for _, tt := range []struct {
		n, rate int
		want    time.Duration
	}{
		{10000, 30, 333333333333 * time.Nanosecond}, // 5 min 33 s
		{10000, 1000, 10 * time.Second},             // paid broadcast
		{30, 30, time.Second},
		{0, 30, 0},
		{5, 0, 0},
	} {
		if got := DrainTime(tt.n, tt.rate); got != tt.want {
			t.Errorf("DrainTime(%d, %d) = %s, want %s", tt.n, tt.rate, got, tt.want)
		}
	}
}
