"""The upstream proxy: which upstream answers a name, the page cache, and files fetched once.

Callers (``simple_api.views``, ``upstream.views``, the upload's name policy) have already
established that the name has no local project and lies in no reserved namespace: a name
that exists here is never answered from outside (docs/decisions/0015).

Pages: fresh for ``PRIVINDEX_UPSTREAM_TTL`` seconds after the last 200 or 304, then
revalidated with ``If-None-Match``/``If-Modified-Since``. When the upstream fails, a cached
page is served ``stale``; a name never seen answers the failure (502/504/503). Failures are
never cached. Upstreams are asked in priority order and the first that has the name answers;
pages of several upstreams are never merged, and a failing upstream is never skipped for a
lower one (that lower one could hold an impostor).

Files: fetched on first request into staging while hashing, compared with every hash the
page gives (a page without a usable hash is refused), kept through the store pipeline, and
served from staging or the store afterwards. One fetch per file at a time: a lock file in
staging serialises concurrent first requests across processes on the host.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from storage.staging import stage, staging_path, unstage
from storage.store import get_store
from upstream import client
from upstream.client import UpstreamError
from upstream.models import (
    CachedFile,
    CachedFileState,
    CachedPage,
    RuleKind,
    Upstream,
    UpstreamRule,
)

log = logging.getLogger(__name__)

ENVIRONMENT_UPSTREAM = "environment"
METADATA_SUFFIX = ".metadata"
KEY_PREFIX = "upstream/"
# Health is written at most this often per upstream on success (not once per request).
HEALTH_WRITE_SECONDS = 60


# A name an upstream may be asked about: a valid project name (S1.2), as long as a local one
# may be (the cache's column).
_NAME = re.compile(r"^([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\Z", re.ASCII)
NAME_MAX = 200


def proxiable(name: str) -> bool:
    """May the normalized ``name`` be asked of an upstream at all? Anything else is simply
    unknown (404), and never sent out."""
    return len(name) <= NAME_MAX and _NAME.match(name) is not None


@dataclass(frozen=True)
class Page:
    """A page to serve: the upstream it came from, its data, and whether it is stale."""

    upstream: Upstream
    name: str
    data: dict[str, Any]
    state: str  # "cached" (fresh in the cache), "fetched", "revalidated" or "stale"
    error: str = ""


# --- upstreams and rules ---------------------------------------------------------------------


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """(url without userinfo, username or None, password or None) of ``url``. Raises
    ValueError for a URL that cannot be taken apart (a port out of range...)."""
    parts = urlsplit(url)
    port = parts.port  # raises ValueError when out of range
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"  # IPv6
    netloc = host + (f":{port}" if port else "")
    return (
        urlunsplit(parts._replace(netloc=netloc)),
        None if parts.username is None else unquote(parts.username),
        None if parts.password is None else unquote(parts.password),
    )


def _environment() -> tuple[str, str, str]:
    """(url, username, password) of ``PRIVINDEX_UPSTREAM_URL``; credentials in the URL are
    taken out of it (they are sent as HTTP Basic, and never logged with the URL)."""
    url = str(settings.PRIVINDEX_UPSTREAM_URL or "").strip()
    user = str(settings.PRIVINDEX_UPSTREAM_USERNAME or "")
    password = str(settings.PRIVINDEX_UPSTREAM_PASSWORD or "")
    if not url:
        return "", user, password
    url, url_user, url_password = split_credentials(url)
    if url_user is not None or url_password is not None:
        user, password = url_user or "", url_password or ""
    if not url.endswith("/"):
        url += "/"
    return url, user, password


def upstreams_active() -> list[Upstream]:
    """The enabled upstreams, first to ask first; the environment's kept in step (1 query)."""
    rows = list(Upstream.objects.filter(enabled=True).order_by("priority", "pk"))
    url, user, password = _environment()
    env = [row for row in rows if row.from_environment]
    curated = bool(getattr(settings, "PRIVINDEX_UPSTREAM_CURATED", False))
    if url and not (
        len(env) == 1
        and env[0].url == url
        and env[0].username == user
        and env[0].password == password
        and env[0].curated == curated
    ):
        Upstream.objects.update_or_create(
            name=ENVIRONMENT_UPSTREAM,
            defaults={
                "url": url,
                "username": user,
                "password": password,
                "from_environment": True,
                "enabled": True,
                "priority": 0,
                "curated": curated,
            },
        )
        rows = list(Upstream.objects.filter(enabled=True).order_by("priority", "pk"))
    elif not url and env:
        Upstream.objects.filter(from_environment=True).update(enabled=False)
        rows = [row for row in rows if not row.from_environment]
    return rows


