"""Serving files with the store on S3 (moto's server), in process: downloads, /healthz and
the 503 middleware (DESIGN 6)."""

from __future__ import annotations

import json
import os

import pytest
from django.db import OperationalError
from django.test import Client

from projects.models import File
from storage import pipeline
from storage.store import get_store
from tests.simple_api.helpers import basic, file_url
from tests.stack.pipeline.helpers import staged_file
from tests.stack.procs import free_port
from tests.stack.stack import sha256

pytestmark = [pytest.mark.stack, pytest.mark.django_db]

UNAVAILABLE = "Service temporarily unavailable: the database cannot be reached. Retry shortly."


# --- downloads -----------------------------------------------------------------------------


@pytest.fixture
def stored_public(s3, public_project):
    content = os.urandom(5000)
    file = staged_file(public_project, content)
    pipeline.file_store(file_id=file.pk)
    return File.objects.get(pk=file.pk), content


def test_a_stored_file_redirects_to_a_presigned_url(stored_public, read_token, private_project):
    file, _ = stored_public
    response = Client().get(file_url(file))
    assert response.status_code == 302
    assert "X-Amz-Expires=3600" in response["Location"]  # public: longer-lived
    assert f"filename%3D%22{file.filename}%22" in response["Location"]

    private = staged_file(private_project)
    pipeline.file_store(file_id=private.pk)
    response = Client().get(file_url(private), **basic(read_token))
    assert response.status_code == 302 and "X-Amz-Expires=300" in response["Location"]


def test_head_is_answered_by_the_app(stored_public):
    file, content = stored_public
    response = Client().head(file_url(file))
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(content))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{sha256(content)}"'
    assert "Location" not in response


def test_without_redirects_the_app_streams_from_s3_with_ranges(settings, stored_public):
    settings.PRIVINDEX_S3_REDIRECT = False
    file, content = stored_public

    response = Client().get(file_url(file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content

    response = Client().get(file_url(file), HTTP_RANGE="bytes=1000-1999")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 1000-1999/{len(content)}"
    assert b"".join(response.streaming_content) == content[1000:2000]


def test_streaming_with_s3_down_is_a_503(settings, stored_public):
    settings.PRIVINDEX_S3_REDIRECT = False
    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    get_store.cache_clear()
    file, _ = stored_public

    response = Client().get(file_url(file))

    assert response.status_code == 503
    assert b"temporarily unavailable" in response.content


def test_a_staged_file_is_served_from_staging(s3_down, public_project):
    content = os.urandom(3000)
    file = staged_file(public_project, content)
    response = Client().get(file_url(file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content


# --- /healthz and the 503 middleware -------------------------------------------------------


def test_healthz_reports_each_part(s3):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": {
        "database": "ok", "staging": "ok", "broker": "in-process", "storage": "ok"}}  # fmt: skip


def test_healthz_with_the_store_down_is_degraded_not_unavailable(s3_down):
    response = Client().get("/healthz")
    assert response.status_code == 200
    report = json.loads(response.content)
    assert report["status"] == "degraded"
    assert report["checks"]["storage"] == "error: StoreError"


def test_healthz_without_a_database_is_503(monkeypatch):
    from privindex import health

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "CHECKS", (("database", down, True), *health.CHECKS[1:]))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["database"] == "error: OperationalError"


def test_a_database_outage_in_a_middleware_is_a_503_not_a_500(monkeypatch, read_token):
    import simple_api.middleware

    def down(raw, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(simple_api.middleware, "token_authenticate", down)
    response = Client(raise_request_exception=False).get("/simple/", **basic(read_token))

    assert response.status_code == 503
    assert response.content.decode().strip() == UNAVAILABLE
    assert response.reason_phrase == UNAVAILABLE
    assert response["Retry-After"] == "5"


def test_a_database_outage_in_a_view_is_a_503(monkeypatch, stored_public):
    from projects import selectors

    def down(**kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(selectors, "file_get", down)
    file, _ = stored_public
    response = Client(raise_request_exception=False).get(file_url(file))

    assert response.status_code == 503
    assert response.content.decode().strip() == UNAVAILABLE
