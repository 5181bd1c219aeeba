"""A release's files: the list, one file (hashes, size, upload time, download URL), deletion.

A quarantined project offers no files (S1.42): none is listed or shown, and each is still
deleted by those who manage the project, as on its settings page.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.response import Response

from access import Action, project_offers_files
from api.permissions import authorize, not_found
from api.schema import problems
from api.serializers import FileSerializer, page_of
from api.validation import PageQuerySerializer, parse
from api.views.base import PrincipalView, list_allowed, page
from api.views.projects import READS, example_page
from api.views.releases import release_of
from projects import selectors, services

TAG = ["files"]
FILE = {
    "filename": "acme_widgets-1.0-py3-none-any.whl",
    "url": "https://pypi.example.org/files/4f/3c/9a0e.../acme_widgets-1.0-py3-none-any.whl",
    "size": 12345,
    "hashes": {"sha256": "9f86d0…", "blake2b_256": "4f3c9a…", "md5": "098f6b…"},
    "metadata_sha256": "2c26b4…",
    "packagetype": "bdist_wheel",
    "python_version": "py3",
    "requires_python": ">=3.10",
    "upload_time": "2025-01-31T12:00:00Z",
    "yanked": False,
}


class FileList(PrincipalView):
    @extend_schema(
        operation_id="files_list",
        tags=TAG,
        summary="A release's files",
        description="By filename, a page at a time; none for a quarantined project.",
        parameters=[PageQuerySerializer],
        responses={200: page_of(FileSerializer), **problems(400), **READS},
        examples=[example_page(FILE)],
    )
    def get(self, request, name: str, version: str):
        list_allowed(request)
        project = authorize(request, name, Action.READ)
        release = release_of(project, version)
        parse(PageQuerySerializer, request.query_params)
        files = selectors.release_file_query(project=project, release=release)
        return page(request, self, files, FileSerializer, project=project)


class FileDetail(PrincipalView):
    @extend_schema(
        operation_id="files_retrieve",
        tags=TAG,
        summary="A file",
        description="Its hashes, size, upload time and download URL.",
        responses={200: FileSerializer, **READS},
        examples=[OpenApiExample("A wheel", value=FILE, response_only=True)],
    )
    def get(self, request, name: str, version: str, filename: str):
        project = authorize(request, name, Action.READ)
        release = release_of(project, version)
        file = selectors.release_file_get(release=release, filename=filename)
        if file is None or not project_offers_files(project):
            raise not_found()
        return Response(FileSerializer(file, context={"request": request}).data)

    @extend_schema(
        operation_id="files_destroy",
        tags=TAG,
        summary="Delete a file",
        description=(
            "Needs `projects:manage`. The release stays, even with no file left; the filename "
            "can never be used again."
        ),
        request=None,
        responses={204: None, **problems(401, 403, 404, 429)},
    )
    def delete(self, request, name: str, version: str, filename: str):
        project = authorize(request, name, Action.MANAGE)
        release = release_of(project, version)
        file = selectors.release_file_get(release=release, filename=filename)
        if file is None:
            raise not_found()
        try:
            services.file_delete(file=file, principal=request.principal)
        except ObjectDoesNotExist:  # deleted by someone else meanwhile
            raise not_found() from None
        return Response(status=204)
