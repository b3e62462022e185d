package bot

import (
	"context"

	"github.com/dealerbot/dealerbot/domain"
)

// What the handlers not yet converted to services still look up
// themselves (clean-up, complaints, duty, the register); a converted noun
// gets its recipients in the service's outcome (domain.Reachable).

// rulers are the roles that settle a complaint's steps.
var rulers = []domain.Role{domain.RoleSupervisor, domain.RoleManager, domain.RoleGM}

// staffWithAnyRole lists the active, enrolled staff holding a role.
func (b *Bot) staffWithAnyRole(ctx context.Context, role domain.Role) ([]*domain.Staff, error) {
	all, err := b.store.StaffWithRole(ctx, role)
	if err != nil {
		return nil, err
	}
	return domain.Reachable(all), nil
}
