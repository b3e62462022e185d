package bot

import (
	"strings"

	"github.com/dealerbot/dealerbot/domain"
)

// morningBudget is a morning message's length limit in UTF-16 units,
// below Telegram's 4096 with room for a last line.
const morningBudget = maxMessageLen - 200

// appendAging adds the store's aging stock (R3.2) to a morning message's
// lines: the overdue cars, then the alert ones, oldest first, each list
// ending "… and N more" when capped by the service or by the message's
// room, so that the message stays one.
func appendAging(lang domain.Lang, st *domain.Store, lines []string, d *domain.MorningDigest) []string {
	used := textUnits(strings.Join(lines, "\n"))
	add := func(line string) bool {
		if used+1+textUnits(line) > morningBudget {
			return false
		}
		lines = append(lines, line)
		used += 1 + textUnits(line)
		return true
	}
	for _, part := range []struct {
		head string
		days int
		list domain.StockAgingList
	}{
		{"morning.stock_overdue", st.Rules.Vehicles.StockOverdueDays, d.StockOverdue},
		{"morning.stock_alert", st.Rules.Vehicles.StockAlertDays, d.StockAlert},
	} {
		if part.list.Total() == 0 || !add(T(lang, part.head, part.days, part.list.Total())) {
			continue
		}
		shown := 0
		for _, a := range part.list.Cars {
			v := a.Vehicle
			label := strings.Join(strings.Fields(v.Model+" "+v.Trim+" "+v.Colour), " ")
			if !add(T(lang, "morning.stock_line", v.VIN, label, a.Days)) {
				break
			}
			shown++
		}
		if more := part.list.Total() - shown; more > 0 {
			lines = append(lines, T(lang, "vlist.more", more))
			used += 1 + textUnits(lines[len(lines)-1])
		}
	}
	return lines
}
