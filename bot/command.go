package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/dealerbot/dealerbot/domain"
)

// Command is a slash command. Its texts are catalogue keys derived from
// its name: desc.<name> (menu and /help), usage.<name> and example.<name>
// (the answer to malformed arguments).
type Command struct {
	Name string
	// Roles may use the command; empty means every active staff member.
	Roles []domain.Role
	// Public commands also run for strangers (only /start: enrolment).
	Public bool
	// Private commands answer only in a private chat: their answers (invite
	// codes, the staff list) are not for a group.
	Private bool
	// Grants are parts of the command that fewer roles may use (planning
	// the duty rota, setting the month's rest plan).
	Grants  []Grant
	Handler func(ctx context.Context, r *Request) error
}

// Grant is a part of a command kept to some roles. Whoever holds it sees
// desc.<command>.<grant> in /help and the menu instead of desc.<command>.
type Grant struct {
	Name  string
	Roles []domain.Role
}

// grants reports whether s may use the part of c called grant.
func (c *Command) grants(s *domain.Staff, grant string) bool {
	for _, g := range c.Grants {
		if g.Name == grant {
			return s != nil && s.Roles.HasAny(g.Roles...)
		}
	}
	return false
}

// desc is the command's description for s, in lang: the text of the
// last grant s holds, else the command's own.
func (c *Command) desc(lang domain.Lang, s *domain.Staff) string {
	key := "desc." + c.Name
	for _, g := range c.Grants {
		if s.Roles.HasAny(g.Roles...) {
			key = "desc." + c.Name + "." + g.Name
		}
	}
	return T(lang, key)
}

// Callback handles presses of inline buttons whose data is "<Prefix>:…".
type Callback struct {
	Prefix  string
	Roles   []domain.Role
	Handler func(ctx context.Context, r *Request) error
}

// Request is one command or button press, as a handler sees it.
type Request struct {
	Staff   *domain.Staff // nil only for Public commands from strangers
	Lang    domain.Lang
	ChatID  int64
	From    *models.User
	Message *models.Message       // the command message, or the pressed button's message
	Query   *models.CallbackQuery // set for button presses
	Command *Command
	Args    string // the text after the command, trimmed; a callback's payload

	bot   *Bot
	at    time.Time        // the moment texts are written for; zero: now
	names map[int64]string // staff names looked up for this request
}

// Store is the caller's store: its calendar, rules and name.
func (r *Request) Store() *domain.Store { return r.bot.StoreOf(r.Staff) }

// Fields splits Args at white space.
func (r *Request) Fields() []string { return strings.Fields(r.Args) }

// May reports whether the caller may use the part of the command called
// grant; false for a part the command does not declare.
func (r *Request) May(grant string) bool {
	return r.Command != nil && r.Command.grants(r.Staff, grant)
}

// T renders a catalogue text in the caller's language.
func (r *Request) T(key string, args ...any) string { return T(r.Lang, key, args...) }

// Reply answers in the request's chat with a catalogue text; the answer
// goes out through the outbox when the update commits.
func (r *Request) Reply(ctx context.Context, key string, args ...any) {
	r.bot.reply(ctx, r.ChatID, r.T(key, args...))
}

// Register adds a command; a later command of the same name replaces it.
func (b *Bot) Register(c Command) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.byName[c.Name]; ok {
		*old = c
		return
	}
	cmd := c
	b.commands = append(b.commands, &cmd)
	b.byName[c.Name] = &cmd
}

// RegisterCallback adds a button handler for data "<prefix>:…".
func (b *Bot) RegisterCallback(c Callback) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cb := c
	b.callbacks[c.Prefix] = &cb
}

// command returns the registered command of that name, or nil.
func (b *Bot) command(name string) *Command {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.byName[name]
}

// allowed lists the commands a staff member's roles may use, in
// registration order. Public commands (/start) are left out: they are for
// people who are not staff yet.
func (b *Bot) allowed(s *domain.Staff) []*Command {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []*Command
	for _, c := range b.commands {
		if !c.Public && s.Roles.HasAny(c.Roles...) {
			out = append(out, c)
		}
	}
	return out
}

// maxCommandInput is the longest command text handled, in bytes: Telegram's
// 4096 characters (a lead's notes may take 4,000 of them).
const maxCommandInput = 4096 * 4

// parseCommand splits "/name@bot args" into its parts. ok is false when
// text is not a command.
func parseCommand(text string) (name, target, args string, ok bool) {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return "", "", "", false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		rest = head[i+1:] + " " + rest
		head = head[:i]
	}
	name, target, _ = strings.Cut(head, "@")
	if name == "" {
		return "", "", "", false
	}
	return strings.ToLower(name), target, strings.TrimSpace(rest), true
}

func isPrivate(m *models.Message) bool { return m.Chat.Type == models.ChatTypePrivate }

