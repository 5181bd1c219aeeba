"""The read twins of ``access.policy.decide``: every project (and organization) a principal may
see, as a query. Every listing, search and count goes through here."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from access.principal import Principal
from access.roles import ACTION_SCOPE, Action
from accounts.models import Organization, OrganizationMember, Visibility
from namespaces.models import NamespaceGrant
from projects.models import Project, ProjectRole, TeamProjectRole


def projects_visible_to(principal: Principal) -> QuerySet[Project]:
    """The read twin of ``decide``: every project ``principal`` may READ.

    Every listing, search and count goes through here.
    """
    public = Q(visibility=Visibility.PUBLIC)
    # A deactivated organization's projects: site staff only (``policy._can_read``).
    qs = Project.objects.all()
    if not principal.site_staff:
        qs = qs.filter(Q(organization__isnull=True) | Q(organization__is_active=True))
    if principal.is_anonymous or not principal.has_scope(ACTION_SCOPE[Action.READ]):
        return qs.filter(public) if principal.is_anonymous else qs.none()
    token = principal.token
    user = principal.user
    if user is None:
        # An organization token: its active organization's projects, perhaps fewer.
        assert token is not None
        private = Q(organization_id=token.organization_id, organization__is_active=True)
        if principal.token_project_ids is not None:
            private &= Q(id__in=principal.token_project_ids)
        return qs.filter(public | private)
    # Superusers: everything (not Q(): an empty Q vanishes from an OR).
    private = Q(pk__isnull=False) if user.is_superuser and user.is_active else _held(user.id)
    if token is not None:
        if token.organization_id is not None:
            private &= Q(organization_id=token.organization_id)
        if principal.token_project_ids is not None:
            private &= Q(id__in=principal.token_project_ids)
    return qs.filter(public | private)


def _held(user_id: int) -> Q:
    """The projects on which user ``user_id`` holds a role: directly, through a team of the
    project's active organization they are still a member of, or through that organization."""
    return (
        Q(id__in=ProjectRole.objects.filter(user_id=user_id).values("project_id"))
        | Q(
            id__in=TeamProjectRole.objects.filter(
                team__memberships__user_id=user_id,
                team__organization_id=F("project__organization_id"),
                team__organization__is_active=True,
                team__organization__members__user_id=user_id,
            ).values("project_id")
        )
        | Q(
            organization_id__in=OrganizationMember.objects.filter(
                user_id=user_id, organization__is_active=True
            ).values("organization_id")
        )
    )


def projects_held_by(principal: Principal) -> QuerySet[Project]:
    """The projects the principal's user holds a role on (any visibility; a deactivated
    organization's excluded): what "my projects" lists, and what a new token of theirs may be
    kept to, picked from a list."""
    if principal.user is None:
        return Project.objects.none()
    return Project.objects.filter(_held(principal.user.id)).filter(
        Q(organization__isnull=True) | Q(organization__is_active=True)
    )


def memberships_visible_to(principal: Principal) -> QuerySet[OrganizationMember]:
    """The caller's own memberships of active organizations, narrowed by a token as
    ``projects_visible_to`` narrows: a token needs the read scope, an organization token sees
    its organization only, and a token restricted to projects sees no organization."""
    qs = OrganizationMember.objects.filter(organization__is_active=True)
    if principal.user is None or not principal.has_scope(ACTION_SCOPE[Action.READ]):
        return qs.none()
    qs = qs.filter(user_id=principal.user.id)
    token = principal.token
    if token is not None:
        if principal.token_project_ids is not None:
            return qs.none()
        if token.organization_id is not None:
            qs = qs.filter(organization_id=token.organization_id)
    return qs


def organizations_visible_to(principal: Principal) -> QuerySet[Organization]:
    """Every organization ``principal`` may see (``decide_organization``'s read twin): an
    organization is seen by its members while it is active; superusers see every one. An
    organization token sees none (it reads and uploads projects, nothing more)."""
    user = principal.user
    if (
        user is not None
        and user.is_superuser
        and user.is_active
        and principal.has_scope(ACTION_SCOPE[Action.ORGANIZATION_READ])
        and (principal.token is None or principal.token_project_ids is None)
    ):
        everything = Organization.objects.all()
        token = principal.token
        if token is not None and token.organization_id is not None:
            return everything.filter(id=token.organization_id)
        return everything
    return Organization.objects.filter(
        id__in=memberships_visible_to(principal).values("organization_id")
    )


def _site_staff(principal: Principal) -> bool:
    return principal.site_staff


def namespace_grants_visible_to(principal: Principal) -> QuerySet[NamespaceGrant]:
    """The PEP 752 grants ``principal`` sees in the API (decision 0016): every grant that is
    not hidden, and the hidden ones they hold (their own, their organizations'); staff see
    every grant. A hidden grant reserves its names for everyone all the same."""
    grants = NamespaceGrant.objects.all()
    if _site_staff(principal):
        return grants
    seen = Q(hidden=False)
    if principal.user is not None:
        seen |= Q(user_id=principal.user.id)
        seen |= Q(organization_id__in=organizations_visible_to(principal).values("id"))
    return grants.filter(seen)


def namespace_owners_visible_to(principal: Principal) -> tuple[bool, set[int], int | None]:
    """Whose names ``principal`` may see as a grant's owner: (everyone's: staff, the ids of
    the organizations they see, their own user id). One query, for any number of grants."""
    if _site_staff(principal):
        return True, set(), None
    if principal.user is None:
        return False, set(), None
    visible = set(organizations_visible_to(principal).values_list("id", flat=True))
    return False, visible, principal.user.id
