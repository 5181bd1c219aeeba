"""Reads of namespace grants (PEP 752): which grant reserves a name, whether an upload may
create a project in it, and what the JSON API shows to whom (decision 0016).

A grant matches a normalized name that is the namespace itself or starts with the namespace
and a hyphen, so the grants matching ``a-b-c`` are among ``a``, ``a-b`` and ``a-b-c``: every
match is one indexed ``normalized_name IN (...)`` query. The most specific grant (the
longest) decides an upload.

Who sees a grant: a grant that is not hidden is seen by anyone who may read the index. A
hidden one reserves its names just the same, but only its holders see it in the API: the
user it is granted to, those who see its organization (``access.organizations_visible_to``:
its members) and site staff. Everyone else gets the answers of a namespace that does not
exist. Who owns a grant is shown to the same people who see the owner; otherwise ``owner``
is null, since organizations are seen by their members only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Length
from packaging.utils import canonicalize_name

from access import (
    Action,
    Principal,
    Surface,
    creation_organization,
    decide,
    namespace_grants_visible_to,
    namespace_owners_visible_to,
)
from accounts.models import Organization
from namespaces.models import NamespaceGrant
from projects.models import Project, ProjectRole, ProjectRoleName


def namespace_prefixes(normalized_name: str) -> list[str]:
    """The namespaces that would match ``normalized_name``, shortest first: ``a``, ``a-b``,
    ``a-b-c`` for ``a-b-c``."""
    parts = canonicalize_name(normalized_name).split("-")
    return ["-".join(parts[:end]) for end in range(1, len(parts) + 1)]


def _matching(normalized_name: str) -> QuerySet[NamespaceGrant]:
    """Every grant matching ``normalized_name``, most specific first."""
    return NamespaceGrant.objects.filter(
        normalized_name__in=namespace_prefixes(normalized_name)
    ).order_by(Length("normalized_name").desc())


def namespace_get(*, name: str) -> NamespaceGrant | None:
    """The grant of exactly ``name`` (any spelling), hidden or not, with its owner; for
    operators (commands, admin), never for the API."""
    return (
        NamespaceGrant.objects.filter(normalized_name=canonicalize_name(name))
        .select_related("organization", "user", "parent")
        .first()
    )


def namespace_reserving(normalized_name: str) -> NamespaceGrant | None:
    """The most specific grant, hidden ones included, whose namespace matches
    ``normalized_name``; None when the name lies in no namespace. One query."""
    return _matching(normalized_name).select_related("organization", "user").first()


@dataclass(frozen=True)
class Verdict:
    """May an upload create a project of a name, as far as namespaces go? ``grant`` is the
    grant that decided (None: the name lies in no namespace), ``organization`` where the new
    project goes."""

    allowed: bool
    grant: NamespaceGrant | None
    organization: Organization | None


def namespace_upload_verdict(
    *,
    normalized_name: str,
    principal: Principal,
    organization: Organization | None,
    surface: Surface = Surface.UPLOAD,
) -> Verdict:
    """Whether ``principal`` may create the project ``normalized_name`` (which does not exist
    yet) in ``organization`` (None: a project of their own), as namespaces go.

    No grant, or an open one: allowed, ``organization`` unchanged. A user's grant: allowed for
    that user. An organization's grant: allowed for those who may create projects in that
    organization (``access.decide``, ``Action.CREATE``), when the project goes there or
    nowhere in particular; then ``organization`` is that organization, so the project is
    created owned by it. Otherwise refused. Asked through ``surface``, the one the project is
    created through: the upload (a first upload), or the REST API (a project without a file).
    """
    grant = namespace_reserving(normalized_name)
    if grant is None or grant.open:
        return Verdict(allowed=True, grant=grant, organization=organization)
    if grant.user_id is not None:
        held = principal.user is not None and principal.user.id == grant.user_id
        return Verdict(allowed=held, grant=grant, organization=organization)
    target = organization or creation_organization(principal)
    if target is not None and target.id != grant.organization_id:
        return Verdict(allowed=False, grant=grant, organization=organization)
    decision = decide(
        principal, Action.CREATE, None, surface=surface, organization=grant.organization
    )
    if not decision:
        return Verdict(allowed=False, grant=grant, organization=organization)
    return Verdict(allowed=True, grant=grant, organization=grant.organization)


Owners = tuple[bool, set[int], int | None]  # access.namespace_owners_visible_to


def _owner_shown(grant: NamespaceGrant, owners: Owners) -> str | None:
    """The owner's name when the caller may see the owner, else None."""
    everyone, organizations, own_id = owners
    if grant.organization is not None:
        shown = everyone or grant.organization.id in organizations
        return grant.organization.name if shown else None
    assert grant.user is not None
    shown = everyone or own_id == grant.user.id
    return grant.user.username if shown else None


