"""Organizations with the real clients (issue 9): organization tokens upload with twine and
install with pip, and what a member who leaves keeps (nothing) and leaves behind (the
organization's tokens she issued, which outlive her) (docs/access.md; decision 0019).

twine and pip run as subprocesses against the live server; the web page and the REST API are
asked over HTTP the way a browser (a session cookie) and a script (a Bearer token) ask. The
distributions are built once for the module.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.services import (
    organization_create,
    organization_member_remove,
    organization_member_set,
    organization_update,
    user_update,
)
from projects.models import Project, ProjectRole
from tests import dists, factories
from tests.e2e.conftest import BIN
from tokens.services import token_issue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "acme-tool"
SOURCE = 'VERSION = "1.0"\nFROM = "acme"\n'


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, list[Path]]:
    """acme-tool 1.0 (wheel and sdist) and 1.1 (wheel), written once for the module."""
    directory = tmp_path_factory.mktemp("org-dists")
    out: dict[str, list[Path]] = {"1.0": [], "1.1": []}
    for version, builders in (
        ("1.0", (dists.make_wheel, dists.make_sdist)),
        ("1.1", (dists.make_wheel,)),
    ):
        for builder in builders:
            source = SOURCE.replace("1.0", version)
            filename, content = builder(NAME, version, module_source=source)
            path = directory / filename
            path.write_bytes(content)
            out[version].append(path)
    return out


@pytest.fixture
def acme():
    """acme, owned by olga; private by default (its new projects are private)."""
    olga = factories.UserFactory(username="olga")
    organization = organization_create(name="acme", owner=olga, actor=olga)
    return organization, olga


def _organization_token(organization, issuer, scopes) -> str:
    return token_issue(
        user=None, organization=organization, scopes=list(scopes), actor=issuer
    ).secret


@pytest.fixture
def pip_install(run, index, tmp_path):
    """pip install acme-tool into a fresh target with ``token`` (None: no credentials)."""
    counter = iter(range(1000))

    def _install(token: str | None, requirement: str = NAME):
        target = tmp_path / f"site-{next(counter)}"
        result = run(
            BIN / "pip", "install", "--no-deps", "--target", target,
            "--index-url", index.simple(token), requirement,
        )  # fmt: skip
        module = target / "acme_tool.py"
        return result, module.read_text() if module.exists() else None

    return _install


def _get(url: str, *, token: str | None = None, session: str | None = None) -> int:
    """The status of a GET, with a Bearer token or a session cookie."""
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if session is not None:
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def _session(user) -> str:
    """A signed-in browser's session cookie for ``user`` (the live server shares the DB)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_organization_tokens_upload_with_twine_and_install_with_pip(
    acme, built, twine, pip_install
):
    """An organization upload token creates the project in the organization, with no
    personal role; an organization read token installs the private project; anonymous pip
    gets nothing."""
    organization, olga = acme
    upload = _organization_token(organization, olga, ("read", "upload"))
    read = _organization_token(organization, olga, ("read",))

    uploaded = twine(upload, *built["1.0"])

    assert uploaded.ok, uploaded.output
    project = Project.objects.get(normalized_name=NAME)
    assert project.organization == organization
    assert project.visibility == "private"  # acme's default
    assert not ProjectRole.objects.filter(project=project).exists()
    assert project.releases.get().files.count() == 2

    installed, module = pip_install(read)
    assert installed.ok, installed.output
    assert module == SOURCE

    anonymous, module = pip_install(None)
    assert not anonymous.ok
    assert module is None

    # The read token cannot upload: twine is told so, and nothing is added.
    refused = twine(read, *built["1.1"])
    assert not refused.ok
    assert "upload" in refused.output
    assert project.releases.count() == 1


def test_a_member_who_leaves_keeps_nothing_and_her_organization_token_outlives_her(
    acme, built, twine, pip_install, index
):
    """mia, a manager of acme, has a session, a personal token, a personal token restricted
    to acme and an acme token she issued (which uploads acme-tool). Removed from acme, none of
    her own credentials reach acme-tool; the organization's token still does, after she is
    deactivated too, until acme itself is deactivated."""
    organization, olga = acme
    mia = factories.UserFactory(username="mia")
    organization_member_set(organization=organization, user=mia, role="manager", actor=olga)
    personal = token_issue(user=mia, scopes=["read", "upload"], actor=mia).secret
    restricted = token_issue(
        user=mia, scopes=["read", "upload"], organization=organization, actor=mia
    ).secret
    issued = _organization_token(organization, mia, ("read", "upload"))
    assert twine(issued, *built["1.0"]).ok
    session = _session(mia)
    simple = f"{index.base}/simple/{NAME}/"
    page = f"{index.base}/project/{NAME}/"
    api = f"{index.base}/api/v1/projects/{NAME}/"
    # While she is a manager, every one of her credentials reads the private project.
    assert [_get(simple, token=t) for t in (personal, restricted, issued)] == [200] * 3
    assert _get(api, token=personal) == 200
    assert _get(page, session=session) == 200

    organization_member_remove(organization=organization, user=mia, actor=olga)

    # Her personal token: the name is one she may not see (409, as any unavailable name);
    # the one restricted to acme was revoked as she left (401).
    for token, status in ((personal, "409 Conflict"), (restricted, "401 Unauthorized")):
        upload = twine(token, *built["1.1"])
        assert not upload.ok, upload.output
        assert status in upload.output, upload.output
        install, module = pip_install(token)
        assert not install.ok, install.output
        assert "No matching distribution found for acme-tool" in install.output
        assert module is None
    assert Project.objects.get(normalized_name=NAME).releases.count() == 1
    # To her, the private project is now a name that does not exist.
    assert _get(api, token=personal) == 404
    assert _get(page, session=session) == 404
    assert _get(simple, token=restricted) == 401  # revoked as she left
    # The organization's token is the organization's: it did not leave with her.
    install, module = pip_install(issued)
    assert install.ok, install.output
    assert module == SOURCE

    user_update(user=mia, is_active=False, actor=olga)

    install, module = pip_install(issued)
    assert install.ok, install.output
    assert module == SOURCE

    organization_update(organization=organization, is_active=False, actor=olga)

    assert _get(simple, token=issued) == 401  # a deactivated organization's tokens stop
    install, module = pip_install(issued)
    assert not install.ok
    assert module is None
    # Its projects are read by site staff only: its own owner gets the 404 of an unknown name.
    assert _get(page, session=_session(olga)) == 404
    assert _get(f"{index.base}/project/no-such-tool/", session=_session(olga)) == 404
