package telegramtest

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestSendDocumentRoundTrip(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 70)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	content := []byte("date,car,price\n2025-03-01,Camry,30000\n")
	m, err := client.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:    u.ID,
		Document:  &models.InputFileUpload{Filename: "report.csv", Data: bytes.NewReader(content)},
		Caption:   "<b>Sales</b> for March &amp; April",
		ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	d := m.Document
	if d == nil || d.FileName != "report.csv" || d.FileSize != int64(len(content)) || d.FileID == "" || d.FileUniqueID == "" || d.MimeType != "text/csv" {
		t.Fatalf("document %+v", d)
	}
	if m.Caption != "Sales for March & April" || len(m.CaptionEntities) != 1 || m.Text != "" {
		t.Fatalf("caption %q %+v", m.Caption, m.CaptionEntities)
	}
	stored, _ := emu.LastMessage(u.ID)
	if stored.Document == nil || !bytes.Equal(stored.Document.Data, content) || stored.Plain != "Sales for March & April" {
		t.Fatalf("stored %+v", stored)
	}
	if data, ok := emu.FileData(d.FileID); !ok || !bytes.Equal(data, content) {
		t.Fatal("FileData")
	}

	// Re-sending by file_id reuses the file.
	again, err := client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: d.FileID}})
	if err != nil || again.Document.FileID != d.FileID {
		t.Fatalf("by file_id: %+v %v", again, err)
	}
	byURL, err := client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: "https://files.example/price.pdf"}})
	if err != nil || byURL.Document.FileName != "price.pdf" {
		t.Fatalf("by URL: %+v %v", byURL, err)
	}
	if last, _ := emu.LastMessage(u.ID); last.Document.URL != "https://files.example/price.pdf" || last.Document.Data != nil {
		t.Fatalf("url document %+v", last.Document)
	}

	rejects := []struct {
		p    *bot.SendDocumentParams
		want string
	}{
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: "no-such-file-id"}}, "Bad Request: wrong file identifier/HTTP URL specified"},
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileUpload{Filename: "empty.txt", Data: bytes.NewReader(nil)}}, "Bad Request: file must be non-empty"},
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: d.FileID}, Caption: "<i>x", ParseMode: models.ParseModeHTML}, `Can't find end tag corresponding to start tag "i"`},
		{&bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: d.FileID}, Caption: strings.Repeat("c", 1025)}, "Bad Request: message caption is too long"},
		{&bot.SendDocumentParams{ChatID: int64(99999), Document: &models.InputFileString{Data: d.FileID}}, "Bad Request: chat not found"},
	}
	for _, tc := range rejects {
		_, err := client.SendDocument(ctx, tc.p)
		wantAPIError(t, err, tc.want)
	}
	if n := len(emu.Messages(u.ID)); n != 3 {
		t.Fatalf("%d messages stored", n)
	}
	status, r := post(t, emu, "sendDocument", map[string]string{"chat_id": "70"})
	if status != 400 || r.Description != "Bad Request: there is no document in the request" {
		t.Fatalf("missing document: %d %q", status, r.Description)
	}
	_, err = client.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: u.ID, MessageID: m.ID, Text: "x"})
	wantAPIError(t, err, "Bad Request: there is no text in the message to edit")
}

func TestSendPhoto(t *testing.T) {
	emu := newEmu(t, Options{})
	u := chatWith(emu, 71)
	client := newClient(t, emu)
	ctx := ctxTimeout(t)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 48))); err != nil {
		t.Fatal(err)
	}
	m, err := client.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: u.ID, Photo: &models.InputFileUpload{Filename: "camry.png", Data: bytes.NewReader(buf.Bytes())}, Caption: "Camry",
		ReplyMarkup: inlineKB([]models.InlineKeyboardButton{{Text: "Book", CallbackData: "book"}}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Photo) != 1 || m.Photo[0].Width != 64 || m.Photo[0].Height != 48 || m.Caption != "Camry" || m.ReplyMarkup == nil {
		t.Fatalf("photo message %+v", m)
	}
	stored, _ := emu.LastMessage(u.ID)
	if stored.Photo == nil || !bytes.Equal(stored.Photo.Data, buf.Bytes()) || stored.Buttons[0][0].Data != "book" {
		t.Fatalf("stored %+v", stored)
	}
	_, err = client.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: u.ID, Photo: &models.InputFileUpload{Filename: "x.png", Data: strings.NewReader("not an image")}})
	wantAPIError(t, err, "Bad Request: IMAGE_PROCESS_FAILED")
	// A photo's file_id is not a document.
	_, err = client.SendDocument(ctx, &bot.SendDocumentParams{ChatID: u.ID, Document: &models.InputFileString{Data: m.Photo[0].FileID}})
	wantAPIError(t, err, "Bad Request: wrong file identifier/HTTP URL specified")
}
