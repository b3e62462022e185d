package telegramtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Message is a bot message as a test sees it: the current state, with edits
// applied. Messages are copies; changing one does not affect the emulator.
type Message struct {
	ID     int       // message_id, per chat
	ChatID int64     // chat the message is in
	Date   time.Time // Options.Now when sent
	// Text is the text (or caption, for documents and photos) exactly as the
	// bot sent it, HTML markup included.
	Text string
	// Plain is Text after entity parsing: tags removed, &lt; and friends
	// decoded, surrounding whitespace trimmed — what the user reads. For
	// Markdown parse modes it equals Text (Markdown is not parsed).
	Plain     string
	ParseMode string                 // parse_mode as sent ("" for none)
	Entities  []models.MessageEntity // parsed entities, UTF-16 offsets into Plain
	// Buttons is the inline keyboard, row by row.
	Buttons [][]Button
	// Keyboard is a reply keyboard's button texts, row by row.
	Keyboard       [][]string
	RemoveKeyboard bool  // reply_markup was ReplyKeyboardRemove
	ForceReply     bool  // reply_markup was ForceReply
	Document       *File // set for sendDocument messages
	Photo          *File // set for sendPhoto messages
	// ReplyTo is the id of the message this one replies to, or 0.
	ReplyTo   int
	EditCount int       // successful edits of text or markup
	EditedAt  time.Time // Options.Now at the last edit
}

// Button is one inline keyboard button. Data is its callback_data, URL its
// url; a button of another kind (web_app, switch_inline_query, …) has both
// empty.
type Button struct {
	Text string // label
	Data string // callback_data
	URL  string // url
}

// File is an uploaded or referenced document/photo.
type File struct {
	FileID   string // reusable file_id
	UniqueID string // file_unique_id
	Name     string // file name of the upload or the URL's last segment
	MimeType string // from the file name, else sniffed from the content
	// Data is the uploaded content; nil when the bot sent an HTTP URL, which
	// the emulator does not download (no network in tests).
	Data []byte
	// URL is set when the bot sent the file as an HTTP URL.
	URL    string
	Size   int // bytes; 0 for URLs
	Width  int // photos only
	Height int // photos only
}

// storedMessage is any message in a chat: the bot's own (fromBot) or one a
// user sent through SendText/SendUpdate, which bots may reply to and delete.
type storedMessage struct {
	view    Message
	fromBot bool
	api     models.Message
	// inline is the canonical inline keyboard JSON, "" for none, so that
	// "message is not modified" compares keyboards semantically.
	inline string
	// content is the canonical text+entities, for the same check.
	content string
}

func (m Message) clone() Message {
	m.Entities = append([]models.MessageEntity(nil), m.Entities...)
	if m.Buttons != nil {
		rows := make([][]Button, len(m.Buttons))
		for i, r := range m.Buttons {
			rows[i] = append([]Button(nil), r...)
		}
		m.Buttons = rows
	}
	if m.Keyboard != nil {
		rows := make([][]string, len(m.Keyboard))
		for i, r := range m.Keyboard {
			rows[i] = append([]string(nil), r...)
		}
		m.Keyboard = rows
	}
	m.Document = m.Document.clone()
	m.Photo = m.Photo.clone()
	return m
}

func (f *File) clone() *File {
	if f == nil {
		return nil
	}
	cp := *f
	if f.Data != nil {
		cp.Data = append([]byte{}, f.Data...)
	}
	return &cp
}

// storeIncomingLocked files a user's message in the chat, assigning the next
// message id when it has none: ids are shared by both sides of a chat.
func (s *Server) storeIncomingLocked(c *chatState, msg *models.Message) {
	if msg.ID == 0 {
		c.lastMsgID++
		msg.ID = c.lastMsgID
	} else if _, dup := c.msgs[msg.ID]; dup {
		panic(fmt.Sprintf("telegramtest: message id %d is already used in chat %d", msg.ID, c.chat.ID))
	} else if msg.ID > c.lastMsgID {
		c.lastMsgID = msg.ID
	}
	sm := &storedMessage{api: *msg}
	sm.view = Message{ID: msg.ID, ChatID: c.chat.ID, Date: time.Unix(int64(msg.Date), 0), Text: msg.Text, Plain: msg.Text}
	c.order = append(c.order, msg.ID)
	c.msgs[msg.ID] = sm
}

// outgoing is a validated bot message about to be stored.
type outgoing struct {
	text     formatted
	markup   *markup
	replyTo  *storedMessage
	document *fileState
	photo    *fileState
}

// storeBotMessageLocked commits a validated send and returns the stored
// message. Nothing is written before this point, so failed calls leave no
// trace.
func (s *Server) storeBotMessageLocked(c *chatState, out outgoing) *storedMessage {
	c.lastMsgID++
	now := s.now()
	sm := &storedMessage{fromBot: true}
	sm.view = Message{ID: c.lastMsgID, ChatID: c.chat.ID, Date: now}
	sm.api = models.Message{ID: c.lastMsgID, From: &s.botUser, Chat: c.chat, Date: int(now.Unix())}
	if out.replyTo != nil {
		sm.view.ReplyTo = out.replyTo.api.ID
		target := out.replyTo.api
		target.ReplyToMessage = nil
		sm.api.ReplyToMessage = &target
	}
	switch {
	case out.document != nil:
		s.files[out.document.view.FileID] = out.document
		sm.view.Document = out.document.view.clone()
		sm.api.Document = out.document.document()
	case out.photo != nil:
		s.files[out.photo.view.FileID] = out.photo
		sm.view.Photo = out.photo.view.clone()
		sm.api.Photo = out.photo.photoSizes()
	}
	s.applyTextLocked(sm, out.text, out.document != nil || out.photo != nil)
	s.applyMarkupLocked(sm, out.markup)
	c.msgs[sm.view.ID] = sm
	c.order = append(c.order, sm.view.ID)
	return sm
}

