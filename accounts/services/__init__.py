"""Writes to users, organizations, their members and teams. Callers have already asked ``access``.

Each service is keyword-only and atomic, and records an audit event (``audit.event_record``) in
its own transaction. ``actor`` is the acting user, or None for the system (a command at start).
The invariants kept here, and only here:

- an organization that has an owner keeps one: the last owner is neither removed nor demoted,
  nor deleted while the organization is active;
- a project without an organization keeps an owner: its last owner is not deleted (the rule
  itself is ``projects.services.roles``'s);
- a team's members are members of the team's organization, so leaving an organization means
  leaving its teams;
- usernames are unique regardless of case; organization names regardless of normalization;
- a superuser is also staff; no event holds a password.

One module per concept:

- ``base``: ``AccountError``, the name check, the organization lock and last-owner rule;
- ``users``: creating, changing, groups and permissions, setting a password, deleting;
- ``organizations``: organizations (deleted only once they own no project) and members;
- ``invitations``: invitations to join an organization;
- ``teams``: teams and their members.
"""

from accounts.services.base import AccountError, organization_owner_check
from accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_withdraw,
    invitations_for,
    invitations_pending,
)
from accounts.services.organizations import (
    organization_create,
    organization_delete,
    organization_member_remove,
    organization_member_set,
    organization_update,
)
from accounts.services.teams import (
    team_create,
    team_delete,
    team_member_add,
    team_member_remove,
    team_rename,
)
from accounts.services.users import (
    user_create,
    user_delete,
    user_password_set,
    user_permissions_set,
    user_update,
)

__all__ = [
    "AccountError",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_withdraw",
    "invitations_for",
    "invitations_pending",
    "organization_create",
    "organization_delete",
    "organization_member_remove",
    "organization_member_set",
    "organization_owner_check",
    "organization_update",
    "team_create",
    "team_delete",
    "team_member_add",
    "team_member_remove",
    "team_rename",
    "user_create",
    "user_delete",
    "user_password_set",
    "user_permissions_set",
    "user_update",
]
