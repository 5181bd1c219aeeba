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
    # Members, invitations, settings (default visibility), organization tokens, the audit log,
    # deletion: owners only.
    ORGANIZATION_MANAGE = "organizations:manage"
    TEAMS_MANAGE = "organizations:teams"  # teams, their members and project roles
    ORGANIZATION_TOKENS_ISSUE = "organizations:tokens-issue"  # owners and managers
    ORGANIZATION_CREATE = "organizations:create"  # PRIVINDEX_ORGANIZATION_CREATORS
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
    Action.ORGANIZATION_MANAGE: "manage",
    Action.TEAMS_MANAGE: "manage",
    # No token may issue tokens (``access.credentials``); named so the table is total.
    Action.ORGANIZATION_TOKENS_ISSUE: "manage",
    Action.ORGANIZATION_CREATE: "manage",
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
# What each organization role may do to the organization itself (docs/access.md).
ORGANIZATION_ACTIONS: dict[str, frozenset[Action]] = {
    OrganizationRole.OWNER: frozenset(
        {
            Action.ORGANIZATION_READ,
            Action.ORGANIZATION_MANAGE,
            Action.TEAMS_MANAGE,
            Action.ORGANIZATION_TOKENS_ISSUE,
        }
    ),
    OrganizationRole.MANAGER: frozenset(
        {Action.ORGANIZATION_READ, Action.TEAMS_MANAGE, Action.ORGANIZATION_TOKENS_ISSUE}
    ),
    OrganizationRole.MEMBER: frozenset({Action.ORGANIZATION_READ}),
}
ALL_ORGANIZATION_ACTIONS = ORGANIZATION_ACTIONS[OrganizationRole.OWNER]
# What an organization token may do on its organization's projects (its scopes narrow it:
# ``read`` reads, ``upload`` uploads, creates and yanks). Never manage.
ORGANIZATION_TOKEN_ACTIONS = frozenset({Action.READ, Action.UPLOAD, Action.YANK})
ORGANIZATION_TOKEN_SCOPES = frozenset({"read", "upload"})
