"""The API fuzzed against its own OpenAPI schema (issue 11): every operation, called with a
token of each kind and with none, must answer no 5xx, with a status and a body the
schema declares for it (schemathesis: not_a_server_error, status_code_conformance,
content_type_conformance, response_schema_conformance).

The run prints its seed (``PRIVINDEX_SCHEMATHESIS_SEED`` repeats one) and how many examples
each operation gets (``PRIVINDEX_SCHEMATHESIS_EXAMPLES``, 8 by default, to stay fast)."""

from __future__ import annotations

import os
import random

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, seed
from hypothesis import settings as hypothesis_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.principals import PASSWORD, basic
from tokens.services import token_issue

# Chosen by tests/conftest.py and shown in the run's header.
SEED = int(os.environ.get("PRIVINDEX_SCHEMATHESIS_SEED") or random.randrange(2**32))
EXAMPLES = int(os.environ.get("PRIVINDEX_SCHEMATHESIS_EXAMPLES") or 8)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CREDENTIALS = ("owner-read-upload-manage", "read", "upload", "organization", "none")


@pytest.fixture
def api_schema(db, settings):
    # The throttles are tested on their own (test_throttling.py): here they would turn most
    # fuzzed writes into 429s.
    rates = {"auth-failure": "100000/min", "token-create": "100000/min", "write": "100000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    SimpleRateThrottle.THROTTLE_RATES = rates
    # As Django's test client does: a request must not close the test's connection (its
    # transaction holds the scene).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


@pytest.fixture
def credentials(db) -> dict[str, dict[str, str]]:
    """A scene to fuzz, named as the schema's examples are (so the examples reach it and not
    only 404s): a project in an organization, and one credential of each kind."""
    owner = factories.UserFactory(username="alice")
    org = factories.OrganizationFactory(name="acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    project = factories.ProjectFactory(name="acme-widgets", organization=org)
    release = factories.ReleaseFactory(project=project, version="1.0")
    factories.FileFactory(release=release)

    def secret(**kwargs) -> str:
        return token_issue(actor=owner, **kwargs).secret

    return {
        "owner-read-upload-manage": basic(
            "__token__", secret(user=owner, scopes=["read", "upload", "manage"])
        ),
        "read": basic("__token__", secret(user=owner, scopes=["read"])),
        "upload": basic("__token__", secret(user=owner, scopes=["upload"])),
        "organization": basic(
            "__token__", secret(user=None, organization=org, created_by=owner, scopes=["read"])
        ),
        "none": {},
        "password": basic(owner.username, PASSWORD),
    }


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.django_db
@schema.parametrize()
@seed(SEED)
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms(case, credentials):
    for kind in CREDENTIALS:
        headers = {
            key.removeprefix("HTTP_").replace("_", "-").title(): value
            for key, value in credentials[kind].items()
        }
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as exc:
            exc.add_note(f"credential: {kind}, seed {SEED}")
            raise