def _allowed_by_rules(upstream: Upstream, rules: list[UpstreamRule]) -> bool:
    mine = [r for r in rules if r.upstream_id in (None, upstream.pk)]
    if any(r.kind == RuleKind.BLOCK for r in mine):
        return False
    if upstream.curated:
        return any(r.kind == RuleKind.ALLOW for r in mine)
    return True


# --- pages ------------------------------------------------------------------------------------


def _fresh(page: CachedPage, now: dt.datetime) -> bool:
    return now - page.checked_at < dt.timedelta(seconds=int(settings.PRIVINDEX_UPSTREAM_TTL))


def _health_ok(upstream: Upstream, now: dt.datetime) -> None:
    last = upstream.last_ok_at
    if (
        last is None
        or (now - last).total_seconds() > HEALTH_WRITE_SECONDS
        or (upstream.last_error_at is not None and upstream.last_error_at > last)
    ):
        Upstream.objects.filter(pk=upstream.pk).update(last_ok_at=now)
        upstream.last_ok_at = now


def _health_error(upstream: Upstream, error: UpstreamError, now: dt.datetime) -> None:
    message = error.message[:500]
    Upstream.objects.filter(pk=upstream.pk).update(last_error_at=now, last_error=message)
    upstream.last_error_at, upstream.last_error = now, message
    log.warning("upstream %s: %s", upstream.name, error.message)


def _page_from(
    upstream: Upstream, name: str, cached: CachedPage | None, now: dt.datetime
) -> Page | None:
    """Ask one upstream (or its cache) for ``name``: a Page, None (it has no such project), or
    UpstreamError when it failed and nothing is cached."""
    if cached is not None and _fresh(cached, now):
        return Page(upstream, name, cached.data, "cached") if cached.found else None
    try:
        fetched = client.fetch_page(
            upstream,
            name,
            etag=cached.etag if cached is not None and cached.found else "",
            last_modified=cached.last_modified if cached is not None and cached.found else "",
        )
    except UpstreamError as error:
        _health_error(upstream, error, now)
        if cached is not None and cached.found:
            return Page(upstream, name, cached.data, "stale", error.message)
        if cached is not None:
            return None  # known absent before the failure: still absent
        raise
    _health_ok(upstream, now)
    if fetched.not_modified and cached is not None:
        CachedPage.objects.filter(pk=cached.pk).update(checked_at=now)
        return Page(upstream, name, cached.data, "revalidated")
    values = {
        "found": fetched.data is not None,
        "data": fetched.data or {},
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "fetched_at": now,
        "checked_at": now,
        "shadow": False,
    }
    # A concurrent request may store it first: ours is as good.
    with contextlib.suppress(IntegrityError):
        CachedPage.objects.update_or_create(upstream=upstream, name=name, defaults=values)
    if fetched.data is None:
        return None
    return Page(upstream, name, fetched.data, "fetched")


def project_page(
    name: str, *, apply_rules: bool = True, upstreams: list[Upstream] | None = None
) -> Page | None:
    """The upstream page for the normalized ``name``: the first upstream (by priority) that has
    it answers. None when no upstream has it (or the rules hide it). Raises UpstreamError when
    an upstream that comes first failed with nothing cached. Constant queries from the cache.
    """
    if not proxiable(name):
        return None
    if upstreams is None:
        upstreams = upstreams_active()
    if not upstreams:
        return None
    rules = list(UpstreamRule.objects.filter(name=name)) if apply_rules else []
    cached = {
        p.upstream_id: p
        for p in CachedPage.objects.filter(name=name, upstream__in=upstreams)
        if not p.shadow  # a stand-in for a name that was local: never an answer
    }
    now = timezone.now()
    for upstream in upstreams:
        if apply_rules and not _allowed_by_rules(upstream, rules):
            continue
        page = _page_from(upstream, name, cached.get(upstream.pk), now)
        if page is not None:
            return page
    return None


