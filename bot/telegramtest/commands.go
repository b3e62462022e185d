package telegramtest

import (
	"encoding/json"
	"fmt"

	"github.com/go-telegram/bot/models"
)

const maxCommands = 100

// scopeKeyLocked parses a BotCommandScope (JSON text; "" is default) into the
// key commands are stored under, resolving and checking chat ids like
// Telegram does ("chat not found" for an unknown chat).
func (s *Server) scopeKeyLocked(raw string) (string, *apiError) {
	if raw == "" {
		return "default", nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, nil
	case "chat", "chat_administrators", "chat_member":
	default:
		return "", badRequest("unsupported bot command scope type %q", sc.Type)
	}
	arg, ok := jsonArgument(sc.ChatID)
	if !ok {
		return "", badRequest("chat_id is empty")
	}
	c, aerr := s.resolveChatLocked(arg)
	if aerr != nil {
		return "", aerr
	}
	if sc.Type != "chat" && !c.isGroup() {
		// Administrators and members only exist in groups.
		return "", badRequest("can't use scope %s in a private chat", sc.Type)
	}
	if sc.Type == "chat_member" {
		if _, ok := s.users[sc.UserID]; !ok {
			return "", badRequest("user not found")
		}
		return fmt.Sprintf("chat_member:%d:%d", c.chat.ID, sc.UserID), nil
	}
	return fmt.Sprintf("%s:%d", sc.Type, c.chat.ID), nil
}

// languageOK accepts "" or a two-letter lowercase ISO 639-1 code.
func languageOK(lang string) bool {
	if lang == "" {
		return true
	}
	return len(lang) == 2 && lang[0] >= 'a' && lang[0] <= 'z' && lang[1] >= 'a' && lang[1] <= 'z'
}

func (s *Server) commandKeyLocked(p *params) (string, *apiError) {
	scope, aerr := s.scopeKeyLocked(p.str("scope"))
	if aerr != nil {
		return "", aerr
	}
	lang := p.str("language_code")
	if !languageOK(lang) {
		return "", badRequest("invalid language code specified")
	}
	return scope + "|" + lang, nil
}

// validCommand is Telegram's rule: 1-32 characters of a-z, 0-9 and "_".
func validCommand(cmd string) bool {
	if len(cmd) < 1 || len(cmd) > 32 {
		return false
	}
	for i := 0; i < len(cmd); i++ {
		b := cmd[i]
		if !(b == '_' || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) {
			return false
		}
	}
	return true
}

func handleSetMyCommands(s *Server, c *call) (any, *apiError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(c.p.str("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON array")
	}
	if len(cmds) > maxCommands {
		return nil, badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	for _, cmd := range cmds {
		if !validCommand(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(cmd.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, aerr := s.commandKeyLocked(c.p)
	if aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		// An empty list is how Telegram deletes commands for the scope.
		delete(s.commands, key)
	} else {
		s.commands[key] = append([]models.BotCommand(nil), cmds...)
	}
	return true, nil
}

func handleGetMyCommands(s *Server, c *call) (any, *apiError) {
	key, aerr := s.commandKeyLocked(c.p)
	if aerr != nil {
		return nil, aerr
	}
	// Exact scope and language only: getMyCommands does not fall back.
	cmds := s.commands[key]
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	return cmds, nil
}

func handleDeleteMyCommands(s *Server, c *call) (any, *apiError) {
	key, aerr := s.commandKeyLocked(c.p)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.commands, key)
	return true, nil
}

// Commands returns the commands the bot set for exactly this scope and
// language (nil scope = default, "" = all languages), or nil if none.
// Chat scopes must name a chat the emulator knows; otherwise the result is
// nil.
func (s *Server) Commands(scope models.BotCommandScope, lang string) []models.BotCommand {
	raw := ""
	if scope != nil {
		b, err := scope.MarshalCustom()
		if err != nil {
			return nil
		}
		raw = string(b)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key, aerr := s.scopeKeyLocked(raw)
	if aerr != nil {
		return nil
	}
	return append([]models.BotCommand(nil), s.commands[key+"|"+lang]...)
}
