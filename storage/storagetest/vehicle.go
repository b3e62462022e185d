package storagetest

import (
	"fmt"

	"github.com/dealerbot/dealerbot/domain"
)

// VIN is the i-th VIN of a made-up Chinese-built series (0 ≤ i < 10⁶),
// with its check digit right, so that tests of the ledger make as many
// distinct valid VINs as they need.
func VIN(i int) string {
	v := []byte(fmt.Sprintf("LSVAB2BR0NP%06d", i))
	v[8] = domain.VINCheckDigit(string(v))
	return string(v)
}

// WrongVIN is VIN(i) with a wrong check digit.
func WrongVIN(i int) string {
	v := []byte(VIN(i))
	if v[8] == '1' {
		v[8] = '2'
	} else {
		v[8] = '1'
	}
	return string(v)
}

// DispatchSheet is a dispatch list's rows for cars from..to-1 of VIN's
// series: a Chinese header, then VIN, model, trim, colour, engine and
// certificate numbers ("E<i>", "C<i>"), models cycling over three.
func DispatchSheet(from, to int) [][]string {
	models := []string{"轩逸", "天籁", "奇骏"}
	rows := [][]string{{"序号", "车架号", "车型", "配置", "颜色", "发动机号", "合格证号"}}
	for i := from; i < to; i++ {
		rows = append(rows, []string{fmt.Sprint(i - from + 1), VIN(i), models[i%3], "舒适版", "白",
			fmt.Sprintf("E%d", i), fmt.Sprintf("C%d", i)})
	}
	return rows
}
