package domain

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The maker's dispatch list (发车清单, R3.1): a spreadsheet of the cars on
// their way, one a row, under a header row whose names may be Chinese or
// English, in any order.

// VehicleDraft is a car as typed or read from a dispatch list, before it
// is checked.
type VehicleDraft struct {
	VIN, Model, Trim, Colour, EngineNo, CertificateNo, Location, KeyNo string
}

// maxVehicleField is the longest text a car's field holds, in characters.
const maxVehicleField = 64

// CheckVehicleDraft checks a car before it enters the ledger: its VIN
// (CheckVIN: err.vin_bad, err.vin_check), a model (err.vehicle_field_missing,
// the argument names the column) and no field longer than 64 characters
// (err.vehicle_field_long). It returns the draft with the VIN normalised
// and the fields trimmed.
func CheckVehicleDraft(d VehicleDraft) (VehicleDraft, error) {
	vin, err := CheckVIN(d.VIN)
	if err != nil {
		return d, err
	}
	d.VIN = vin
	for _, f := range []struct {
		col DispatchColumn
		v   *string
	}{{ColModel, &d.Model}, {ColTrim, &d.Trim}, {ColColour, &d.Colour}, {ColEngine, &d.EngineNo},
		{ColCertificate, &d.CertificateNo}, {ColLocation, &d.Location}, {ColKey, &d.KeyNo}} {
		*f.v = strings.TrimSpace(*f.v)
		if utf8.RuneCountInString(*f.v) > maxVehicleField {
			return d, Errorkf(EINVALID, "err.vehicle_field_long", []any{string(f.col), maxVehicleField},
				"%s is longer than %d characters", f.col, maxVehicleField)
		}
	}
	if d.Model == "" {
		return d, Errorkf(EINVALID, "err.vehicle_field_missing", []any{string(ColModel)}, "the car has no model")
	}
	return d, nil
}

// DispatchColumn is a column of the dispatch list that the ledger reads.
type DispatchColumn string

// The columns read; others are ignored.
const (
	ColVIN         DispatchColumn = "vin"
	ColModel       DispatchColumn = "model"
	ColTrim        DispatchColumn = "trim"
	ColColour      DispatchColumn = "colour"
	ColEngine      DispatchColumn = "engine"
	ColCertificate DispatchColumn = "certificate"
	ColLocation    DispatchColumn = "location"
	ColKey         DispatchColumn = "key"
)

// RequiredDispatchColumns must be in the header row.
var RequiredDispatchColumns = []DispatchColumn{ColVIN, ColModel}

// dispatchHeaders are the header names makers use, normalised
// (headerKey): Chinese and English.
var dispatchHeaders = map[string]DispatchColumn{
	"vin": ColVIN, "vinno": ColVIN, "vincode": ColVIN, "车架号": ColVIN, "车辆识别代号": ColVIN, "车辆识别号": ColVIN, "底盘号": ColVIN,
	"model": ColModel, "车型": ColModel, "车型名称": ColModel, "车系": ColModel,
	"trim": ColTrim, "version": ColTrim, "配置": ColTrim, "版本": ColTrim, "车型配置": ColTrim,
	"colour": ColColour, "color": ColColour, "颜色": ColColour, "车身颜色": ColColour, "外观颜色": ColColour,
	"engine": ColEngine, "engineno": ColEngine, "enginenumber": ColEngine, "发动机号": ColEngine, "发动机编号": ColEngine, "电机号": ColEngine,
	"certificate": ColCertificate, "certificateno": ColCertificate, "certificatenumber": ColCertificate, "合格证号": ColCertificate, "合格证": ColCertificate, "合格证编号": ColCertificate,
	"location": ColLocation, "库位": ColLocation, "位置": ColLocation, "存放位置": ColLocation,
	"key": ColKey, "keyno": ColKey, "钥匙号": ColKey, "钥匙编号": ColKey,
}

