package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // photos arrive as JPEG
	_ "image/png"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/xuri/excelize/v2"

	"github.com/dealerbot/dealerbot/bot/delivery"
	"github.com/dealerbot/dealerbot/domain"
)

// Files staff send the bot (R3.1): a dispatch list as a document, a
// barcode as a photo. The bytes come from Telegram (getFile and the
// download link); the ledger's checks are VehicleService's.

// maxDownload is the largest file a bot may fetch from Telegram.
const maxDownload = 20 << 20

// maxRejectLines is how many rejected rows a preview names; the rest are
// counted, so that the answer stays one message.
const maxRejectLines = 40

// previewBudget is the preview's length limit in UTF-16 units, below
// Telegram's 4096 with room for the last line.
const previewBudget = maxMessageLen - 300

// spreadsheetMIME are the types of .xlsx and .xlsm files.
var spreadsheetMIME = map[string]bool{
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"application/vnd.ms-excel.sheet.macroenabled.12":                    true,
}

// downloadClient fetches files; Telegram answers quickly or not at all.
var downloadClient = &http.Client{Timeout: 60 * time.Second}

// onFile answers a document or photo in a private chat: a dispatch list
// from a stock keeper or manager, a barcode from anyone who may see cars.
func (b *Bot) onFile(ctx context.Context, r *Request, m *models.Message) error {
	// A test drive's checkout awaiting its agreement's photo takes it (testdrive.go).
	if handled, err := b.onCheckoutPhoto(ctx, r, m); handled || err != nil {
		return err
	}
	switch {
	case m.Document != nil && domain.MayKeepStock(r.Staff):
		return b.onDispatchList(ctx, r, m.Document)
	case len(m.Photo) > 0 && r.Staff.Roles.HasAny(domain.StockViewers...):
		return b.onBarcodePhoto(ctx, r, m.Photo[len(m.Photo)-1])
	}
	r.Reply(ctx, "file.unexpected")
	return nil
}

// isSpreadsheet reports whether a document is an .xlsx (or .xlsm) file, by
// its name or its type.
func isSpreadsheet(d *models.Document) bool {
	ext := strings.ToLower(path.Ext(d.FileName))
	return ext == ".xlsx" || ext == ".xlsm" || spreadsheetMIME[strings.ToLower(d.MimeType)]
}

// megabytes writes a size for people.
func megabytes(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) }

// onDispatchList reads a dispatch list and answers the preview, with the
// one-tap import of its accepted rows.
func (b *Bot) onDispatchList(ctx context.Context, r *Request, d *models.Document) error {
	if !isSpreadsheet(d) {
		r.Reply(ctx, "import.not_spreadsheet", d.FileName)
		return nil
	}
	if d.FileSize > maxDownload {
		r.Reply(ctx, "import.too_big", d.FileName, megabytes(d.FileSize), megabytes(maxDownload))
		return nil
	}
	data, err := b.fetchFile(ctx, d.FileID)
	if err != nil {
		return err
	}
	if data == nil {
		r.Reply(ctx, "import.too_big", d.FileName, megabytes(maxDownload+1), megabytes(maxDownload))
		return nil
	}
	sheet, err := readFirstSheet(data)
	if err != nil {
		b.log.Info("unreadable spreadsheet", slog.Int64("chat_id", r.ChatID), slog.Any("error", err))
		r.Reply(ctx, "import.unreadable", d.FileName)
		return nil
	}
	p, err := b.opts.Vehicles.PreviewImport(ctx, r.Staff.ID, d.FileName, sheet)
	if err != nil {
		return err
	}
	text := b.previewText(r, p)
	if len(p.Accepted) == 0 {
		b.reply(ctx, r.ChatID, text)
		return nil
	}
	b.replyMarkup(ctx, r.ChatID, text, inlineKeyboard([]models.InlineKeyboardButton{{
		Text: r.T("btn.import", len(p.Accepted)), CallbackData: "vimp:" + strconv.FormatInt(p.ID, 10)}}))
	return nil
}

// readFirstSheet reads the rows of a workbook's first sheet.
func readFirstSheet(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("no sheet")
	}
	return f.GetRows(sheets[0])
}

// previewText renders a preview: counts, then every rejected row with its
// number and reason while the message has room, then how many more.
func (b *Bot) previewText(r *Request, p *domain.ImportPreview) string {
	var sb strings.Builder
	sb.WriteString(r.T("import.preview", p.FileName, len(p.Accepted)+len(p.Rejected), len(p.Accepted), len(p.Rejected)))
	shown := 0
	for _, rej := range p.Rejected {
		line := "\n" + r.T("import.reject", rej.Row, dash(rej.VIN), Raw(T(r.Lang, rej.Reason.Key, errorArgs(r.Lang, rej.Reason)...)))
		if shown == maxRejectLines || textUnits(sb.String()+line) > previewBudget {
			break
		}
		sb.WriteString(line)
		shown++
	}
	if more := len(p.Rejected) - shown; more > 0 {
		sb.WriteString("\n" + r.T("vlist.more", more))
	}
	if len(p.Accepted) > 0 {
		sb.WriteString("\n\n" + r.T("import.confirm", len(p.Accepted)))
	} else {
		sb.WriteString("\n\n" + r.T("import.nothing"))
	}
	return sb.String()
}

