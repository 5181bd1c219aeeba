"""Releases with their files, and yanking (PEP 592)."""

from __future__ import annotations

from rest_framework.response import Response

from access import Action, Surface, decide
from api.permissions import authorize, not_found
from api.serializers import ReleaseSerializer, YankSerializer, parse
from api.views.base import PrincipalView
from projects import selectors, services
from projects.models import Project, Release


def _release(project: Project, version: str) -> Release:
    """The release in any PEP 440 spelling; a missing one is a plain 404."""
    release = selectors.release_get(project=project, version=version)
    if release is None:
        raise not_found()
    return release


def _data(request, project: Project, release: Release) -> dict:
    return ReleaseSerializer(release, context={"request": request, "project": project}).data


def _yank_answer(request, project: Project, release: Release) -> dict:
    """The release after a yank; only its yank state for a caller who may not read it
    (an upload-only token must not learn the files of a private project this way)."""
    if decide(request.principal, Action.READ, project, surface=Surface.API):
        return _data(request, project, release)
    return {
        "version": release.version,
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason,
    }


class ReleaseList(PrincipalView):
    def get(self, request, name: str):
        project = authorize(request, name, Action.READ)
        releases = selectors.release_list(project=project)
        context = {"request": request, "project": project}
        return Response(ReleaseSerializer(releases, many=True, context=context).data)


class ReleaseDetail(PrincipalView):
    def get(self, request, name: str, version: str):
        project = authorize(request, name, Action.READ)
        return Response(_data(request, project, _release(project, version)))


class ReleaseYank(PrincipalView):
    """POST ``{"reason": ...}`` yanks; DELETE un-yanks."""

    def post(self, request, name: str, version: str):
        project = authorize(request, name, Action.YANK)
        release = _release(project, version)
        reason = parse(YankSerializer, request.data)["reason"].strip()
        services.release_yank_set(
            release=release, yanked=True, reason=reason, principal=request.principal
        )
        return Response(_yank_answer(request, project, release))

    def delete(self, request, name: str, version: str):
        project = authorize(request, name, Action.YANK)
        release = _release(project, version)
        services.release_yank_set(release=release, yanked=False, principal=request.principal)
        return Response(_yank_answer(request, project, release))
