"""Shared fixtures: named principals (STYLE.md), isolated data directories, tokens."""

import datetime as dt

import pytest
from django.conf import settings

from access import Principal
from tests import factories
from tokens.services import token_issue, token_revoke


def pytest_configure(config):
    # argon2 stays first in production settings (tested); factories need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine and not config.getoption("--allow-sqlite", default=False):
        raise pytest.UsageError(
            "The test suite runs on PostgreSQL: set DATABASE_URL (make test does)."
        )


def pytest_addoption(parser):
    parser.addoption("--allow-sqlite", action="store_true", help="run on SQLite (not for CI)")


@pytest.fixture(autouse=True)
def _data_dirs(tmp_path, settings):
    """Each test gets its own staging and file store directories."""
    from storage.base import get_store

    settings.PRIVINDEX_STAGING_DIR = tmp_path / "staging"
    settings.PRIVINDEX_FILES_DIR = tmp_path / "files"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "staging" / ".incoming")
    for d in (settings.PRIVINDEX_STAGING_DIR, settings.PRIVINDEX_FILES_DIR):
        d.mkdir(parents=True)
    (tmp_path / "staging" / ".incoming").mkdir()
    get_store.cache_clear()
    yield
    get_store.cache_clear()


@pytest.fixture
def owner(db):
    return factories.UserFactory(username="owner")


@pytest.fixture
def private_project(owner):
    project = factories.ProjectFactory(name="Secret-Pkg", visibility="private")
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")
    return project


@pytest.fixture
def public_project(owner):
    project = factories.ProjectFactory(name="Open-Pkg", visibility="public")
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")
    return project


@pytest.fixture
def other_project(owner):
    project = factories.ProjectFactory(name="Other-Pkg", visibility="private")
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")
    return project


@pytest.fixture
def anon():
    return Principal()


@pytest.fixture
def outsider(db):
    return factories.UserFactory(username="outsider")


@pytest.fixture
def reader(private_project, public_project):
    user = factories.UserFactory(username="reader")
    for project in (private_project, public_project):
        factories.ProjectRoleFactory(project=project, user=user, role="reader")
    return user


@pytest.fixture
def maintainer(private_project, public_project):
    user = factories.UserFactory(username="maintainer")
    for project in (private_project, public_project):
        factories.ProjectRoleFactory(project=project, user=user, role="maintainer")
    return user


def _issue(user, scopes, **kwargs):
    return token_issue(user=user, scopes=scopes, **kwargs).secret


@pytest.fixture
def read_token(owner, private_project, public_project):
    return _issue(owner, ["read"], name="read")


@pytest.fixture
def upload_token(owner, private_project, public_project):
    return _issue(owner, ["upload"], name="upload")


@pytest.fixture
def token_for_other_project(owner, other_project):
    return _issue(owner, ["read", "upload"], projects=[other_project])


@pytest.fixture
def revoked_token(owner):
    issued = token_issue(user=owner, scopes=["read", "upload"])
    token_revoke(token=issued.token)
    return issued.secret


@pytest.fixture
def expired_token(owner):
    issued = token_issue(user=owner, scopes=["read", "upload"], expires_in=dt.timedelta(days=1))
    issued.token.expires = issued.token.created - dt.timedelta(seconds=1)
    issued.token.save(update_fields=["expires"])
    return issued.secret
