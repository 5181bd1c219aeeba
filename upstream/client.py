"""Talking to an upstream: bounded, timed, and never trusted.

One ``httpx.Client`` per process (connection pooling), a semaphore bounding the requests in
flight (``PRIVINDEX_UPSTREAM_MAX_CONCURRENCY``), connect and read timeouts, a deadline for whole
pages, and a size cap on pages. Credentials go only to the upstream's own origin, never to a
file host elsewhere. Every failure is an ``UpstreamError`` with the status to answer with:
504 for a timeout, 502 for anything else the upstream got wrong, 503 when too many requests
are already waiting on upstreams.
"""

from __future__ import annotations

import atexit
import hashlib
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import certifi
import httpx
from django.conf import settings

from upstream.models import Upstream
from upstream.parse import PageError, parse_html, parse_json

JSON_V1 = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{JSON_V1}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
MAX_PAGE_BYTES = 64 * 1024 * 1024
CHUNK = 256 * 1024
USER_AGENT = "privindex-upstream/1"


class UpstreamError(Exception):
    """The upstream could not answer: ``status`` is what the caller should answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class PageFetch:
    """An upstream's answer for a project page: ``data`` None for 404, ``not_modified`` for 304."""

    data: dict[str, Any] | None
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


_lock = threading.Lock()
_clients: dict[tuple[float, float, int, str | None, str], httpx.Client] = {}
_semaphores: dict[tuple[str, int], threading.BoundedSemaphore] = {}


def _client() -> httpx.Client:
    connect = float(settings.PRIVINDEX_UPSTREAM_CONNECT_TIMEOUT)
    read = float(settings.PRIVINDEX_UPSTREAM_READ_TIMEOUT)
    # Connections for every page slot and every file slot (_InFlight).
    limit = int(settings.PRIVINDEX_UPSTREAM_MAX_CONCURRENCY) + int(
        getattr(settings, "PRIVINDEX_UPSTREAM_MAX_FILE_FETCHES", 2)
    )
    proxy = str(getattr(settings, "PRIVINDEX_UPSTREAM_PROXY", "") or "") or None
    ca_bundle = str(getattr(settings, "PRIVINDEX_UPSTREAM_CA_BUNDLE", "") or "")
    key = (connect, read, limit, proxy, ca_bundle)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = httpx.Client(
                timeout=httpx.Timeout(connect=connect, read=read, write=read, pool=connect),
                limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT},
                # The environment (HTTPS_PROXY, .netrc...) is not read: an outbound proxy and
                # a CA bundle are settings of their own.
                trust_env=False,
                proxy=proxy,
                verify=_tls_context(ca_bundle),
            )
            _clients[key] = client
        return client


def _tls_context(ca_bundle: str) -> ssl.SSLContext:
    """certifi's roots (httpx's default), plus ``ca_bundle``'s when given: an internal mirror
    and PyPI can be upstreams side by side."""
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


@atexit.register
def _close_clients() -> None:
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def _slot(kind: str) -> threading.BoundedSemaphore:
    setting = (
        "PRIVINDEX_UPSTREAM_MAX_CONCURRENCY"
        if kind == "page"
        else "PRIVINDEX_UPSTREAM_MAX_FILE_FETCHES"
    )
    limit = max(1, int(getattr(settings, setting, 2)))
    with _lock:
        return _semaphores.setdefault((kind, limit), threading.BoundedSemaphore(limit))


class _InFlight:
    """Hold one of the process's upstream request slots for ``kind`` (pages and files each
    have their own, so that downloads cannot take every page slot), or fail with 503."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __enter__(self) -> None:
        self.slot = _slot(self.kind)
        if not self.slot.acquire(timeout=float(settings.PRIVINDEX_UPSTREAM_CONNECT_TIMEOUT)):
            raise UpstreamError(503, "Too many requests to the upstream index; retry shortly.")

    def __exit__(self, *exc: object) -> None:
        self.slot.release()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.rsplit("@", 1)[-1].lower()


def _auth(upstream: Upstream, url: str) -> httpx.BasicAuth | None:
    """Basic credentials for ``url`` when it is on the upstream's own origin."""
    if not (upstream.username or upstream.password):
        return None
    if _origin(url) != _origin(upstream.url):
        return None
    return httpx.BasicAuth(upstream.username, upstream.password)


