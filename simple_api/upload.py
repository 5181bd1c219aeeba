"""``POST /legacy/``: the upload endpoint as twine, poetry, pdm and uv publish send it (S2).

Parse, ask the access policy, validate, hand to ``projects.services.release_file_upload``.
Errors go in the reason phrase and the body (S2.12). The streamed temp file is always removed
or moved into staging; a rejected upload leaves nothing behind.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import IntegrityError
from django.http import HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from access import Action, Denial, Surface, creation_organization, credential_check, decide
from privindex.requests import PrincipalRequest
from projects import selectors, services
from simple_api.responses import message_response, unauthenticated
from uploads import validation
from uploads.handler import parse_upload

log = logging.getLogger(__name__)

INFO_PAGE = """<!DOCTYPE html>
<html><head><title>privindex upload endpoint</title></head>
<body><h1>Upload endpoint</h1>
<p>This URL accepts package uploads (<code>POST</code>, <code>multipart/form-data</code>) from
twine, uv, poetry and pdm, e.g.
<code>twine upload --repository-url {url} -u __token__ -p &lt;upload token&gt; dist/*</code>.</p>
</body></html>
"""


def _error(status: int, message: str) -> HttpResponse:
    return message_response(status, message)


def missing_slash(request: PrincipalRequest) -> HttpResponse:
    """S2.10: never redirect an upload silently; tell the user where the endpoint is."""
    response = _error(
        308,
        "An upload was attempted to /legacy but the expected upload URL is /legacy/ "
        "(with a trailing slash)",
    )
    response["Location"] = request.build_absolute_uri("/legacy/")
    return response


@csrf_exempt
def upload(request: PrincipalRequest) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        return HttpResponse(INFO_PAGE.format(url=request.build_absolute_uri()))
    if request.method != "POST":
        response = _error(405, "Method Not Allowed: uploads are POST requests.")
        response["Allow"] = "GET, HEAD, POST"
        return response
    # S3.1: site switches first, then authentication, before the body is read.
    if settings.PRIVINDEX_READ_ONLY:
        return _error(403, "Read-only mode: Uploads are temporarily disabled.")
    if settings.PRIVINDEX_UPLOADS_DISABLED:
        return _error(403, "New uploads are temporarily disabled.")
    # Authenticate before reading the body: bad credentials never cost an upload's disk.
    if request.auth_error:
        return unauthenticated(request.auth_error)
    principal = request.principal
    accepted = credential_check(principal, Action.UPLOAD, surface=Surface.UPLOAD)
    if not accepted:
        if accepted.denial == Denial.UNAUTHENTICATED:
            return unauthenticated(accepted.reason)
        return _error(403, accepted.reason)
    if not (request.content_type or "").startswith("multipart/form-data"):
        return _error(400, "Uploads must be sent as multipart/form-data.")
    try:
        post, files, handler, raw_names = parse_upload(request)
    except RequestDataTooBig:
        return _error(413, "The form fields are too large.")
    except TooManyFieldsSent:
        return _error(400, "Too many form fields.")
    except (MultiPartParserError, SuspiciousOperation) as exc:
        return _error(400, f"Malformed upload request: {exc}")
    except UnreadablePostError:
        return _error(400, "The upload was interrupted before the request body was complete.")
    try:
        return _handle(request, principal, post, files, handler, raw_names)
    finally:
        for uploaded in files.values():
            uploaded.close()  # the temp file is gone unless it was moved to staging


def _handle(request, principal, post, files, handler, raw_names) -> HttpResponse:
    # First: once the file was too large, fields after it (":action" too) were never read.
    if handler.too_large:
        return _error(400, f"File too large. Limit is {handler.max_size // 1024**2} MB.")
    action = post.get(":action", "")
    if action in ("submit", "submit_pkg_info"):
        return _error(
            410,
            "Project pre-registration is no longer required or supported, "
            "upload your files instead.",
        )
    if action == "doc_upload":
        return _error(
            410,
            "Uploading documentation is no longer supported, we recommend using "
            "https://readthedocs.org/.",
        )
    if action != "file_upload":
        return HttpResponse(INFO_PAGE.format(url=request.build_absolute_uri()))
    try:
        form = validation.validate_form(post, files)
    except validation.UploadError as exc:
        return _error(exc.status, exc.message)
    content = files["content"]
    filename = raw_names.get("content", content.name)

    # The distribution is checked in full before its name is looked up, so a garbage file
    # tells an upload token nothing about which names exist here.
    try:
        validation.validate_filename(filename, form)
    except validation.UploadError as exc:
        return _error(exc.status, exc.message)

    digests = content.digests
    for key, supplied in form.digests.items():
        if digests.get(key) != supplied:
            return _error(
                400,
                "The digest supplied does not match a digest calculated from the uploaded file.",
            )

    try:
        contents = validation.inspect_archive(Path(content.temporary_file_path()), filename, form)
    except validation.UploadError as exc:
        return _error(exc.status, exc.message)

    project = selectors.project_get(name=form.name)
    if project is None:
        organization = creation_organization(principal)
        decision = decide(
            principal, Action.CREATE, None, surface=Surface.UPLOAD, organization=organization
        )
    else:
        organization = None
        decision = decide(principal, Action.UPLOAD, project, surface=Surface.UPLOAD)
    if not decision:
        if decision.denial == Denial.NOT_FOUND:
            # A project the uploader cannot see: answered as a free name would be, first by
            # whether this caller may create a project at all, then by the name rules;
            # never "it exists".
            create = decide(
                principal,
                Action.CREATE,
                None,
                surface=Surface.UPLOAD,
                organization=creation_organization(principal),
            )
            if not create:
                return _error(403, create.reason)
            refusal = services.hidden_name_refusal(form.name, principal=principal)
            return _error(refusal.status, refusal.message)
        return _error(403, decision.reason)

    duplicate = _duplicate(filename, digests, project)
    if duplicate is not None:
        return duplicate

    release_fields = dict(form.release_fields)
    upload = services.FileUpload(
        path=Path(content.temporary_file_path()),
        filename=filename,
        packagetype=form.filetype,
        python_version=form.pyversion or "source",
        size=content.size,
        sha256=digests["sha256"],
        blake2_256=digests["blake2_256"],
        md5=digests["md5"],
        name=form.name,
        version=form.version,
        requires_python=form.requires_python,
        core_metadata=contents.core_metadata,
        release_fields=release_fields,
    )
    visibility = "private" if validation.PRIVATE_CLASSIFIER in form.classifiers else None
    try:
        services.release_file_upload(
            principal=principal,
            project=project,
            upload=upload,
            organization=organization,
            new_project_visibility=visibility,
        )
    except services.ServiceError as exc:
        return _error(exc.status, exc.message)
    except IntegrityError:
        # A concurrent upload of the same file won the race: answer as for a re-upload.
        duplicate = _duplicate(filename, digests, project)
        if duplicate is not None:
            return duplicate
        raise
    return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")


def _duplicate(filename: str, digests: dict[str, str], project) -> HttpResponse | None:
    """S3.14: identical re-upload is a no-op 200; any other reuse is refused."""
    existing = selectors.file_duplicate_get(
        filename=filename, blake2_256=digests["blake2_256"], project=project
    )
    if existing is None:
        return None
    if (
        existing.filename == filename
        and existing.sha256 == digests["sha256"]
        and existing.blake2_256 == digests["blake2_256"]
    ):
        return HttpResponse("OK\n", content_type="text/plain; charset=utf-8")
    return _error(
        400,
        f"File already exists ('{filename}', with blake2_256 hash '{digests['blake2_256']}').",
    )