// handleImportButton imports a preview's accepted rows: vimp:<id>. A
// second tap finds it done (err.import_done).
func (b *Bot) handleImportButton(ctx context.Context, r *Request) error {
	id, err := parseButtonID(r.Args)
	if err != nil {
		return err
	}
	out, err := b.opts.Vehicles.ImportVehicles(ctx, r.Staff.ID, id)
	if err != nil {
		return err
	}
	r.Reply(ctx, "import.done", out.Count)
	return nil
}

// errFetchFirst is what a handler returns after fetchFile asked delivery
// to fetch a file outside the transaction: the attempt rolls back and the
// update runs again with the file (nothing to answer).
var errFetchFirst = errors.New("fetch the file outside the transaction first")

// fetchedFile is a file fetched outside the update's transaction.
type fetchedFile struct {
	fileID string
	data   []byte
	err    error
}

// fetchFile is download for a handler: the download happens outside the
// update's transaction (delivery.Prefetch says why and how), so a slow one
// holds no lock. On the first attempt it asks for the fetch and returns
// errFetchFirst; on the second it returns what the fetch got. The checks
// that decide whether a file is fetched at all (the sender's role, the
// size Telegram announced) run before, in the transaction.
func (b *Bot) fetchFile(ctx context.Context, fileID string) ([]byte, error) {
	fx := effectsFrom(ctx)
	if fx == nil {
		return b.download(ctx, fileID)
	}
	if f, ok := fx.fetched.(*fetchedFile); ok && f.fileID == fileID {
		return f.data, f.err
	}
	if fx.abort == nil {
		fx.abort = &delivery.Prefetch{Fetch: func(ctx context.Context) any {
			data, err := b.download(ctx, fileID)
			return &fetchedFile{fileID: fileID, data: data, err: err}
		}}
	}
	return nil, errFetchFirst
}

// download fetches a file from Telegram: nil data when it is over
// maxDownload (Telegram refuses those too).
func (b *Bot) download(ctx context.Context, fileID string) ([]byte, error) {
	f, err := b.api.GetFile(ctx, &tgbot.GetFileParams{FileID: fileID})
	if err != nil {
		if strings.Contains(err.Error(), "file is too big") {
			return nil, nil
		}
		return nil, fmt.Errorf("getFile: %w", err)
	}
	if f.FileSize > maxDownload {
		return nil, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.api.FileDownloadLink(f), nil)
	if err != nil {
		return nil, err
	}
	resp, err := downloadClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", f.FilePath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download %s: %s", f.FilePath, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", f.FilePath, err)
	}
	if len(data) > maxDownload {
		return nil, nil
	}
	return data, nil
}

// barcodeReaders are tried in turn: the certificate's QR code, then the
// VIN labels' linear codes.
var barcodeReaders = []func() gozxing.Reader{qrcode.NewQRCodeReader, oned.NewCode128Reader, oned.NewCode39Reader}

// readBarcode finds the text of a barcode in an image.
func readBarcode(img image.Image) (string, bool) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", false
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	for _, newReader := range barcodeReaders {
		if res, err := newReader().Decode(bmp, hints); err == nil {
			return res.GetText(), true
		}
	}
	return "", false
}

// onBarcodePhoto reads a VIN from a photo's barcode and answers with the
// car's card, or, for a car not in the ledger, how to add it.
func (b *Bot) onBarcodePhoto(ctx context.Context, r *Request, p models.PhotoSize) error {
	if p.FileSize > maxDownload {
		r.Reply(ctx, "barcode.none")
		return nil
	}
	data, err := b.fetchFile(ctx, p.FileID)
	if err != nil {
		return err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if data == nil || err != nil {
		r.Reply(ctx, "barcode.none")
		return nil
	}
	text, ok := readBarcode(img)
	if !ok {
		r.Reply(ctx, "barcode.none")
		return nil
	}
	vin, err := domain.FindVIN(text)
	if err != nil {
		return err
	}
	if handled, err := b.seenFromPhoto(ctx, r, vin); handled {
		return err
	}
	c, err := b.opts.Vehicles.VehicleCard(ctx, r.Staff.ID, vin)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		if domain.MayKeepStock(r.Staff) {
			r.Reply(ctx, "barcode.unknown_add", vin, vin)
		} else {
			r.Reply(ctx, "barcode.unknown", vin)
		}
		return nil
	}
	if err != nil {
		return err
	}
	return b.replyVehicleCard(ctx, r, c, "barcode.read", vin)
}
