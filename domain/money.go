package domain

import (
	"strconv"
	"strings"
)

// Money is integer fen (分, a hundredth of a yuan) everywhere: orders,
// deposits, refunds and the discount limits, never floating point (R4.1).

// FenPerYuan is how many fen make a yuan.
const FenPerYuan = 100

// maxYuan bounds an amount: a billion yuan is no car's price, and the
// bound keeps every sum of amounts far from int64's limit.
const maxYuan = 1_000_000_000

// YuanToFen converts whole yuan (the config's discount limits) to fen.
func YuanToFen(yuan int) int64 { return int64(yuan) * FenPerYuan }

// ParseMoney reads an amount of yuan as staff type it — "128000",
// "128,000", "128000.5", "¥128,000.50", "12.8万" (万 is ten thousand
// yuan) — into fen. Zero is accepted only when allowZero. EINVALID
// (err.money) for anything else: not a number, negative, more than two
// decimals (fen), or absurdly large.
func ParseMoney(s string, allowZero bool) (int64, error) {
	bad := func(why string) error {
		return Errorkf(EINVALID, "err.money", []any{s}, "%q is not an amount of yuan: %s", s, why)
	}
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "¥"), "￥")
	t = strings.TrimSuffix(t, "元")
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−") {
		return 0, bad("negative")
	}
	wan := strings.HasSuffix(t, "万")
	t = strings.TrimSuffix(t, "万")
	t = strings.ReplaceAll(t, ",", "")
	t = strings.ReplaceAll(t, "，", "")
	whole, frac, dot := strings.Cut(t, ".")
	if whole == "" || !digits(whole) || (dot && (frac == "" || !digits(frac))) {
		return 0, bad("not a number")
	}
	// The smallest unit is a fen: two decimals of yuan, six of 万.
	scale := 2
	if wan {
		scale = 6
	}
	if len(frac) > scale {
		return 0, bad("more decimals than a fen")
	}
	if len(whole) > 10 {
		return 0, bad("too large")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, bad("not a number")
	}
	f := int64(0)
	if frac != "" {
		padded := frac + strings.Repeat("0", scale-len(frac))
		if f, err = strconv.ParseInt(padded, 10, 64); err != nil {
			return 0, bad("not a number")
		}
	}
	var fen int64
	if wan {
		fen = w*10_000*FenPerYuan + f // f is in units of 1e-6 万 = 1 fen
	} else {
		fen = w*FenPerYuan + f
	}
	switch {
	case fen > maxYuan*FenPerYuan:
		return 0, bad("too large")
	case fen == 0 && !allowZero:
		return 0, Errorkf(EINVALID, "err.money_zero", []any{s}, "%q is zero", s)
	}
	return fen, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// FormatFen writes fen as yuan with thousands separators and two
// decimals: 12800000 → "¥128,000.00", -50 → "-¥0.50".
func FormatFen(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	yuan := strconv.FormatInt(fen/FenPerYuan, 10)
	var b strings.Builder
	for i, r := range yuan {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	cents := fen % FenPerYuan
	return sign + "¥" + b.String() + "." + string(rune('0'+cents/10)) + string(rune('0'+cents%10))
}
