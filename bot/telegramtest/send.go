package telegramtest

import (
	"encoding/json"
	"time"
)

// Error texts shared by several methods.
const (
	errNotModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
	errNoMessageID = "message identifier is not specified"
)

// deleteWindow is how old a message may be and still be deleted by a bot.
const deleteWindow = 48 * time.Hour

func handleSendMessage(s *Server, c *call) (any, *apiError) {
	chat, aerr := s.resolveSendChatLocked(c.p.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	text, aerr := formatText(c.p.str("text"), c.p.str("parse_mode"), c.p.str("entities"), false)
	if aerr != nil {
		return nil, aerr
	}
	mk, aerr := parseReplyMarkup(c.p.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	replyTo, aerr := s.resolveReplyLocked(chat, c.p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkLimitsLocked(chat, c.p.bool("allow_paid_broadcast")); aerr != nil {
		return nil, aerr
	}
	sm := s.storeBotMessageLocked(chat, outgoing{text: text, markup: mk, replyTo: replyTo})
	s.recordSendLocked(c.name, sm, c.p.bool("allow_paid_broadcast"))
	c.emit(sentEvent(EventSent, sm))
	return sm.api, nil
}

// resolveReplyLocked handles reply_parameters (JSON) and the older
// reply_to_message_id / allow_sending_without_reply arguments. The target
// must exist unless sending without the reply is allowed, as on Telegram.
func (s *Server) resolveReplyLocked(chat *chatState, p *params) (*storedMessage, *apiError) {
	var rp struct {
		MessageID                int             `json:"message_id"`
		ChatID                   json.RawMessage `json:"chat_id"`
		AllowSendingWithoutReply bool            `json:"allow_sending_without_reply"`
	}
	if raw := p.str("reply_parameters"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return nil, badRequest("can't parse reply parameters JSON object")
		}
	} else {
		rp.MessageID = p.int("reply_to_message_id")
		rp.AllowSendingWithoutReply = p.bool("allow_sending_without_reply")
	}
	if rp.MessageID == 0 {
		return nil, nil
	}
	target := chat
	if present(rp.ChatID) {
		arg, _ := jsonArgument(rp.ChatID)
		var aerr *apiError
		if target, aerr = s.resolveChatLocked(arg); aerr != nil {
			return nil, aerr
		}
	}
	if sm := target.msgs[rp.MessageID]; sm != nil {
		return sm, nil
	}
	if rp.AllowSendingWithoutReply {
		return nil, nil
	}
	return nil, badRequest("message to be replied not found")
}

// editTargetLocked finds the bot message an edit method addresses.
// inline_message_id is not supported: the emulator has no inline mode, and
// Telegram answers an unknown inline id with MESSAGE_ID_INVALID.
func (s *Server) editTargetLocked(p *params) (*chatState, *storedMessage, *apiError) {
	if p.str("inline_message_id") != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	chat, aerr := s.resolveChatLocked(p.str("chat_id"))
	if aerr != nil {
		return nil, nil, aerr
	}
	id := p.int("message_id")
	if id == 0 {
		return nil, nil, badRequest(errNoMessageID)
	}
	sm := chat.msgs[id]
	if sm == nil {
		return nil, nil, badRequest("message to edit not found")
	}
	if !sm.fromBot {
		return nil, nil, badRequest("message can't be edited")
	}
	return chat, sm, nil
}

// editMarkup parses the reply_markup of an edit: only inline keyboards are
// allowed, and no markup means "remove the inline keyboard".
func editMarkup(raw string) (*markup, string, *apiError) {
	mk, aerr := parseReplyMarkup(raw)
	if aerr != nil {
		return nil, "", aerr
	}
	if mk == nil {
		return nil, "", nil
	}
	if mk.kind != markupInline {
		return nil, "", badRequest("inline keyboard expected")
	}
	return mk, mk.canonical, nil
}

func handleEditMessageText(s *Server, c *call) (any, *apiError) {
	_, sm, aerr := s.editTargetLocked(c.p)
	if aerr != nil {
		return nil, aerr
	}
	if sm.view.Document != nil || sm.view.Photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	text, aerr := formatText(c.p.str("text"), c.p.str("parse_mode"), c.p.str("entities"), false)
	if aerr != nil {
		return nil, aerr
	}
	mk, canon, aerr := editMarkup(c.p.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	if text.key() == sm.content && canon == sm.inline {
		return nil, badRequest(errNotModified)
	}
	s.applyTextLocked(sm, text, false)
	s.applyMarkupLocked(sm, mk)
	s.markEditedLocked(sm)
	c.emit(sentEvent(EventEdited, sm))
	return sm.api, nil
}

func handleEditMessageReplyMarkup(s *Server, c *call) (any, *apiError) {
	_, sm, aerr := s.editTargetLocked(c.p)
	if aerr != nil {
		return nil, aerr
	}
	mk, canon, aerr := editMarkup(c.p.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	if canon == sm.inline {
		return nil, badRequest(errNotModified)
	}
	s.applyMarkupLocked(sm, mk)
	s.markEditedLocked(sm)
	c.emit(sentEvent(EventEdited, sm))
	return sm.api, nil
}

func (s *Server) markEditedLocked(sm *storedMessage) {
	now := s.now()
	sm.view.EditCount++
	sm.view.EditedAt = now
	sm.api.EditDate = int(now.Unix())
}

// handleDeleteMessage deletes any message in a known chat (bots may delete
// incoming messages in private chats too) if it is younger than 48 hours.
func handleDeleteMessage(s *Server, c *call) (any, *apiError) {
	chat, aerr := s.resolveChatLocked(c.p.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	id := c.p.int("message_id")
	sm := chat.msgs[id]
	if sm == nil {
		return nil, badRequest("message to delete not found")
	}
	if s.now().Sub(sm.view.Date) > deleteWindow {
		return nil, badRequest("message can't be deleted for everyone")
	}
	delete(chat.msgs, id)
	for i, mid := range chat.order {
		if mid == id {
			chat.order = append(chat.order[:i:i], chat.order[i+1:]...)
			break
		}
	}
	if sm.fromBot {
		c.emit(Event{Kind: EventDeleted, ChatID: chat.chat.ID, MessageID: id, Message: sm.view.clone()})
	}
	return true, nil
}

// chatActions are the actions sendChatAction accepts.
var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

// handleSendChatAction validates like a send (a blocked user gives 403) but
// stores nothing: a chat action is ephemeral.
func handleSendChatAction(s *Server, c *call) (any, *apiError) {
	if _, aerr := s.resolveSendChatLocked(c.p.str("chat_id")); aerr != nil {
		return nil, aerr
	}
	if !chatActions[c.p.str("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	return true, nil
}
