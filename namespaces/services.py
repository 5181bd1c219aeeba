"""Writes to namespace grants (PEP 752), with every rule of the PEP kept here and only here.

Callers have already decided that the actor may grant (the admin, a command): these services
check the grant itself.

- Naming: a namespace is a valid project name; it is stored normalized (``foo.bar`` becomes
  ``foo-bar``) and its spelling is kept for display.
- Overlap: root grants never overlap. Each name is compared with a hyphen appended, so
  ``foo`` overlaps ``foo-bar`` but not ``foobar``.
- Depth: a name inside a root grant becomes a *child* of that root, which must have the same
  owner. A child's parent is always a root: a name inside a child (``foo-bar-baz`` with
  ``foo-bar`` a child of ``foo``) is another child of the root, so children never nest.
- Hidden grants are never open; a hidden root's children are hidden too, so a visible grant
  never names a hidden one as its parent.
- Owners: an active organization or an active user, never both (decision 0016).

Each service is keyword-only and atomic, takes the grant lock, and records an audit event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from packaging.utils import InvalidName, canonicalize_name

from audit.services import event_record
from namespaces.models import NAMESPACE_MAX, NamespaceGrant
from namespaces.selectors import namespace_prefixes

if TYPE_CHECKING:
    from accounts.models import Organization, User

# The advisory lock every grant write takes: two overlapping grants submitted at once must not
# both pass the overlap check. Grants are rare, so one lock for all of them is enough.
_LOCK_KEY = 0x7052_4E53  # "pRNS"


class NamespaceError(ValueError):
    """A grant that cannot be made or changed; the message is for the operator."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def namespace_normalize(name: str) -> str:
    """The normalized form of ``name``; NamespaceError when it is not a valid project name."""
    if len(name) > NAMESPACE_MAX:
        raise NamespaceError(f"A namespace is at most {NAMESPACE_MAX} characters.")
    try:
        return canonicalize_name(name, validate=True)
    except InvalidName:
        raise NamespaceError(
            f"'{name}' is not a valid project name, so it cannot be a namespace: use letters, "
            "digits, '.', '_' and '-', starting and ending with a letter or digit."
        ) from None


def _same_owner(a: NamespaceGrant, b: NamespaceGrant) -> bool:
    return (a.organization_id, a.user_id) == (b.organization_id, b.user_id)


def _record(action: str, grant: NamespaceGrant, *, actor: User | None, **extra: Any) -> None:
    data: dict[str, Any] = {
        "namespace": grant.normalized_name,
        "name": grant.name,
        "organization": grant.organization.name if grant.organization is not None else None,
        "user": grant.user.username if grant.user is not None else None,
        "parent": grant.parent.normalized_name if grant.parent is not None else None,
        "open": grant.open,
        "hidden": grant.hidden,
    }
    event_record(action, actor=actor, **data, **extra)


def _root_extended(normalized: str) -> NamespaceGrant | None:
    """The root grant ``normalized`` lies inside (the namespace itself excluded)."""
    prefixes = namespace_prefixes(normalized)[:-1]
    return (
        NamespaceGrant.objects.filter(normalized_name__in=prefixes, parent__isnull=True)
        .select_related("organization", "user")
        .first()
    )


def _roots_inside(normalized: str) -> list[str]:
    """The root grants that lie inside ``normalized`` (``foo-bar`` for ``foo``)."""
    return list(
        NamespaceGrant.objects.filter(
            normalized_name__startswith=normalized + "-", parent__isnull=True
        )
        .order_by("normalized_name")
        .values_list("normalized_name", flat=True)
    )


