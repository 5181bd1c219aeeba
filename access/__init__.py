"""The access package: every "may this principal do this?" question has its answer here.

- ``access.principal``: who is asking (anonymous, a session user, a token);
- ``access.roles``: actions, the scope each needs, what each role allows;
- ``access.credentials``: which credential kinds each surface accepts for each action;
- ``access.policy``: ``decide()`` and ``precheck()``;
- ``access.visibility``: the read twins, ``projects_visible_to`` and
  ``organizations_visible_to``;
- ``access.status``: who may set which status, whether a project offers files, and which
  projects the index lists.

Adapters only translate a ``Decision`` into 401, 403, 404, a DRF exception or a login redirect.
"""

from access.credentials import Credential, Surface, anonymous_read_open, credential_check
from access.decision import ALLOW, NOT_FOUND, Decision, Denial
from access.policy import (
    creation_organization,
    decide,
    decide_invitation,
    decide_organization,
    decide_organization_create,
    decide_transfer,
    decide_upstream,
    organization_inactive,
    owns_project,
    precheck,
    readable_by_anyone,
)
from access.principal import Principal
from access.roles import ACTION_SCOPE, ORGANIZATION_TOKEN_SCOPES, Action
from access.status import (
    MANAGER_STATUSES,
    project_offers_files,
    projects_listed,
    status_change_decide,
    status_reason_for,
)
from access.visibility import (
    memberships_visible_to,
    namespace_grants_visible_to,
    namespace_owners_visible_to,
    organizations_visible_to,
    projects_held_by,
    projects_visible_to,
)

__all__ = [
    "ACTION_SCOPE",
    "ALLOW",
    "MANAGER_STATUSES",
    "NOT_FOUND",
    "ORGANIZATION_TOKEN_SCOPES",
    "Action",
    "Credential",
    "Decision",
    "Denial",
    "Principal",
    "Surface",
    "anonymous_read_open",
    "creation_organization",
    "credential_check",
    "decide",
    "decide_invitation",
    "decide_organization",
    "decide_organization_create",
    "decide_transfer",
    "decide_upstream",
    "memberships_visible_to",
    "namespace_grants_visible_to",
    "namespace_owners_visible_to",
    "organization_inactive",
    "organizations_visible_to",
    "owns_project",
    "precheck",
    "project_offers_files",
    "projects_held_by",
    "projects_listed",
    "projects_visible_to",
    "readable_by_anyone",
    "status_change_decide",
    "status_reason_for",
]
