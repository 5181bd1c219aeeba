"""Shared fixtures: isolated data directories, the standard scene and its named principals.

The principals come from the one catalogue, ``tests.principals``: the fixtures below are its
names, made against the standard scene (roles on ``private_project`` and ``public_project``,
``token_for_other_project`` kept to ``other_project``). Ask ``cast`` for any other name.
"""

import os
import random

import pytest
from django.conf import settings

from tests import factories
from tests.principals import Cast

pytest_plugins = ["tests.upstream_index.fixtures"]  # fake_pypi, a fake upstream index


def pytest_configure(config):
    # One seed for the schemathesis run (tests/api/test_schemathesis.py), chosen here so that
    # the pytest-xdist workers inherit it and the header shows it; set it to repeat a run.
    os.environ.setdefault("PRIVINDEX_SCHEMATHESIS_SEED", str(random.randrange(2**32)))
    # argon2 stays first in production settings (tested); factories need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each process its own cache (sign-in throttling, used TOTP codes), emptied for each test
    # (_fresh_cache): the default's directory would be shared by the pytest-xdist workers.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine and not config.getoption("--allow-sqlite", default=False):
        raise pytest.UsageError(
            "The test suite runs on PostgreSQL: set DATABASE_URL (make test does)."
        )


def pytest_report_header(config):
    seed = os.environ["PRIVINDEX_SCHEMATHESIS_SEED"]
    return f"schemathesis: seed {seed} (PRIVINDEX_SCHEMATHESIS_SEED={seed} repeats this run)"


def pytest_addoption(parser):
    parser.addoption("--allow-sqlite", action="store_true", help="run on SQLite (not for CI)")


# Stack tests that start the app's processes (gunicorn, Celery worker and beat) or restart a
# PostgreSQL cluster; the other stack tests only need moto's S3 server.
_APP_PROCESS_FIXTURES = {"stack", "pg_cluster"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist with ``--dist loadgroup`` (make test), the tests that start the
    app's processes run on one worker, one after the other, while the other workers run the
    rest. They are most of the suite's wall time (about 120 s of it, mostly waiting for
    processes and timers) and their fault tests stop and restart services on timers:
    splitting them over two workers measured no faster on two cores and would put those
    timers under CPU contention. Being the largest work unit, the group is handed out
    first, so the rest fills the other workers around it.

    Everything a test starts is per worker anyway: each worker has its own test database
    (pytest-django adds the worker id), tmp_path, session moto and Redis servers on free
    ports, and stack databases and buckets with random names."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if _APP_PROCESS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("app-processes"))


@pytest.fixture(scope="session", autouse=True)
def _collected_static(tmp_path_factory):
    """Static files collected once per session (per pytest-xdist worker), into a directory of
    its own. The manifest storage (settings.STORAGES) names each file by its hash from the
    manifest collectstatic writes, and raises for a file it has not collected: a template that
    names a missing file fails its tests, as it would fail in production."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _data_dirs(tmp_path, settings):
    """Each test gets its own staging and file store directories."""
    from storage.store import get_store

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
def cast(request, db):
    """The catalogue's principals for the standard scene; projects are made only when asked."""
    get = request.getfixturevalue
    return Cast(
        owner=lambda: get("owner"),
        projects=lambda: (get("private_project"), get("public_project")),
        other=lambda: get("other_project"),
    )


# The catalogue's names as fixtures (STYLE.md). Each asks for the projects its principal's
# roles or token need, so the scene a test sees does not depend on which names it uses.


@pytest.fixture
def anon(cast):
    return cast.principal("anon")


@pytest.fixture
def outsider(cast):
    return cast.user("outsider")


@pytest.fixture
def reader(cast, private_project, public_project):
    return cast.user("reader")


@pytest.fixture
def maintainer(cast, private_project, public_project):
    return cast.user("maintainer")


@pytest.fixture
def read_token(cast, private_project, public_project):
    return cast.secret("read_token")


@pytest.fixture
def upload_token(cast, private_project, public_project):
    return cast.secret("upload_token")


@pytest.fixture
def manage_token(cast, private_project, public_project):
    return cast.secret("manage_token")


@pytest.fixture
def outsider_token(cast):
    return cast.secret("outsider_token")


@pytest.fixture
def token_for_other_project(cast, other_project):
    return cast.secret("token_for_other_project")


@pytest.fixture
def revoked_token(cast):
    return cast.secret("revoked_token")


@pytest.fixture
def expired_token(cast):
    return cast.secret("expired_token")


@pytest.fixture
def surface_index(db):
    """The status table's scene (DESIGN 4), through every surface.

    ``public``, ``private`` and ``hidden`` are the wheels (with METADATA) of public-pkg and
    private-pkg, owned by pkgowner, and of hidden-pkg, a private project pkgowner has no role on;
    ``unknown`` is a file of ghost-pkg, a name that does not exist. ``cast`` names principals
    against it: roles on public-pkg and private-pkg, token_for_other_project kept to elsewhere.
    """
    from tests.simple_api.helpers import file_with_bytes

    owner = factories.UserFactory(username="pkgowner")
    out = {"owner": owner}
    for column, vis in (("public", "public"), ("private", "private"), ("hidden", "private")):
        project = factories.ProjectFactory(name=f"{column}-pkg", visibility=vis)
        holder = owner if column != "hidden" else factories.UserFactory(username="stranger")
        factories.ProjectRoleFactory(project=project, user=holder, role="owner")
        release = factories.ReleaseFactory(project=project, version="1.0")
        file = file_with_bytes(
            release,
            f"{column} wheel bytes".encode(),
            metadata_sha256="ab" * 32,
            filename=f"{column}_pkg-1.0-py3-none-any.whl",
        )
        factories.CoreMetadataFactory(file=file)
        out[column] = file
    # A file of an unknown project: same shape of URL, no row.
    out["unknown"] = factories.FileFactory.build(
        filename="ghost_pkg-1.0-py3-none-any.whl", blake2_256="cd" * 32
    )

    def elsewhere():
        project = factories.ProjectFactory(name="elsewhere")
        factories.ProjectRoleFactory(project=project, user=owner)
        return project

    projects = [out[column].release.project for column in ("public", "private")]
    out["cast"] = Cast(owner=owner, projects=projects, other=elsewhere)
    return out