def decoy_name() -> str:
    """A name no upstream has and nobody can guess: what a hidden name is asked as."""
    return f"privindex-decoy-{secrets.token_hex(10)}"


def shadow_probe(name: str, *, upstreams: list[Upstream]) -> UpstreamError | None:
    """For a local name hidden from the caller: do what ``project_page`` does for an unknown
    name, without the upstream ever hearing the name.

    The same queries and the same cache rows; where an unknown name would be asked of an
    upstream, a random decoy name is asked instead (the same round trip, the same failure
    while the upstream is down), and a stand-in row (``shadow``) makes the next ask within
    the TTL as cheap as for a cached unknown name. Returns the failure an unknown name would
    get, else None (the caller answers 404).
    """
    if not proxiable(name):
        return None
    rules = list(UpstreamRule.objects.filter(name=name))
    cached = {
        p.upstream_id: p
        for p in CachedPage.objects.filter(name=name, upstream__in=upstreams)
        # Only rows an unknown name could have: a page, or a stand-in left by an earlier
        # probe. A "not found" the name policy stored at the project's creation is what a
        # never-seen name lacks, so it is left out.
        if p.shadow or p.found
    }
    now = timezone.now()
    for upstream in upstreams:
        if not _allowed_by_rules(upstream, rules):
            continue
        row = cached.get(upstream.pk)
        if row is not None and _fresh(row, now):
            if row.found and not row.shadow:
                return None  # an unknown name would be answered from this page
            continue
        try:
            client.fetch_page(upstream, decoy_name())
        except UpstreamError as error:
            _health_error(upstream, error, now)
            if row is None:
                return error  # what a never-seen name gets
            if row.shadow:
                continue  # known absent
            return None  # an unknown name would get the stale page
        _health_ok(upstream, now)
        if row is None:
            # Create the stand-in, or turn the name policy's "not found" into one.
            with contextlib.suppress(IntegrityError), transaction.atomic():
                CachedPage.objects.update_or_create(
                    upstream=upstream,
                    name=name,
                    found=False,
                    defaults={"shadow": True, "fetched_at": now, "checked_at": now},
                )
        elif row.shadow:
            CachedPage.objects.filter(pk=row.pk).update(checked_at=now)
        else:
            return None  # a page of the upstream's: an unknown name would be answered
    return None


def exists_upstream(name: str) -> bool:
    """Does any upstream have a project called ``name`` (rules ignored: a blocked name still
    exists out there)? Raises UpstreamError when that cannot be told."""
    return project_page(name, apply_rules=False) is not None


# --- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wanted:
    """A file as the page describes it."""

    upstream: Upstream
    name: str
    filename: str
    url: str
    hashes: dict[str, str]


def wanted_file(page: Page, filename: str) -> Wanted | None:
    """The page's entry for ``filename`` (a distribution, or ``<wheel>.metadata``)."""
    base = filename.removesuffix(METADATA_SUFFIX)
    for entry in page.data.get("files", []):
        if entry["filename"] != base:
            continue
        if filename == base:
            return Wanted(page.upstream, page.name, filename, entry["url"], entry["hashes"])
        metadata = entry.get("core-metadata")
        if not isinstance(metadata, dict):
            return None  # not offered (or no hash to check it with)
        hashes = metadata
        return Wanted(page.upstream, page.name, filename, entry["url"] + METADATA_SUFFIX, hashes)
    return None


def cached_file(name: str, filename: str) -> CachedFile | None:
    return CachedFile.objects.filter(name=name, filename=filename).first()


