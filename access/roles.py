"""The vocabulary of access: actions, the scope a token needs for each, and what each role
allows. Data only; ``access.policy`` decides."""

from __future__ import annotations

import enum

from accounts.models import OrganizationRole
from projects.models import ProjectRoleName


class Action(enum.StrEnum):
    READ = "projects:read"  # simple pages, files, metadata, JSON API, web page
    UPLOAD = "projects:upload"  # add files to an existing project
    CREATE = "projects:create"  # the first upload of a new name
    YANK = "projects:yank"
    MANAGE = "projects:manage"  # visibility, status, roles
    MODERATE = "projects:moderate"  # set or clear a quarantine: site staff only
    ORGANIZATION_READ = "organizations:read"  # an organization's page: its members only
    TOKENS_MANAGE = "tokens:manage"  # list, issue and revoke one's own tokens


# The scope a token needs for each action.
ACTION_SCOPE: dict[Action, str] = {
    Action.READ: "read",
    Action.UPLOAD: "upload",
    Action.CREATE: "upload",
    Action.YANK: "upload",
    Action.MANAGE: "manage",
    Action.MODERATE: "manage",
    Action.ORGANIZATION_READ: "read",
    # No token may manage tokens whatever its scopes (``access.credentials``); "manage" is
    # named so the table is total.
    Action.TOKENS_MANAGE: "manage",
}

ALL_PROJECT_ACTIONS = frozenset({Action.READ, Action.UPLOAD, Action.YANK, Action.MANAGE})
PROJECT_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    ProjectRoleName.OWNER: ALL_PROJECT_ACTIONS,
    ProjectRoleName.MAINTAINER: frozenset({Action.READ, Action.UPLOAD, Action.YANK}),
    ProjectRoleName.READER: frozenset({Action.READ}),
}
ORG_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    OrganizationRole.OWNER: ALL_PROJECT_ACTIONS,
    OrganizationRole.MANAGER: ALL_PROJECT_ACTIONS,
    OrganizationRole.MEMBER: frozenset({Action.READ}),
}
# Organization roles that may create projects in the organization.
ORG_CREATORS = frozenset({OrganizationRole.OWNER, OrganizationRole.MANAGER})
