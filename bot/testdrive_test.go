package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"github.com/dealerbot/dealerbot/domain"
	"github.com/dealerbot/dealerbot/jobs"
	"github.com/dealerbot/dealerbot/storage/storagetest"
)

// staffNamed is the default store's member called name.
func (h *harness) staffNamed(name string) *domain.Staff {
	h.t.Helper()
	s, err := h.db.StaffByName(context.Background(), h.db.Stores.Default().ID, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// stockCar brings car i of VIN's series into the default store's stock,
// as the stock keeper called keeper.
func (h *harness) stockCar(keeper string, i int) string {
	h.t.Helper()
	ctx, k := context.Background(), h.staffNamed(keeper)
	vin := storagetest.VIN(i)
	v, err := h.db.AddVehicle(ctx, k.ID, domain.VehicleDraft{VIN: vin, Model: "轩逸", Trim: "舒适版", Colour: "白", EngineNo: "E1", CertificateNo: "C1"})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.db.MoveVehicle(ctx, k.ID, v.ID, domain.VehicleMove{To: domain.VehicleArrived}); err != nil {
		h.t.Fatal(err)
	}
	ok, _ := domain.PDIChecks(h.db.Stores.Default().Rules.Vehicles.PDIItems, "ok", "", "")
	if _, err := h.db.RecordPDI(ctx, k.ID, vin, ok, domain.PDIConfirm{EngineNo: "E1", CertificateNo: "C1"}); err != nil {
		h.t.Fatal(err)
	}
	return vin
}

// agreementPhoto is a photo of a signed page.
func agreementPhoto(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	for x := 0; x < 640; x++ {
		img.SetGray(x, 240, color.Gray{Y: 200})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestR3_5_TestDriveEndToEnd: a manager moves a stock car to the fleet; a
// consultant books a test drive for a lead (a clash offers free slots),
// checks it out — a licence under a year and an odometer below the last
// reading refused, then the agreement's photo sent through the emulator —
// the car comes back late: the consultant hears at slot end + 30 min, the
// supervisor 30 min later, exactly once each, also across a restart; the
// return is on the lead card as a contact.
func TestR3_5_TestDriveEndToEnd(t *testing.T) {
	h := newHarness(t)
	h.enroll("库管员小周", "stock_keeper", "zh")
	boss := h.enroll("王经理", "manager", "zh")
	h.enroll("赵保管", "consultant", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	sup := h.enroll("李主管", "supervisor", "zh")
	vin := h.stockCar("库管员小周", 1)

	contains(t, h.reply(chen, "/demo "+vin+" 赵保管"), "您无权使用 /demo")
	contains(t, h.reply(boss, "/demo "+vin[11:]+" 赵保管 2027-11-01 2027-05-01 1200"), "已转为试驾车", "赵保管")
	contains(t, h.reply(chen, "/fleet"), vin, "赵保管", "2027-11-01", "1200 km")

	out, err := h.db.AddLead(context.Background(), h.staffNamed("陈顾问").ID,
		domain.LeadDraft{Name: "王石", Phone: "13800138000", Model: "轩逸", Grade: "H", Source: "来电"})
	if err != nil {
		t.Fatal(err)
	}
	lead := out.Lead.ID

	contains(t, h.reply(chen, fmt.Sprintf("/td %d 今天 14:00", lead)), "已预约试驾 #1", vin, "14:00–14:30", "王石")
	clash := h.say(chen, fmt.Sprintf("/td %d 今天14:10 %s", lead, vin[11:]))
	if len(clash) != 1 || len(clash[0].Buttons) != 3 || clash[0].Buttons[0][0].Text != "2026-11-27 14:30" {
		t.Fatalf("clash %v %+v", plains(clash), clash)
	}
	contains(t, clash[0].Plain, "已有试驾预约", "最近的空闲时段")
	got := h.press(chen, "2026-11-27 14:30")
	contains(t, got[len(got)-1].Plain, "已预约试驾 #2", "14:30–15:00")
	contains(t, h.reply(chen, fmt.Sprintf("/td %d 今天 17:45", lead)), "营业时间")
	contains(t, h.reply(chen, "/td 999 今天 15:00"), "没有编号为 999 的客户")

	// Checkout through the booking's button: the readings, then the photo.
	h.press(chen, "出车登记")
	contains(t, h.reply(chen, "2026-06-01 1250 3/4"), "2027-06-01")
	contains(t, h.reply(chen, "/tdout 1 2019-05-01 1100 3/4"), "1200")
	contains(t, h.reply(chen, "/tdout 1 2019-05-01 1250 3/4"), "请发送签好的试驾协议照片")
	d, _ := h.db.TestDrive(context.Background(), h.staffNamed("陈顾问").ID, 1)
	if d.State != domain.DriveBooked {
		t.Fatalf("checked out before the photo: %+v", d)
	}
	msgs := h.sayIn(chen, chen.ID, func() int { return h.emu.SendPhoto(chen, agreementPhoto(t)) })
	if len(msgs) != 1 {
		t.Fatalf("photo: %v", plains(msgs))
	}
	contains(t, msgs[0].Plain, "试驾 #1 已出车", "1250 km", "75%", "14:30")
	d, _ = h.db.TestDrive(context.Background(), h.staffNamed("陈顾问").ID, 1)
	data, ok := h.emu.FileData(d.AgreementFileID)
	if d.State != domain.DriveOut || !ok {
		t.Fatalf("agreement %q: %+v", d.AgreementFileID, d)
	}
	// The largest size Telegram made of the photo: the original 640×480.
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != 640 || cfg.Height != 480 {
		t.Fatalf("stored size %+v %v", cfg, err)
	}

	// Late: exactly at the second, once each.
	s := jobs.NewScheduler(shanghai(), h.clock, nil)
	s.AddDeadline(&jobs.TestDriveLate{Store: h.db, Bot: h.bot, Stores: h.db.Stores})
	end := time.Date(2026, 11, 27, 14, 30, 0, 0, shanghai())
	c0, s0 := len(h.emu.Messages(chen.ID)), len(h.emu.Messages(sup.ID))
	if ran := h.advanceTo(s, end.Add(30*time.Minute-time.Second), "test-drive-late"); len(ran) != 0 {
		t.Fatalf("ran early at %v", ran)
	}
	if ran := h.advanceTo(s, end.Add(30*time.Minute), "test-drive-late"); !sameInstants(ran, end.Add(30*time.Minute)) {
		t.Fatalf("ran at %v", ran)
	}
	contains(t, h.lastText(chen), "未按时归还", vin, "超时 30 分钟")
	if len(h.emu.Messages(sup.ID)) != s0 {
		t.Fatal("supervisor told with the consultant")
	}
	if ran := h.advanceTo(s, end.Add(time.Hour), "test-drive-late"); !sameInstants(ran, end.Add(time.Hour)) {
		t.Fatalf("escalation ran at %v", ran)
	}
	contains(t, h.lastText(sup), "仍未归还", "陈顾问", "超时 60 分钟")
	h.restart()
	s = jobs.NewScheduler(shanghai(), h.clock, nil)
	s.AddDeadline(&jobs.TestDriveLate{Store: h.db, Bot: h.bot, Stores: h.db.Stores})
	h.advanceTo(s, end.Add(3*time.Hour), "test-drive-late")
	if c, sp := len(h.emu.Messages(chen.ID))-c0, len(h.emu.Messages(sup.ID))-s0; c != 1 || sp != 1 {
		t.Fatalf("consultant told %d times, supervisor %d", c, sp)
	}

	contains(t, h.reply(chen, "/tdin 1 1240 1/2"), "1240", "1250")
	contains(t, h.reply(chen, "/tdin 1 1290 1/2"), "已还车", "本次 40 km")
	contains(t, h.reply(chen, fmt.Sprintf("/show %d", lead)), "试驾", vin, "已还车", "1250→1290")
}

// TestR3_4_DemoUseNeedsTheManager: another use of a demo car goes to the
// store's manager as an approval card; one tap decides and tells the
// requester; a car not in the fleet is refused.
func TestR3_4_DemoUseNeedsTheManager(t *testing.T) {
	h := newHarness(t)
	h.enroll("库管员小周", "stock_keeper", "zh")
	boss := h.enroll("王经理", "manager", "zh")
	chen := h.enroll("陈顾问", "consultant", "zh")
	vin := h.stockCar("库管员小周", 1)
	other := h.stockCar("库管员小周", 2)
	contains(t, h.reply(chen, "/demouse "+other+" 车展"), "不是试乘试驾车")
	h.reply(boss, "/demo "+vin+" 陈顾问")
	contains(t, h.reply(chen, "/demouse "+vin[11:]+" 周末车展"), "已提交申请 #1")
	contains(t, h.lastText(boss), "陈顾问", "周末车展", vin)
	h.press(boss, "批准")
	contains(t, h.lastText(chen), "申请 #1", "王经理 批准")
}

// TestR3_6_UpkeepOncePerDayAndRetirement: the morning upkeep job reminds
// the keeper and the manager of insurance due within 30 days, once per
// car per day however often it runs, and proposes retirement by age.
func TestR3_6_UpkeepOncePerDayAndRetirement(t *testing.T) {
	h := newHarness(t)
	h.enroll("库管员小周", "stock_keeper", "zh")
	boss := h.enroll("王经理", "manager", "zh")
	zhao := h.enroll("赵保管", "consultant", "zh")
	vin := h.stockCar("库管员小周", 1)
	h.reply(boss, "/demo "+vin+" 赵保管 2026-12-10 - 48000")
	job := &jobs.DemoUpkeep{Store: h.db, Bot: h.bot, Shop: h.db.Stores.Default()}
	if !strings.HasPrefix(job.Spec(), "CRON_TZ=Asia/Shanghai ") || job.Name() != "demo-upkeep@main" {
		t.Fatalf("spec %q name %q", job.Spec(), job.Name())
	}
	z0, b0 := len(h.emu.Messages(zhao.ID)), len(h.emu.Messages(boss.ID))
	h.runJob(job)
	h.runJob(job)
	contains(t, h.lastText(zhao), vin, "保险 2026-12-10 到期（还有 13 天）")
	if z, b := len(h.emu.Messages(zhao.ID))-z0, len(h.emu.Messages(boss.ID))-b0; z != 1 || b != 1 {
		t.Fatalf("keeper told %d times, manager %d", z, b)
	}
	h.advance(24 * time.Hour)
	h.runJob(job)
	if z := len(h.emu.Messages(zhao.ID)) - z0; z != 2 {
		t.Fatalf("the next day: keeper told %d times", z)
	}
	// Two years on the car is due for retirement.
	h.advance(2 * 365 * 24 * time.Hour)
	h.runJob(job)
	contains(t, h.lastText(boss), "建议退役", "已满 24 个月")
}
