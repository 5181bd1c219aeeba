"""The bad-input corpus (issue 4): malformed and hostile uploads through the real endpoint.

Every case is POSTed to ``/legacy/`` with a valid upload token. Each must get its 4xx with a
specific message in both the reason phrase and the body (S2.12), schedule no on-commit work,
and leave the database and storage exactly as they were: the same rows, the same staged and
stored bytes, and nothing in ``staging/.incoming`` (where the upload is streamed).

The index already holds ``seed-pkg`` 1.0 (a wheel and an sdist, uploaded by the uploader, who
owns it), a filename once used by a deleted file, and ``Secret-Pkg``, a private project the
uploader cannot see; several cases aim at those. A case is (id citing the S-ID, how to build
the request body, status, message substring, settings to apply first). Valid uploads right at
the corpus's edges come last: the checks must not catch them. The cases, and how their
requests and hostile archives are built, are in ``tests/simple_api/corpus/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase

from audit.models import Event
from projects.models import (
    CoreMetadata,
    File,
    FilenameRegistry,
    Project,
    ProjectRole,
    Release,
)
from tests import factories
from tests.simple_api.corpus import archive_cases, form_cases
from tests.simple_api.corpus.build import DELETED, SEED, Body, sdist, up, wheel
from tests.simple_api.helpers import basic
from tokens.services import token_issue

pytestmark = pytest.mark.django_db

CASES = [*form_cases.CASES, *archive_cases.CASES]


# Fixtures and the test --------------------------------------------------------------------


def _post(client: Any, body: Body, token: str) -> tuple[Any, list[Any]]:
    """POST as an upload client would, capturing (and running) any on-commit work."""
    data, content_type = body
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        response = client.post("/legacy/", data, content_type=content_type, **basic(token))
    return response, callbacks


@pytest.fixture
def uploader_token(db) -> str:
    uploader = factories.UserFactory(username="uploader")
    return token_issue(user=uploader, scopes=["upload", "read"], actor=None).secret


@pytest.fixture
def seeded(client, uploader_token, private_project) -> str:
    """The index before each case; returns the uploader's token."""
    for dist in (wheel(SEED, "1.0"), sdist(SEED, "1.0")):
        response, _ = _post(client, up(dist), uploader_token)
        assert response.status_code == 200, response.content
    FilenameRegistry.objects.create(filename=DELETED)
    return uploader_token


def snapshot(settings) -> dict[str, Any]:
    """Everything an upload could leave behind: rows and bytes."""

    def files_under(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())

    return {
        "projects": sorted(Project.objects.values_list("name", "normalized_name", "visibility")),
        "roles": ProjectRole.objects.count(),
        "releases": sorted(Release.objects.values_list("project__name", "version", "summary")),
        "files": sorted(File.objects.values_list("filename", "sha256", "storage_state")),
        "registry": sorted(FilenameRegistry.objects.values_list("filename", flat=True)),
        "metadata": CoreMetadata.objects.count(),
        "events": Event.objects.count(),
        "staging": files_under(settings.PRIVINDEX_STAGING_DIR),
        "store": files_under(settings.PRIVINDEX_FILES_DIR),
    }


def test_the_corpus_is_large_enough():  # issue 4: at least 60 malformed uploads
    assert len(CASES) >= 60


# What the cases (tests/simple_api/corpus/) cite, so that it counts for this test: S2.1, S2.4,
# S3.2-S3.15, S3.18-S3.22, and of S3.5 items S3.5.1, S3.5.2, S3.5.3, S3.5.4, S3.5.5, S3.5.6,
# S3.5.7, S3.5.8, S3.5.9, S3.5.10, S3.5.11, S3.5.12, S3.5.13, S3.5.14, S3.5.15, S3.5.16, S3.5.17.
# A case citing anything else adds it here.
@pytest.mark.parametrize(("build", "status", "message", "overrides"), CASES)
def test_bad_upload_is_refused_with_its_message_and_leaves_nothing(
    client, settings, seeded, build, status, message, overrides
):
    for key, value in overrides.items():
        setattr(settings, key, value)
    body = build()
    before = snapshot(settings)
    assert before["files"] and not before["staging"]  # the seed is stored, staging is clean
    response, callbacks = _post(client, body, seeded)
    text = response.content.decode()
    assert response.status_code == status, (response.status_code, text[:2000])
    assert message in response.reason_phrase, response.reason_phrase  # S2.12
    assert message in text, text[:2000]
    assert "\n" not in response.reason_phrase
    assert not callbacks  # nothing scheduled: no store task for a refused file
    assert not any(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())  # the streamed copy is gone
    assert snapshot(settings) == before


# Valid uploads next to the corpus's edges: the checks above must not catch these ------------


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: up(wheel(), content_type=None),
            id="S3.11-content-part-without-a-Content-Type-as-uv-publish-sends-it",
        ),
        pytest.param(
            lambda: up(wheel(), summary="Handles \ufffd in input"),
            id="S3.5-summary-with-a-literal-U+FFFD-sent-as-valid-UTF-8",
        ),
        pytest.param(lambda: up(wheel(), summary="a\x00b"), id="S3.2-NUL-in-summary-is-escaped"),
        pytest.param(lambda: up(wheel(), summary="s" * 512), id="S3.5.5-summary-of-512"),
    ],
)
def test_edge_of_the_corpus_is_accepted(client, settings, seeded, build):
    response, _ = _post(client, build(), seeded)
    assert response.status_code == 200, response.content
    assert File.objects.filter(filename=wheel()[0]).exists()
