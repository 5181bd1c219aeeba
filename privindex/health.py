"""``/healthz``: database, broker and storage reachability.

Each check reports ``ok`` or ``error: <kind>`` (the broker ``in-process`` when tasks run in
the web process). The answer is 503 only when the database is unreachable or staging is not
writable: without those no request can be served. A broker or store outage is reported as
``degraded`` with 200, because uploads and downloads of staged files still work then (the
sweeper stores files once the broker and the store are back), so a load balancer must not
take the web processes out of service for it.
"""

import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_staging() -> str:
    if not os.access(Path(settings.PRIVINDEX_STAGING_DIR), os.W_OK | os.X_OK):
        raise PermissionError("staging is not writable")
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from privindex.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_storage() -> str:
    from storage.store import get_store

    get_store().ping()
    return "ok"


CHECKS = (
    ("database", _check_database, True),
    ("staging", _check_staging, True),
    ("broker", _check_broker, False),
    ("storage", _check_storage, False),
)


def _upstream_health() -> tuple[dict[str, str], bool]:
    """Each enabled upstream as requests last found it (no request is made here): ``ok``,
    ``unused``, or ``error: <message>``; and whether any is failing."""
    from upstream.proxy import upstreams_active

    report, failing = {}, False
    for upstream in upstreams_active():
        if upstream.last_error_at and (
            upstream.last_ok_at is None or upstream.last_error_at > upstream.last_ok_at
        ):
            report[upstream.name] = f"error: {upstream.last_error}"
            failing = True
        else:
            report[upstream.name] = "ok" if upstream.last_ok_at else "unused"
    return report, failing


def healthz(request):
    checks = {}
    status = "ok"
    for name, check, essential in CHECKS:
        try:
            checks[name] = check()
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
            if essential:
                status = "unavailable"
            elif status == "ok":
                status = "degraded"
    body: dict = {"status": status, "checks": checks}
    if status != "unavailable":
        try:
            upstreams, failing = _upstream_health()
        except Exception as exc:
            upstreams, failing = {"*": f"error: {type(exc).__name__}"}, True
        if upstreams:
            body["upstreams"] = upstreams
        if failing and status == "ok":
            body["status"] = "degraded"
    response = JsonResponse(body, status=503 if status == "unavailable" else 200)
    response["Cache-Control"] = "no-store"
    return response
