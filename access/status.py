"""Project status (PEP 792): who may set which status, what a reason means, and whether a
project offers its files and is listed on the index."""

from __future__ import annotations

from django.db.models import QuerySet

from access.credentials import Surface
from access.decision import ALLOW, Decision
from access.policy import decide
from access.principal import Principal
from access.roles import Action
from projects.models import Project, ProjectStatus

# The statuses a project's managers may set; a quarantine is set and cleared by site staff
# (``Action.MODERATE``).
MANAGER_STATUSES = (ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED, ProjectStatus.DEPRECATED)


def status_change_decide(
    principal: Principal, project: Project, status: str, *, surface: Surface
) -> Decision:
    """May ``principal`` move ``project`` to ``status``? Managing the project is needed; a
    quarantine, entered or left, also needs ``MODERATE``."""
    decision = decide(principal, Action.MANAGE, project, surface=surface)
    if not decision:
        return decision
    if ProjectStatus.QUARANTINED in (status, project.status):
        return decide(principal, Action.MODERATE, project, surface=surface)
    return ALLOW


def status_reason_for(project: Project, status: str, reason: str | None) -> str:
    """The reason stored with a new status. An active project has none; with no reason given,
    a status that does not change keeps its reason and a new status starts without one."""
    if status == ProjectStatus.ACTIVE:
        return ""
    if reason is None:
        return project.status_reason if status == project.status else ""
    return reason


def project_offers_files(project: Project) -> bool:
    """A quarantined project offers no distributions on any surface (S1.42)."""
    return project.status != ProjectStatus.QUARANTINED


def projects_listed(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects of ``projects`` the index lists: a quarantined project is left off, as its
    files are (S1.42). Narrows a read twin's answer; never widens it."""
    return projects.exclude(status=ProjectStatus.QUARANTINED)