def project_namespaces(*, project: Project, principal: Principal) -> list[dict[str, object]] | None:
    """The ``namespaces`` value of ``project``'s JSON detail page for ``principal``, who may
    read the project: ``{"name", "owned"}`` for every grant matching the project's name that
    ``principal`` sees, most specific first; None when there is none. One query.

    ``owned``: the project belongs to the grant's owner, that is it is in the grant's
    organization, or the grant's user is an owner of the project.
    """
    owner_role = ProjectRole.objects.filter(
        project_id=project.id,
        user_id=OuterRef("user_id"),
        role=ProjectRoleName.OWNER,  # access: shown, not decided (PEP 752 "owned")
    )
    rows = list(
        _matching(project.normalized_name)
        .filter(pk__in=namespace_grants_visible_to(principal).values("pk"))
        .annotate(user_owns=Exists(owner_role))
        .values_list("normalized_name", "organization_id", "user_owns")
    )
    if not rows:
        return None
    return [
        {
            "name": name,
            "owned": (organization_id is not None and organization_id == project.organization_id)
            or (organization_id is None and user_owns),
        }
        for name, organization_id, user_owns in rows
    ]


def namespaces_visible_to(*, principal: Principal) -> list[NamespaceGrant]:
    """Every grant ``principal`` sees, by name, with its owner and parent."""
    return list(
        namespace_grants_visible_to(principal)
        .select_related("organization", "user", "parent")
        .order_by("normalized_name")
    )


@dataclass(frozen=True)
class NamespaceDetail:
    """A namespace as ``principal`` sees it: the keys of ``/namespace/<ns>``."""

    name: str
    owner: str | None
    open: bool
    parent: str | None
    children: list[str]


def _detail(grant: NamespaceGrant, owners: Owners, children: list[str]) -> NamespaceDetail:
    return NamespaceDetail(
        name=grant.normalized_name,
        owner=_owner_shown(grant, owners),
        open=grant.open,
        parent=grant.parent.normalized_name if grant.parent is not None else None,
        children=children,
    )


def namespace_list(*, principal: Principal) -> list[NamespaceDetail]:
    """``/namespaces``: every grant ``principal`` sees, by name, each with the children
    ``principal`` sees. Two queries, whatever the number of grants."""
    grants = namespaces_visible_to(principal=principal)
    owners = namespace_owners_visible_to(principal)
    children: dict[int, list[str]] = {}
    for grant in grants:
        if grant.parent_id is not None:
            children.setdefault(grant.parent_id, []).append(grant.normalized_name)
    return [_detail(grant, owners, children.get(grant.pk, [])) for grant in grants]


def namespace_detail(*, normalized_name: str, principal: Principal) -> NamespaceDetail | None:
    """``/namespace/<ns>``: the grant of exactly ``normalized_name`` if ``principal`` sees it
    (else None, as for a namespace never granted), its parent and the children ``principal``
    sees."""
    seen = namespace_grants_visible_to(principal)
    grant = (
        seen.filter(normalized_name=normalized_name)
        .select_related("organization", "user", "parent")
        .first()
    )
    if grant is None:
        return None
    children = list(
        seen.filter(parent=grant)
        .order_by("normalized_name")
        .values_list("normalized_name", flat=True)
    )
    return _detail(grant, namespace_owners_visible_to(principal), children)