def matches(row: CachedFile, wanted: Wanted) -> bool:
    """Are the kept bytes the ones the page lists? Every hash the page gives that was
    computed when they were fetched must agree."""
    kept = {**row.hashes, "sha256": row.sha256}
    return all(kept.get(name, value) == value for name, value in wanted.hashes.items())


def cached_file_forget(row: CachedFile) -> None:
    """Drop a kept file (its bytes, then its row)."""
    unstage(row.storage_key)
    if row.storage_state == CachedFileState.STORED:
        get_store().delete(row.storage_key)
    row.delete()


def known_sizes(name: str) -> dict[str, int]:
    """Sizes of the files of ``name`` kept here: what an HTML upstream does not say."""
    return dict(CachedFile.objects.filter(name=name).values_list("filename", "size"))


def _storage_key(name: str, sha256: str, filename: str) -> str:
    return f"{KEY_PREFIX}{name}/{sha256[:2]}/{sha256[2:]}/{filename}"


@contextmanager
def _fetch_lock(name: str, filename: str) -> Iterator[None]:
    """One fetch of a file at a time on this host (processes share staging)."""
    directory = Path(settings.PRIVINDEX_STAGING_DIR) / ".locks"
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(f"{name}/{filename}".encode()).hexdigest()
    deadline = time.monotonic() + float(settings.PRIVINDEX_UPSTREAM_READ_TIMEOUT) * 4
    fd = os.open(directory / f"{digest}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise UpstreamError(
                        504, "The file is still being fetched; retry shortly."
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _verify(wanted: Wanted, digests: dict[str, str]) -> str | None:
    """None when every hash the page gives that we computed matches (at least one must)."""
    checked = 0
    for algorithm, expected in wanted.hashes.items():
        actual = digests.get(algorithm)
        if actual is None:
            continue
        if actual != expected.lower():
            return f"its {algorithm} does not match the upstream page"
        checked += 1
    if not checked:
        return "the upstream page gives no hash privindex can check"
    return None


def file_fetch(wanted: Wanted) -> CachedFile:
    """Fetch, check and keep ``wanted``; once, however many ask at the same time.

    Raises UpstreamError: 502 when the bytes do not match the page (nothing is kept), or the
    upstream failure.
    """
    with _fetch_lock(wanted.name, wanted.filename):
        existing = cached_file(wanted.name, wanted.filename)
        if existing is not None:
            return existing
        incoming = Path(settings.FILE_UPLOAD_TEMP_DIR)
        incoming.mkdir(parents=True, exist_ok=True)
        temp = incoming / f"upstream-{os.getpid()}-{time.monotonic_ns()}"
        if urlsplit(wanted.url).scheme not in ("http", "https"):
            raise UpstreamError(502, "The upstream file URL is not http(s).")
        size, digests = client.fetch_file(wanted.upstream, wanted.url, temp)
        problem = _verify(wanted, digests)
        if problem is not None:
            temp.unlink(missing_ok=True)
            log.warning(
                "refused %s from upstream %s: %s", wanted.filename, wanted.upstream.name, problem
            )
            raise UpstreamError(
                502, f"Refused '{wanted.filename}' from the upstream index: {problem}."
            )
        key = _storage_key(wanted.name, digests["sha256"], wanted.filename)
        stage(temp, key)
        try:
            with transaction.atomic():
                row = CachedFile.objects.create(
                    upstream=wanted.upstream,
                    name=wanted.name,
                    filename=wanted.filename,
                    url=wanted.url,
                    sha256=digests["sha256"],
                    hashes=digests,
                    size=size,
                    storage_key=key,
                )
                transaction.on_commit(lambda: _enqueue_store(row.pk))
        except IntegrityError:
            # Another host fetched it meanwhile (the lock is per host): keep theirs.
            found = cached_file(wanted.name, wanted.filename)
            if found is None:
                raise
            if found.storage_key != key:
                staging_path(key).unlink(missing_ok=True)
            return found
        return row


def _enqueue_store(file_id: int) -> None:
    from upstream.scheduling import enqueue_cached_store

    enqueue_cached_store(file_id)


def cached_state_stored(row: CachedFile) -> bool:
    return row.storage_state == CachedFileState.STORED
