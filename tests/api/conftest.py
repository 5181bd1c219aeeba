"""Fixtures for the REST API tests; the named principals come from tests/conftest.py."""

import pytest
from rest_framework.test import APIClient

from tests import factories


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
