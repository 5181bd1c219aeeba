"""Users: creating, changing, their groups and permissions, setting a password, deleting.

Usernames are unique regardless of case. A superuser is also staff. A user is not deleted
while they are the last owner of an active organization or of a project without one; events
never hold a password.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from access import Decision
from access.administration import grant_decide, user_administer_decide
from accounts.models import (
    Invitation,
    Organization,
    OrganizationMember,
    OrganizationRole,
    TeamMember,
    User,
)
from accounts.services.base import AccountError, is_last_owner
from audit.services import event_record
from namespaces.models import NamespaceGrant
from projects.models import Project, ProjectRole, ProjectRoleName

# The project's last-owner rule has its home with the project role services.
from projects.services.roles import project_role_is_last_owner

_FLAGS = ("is_active", "is_staff", "is_superuser")
EMAIL_MAX = 254  # the EmailField columns (User.email, Invitation.email)
_NAMES = ("first_name", "last_name")


def _email_check(email: str) -> str:
    """``email`` normalized as Django does; empty is allowed, as in Django."""
    if len(email) > EMAIL_MAX:
        raise AccountError(f"An email address has at most {EMAIL_MAX} characters.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise AccountError(f"'{email}' is not a valid email address.") from None
    return User.objects.normalize_email(email)


def _name_check(field: str, value: str) -> str:
    column = User._meta.get_field(field)
    limit = column.max_length if isinstance(column, models.CharField) else None
    if limit is not None and len(value) > limit:
        label = field.replace("_", " ")
        raise AccountError(f"The {label} must be at most {limit} characters.")
    return value


# What pip, uv and twine send as the username with a token (DESIGN 5): never an account.
RESERVED_USERNAMES = frozenset({"__token__"})


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: User | None,
) -> User:
    """Create an active user. ``password=None`` gives an unusable password (token-only, or set
    later); password strength is the caller's form to check (the admin's and ``createuser``
    ask Django's validators; ``bootstrap`` must start whatever the operator chose).

    A superuser is also staff. Raises AccountError(400) for an empty or invalid username or
    an invalid email (an empty email is allowed, as in Django), AccountError(409) when the
    username is taken in any case ("Alice" next to "alice" misleads). Records ``user:create``.
    """
    username = User.normalize_username(username.strip())
    if not username:
        raise AccountError("The username must not be empty.")
    if username.lower() in RESERVED_USERNAMES:
        raise AccountError(f"'{username}' is reserved: clients send it with a token.")
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        messages = " ".join(exc.messages)
        raise AccountError(f"'{username}' is not a valid username: {messages}") from None
    email = _email_check(email)
    existing = User.objects.filter(username__iexact=username).first()
    if existing is not None:
        raise AccountError(f"User '{existing.username}' already exists.", 409)
    user = User(
        username=username,
        email=email,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # created by someone else since the check above
        raise AccountError(f"User '{username}' already exists.", 409) from None
    event_record(
        "user:create",
        actor=actor,
        user=user.username,
        is_staff=user.is_staff,
        is_superuser=user.is_superuser,
        usable_password=password is not None,
    )
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User | None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    is_active: bool | None = None,
    is_staff: bool | None = None,
    is_superuser: bool | None = None,
) -> User:
    """Change ``user``'s email, names or flags; None leaves a field as it is. Compares with the
    stored row (locked), not with ``user``'s attributes, and updates ``user`` in place.

    Making a user superuser makes them staff too. Deactivating (``is_active=False``) keeps
    their memberships and roles, an organization's last owner included: they can no longer
    sign in and their tokens no longer verify, and reactivating gives everything back.

    Raises AccountError(400) for an invalid email, a name longer than its column, or
    ``is_staff=False`` for a user who stays superuser. Records ``user:update`` with the names
    of the changed fields and the previous and current values of the changed flags (not of
    the email or names); records nothing when nothing changed.
    """
    stored = User.objects.select_for_update().get(pk=user.pk)
    wanted: dict[str, Any] = {}
    if email is not None:
        wanted["email"] = _email_check(email)
    for field, name in zip(_NAMES, (first_name, last_name), strict=True):
        if name is not None:
            wanted[field] = _name_check(field, name)
    for flag, value in zip(_FLAGS, (is_active, is_staff, is_superuser), strict=True):
        if value is not None:
            wanted[flag] = value
    if wanted.get("is_superuser", stored.is_superuser):
        if wanted.get("is_staff") is False:
            raise AccountError(
                f"'{stored.username}' is a superuser, and a superuser is also staff: "
                "take superuser status away too, or keep staff status."
            )
        wanted["is_staff"] = True
    changed = {field: value for field, value in wanted.items() if getattr(stored, field) != value}
    if {"is_staff", "is_superuser"} & set(changed):
        _superuser_required(actor, "grant or take away staff or superuser status")
    if changed:
        _refused(user_administer_decide(actor, stored, what="change"))
    if changed:
        previous = {flag: getattr(stored, flag) for flag in _FLAGS if flag in changed}
        for field, value in changed.items():
            setattr(stored, field, value)
        stored.save(update_fields=sorted(changed))
        event_record(
            "user:update",
            actor=actor,
            target=f"user:{stored.username}",
            user=stored.username,
            fields=sorted(changed),
            previous=previous,
            current={flag: changed[flag] for flag in _FLAGS if flag in changed},
        )
    for field in ("email", *_NAMES, *_FLAGS):
        setattr(user, field, getattr(stored, field))
    return user


@transaction.atomic
def user_permissions_set(
    *,
    user: User,
    groups: Iterable[Group] | None = None,
    permissions: Iterable[Permission] | None = None,
    actor: User | None,
) -> User:
    """Put ``user`` in exactly ``groups`` and give them exactly ``permissions`` directly; None
    leaves either as it is. Compares with the stored rows (the user's row locked).

    Records ``user:permissions`` with, for each of the two that changed, the groups (names) or
    permissions (``app_label.codename``) added and removed; records nothing when nothing
    changed. Permissions are the admin's (Django's): the access package reads none of them.
    """
    stored = User.objects.select_for_update().get(pk=user.pk)
    changes: dict[str, Any] = {}  # "groups", "permissions": {"added": [...], "removed": [...]}
    if groups is not None:
        wanted = {group.pk for group in groups}
        had = set(stored.groups.values_list("pk", flat=True))
        if wanted != had:
            stored.groups.remove(*(had - wanted))
            stored.groups.add(*(wanted - had))
            changes["groups"] = _added_removed(
                Group.objects.filter(pk__in=wanted ^ had).values_list("pk", "name"), wanted
            )
    if permissions is not None:
        wanted = {permission.pk for permission in permissions}
        had = set(stored.user_permissions.values_list("pk", flat=True))
        if wanted != had:
            stored.user_permissions.remove(*(had - wanted))
            stored.user_permissions.add(*(wanted - had))
            rows = Permission.objects.filter(pk__in=wanted ^ had).values_list(
                "pk", "content_type__app_label", "codename"
            )
            labelled = ((pk, f"{app_label}.{codename}") for pk, app_label, codename in rows)
            changes["permissions"] = _added_removed(labelled, wanted)
    if changes:
        _superuser_required(actor, "change groups or permissions")
        event_record(
            "user:permissions",
            actor=actor,
            target=f"user:{stored.username}",
            user=stored.username,
            **changes,
        )
    return user


def _superuser_required(actor: User | None, what: str) -> None:
    """Staff with the user-change permission must not make themselves (or anyone) more
    powerful (``access.administration``). Raises AccountError(403)."""
    _refused(grant_decide(actor, what=what))


def _refused(decision: Decision) -> None:
    if not decision:
        raise AccountError(decision.reason, 403)


def _added_removed(changed: Iterable[tuple[int, str]], wanted: set[int]) -> dict[str, list[str]]:
    """The labels of the ``changed`` rows, split into those now ``wanted`` and the others."""
    rows = list(changed)
    return {
        "added": sorted(label for pk, label in rows if pk in wanted),
        "removed": sorted(label for pk, label in rows if pk not in wanted),
    }


@transaction.atomic
def user_password_set(*, user: User, password: str | None, actor: User | None) -> User:
    """Set ``user``'s password, or with ``password=None`` make it unusable (no password
    sign-in; their tokens still verify). Sessions signed in with the old password end (their
    hash no longer matches); a caller changing its own password keeps its session with
    ``update_session_auth_hash``.

    Runs Django's password validators (``AUTH_PASSWORD_VALIDATORS``) against ``user``: raises
    AccountError(400) with their messages, AccountError(403) when someone other than a
    superuser (or a command) sets the password of another staff member or superuser. Records
    ``user:password-set`` with whether the password is usable, never the password.
    """
    # Else staff with the user-change permission could take over a more powerful account.
    _refused(user_administer_decide(actor, user, what="set the password of"))
    if password is None:
        user.set_unusable_password()
    else:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise AccountError(" ".join(exc.messages)) from None
        user.set_password(password)
    user.save(update_fields=["password"])
    event_record(
        "user:password-set",
        actor=actor,
        target=f"user:{user.username}",
        user=user.username,
        usable_password=password is not None,
    )
    return user


@transaction.atomic
def user_delete(*, user: User, actor: User | None) -> None:
    """Delete ``user``, and with them their organization and team memberships, their project
    roles and their tokens. Events keep their data (an event ``user`` acted in loses its
    actor), and files they uploaded stay, with no uploader.

    Raises AccountError(409), naming each, when ``user`` is the last owner of an organization
    (``organization_member_remove`` would refuse them too; a deactivated one too, or its
    reactivation would leave it without an owner) or of a project without an organization
    (as ``project_role_remove``): someone else must be made owner first. AccountError(403)
    when someone other than a superuser (or a command) deletes another staff member or
    superuser. Records
    ``user:delete`` with the username and the organizations, teams, project roles and tokens
    (identifiers) they had.
    """
    _refused(user_administer_decide(actor, user, what="delete"))
    owned = OrganizationMember.objects.filter(
        user=user,
        role=OrganizationRole.OWNER,  # access: last-owner invariant
    )
    # Lock the organizations and projects they own before reading their memberships and
    # roles, so that a concurrent demotion of the other owner waits (the membership and role
    # services take the same locks); in one order, so concurrent deletions cannot deadlock.
    list(
        Organization.objects.select_for_update()
        .filter(pk__in=owned.values("organization_id"))
        .order_by("pk")
    )
    owned_projects = ProjectRole.objects.filter(
        user=user,
        role=ProjectRoleName.OWNER,  # access: last-owner invariant
    )
    list(
        Project.objects.select_for_update()
        .filter(pk__in=owned_projects.values("project_id"))
        .order_by("pk")
    )
    memberships = list(
        OrganizationMember.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__normalized_name")
    )
    held = [
        f"the organization '{member.organization.name}'"
        for member in memberships
        if is_last_owner(member)
    ]
    roles = list(
        ProjectRole.objects.filter(user=user)
        .select_related("project")
        .order_by("project__normalized_name")
    )
    held += [
        f"the project '{r.project.name}'" for r in roles if project_role_is_last_owner(r.project, r)
    ]
    if held:
        raise AccountError(
            f"'{user.username}' is the last owner of {_and(held)}: make someone else owner "
            "first, then delete the user.",
            409,
        )
    grants = sorted(NamespaceGrant.objects.filter(user=user).values_list("name", flat=True))
    if grants:
        raise AccountError(
            f"'{user.username}' holds the namespace{'s' if len(grants) > 1 else ''} "
            f"{_and([f'{g!r}' for g in grants])}: revoke "
            f"{'them' if len(grants) > 1 else 'it'} first (manage.py revokenamespace), "
            "then delete the user.",
            409,
        )
    # What they invited stops with them (invited_by would otherwise become "nobody").
    Invitation.objects.filter(invited_by=user, closed__isnull=True).update(
        closed=timezone.now(), outcome="withdrawn"
    )
    teams = TeamMember.objects.filter(user=user).select_related("team__organization")
    # Before the deletion, so that an actor deleting themselves leaves an event without actor.
    event_record(
        "user:delete",
        actor=actor,
        target=f"user:{user.username}",
        user=user.username,
        organizations={m.organization.name: m.role for m in memberships},
        teams=sorted(f"{t.team.organization.name}/{t.team.name}" for t in teams),
        project_roles={r.project.normalized_name: r.role for r in roles},
        tokens=sorted(user.tokens.values_list("identifier", flat=True)),
    )
    user.delete()


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