// headerKey normalises a header cell: lower case, without spaces,
// punctuation or a trailing remark in brackets ("VIN (17位)" → "vin").
func headerKey(s string) string {
	if i := strings.IndexAny(s, "(（"); i > 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DispatchRow is an accepted row of a dispatch list: its row number in the
// sheet (1-based, as the spreadsheet shows it) and the checked car.
type DispatchRow struct {
	Row   int
	Draft VehicleDraft
}

// ImportReject is a rejected row: its number, the VIN as written, and why.
type ImportReject struct {
	Row    int
	VIN    string
	Reason *Error
}

// headerSearchRows is how far down a title block the header row may be.
const headerSearchRows = 10

// ReadDispatchList reads a sheet's rows (as a spreadsheet reader returns
// them): the header row is the first of the top rows that names a VIN
// column; every row under it that is not blank is checked
// (CheckVehicleDraft) and against the rows above it (a VIN twice:
// err.import_dup_in_file naming the first row). It answers EINVALID
// err.import_no_header (no header row names a VIN column),
// err.import_columns_missing (the header lacks a required column, listed)
// or err.import_empty (no car under the header).
func ReadDispatchList(sheet [][]string) ([]DispatchRow, []ImportReject, error) {
	head, cols := -1, map[DispatchColumn]int{}
	for i := 0; i < len(sheet) && i < headerSearchRows && head < 0; i++ {
		found := map[DispatchColumn]int{}
		for j, cell := range sheet[i] {
			if c, ok := dispatchHeaders[headerKey(cell)]; ok {
				if _, dup := found[c]; !dup {
					found[c] = j
				}
			}
		}
		if _, ok := found[ColVIN]; ok {
			head, cols = i, found
		}
	}
	if head < 0 {
		return nil, nil, Errorkf(EINVALID, "err.import_no_header", nil, "no header row names a VIN (车架号) column")
	}
	var missing []string
	for _, c := range RequiredDispatchColumns {
		if _, ok := cols[c]; !ok {
			missing = append(missing, string(c))
		}
	}
	if len(missing) > 0 {
		list := strings.Join(missing, ", ")
		return nil, nil, Errorkf(EINVALID, "err.import_columns_missing", []any{list}, "the header lacks: %s", list)
	}
	cell := func(row []string, c DispatchColumn) string {
		if j, ok := cols[c]; ok && j < len(row) {
			return strings.TrimSpace(row[j])
		}
		return ""
	}
	var ok []DispatchRow
	var bad []ImportReject
	first := map[string]int{}
	for i := head + 1; i < len(sheet); i++ {
		row := sheet[i]
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		d := VehicleDraft{VIN: cell(row, ColVIN), Model: cell(row, ColModel), Trim: cell(row, ColTrim),
			Colour: cell(row, ColColour), EngineNo: cell(row, ColEngine), CertificateNo: cell(row, ColCertificate),
			Location: cell(row, ColLocation), KeyNo: cell(row, ColKey)}
		n := i + 1
		checked, err := CheckVehicleDraft(d)
		if err != nil {
			bad = append(bad, ImportReject{Row: n, VIN: d.VIN, Reason: domainError(err)})
			continue
		}
		if prev, dup := first[checked.VIN]; dup {
			bad = append(bad, ImportReject{Row: n, VIN: checked.VIN, Reason: Errorkf(EINVALID, "err.import_dup_in_file",
				[]any{checked.VIN, prev}, "VIN %s is already on row %d", checked.VIN, prev)})
			continue
		}
		first[checked.VIN] = n
		ok = append(ok, DispatchRow{Row: n, Draft: checked})
	}
	if len(ok)+len(bad) == 0 {
		return nil, nil, Errorkf(EINVALID, "err.import_empty", nil, "no car under the header row")
	}
	return ok, bad, nil
}

// domainError returns err as a *Error (CheckVehicleDraft's errors are).
func domainError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EINVALID, Message: err.Error()}
}

// FindVIN finds a VIN in a barcode's text (a VIN label carries the VIN
// alone; the certificate's 2-D code carries many fields): the first run of
// 17 letters and digits that passes CheckVIN. When a 17-character run is
// there but none passes, it returns CheckVIN's error for the first; when
// there is none, err.barcode_no_vin (EINVALID).
func FindVIN(text string) (string, error) {
	var firstErr error
	runs := strings.FieldsFunc(strings.ToUpper(text), func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z')
	})
	for _, run := range runs {
		for i := 0; i+17 <= len(run); i++ {
			vin, err := CheckVIN(run[i : i+17])
			if err == nil {
				return vin, nil
			}
			if firstErr == nil && len(run) == 17 {
				firstErr = err
			}
		}
	}
	if firstErr != nil {
		return "", firstErr
	}
	return "", Errorkf(EINVALID, "err.barcode_no_vin", nil, "the barcode carries no VIN")
}
