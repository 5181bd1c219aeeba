"""Who may administer whom (issue 9): site administration must not be a way up.

- Staff or superuser status, groups and permissions are granted only by superusers.
- A staff account (or a superuser) other than one's own is changed, given a password,
  deleted, or issued a personal token only by a superuser: otherwise staff holding the
  user-change or token-add permission could take over a more powerful account.
- ``actor=None`` is the system (a command run by the operator): it may do all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from access.decision import ALLOW, Decision, Denial

if TYPE_CHECKING:
    from accounts.models import User


def _superuser(actor: User | None) -> bool:
    return actor is None or (actor.is_active and actor.is_superuser)


def grant_decide(actor: User | None, *, what: str) -> Decision:
    """May ``actor`` ``what`` (grant staff status, change groups...)? Superusers only."""
    if _superuser(actor):
        return ALLOW
    return Decision(False, Denial.FORBIDDEN, f"Only superusers may {what}.")


def user_administer_decide(actor: User | None, target: User, *, what: str) -> Decision:
    """May ``actor`` ``what`` (change, set the password of, delete) ``target``? Anyone the
    surface lets in may for ordinary users and for themselves; a staff member or superuser
    other than oneself only a superuser."""
    powerful = target.is_staff or target.is_superuser
    oneself = actor is not None and actor.pk == target.pk
    if not powerful or oneself or _superuser(actor):
        return ALLOW
    kind = "a superuser" if target.is_superuser else "a staff member"
    return Decision(False, Denial.FORBIDDEN, f"Only superusers may {what} {kind}.")


def token_for_decide(actor: User | None, user: User) -> Decision:
    """May ``actor`` issue a personal token for ``user``? Their own; for someone else, only
    superusers (a token acts as its user)."""
    if (actor is not None and actor.pk == user.pk) or _superuser(actor):
        return ALLOW
    return Decision(
        False, Denial.FORBIDDEN, "Only superusers issue personal tokens for someone else."
    )
