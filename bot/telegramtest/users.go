package telegramtest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// User is a Telegram user registered with the emulator. Its private chat with
// the bot has the same id as the user, as on Telegram.
type User struct {
	ID           int64  // user id = private chat id
	FirstName    string // shown as from.first_name
	Username     string // without "@"; may be empty
	LanguageCode string // IETF tag such as "ru"; may be empty
}

// Model is the user as the Bot API serialises it in updates.
func (u User) Model() models.User {
	return models.User{ID: u.ID, FirstName: u.FirstName, Username: u.Username, LanguageCode: u.LanguageCode}
}

// chatState is one chat the emulator knows: a private chat with a user or a
// group created with NewGroup.
type chatState struct {
	chat models.Chat
	// open is true once the user has written to the bot (or OpenChat was
	// called): Telegram refuses to let a bot start a private conversation.
	open bool
	// blocked means the user blocked the bot (private chat) or the bot was
	// removed from the group.
	blocked   bool
	lastMsgID int
	msgs      map[int]*storedMessage
	order     []int
}

func (c *chatState) isGroup() bool {
	return c.chat.Type == models.ChatTypeGroup || c.chat.Type == models.ChatTypeSupergroup
}

// User registers a user (or updates their names) and returns it. Registering
// does not open the private chat: the bot can message the user only after
// SendText (or OpenChat), exactly as on Telegram.
func (s *Server) User(id int64, firstName, username, langCode string) User {
	if id <= 0 {
		panic(fmt.Sprintf("telegramtest: user id must be positive, got %d", id))
	}
	u := User{ID: id, FirstName: firstName, Username: username, LanguageCode: langCode}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registerLocked(u)
	return u
}

// registerLocked stores the user and creates their (closed) private chat.
func (s *Server) registerLocked(u User) *chatState {
	s.users[u.ID] = u.Model()
	c := s.chats[u.ID]
	if c == nil {
		c = &chatState{msgs: map[int]*storedMessage{}}
		s.chats[u.ID] = c
	}
	c.chat = models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName, Username: u.Username}
	return c
}

// OpenChat marks the user's private chat as started without queuing an update,
// as if the user had pressed Start long ago. Use it for tests that begin with
// the bot pushing a notification to an existing user.
func (s *Server) OpenChat(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registerLocked(u).open = true
	s.notifyLocked()
}

// NewGroup creates a group the bot is a member of. Group ids are negative on
// Telegram; ids at or below -1000000000000 become supergroups, like real
// "-100…" ids. It panics on a non-negative id because that is a test bug.
func (s *Server) NewGroup(id int64, title string) models.Chat {
	if id >= 0 {
		panic(fmt.Sprintf("telegramtest: group id must be negative, got %d", id))
	}
	typ := models.ChatTypeGroup
	if id <= -1000000000000 {
		typ = models.ChatTypeSupergroup
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[id]
	if c == nil {
		c = &chatState{msgs: map[int]*storedMessage{}}
		s.chats[id] = c
	}
	c.chat = models.Chat{ID: id, Type: typ, Title: title}
	c.open = true
	s.notifyLocked()
	return c.chat
}

// SetChatUsername gives a group a public @username so that chat_id
// "@username" resolves to it. Telegram resolves @username only for public
// groups and channels, never for private chats, so users cannot get one.
func (s *Server) SetChatUsername(chatID int64, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || !c.isGroup() {
		panic(fmt.Sprintf("telegramtest: SetChatUsername: %d is not a known group", chatID))
	}
	c.chat.Username = strings.TrimPrefix(username, "@")
}

// Block makes every later send to the chat fail with 403: "bot was blocked by
// the user" for a private chat, "bot was kicked from the group chat" for a
// group. For an open private chat it also queues the my_chat_member update
// (member -> kicked) that Telegram delivers when a user blocks a bot.
func (s *Server) Block(chatID int64) {
	s.setBlocked(chatID, true)
}

// Unblock undoes Block; for a private chat it queues the my_chat_member
// update (kicked -> member) Telegram sends when the user restarts the bot.
func (s *Server) Unblock(chatID int64) {
	s.setBlocked(chatID, false)
}

func (s *Server) setBlocked(chatID int64, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		panic(fmt.Sprintf("telegramtest: Block/Unblock: unknown chat %d", chatID))
	}
	s.setBlockedLocked(c, blocked)
}

func (s *Server) setBlockedLocked(c *chatState, blocked bool) {
	if c.blocked == blocked {
		return
	}
	c.blocked = blocked
	if c.chat.Type != models.ChatTypePrivate || !c.open {
		s.notifyLocked()
		return
	}
	member := models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: &s.botUser}}
	kicked := models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: &s.botUser}}
	upd := &models.ChatMemberUpdated{Chat: c.chat, From: s.users[c.chat.ID], Date: int(s.now().Unix())}
	if blocked {
		upd.OldChatMember, upd.NewChatMember = member, kicked
	} else {
		upd.OldChatMember, upd.NewChatMember = kicked, member
	}
	s.enqueueLocked(models.Update{MyChatMember: upd})
}

// resolveChatLocked maps a chat_id argument to a known chat. It accepts an
// integer id or "@username" of a public group, like Telegram.
func (s *Server) resolveChatLocked(arg string) (*chatState, *apiError) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return nil, badRequest("chat_id is empty")
	}
	if name, ok := strings.CutPrefix(arg, "@"); ok {
		for _, c := range s.chats {
			if c.isGroup() && c.chat.Username != "" && strings.EqualFold(c.chat.Username, name) {
				return c, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c := s.chats[id]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	return c, nil
}

// resolveSendChatLocked additionally applies the rules for sending a new
// message: the user must have started the bot and must not have blocked it.
func (s *Server) resolveSendChatLocked(arg string) (*chatState, *apiError) {
	c, aerr := s.resolveChatLocked(arg)
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case c.blocked && c.chat.Type == models.ChatTypePrivate:
		return nil, forbidden("bot was blocked by the user")
	case c.blocked:
		return nil, forbidden("bot was kicked from the group chat")
	case !c.open:
		return nil, forbidden("bot can't initiate conversation with a user")
	}
	return c, nil
}
