"""Releases: the list, the detail (with its files), deletion, and yanking (PEP 592).

As the settings pages (``projects.settings_views``): yanking needs ``projects:yank``,
deleting ``projects:manage``; an un-yank of a release that is not yanked is a 409.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from access import Action
from api.errors import Invalid
from api.permissions import authorize, not_found
from api.schema import problems
from api.serializers import (
    ReleaseSerializer,
    ReleaseSummarySerializer,
    ReleaseYankStateSerializer,
    YankSerializer,
    page_of,
)
from api.validation import PageQuerySerializer, parse
from api.views.base import PrincipalView, list_allowed, page
from api.views.projects import READS, WRITES, example_page
from projects import selectors, services
from projects.models import Project, Release

TAG = ["releases"]
BASE = "https://pypi.example.org/api/v1/projects/acme-widgets/releases/1.0/"
RELEASE = {
    "version": "1.0",
    "yanked": False,
    "yanked_reason": "",
    "requires_python": ">=3.10",
    "summary": "Widgets for Acme",
    "created": "2025-01-31T12:00:00Z",
    "url": BASE,
    "files_url": f"{BASE}files/",
}


class Conflict(APIException):
    status_code = 409
    default_code = "conflict"


def release_of(project: Project, version: str) -> Release:
    """The release of ``project`` in any PEP 440 spelling of ``version``; a missing one (or a
    version no release can have) is a plain 404."""
    release = selectors.release_get(project=project, version=version)
    if release is None:
        raise not_found()
    release.project = project  # already read: no query for it again
    return release


def _yank_state(release: Release) -> dict:
    return ReleaseYankStateSerializer(release).data


class ReleaseList(PrincipalView):
    @extend_schema(
        operation_id="releases_list",
        tags=TAG,
        summary="A project's releases",
        description="Newest first, a page at a time; each release's files are at `files_url`.",
        parameters=[PageQuerySerializer],
        responses={200: page_of(ReleaseSummarySerializer), **problems(400), **READS},
        examples=[example_page(RELEASE)],
    )
    def get(self, request, name: str):
        list_allowed(request)
        project = authorize(request, name, Action.READ)
        parse(PageQuerySerializer, request.query_params)
        releases = selectors.release_query(project=project)
        return page(request, self, releases, ReleaseSummarySerializer, project=project)


class ReleaseDetail(PrincipalView):
    @extend_schema(
        operation_id="releases_retrieve",
        tags=TAG,
        summary="A release, with its files",
        description=(
            "The version in any PEP 440 spelling (`1`, `1.0.0` and `v1.0` are `1.0`). A "
            "quarantined project offers no files."
        ),
        responses={200: ReleaseSerializer, **READS},
        examples=[OpenApiExample("A release", value={**RELEASE, "files": []}, response_only=True)],
    )
    def get(self, request, name: str, version: str):
        project = authorize(request, name, Action.READ)
        release = release_of(project, version)
        context = {"request": request, "project": project}
        return Response(ReleaseSerializer(release, context=context).data)

    @extend_schema(
        operation_id="releases_destroy",
        tags=TAG,
        summary="Delete a release and its files",
        description="Needs `projects:manage`. Its filenames can never be used again.",
        request=None,
        responses={204: None, **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str, version: str):
        project = authorize(request, name, Action.MANAGE)
        release = release_of(project, version)
        try:
            services.release_delete(release=release, principal=request.principal)
        except ObjectDoesNotExist:  # deleted by someone else meanwhile
            raise not_found() from None
        return Response(status=204)


YANKED = {"version": "1.0", "yanked": True, "yanked_reason": "Broken build"}


class ReleaseYank(PrincipalView):
    """POST yanks (or changes the reason of a yanked release); DELETE un-yanks."""

    @extend_schema(
        operation_id="releases_yank",
        tags=TAG,
        summary="Yank a release (PEP 592)",
        description=(
            "Needs `projects:yank` (maintainers, owners, upload tokens). Installers skip a "
            "yanked release unless it is pinned. Yanking a yanked release changes its reason."
        ),
        request=YankSerializer,
        responses={200: ReleaseYankStateSerializer, **WRITES},
        examples=[
            OpenApiExample("With a reason", value={"reason": "Broken build"}, request_only=True),
            OpenApiExample("Yanked", value=YANKED, response_only=True),
        ],
    )
    def post(self, request, name: str, version: str):
        project = authorize(request, name, Action.YANK)
        release = release_of(project, version)
        reason = parse(YankSerializer, request.data)["reason"].strip()
        services.release_yank_set(
            release=release, yanked=True, reason=reason, principal=request.principal
        )
        return Response(_yank_state(release))

    @extend_schema(
        operation_id="releases_unyank",
        tags=TAG,
        summary="Un-yank a release",
        description=(
            "Needs `projects:yank`. The reason, if given (`?reason=`: a DELETE has no body), "
            "goes into the audit trail only. A release that is not yanked is a 409."
        ),
        parameters=[YankSerializer],
        request=None,
        responses={200: ReleaseYankStateSerializer, **WRITES},
        examples=[
            OpenApiExample(
                "Un-yanked",
                value={**YANKED, "yanked": False, "yanked_reason": ""},
                response_only=True,
            )
        ],
    )
    def delete(self, request, name: str, version: str):
        project = authorize(request, name, Action.YANK)
        release = release_of(project, version)
        if request.data:
            raise Invalid({"": ["A DELETE has no body: give the reason as ?reason=."]})
        reason = parse(YankSerializer, request.query_params)["reason"].strip()
        if not release.yanked:
            raise Conflict(f"{project.name} {release.version} is not yanked.")
        services.release_yank_set(
            release=release, yanked=False, reason=reason, principal=request.principal
        )
        return Response(_yank_state(release))