@transaction.atomic
def namespace_grant(
    *,
    name: str,
    organization: Organization | None = None,
    user: User | None = None,
    parent: NamespaceGrant | None = None,
    open: bool = False,
    hidden: bool = False,
    actor: User | None,
) -> NamespaceGrant:
    """Grant the namespace ``name`` to ``organization`` or ``user`` (exactly one, active).

    A name inside an existing root grant becomes its child (``parent``, when given, must be
    that root); the root must have the same owner, and a hidden root's children are hidden.
    Raises NamespaceError(400) for an invalid name, a missing or double or inactive owner, an
    open hidden grant or a wrong parent; NamespaceError(409) when the namespace is granted
    already, overlaps another root grant, or lies in another owner's namespace. Records
    ``namespace:grant``.
    """
    name = name.strip()
    normalized = namespace_normalize(name)
    if (organization is None) == (user is None):
        raise NamespaceError("Grant a namespace to an organization or to a user (one of them).")
    if organization is not None and not organization.is_active:
        raise NamespaceError(f"The organization '{organization.name}' is not active.")
    if user is not None and not user.is_active:
        raise NamespaceError(f"The user '{user.username}' is not active.")
    if open and hidden:
        raise NamespaceError("A hidden namespace cannot be open.")
    _lock()
    existing = NamespaceGrant.objects.filter(normalized_name=normalized).first()
    if existing is not None:
        raise NamespaceError(
            f"The namespace '{existing.normalized_name}' is granted already, "
            f"to {existing.owner_label}.",
            409,
        )
    grant = NamespaceGrant(
        name=name,
        normalized_name=normalized,
        organization=organization,
        user=user,
        open=open,
        hidden=hidden,
        created_by=actor,
    )
    root = _root_extended(normalized)
    if root is None:
        if parent is not None:
            raise NamespaceError(
                f"'{normalized}' does not lie inside '{parent.normalized_name}', so it cannot "
                "be its child."
            )
        inside = _roots_inside(normalized)
        if inside:
            raise NamespaceError(
                f"The namespace '{normalized}' overlaps the granted "
                f"{_plural('namespace', inside)}: grants may not overlap.",
                409,
            )
    else:
        if parent is not None and parent.pk != root.pk:
            raise NamespaceError(
                f"'{normalized}' lies inside '{root.normalized_name}', so its parent is "
                f"'{root.normalized_name}', not '{parent.normalized_name}'."
            )
        if not _same_owner(grant, root):
            raise NamespaceError(
                f"The namespace '{normalized}' lies inside '{root.normalized_name}', granted to "
                f"{root.owner_label}: only the same owner may have a namespace inside it.",
                409,
            )
        if root.hidden and not hidden:
            raise NamespaceError(
                f"The namespace '{normalized}' lies inside the hidden namespace "
                f"'{root.normalized_name}', so it must be hidden too."
            )
        grant.parent = root
    grant.save()
    _record("namespace:grant", grant, actor=actor)
    return grant


@transaction.atomic
def namespace_update(
    *,
    grant: NamespaceGrant,
    open: bool | None = None,
    hidden: bool | None = None,
    actor: User | None,
) -> NamespaceGrant:
    """Make ``grant`` open or restricted, hidden or shown (None: left as it is).

    Raises NamespaceError(400) for an open hidden grant, for showing a child of a hidden root,
    or for hiding a root whose children are shown (hide them first). Records
    ``namespace:update`` with the previous values; records nothing when nothing changes.
    """
    _lock()
    stored = NamespaceGrant.objects.select_related("organization", "user", "parent").get(
        pk=grant.pk
    )
    wanted_open = stored.open if open is None else open
    wanted_hidden = stored.hidden if hidden is None else hidden
    if (wanted_open, wanted_hidden) == (stored.open, stored.hidden):
        return stored
    if wanted_open and wanted_hidden:
        raise NamespaceError("A hidden namespace cannot be open.")
    if not wanted_hidden and stored.parent is not None and stored.parent.hidden:
        raise NamespaceError(
            f"The namespace '{stored.normalized_name}' lies inside the hidden namespace "
            f"'{stored.parent.normalized_name}', so it must stay hidden."
        )
    if wanted_hidden:
        shown = list(
            stored.children.filter(hidden=False)
            .order_by("normalized_name")
            .values_list("normalized_name", flat=True)
        )
        if shown:
            raise NamespaceError(
                f"Hide the {_plural('namespace', shown)} inside '{stored.normalized_name}' "
                "first: a hidden namespace's children are hidden too."
            )
    previous = {"open": stored.open, "hidden": stored.hidden}
    stored.open, stored.hidden = wanted_open, wanted_hidden
    stored.save(update_fields=["open", "hidden"])
    _record("namespace:update", stored, actor=actor, previous=previous)
    grant.open, grant.hidden = stored.open, stored.hidden
    return stored


@transaction.atomic
def namespace_revoke(
    *, grant: NamespaceGrant, children: bool = False, actor: User | None
) -> list[NamespaceGrant]:
    """Revoke ``grant``; with ``children``, its child grants first. Projects in it stay as
    they are; the name may be granted again.

    Raises NamespaceError(409) when ``grant`` has children and ``children`` is false. Records
    ``namespace:revoke`` for each grant revoked. Returns the grants revoked, children first.
    """
    _lock()
    found = (
        NamespaceGrant.objects.select_related("organization", "user", "parent")
        .filter(pk=grant.pk)
        .first()
    )
    if found is None:
        raise NamespaceError(f"The namespace '{grant.normalized_name}' is not granted.", 404)
    kids = list(found.children.select_related("organization", "user").order_by("normalized_name"))
    if kids and not children:
        raise NamespaceError(
            f"The namespace '{found.normalized_name}' has child "
            f"{_plural('namespace', [kid.normalized_name for kid in kids])}: revoke them first, "
            "or revoke it with its children.",
            409,
        )
    for kid in kids:
        kid.parent = found  # as stored: spares a query per event
    revoked = [*kids, found]
    for each in revoked:
        _record("namespace:revoke", each, actor=actor)
    NamespaceGrant.objects.filter(pk__in=[kid.pk for kid in kids]).delete()
    found.delete()
    return revoked


def _plural(noun: str, names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
    return f"{noun}{'s' if len(names) > 1 else ''} {listed}"