// applyTextLocked sets text (or caption) on both the test view and the wire
// message.
func (s *Server) applyTextLocked(sm *storedMessage, f formatted, caption bool) {
	sm.view.Text, sm.view.Plain, sm.view.ParseMode = f.raw, f.plain, f.mode
	sm.view.Entities = f.entities
	if caption {
		sm.api.Caption, sm.api.CaptionEntities = f.plain, f.entities
	} else {
		sm.api.Text, sm.api.Entities = f.plain, f.entities
	}
	sm.content = f.key()
}

// applyMarkupLocked sets the reply markup. Only inline keyboards become part
// of the message (Telegram returns reply_markup only for them); reply
// keyboards are recorded on the view so tests can assert them.
func (s *Server) applyMarkupLocked(sm *storedMessage, mk *markup) {
	sm.view.Buttons, sm.inline, sm.api.ReplyMarkup = nil, "", nil
	if mk == nil {
		return
	}
	switch mk.kind {
	case markupInline:
		sm.view.Buttons, sm.inline = mk.buttons, mk.canonical
		sm.api.ReplyMarkup = mk.model()
	case markupKeyboard:
		sm.view.Keyboard = mk.keyboard
	case markupRemove:
		sm.view.RemoveKeyboard = true
	case markupForceReply:
		sm.view.ForceReply = true
	}
}

// formatted is a text or caption after parse-mode processing.
type formatted struct {
	raw, plain, mode string
	entities         []models.MessageEntity
}

func (f formatted) key() string {
	b, _ := json.Marshal(struct {
		P string
		E []models.MessageEntity
	}{f.plain, f.entities})
	return string(b)
}

// sentEvent builds an observer event for a bot message.
func sentEvent(kind EventKind, sm *storedMessage) Event {
	return Event{Kind: kind, ChatID: sm.view.ChatID, MessageID: sm.view.ID, Message: sm.view.clone()}
}

// Telegram's length limits, in UTF-16 code units after entity parsing.
const (
	maxTextLen     = 4096
	maxCaptionLen  = 1024
	maxCallbackLen = 200
)

// formatText validates a text or caption the way Telegram does: parse mode,
// entity parsing, trimming, emptiness (texts only) and length. Lengths are
// counted in UTF-16 code units, which is what Telegram counts: an emoji
// outside the BMP costs two.
func formatText(raw, parseMode, entitiesJSON string, caption bool) (formatted, *apiError) {
	f := formatted{raw: raw, mode: parseMode}
	if !utf8.ValidString(raw) {
		return f, badRequest("text must be encoded in UTF-8")
	}
	switch strings.ToLower(parseMode) {
	case "html":
		plain, ents, err := parseHTML(raw)
		if err != nil {
			return f, badRequest("can't parse entities: %s", err.Error())
		}
		f.plain, f.entities = plain, ents
	case "", "markdown", "markdownv2":
		// Markdown is accepted without parsing (documented deviation): the
		// stored plain text is the raw text, markup characters included.
		f.plain = raw
		if entitiesJSON != "" && parseMode == "" {
			if err := json.Unmarshal([]byte(entitiesJSON), &f.entities); err != nil {
				return f, badRequest("can't parse entities JSON object")
			}
		}
	default:
		return f, badRequest("unsupported parse_mode")
	}
	f.plain, f.entities = trimFormatted(f.plain, f.entities)
	limit := maxTextLen
	if caption {
		limit = maxCaptionLen
	}
	switch {
	case !caption && f.plain == "":
		return f, badRequest("message text is empty")
	case utf16Len(f.plain) > limit && caption:
		return f, badRequest("message caption is too long")
	case utf16Len(f.plain) > limit:
		return f, badRequest("message is too long")
	}
	return f, nil
}

// trimFormatted strips leading and trailing whitespace as Telegram does and
// shifts or clips the entities accordingly, dropping ones left empty.
func trimFormatted(s string, ents []models.MessageEntity) (string, []models.MessageEntity) {
	trimmedLeft := strings.TrimLeftFunc(s, unicode.IsSpace)
	lead := utf16Len(s[:len(s)-len(trimmedLeft)])
	out := strings.TrimRightFunc(trimmedLeft, unicode.IsSpace)
	total := utf16Len(out)
	if lead == 0 && total == utf16Len(s) {
		return s, ents
	}
	var kept []models.MessageEntity
	for _, e := range ents {
		start := max(e.Offset-lead, 0)
		end := min(e.Offset+e.Length-lead, total)
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		kept = append(kept, e)
	}
	return out, kept
}
