"""Writes to projects, releases, files and roles. Callers have already asked ``access``.

Each service is keyword-only and atomic, records an audit event (``audit.event_record``) and
schedules side effects on commit. Each is told who acts: ``principal=`` (a request's) or
``actor=`` (an administrator or a command; None for the system); a call that says neither, or
both, is a TypeError (``base.acting``). One module per domain:

- ``names``: which names a new project may take (S3.6);
- ``projects``: creating projects, visibility, status and size limits;
- ``roles``: user and team roles on a project;
- ``releases``: yanking;
- ``transfer``: moving a project into an organization and back;
- ``deletion``: deleting files, releases and projects (their filenames stay reserved);
- ``uploads``: recording an uploaded file (project, release, file; staging and storing).
"""

from projects.services.base import ServiceError
from projects.services.deletion import file_delete, project_delete, release_delete
from projects.services.names import (
    hidden_name_refusal,
    project_name_check,
    ultranormalize_name,
    unavailable,
)
from projects.services.projects import (
    project_create,
    project_limits_set,
    project_status_set,
    project_visibility_set,
)
from projects.services.releases import release_yank_set
from projects.services.roles import (
    project_role_remove,
    project_role_set,
    team_project_role_remove,
    team_project_role_set,
)
from projects.services.transfer import project_transfer
from projects.services.uploads import FileUpload, release_file_upload

__all__ = [
    "FileUpload",
    "ServiceError",
    "file_delete",
    "hidden_name_refusal",
    "project_create",
    "project_delete",
    "project_limits_set",
    "project_name_check",
    "project_role_remove",
    "project_role_set",
    "project_status_set",
    "project_transfer",
    "project_visibility_set",
    "release_delete",
    "release_file_upload",
    "release_yank_set",
    "team_project_role_remove",
    "team_project_role_set",
    "ultranormalize_name",
    "unavailable",
]
