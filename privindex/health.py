"""``/healthz``: database, broker and storage reachability."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from privindex.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _check_storage() -> str:
    from projects.storage import get_store

    get_store().exists("healthz-probe")
    return "ok"


def healthz(request):
    checks = {}
    healthy = True
    for name, check in (("database", _check_database), ("broker", _check_broker),
                        ("storage", _check_storage)):
        try:
            checks[name] = check()
        except Exception as exc:  # report, never raise: this page is for load balancers
            checks[name] = f"error: {type(exc).__name__}"
            healthy = False
    response = JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks},
                            status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
