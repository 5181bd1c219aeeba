"""Fixtures for the REST API tests."""

import pytest
from rest_framework.test import APIClient

from tests import factories
from tokens.services import token_issue


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def releases(private_project, public_project):
    """Release 1.0, with one wheel, in both the private and the public project."""
    made = {}
    for project in (private_project, public_project):
        release = factories.ReleaseFactory(project=project, version="1.0")
        factories.FileFactory(release=release)
        made[project.normalized_name] = release
    return made


@pytest.fixture
def manage_token(owner, private_project, public_project):
    return token_issue(user=owner, scopes=["manage"], name="manage").secret


@pytest.fixture
def outsider_token(outsider):
    return token_issue(user=outsider, scopes=["read", "upload", "manage"], name="all").secret