// onMessage answers a message: a command runs; anything else gets a hint
// in a private chat and is ignored in a group.
func (b *Bot) onMessage(ctx context.Context, m *models.Message) {
	if m.From == nil || m.From.IsBot {
		return
	}
	staff := staffFrom(ctx)
	lang := domain.LangFromTelegram(m.From.LanguageCode)
	if staff != nil {
		lang = staff.Lang
	}
	name, target, args, isCmd := parseCommand(m.Text)
	if isCmd && target != "" && !strings.EqualFold(target, b.username) {
		return // a command for another bot in the group
	}
	var cmd *Command
	if isCmd {
		cmd = b.command(name)
	}
	switch {
	case staff == nil && (cmd == nil || !cmd.Public):
		// A stranger learns nothing: one short refusal, in private only.
		if isPrivate(m) {
			b.reply(ctx, m.Chat.ID, T(lang, "refuse.stranger"))
		}
		return
	case !isCmd:
		if !isPrivate(m) {
			return
		}
		r := &Request{Staff: staff, Lang: lang, ChatID: m.Chat.ID, From: m.From, Message: m, bot: b}
		if m.Document != nil || len(m.Photo) > 0 {
			if err := b.onFile(ctx, r, m); err != nil {
				b.replyError(ctx, r, err)
			}
			return
		}
		if m.Text != "" && utf8.ValidString(m.Text) {
			handled, err := b.onDialogText(ctx, r, m.Text)
			if err != nil {
				b.replyError(ctx, r, err)
				return
			}
			if handled {
				return
			}
		}
		b.reply(ctx, m.Chat.ID, T(lang, "text.hint"))
		return
	case cmd == nil:
		b.reply(ctx, m.Chat.ID, T(lang, "cmd.unknown"))
		return
	case staff != nil && !staff.Roles.HasAny(cmd.Roles...):
		b.reply(ctx, m.Chat.ID, T(lang, "cmd.forbidden", cmd.Name, roleNames(lang, cmd.Roles)))
		return
	case cmd.Private && !isPrivate(m):
		b.reply(ctx, m.Chat.ID, T(lang, "cmd.private", cmd.Name, b.username))
		return
	}
	r := &Request{Staff: staff, Lang: lang, ChatID: m.Chat.ID, From: m.From, Message: m, Command: cmd, Args: args, bot: b}
	if len(m.Text) > maxCommandInput || !utf8.ValidString(m.Text) {
		b.replyError(ctx, r, errUsage)
		return
	}
	if err := cmd.Handler(ctx, r); err != nil {
		b.replyError(ctx, r, err)
	}
}

// onCallback answers a button press. Every press is answered, so the
// user's button never spins.
func (b *Bot) onCallback(ctx context.Context, q *models.CallbackQuery) {
	staff := staffFrom(ctx)
	lang := domain.LangFromTelegram(q.From.LanguageCode)
	if staff != nil {
		lang = staff.Lang
	}
	chatID, _ := updateChat(&models.Update{CallbackQuery: q})
	if staff == nil {
		b.answerCallbackAfter(ctx, q.ID, T(lang, "refuse.stranger"))
		return
	}
	data, err := b.expandCallbackData(ctx, q.Data)
	if err != nil {
		fail(ctx, err, stripTags(T(lang, "callback.stale")))
		return
	}
	prefix, payload, _ := strings.Cut(data, ":")
	b.mu.RLock()
	cb := b.callbacks[prefix]
	b.mu.RUnlock()
	if cb == nil {
		b.answerCallbackAfter(ctx, q.ID, T(lang, "callback.stale"))
		return
	}
	if !staff.Roles.HasAny(cb.Roles...) {
		b.answerCallbackAfter(ctx, q.ID, T(lang, "err.forbidden"))
		return
	}
	r := &Request{Staff: staff, Lang: lang, ChatID: chatID, From: &q.From, Message: q.Message.Message, Query: q, Args: payload, bot: b}
	if err := cb.Handler(ctx, r); err != nil {
		fail(ctx, err, stripTags(b.errorText(ctx, r, err)))
		return
	}
	b.answerCallbackAfter(ctx, q.ID, "")
}

// answerCallbackAfter answers a button press once the update commits.
func (b *Bot) answerCallbackAfter(ctx context.Context, id, text string) {
	text = stripTags(text)
	afterCommit(ctx, func(ctx context.Context) { b.answerCallback(ctx, id, text) })
}

// answerCallback answers a button press; failures are only logged, since
// an unanswered press merely stops spinning on its own.
func (b *Bot) answerCallback(ctx context.Context, id, text string) {
	text = clip(text, maxCallbackLen)
	if _, err := b.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text}); err != nil {
		b.log.Warn("answer callback", slog.Any("error", err))
	}
}

// replyError turns a handler's error into an answer. The handler's writes
// roll back: a failed command never half-applies.
func (b *Bot) replyError(ctx context.Context, r *Request, err error) {
	if errors.Is(err, errFetchFirst) {
		return // not a failure: the update runs again with the file
	}
	fail(ctx, err, b.errorText(ctx, r, err))
}

// errorText renders an error for the user: the usage line, the domain
// error's own catalogue text, or a text by code. Only internal errors
// are logged as faults.
func (b *Bot) errorText(_ context.Context, r *Request, err error) string {
	if errors.Is(err, errUsage) && r.Command != nil {
		n := r.Command.Name
		return r.T("usage", Raw(r.T("usage."+n)), Raw(r.T("example."+n)))
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Key != "" {
		return r.T(de.Key, errorArgs(r.Lang, de)...)
	}
	switch domain.ErrorCode(err) {
	case domain.EINVALID:
		return r.T("err.invalid")
	case domain.ENOTFOUND:
		return r.T("err.not_found")
	case domain.ECONFLICT:
		return r.T("err.conflict")
	case domain.EFORBIDDEN:
		return r.T("err.forbidden")
	case domain.EUNAVAILABLE:
		return r.T("err.unavailable")
	}
	b.log.Error("handler", slog.Int64("chat_id", r.ChatID), slog.Any("error", err))
	return r.T("err.internal")
}