def _failure(upstream: Upstream, exc: Exception) -> UpstreamError:
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamError(504, f"The upstream index '{upstream.name}' did not answer in time.")
    return UpstreamError(
        502, f"The upstream index '{upstream.name}' could not be reached ({type(exc).__name__})."
    )


def _get(upstream: Upstream, url: str, headers: dict[str, str]) -> httpx.Response:
    """GET ``url``, following at most 5 redirects by hand (credentials stay on the origin)."""
    client = _client()
    for _ in range(6):
        request = client.build_request("GET", url, headers=headers)
        response = client.send(request, auth=_auth(upstream, url), stream=True)
        if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
            response.close()
            url = str(httpx.URL(url).join(response.headers["location"]))
            continue
        return response
    raise UpstreamError(502, f"The upstream index '{upstream.name}' redirects too often.")


def page_url(upstream: Upstream, name: str) -> str:
    base = upstream.url if upstream.url.endswith("/") else upstream.url + "/"
    return f"{base}{quote(name)}/"


def fetch_page(
    upstream: Upstream, name: str, *, etag: str = "", last_modified: str = ""
) -> PageFetch:
    """The upstream's page for the normalized ``name`` (JSON preferred, HTML understood)."""
    headers = {"Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    url = page_url(upstream, name)
    deadline = (
        time.monotonic()
        + float(settings.PRIVINDEX_UPSTREAM_CONNECT_TIMEOUT)
        + 2 * float(settings.PRIVINDEX_UPSTREAM_READ_TIMEOUT)
    )
    try:
        with _InFlight("page"):
            response = _get(upstream, url, headers)
            try:
                status = response.status_code
                if status in (404, 410):
                    return PageFetch(None)
                if status == 304:
                    return PageFetch(
                        None, etag=etag, last_modified=last_modified, not_modified=True
                    )
                if status != 200:
                    raise UpstreamError(
                        502, f"The upstream index '{upstream.name}' answered {status}."
                    )
                body = bytearray()
                for chunk in response.iter_bytes(CHUNK):
                    body += chunk
                    if len(body) > MAX_PAGE_BYTES:
                        raise UpstreamError(502, "The upstream page is too large.")
                    if time.monotonic() > deadline:
                        raise UpstreamError(
                            504, f"The upstream index '{upstream.name}' did not answer in time."
                        )
                content_type = response.headers.get("content-type", "").split(";")[0].strip()
                final_url = str(response.url)
                new_etag = response.headers.get("etag", "")
                new_modified = response.headers.get("last-modified", "")
            finally:
                response.close()
    except (httpx.HTTPError, OSError) as exc:
        raise _failure(upstream, exc) from None
    try:
        if content_type.endswith("json"):
            data = parse_json(name, bytes(body), final_url)
        else:
            data = parse_html(name, bytes(body), final_url)
    except PageError as exc:
        raise UpstreamError(
            502, f"The upstream index '{upstream.name}' sent a bad page: {exc}"
        ) from None
    return PageFetch(data, etag=new_etag[:200], last_modified=new_modified[:100])


def fetch_file(upstream: Upstream, url: str, target: Path) -> tuple[int, dict[str, str]]:
    """Stream ``url`` into ``target`` while hashing: (size, {algorithm: hexdigest}).

    The digests are those ``hashlib`` offers for every algorithm a page may name; the caller
    compares them with the page. ``target`` is removed on any failure.
    """
    digests = {name: hashlib.new(name) for name in ("sha256", "sha384", "sha512", "md5")}
    size = 0
    try:
        with _InFlight("file"):
            response = _get(upstream, url, {"Accept": "*/*", "Accept-Encoding": "identity"})
            try:
                if response.status_code != 200:
                    raise UpstreamError(
                        502,
                        f"The upstream index '{upstream.name}' answered "
                        f"{response.status_code} for a file.",
                    )
                limit = int(settings.PRIVINDEX_UPSTREAM_MAX_FILE_SIZE)
                with open(target, "wb") as fh:
                    for chunk in response.iter_raw(CHUNK):
                        size += len(chunk)
                        if size > limit:
                            raise UpstreamError(502, "The upstream file is too large.")
                        fh.write(chunk)
                        for digest in digests.values():
                            digest.update(chunk)
            finally:
                response.close()
    except BaseException as exc:
        target.unlink(missing_ok=True)
        if isinstance(exc, (httpx.HTTPError, OSError)):
            raise _failure(upstream, exc) from None
        raise
    return size, {name: digest.hexdigest() for name, digest in digests.items()}
