"""``/files/upstream/<name>/<filename>``: files and ``.metadata`` of upstream projects.

Asked of the access package like every read (``decide_upstream`` on the files surface: bad
credentials 401, no read scope 403, a closed index 401 to anonymous callers). A name that has
a local project, or lies in a reserved namespace, is never served from here: the same 404 as
for any unknown file. A file is fetched from the upstream on its first request, checked
against the upstream page's hash (refused with 502 and not kept on a mismatch), and served
from staging or the store afterwards, also while the upstream is down.
"""

from __future__ import annotations

from django.http import HttpResponseBase
from django.views.decorators.http import require_safe
from packaging.utils import canonicalize_name

from access import Surface, anonymous_read_open, decide_upstream
from namespaces.selectors import namespace_reserving
from privindex.requests import PrincipalRequest
from projects import selectors
from simple_api.downloads import Served, serve
from simple_api.responses import (
    UPSTREAM_HEADER,
    credentials_error,
    deny,
    not_found,
    upstream_failed,
)
from upstream import proxy
from upstream.client import UpstreamError
from upstream.models import CachedFile, CachedFileState


def _served(row: CachedFile) -> Served:
    return Served(
        storage_key=row.storage_key,
        staged=row.storage_state == CachedFileState.STAGED,
        sha256=row.sha256,
        size=row.size,
        filename=row.filename,
        modified=row.fetched_at,
        public=anonymous_read_open(),
    )


def _failed(error: UpstreamError) -> HttpResponseBase:
    return upstream_failed(error.status, error.message)


@require_safe
def file_download(request: PrincipalRequest, name: str, filename: str) -> HttpResponseBase:
    if (error := credentials_error(request)) is not None:
        return error
    decision = decide_upstream(request.principal, surface=Surface.FILES)
    if not decision:
        return deny(decision)
    if name != canonicalize_name(name) or "/" in filename:
        return not_found()
    if namespace_reserving(name) is not None:
        return not_found()  # never asked of an upstream
    upstreams = proxy.upstreams_active()
    if selectors.project_get(name=name) is not None:
        # Local names always win: never an upstream file for a name that exists here; what
        # an unknown name would cost, and its failure while the upstream is down (0015).
        hidden = proxy.shadow_probe(name, upstreams=upstreams) if upstreams else None
        return _failed(hidden) if hidden is not None else not_found()
    content_type = (
        "text/plain; charset=utf-8"
        if filename.endswith(proxy.METADATA_SUFFIX)
        else "application/octet-stream"
    )
    failure: UpstreamError | None = None
    try:
        page = proxy.project_page(name, upstreams=upstreams)  # applies the rules
    except UpstreamError as exc:
        page, failure = None, exc
    if page is None and failure is None:
        return not_found()  # no upstream has it (any more), or an administrator blocked it
    row = proxy.cached_file(name, filename)
    wanted = proxy.wanted_file(page, filename) if page is not None else None
    if row is not None and wanted is not None and not proxy.matches(row, wanted):
        # The page now gives other bytes for this filename (another upstream, a changed
        # mirror): what is kept would fail the client's hash check. Fetch what it lists.
        proxy.cached_file_forget(row)
        row = None
    stale = failure is not None or (page is not None and page.state == "stale")
    state = "stale" if stale else "cached"
    if row is None:
        if failure is not None or page is None:
            return _failed(failure or UpstreamError(502, "The upstream index failed."))
        if wanted is None:
            return not_found()
        try:
            row = proxy.file_fetch(wanted)
        except UpstreamError as exc:
            return _failed(exc)
        state = "fetched"
    response = serve(request, _served(row), content_type)
    response[UPSTREAM_HEADER] = state
    return response
