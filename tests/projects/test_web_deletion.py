"""Deleting a file, a release or the project from its settings (issue 10): who may (those who
manage it: ``projects:manage``), what each confirmation page says, that nothing goes without
the confirmation (a release's version, the project's name typed), CSRF, the audit events,
and that a deleted filename stays reserved. The deletion itself is ``projects.services.
deletion``'s (tests/projects/services/test_deletion.py)."""

from __future__ import annotations

from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client, TestCase
from django.urls import reverse

from audit.models import Event
from projects import services
from projects.models import File, FilenameRegistry, Project, Release
from tests import dists, factories
from tests.principals import token_headers
from tests.projects.settings_scene import (  # noqa: F401 (fixtures)
    UNKNOWN,
    org_scene_fixture,
    static_root_fixture,
)
from tests.simple_api.uploading import post
from tokens.services import token_issue


@dataclass(frozen=True)
class Endpoint:
    id: str
    method: str  # "get" or "post"
    view: str  # in the ``settings`` namespace
    args: tuple[str, ...]  # after the project's name; "{key}" is taken from the scene
    data: dict[str, str] | None

    def path(self, scene: dict[str, str], name: str | None = None) -> str:
        args = [scene[a[1:-1]] if a.startswith("{") else a for a in self.args]
        return reverse(f"settings:{self.view}", args=[name or scene["name"], *args])

    def payload(self, scene: dict[str, str]) -> dict[str, str]:
        return {
            key: scene[value[1:-1]] if value.startswith("{") else value
            for key, value in (self.data or {}).items()
        }


ENDPOINTS = [
    Endpoint("file-page", "get", "file-delete", ("1.0", "{filename}"), None),
    Endpoint("file", "post", "file-delete", ("1.0", "{filename}"), {"confirm": "yes"}),
    Endpoint("release-page", "get", "release-delete", ("1.0",), None),
    Endpoint("release", "post", "release-delete", ("1.0",), {"confirm_version": "1.0"}),
    Endpoint("project-page", "get", "project-delete", (), None),
    Endpoint("project", "post", "project-delete", (), {"confirm_name": "{display}"}),
]
POSTS = [e for e in ENDPOINTS if e.method == "post"]


def _files(project) -> dict[str, str]:
    """Releases 1.0 (two wheels) and 0.9 (one) of ``project``; the scene's filenames."""
    current = factories.ReleaseFactory(project=project, version="1.0")
    older = factories.ReleaseFactory(project=project, version="0.9")
    kept = factories.FileFactory(release=current)
    gone = factories.FileFactory(release=current)
    other = factories.FileFactory(release=older)
    return {"filename": gone.filename, "kept": kept.filename, "older": other.filename}


@pytest.fixture
def personal(cast, private_project):
    """Secret-Pkg (no organization) with its readers and maintainers, and its files."""
    cast.ensure("reader", "maintainer")
    return {"name": "secret-pkg", "display": "Secret-Pkg", **_files(private_project)}


@pytest.fixture
def organizational(org_scene):
    """Org-Tool of acme, with its files."""
    return {"name": "org-tool", "display": "Org-Tool", **_files(org_scene["project"])}


def _state():
    """Everything a deletion could change, to see that a refusal changed nothing."""
    return (
        sorted(Project.objects.values_list("name", flat=True)),
        sorted(Release.objects.values_list("project__name", "version")),
        sorted(File.objects.values_list("filename", flat=True)),
        Event.objects.filter(action__endswith=":delete").count(),
    )


def _ask(client, endpoint, scene, name=None, **headers):
    path = endpoint.path(scene, name)
    if endpoint.method == "get":
        return client.get(path, **headers)
    return client.post(path, endpoint.payload(scene), **headers)


def _gone(endpoint, scene) -> bool:
    """Whether what ``endpoint`` deletes is gone."""
    if endpoint.view == "file-delete":
        return not File.objects.filter(filename=scene["filename"]).exists()
    if endpoint.view == "release-delete":
        return not Release.objects.filter(
            project__normalized_name=scene["name"], version="1.0"
        ).exists()
    return not Project.objects.filter(normalized_name=scene["name"]).exists()


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
@pytest.mark.parametrize("caller", ["owner", "superuser"])
def test_owners_delete(client, cast, personal, caller, endpoint):
    client.force_login(cast.user(caller))

    response = _ask(client, endpoint, personal)

    if endpoint.method == "get":
        assert response.status_code == 200
        assert not _gone(endpoint, personal)
    else:
        assert response.status_code == 302
        assert _gone(endpoint, personal)
        event = Event.objects.get(action__endswith=":delete")
        assert event.actor == cast.user(caller)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
@pytest.mark.parametrize("caller", ["maintainer", "reader"])
def test_who_may_read_but_not_manage_is_refused(client, cast, personal, caller, endpoint):
    client.force_login(cast.user(caller))
    before = _state()

    response = _ask(client, endpoint, personal)

    assert response.status_code == 403
    assert "allowed to manage project 'Secret-Pkg'" in unescape(response.content.decode())
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
@pytest.mark.parametrize("caller", ["outsider", "staff", "org_owner"])
def test_who_may_not_read_it_gets_the_404_of_an_unknown_name(
    client, cast, personal, caller, endpoint
):  # DESIGN 4
    client.force_login(cast.user(caller))
    before = _state()

    private = _ask(client, endpoint, personal)
    unknown = _ask(client, endpoint, personal, name=UNKNOWN)

    assert private.status_code == unknown.status_code == 404
    assert private.content == unknown.content
    assert b"Secret-Pkg" not in private.content and b"secret-pkg" not in private.content
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_anonymous_callers_are_sent_to_sign_in(client, personal, endpoint):  # decision 0013
    before = _state()

    private = _ask(client, endpoint, personal)
    unknown = _ask(client, endpoint, personal, name=UNKNOWN)

    assert private.status_code == unknown.status_code == 302
    assert urlsplit(private.url).path == reverse("accounts:login")
    assert unknown.url == private.url.replace("secret-pkg", UNKNOWN)
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_a_token_is_refused_whatever_it_may_do(client, cast, personal, endpoint):
    auth = token_headers(cast.secret("all_scopes_token"))["HTTP_AUTHORIZATION"]
    before = _state()

    private = _ask(client, endpoint, personal, HTTP_AUTHORIZATION=auth)
    unknown = _ask(client, endpoint, personal, name=UNKNOWN, HTTP_AUTHORIZATION=auth)

    assert private.status_code == unknown.status_code == 403
    assert private.content == unknown.content
    assert _state() == before


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.id)
@pytest.mark.parametrize("caller", ["org_owner", "org_manager"])
def test_an_organizations_owners_and_managers_delete_its_project(
    client, cast, organizational, caller, endpoint
):
    client.force_login(cast.user(caller))

    assert _ask(client, endpoint, organizational).status_code == 302
    assert _gone(endpoint, organizational)
    assert Event.objects.get(action__endswith=":delete").actor == cast.user(caller)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_a_plain_member_of_the_organization_is_refused(client, org_scene, organizational, endpoint):
    client.force_login(org_scene["member"])
    before = _state()

    assert _ask(client, endpoint, organizational).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_an_outsider_cannot_tell_the_organizations_project_exists(
    client, cast, organizational, endpoint
):
    client.force_login(cast.user("foreign_org_owner"))

    private = _ask(client, endpoint, organizational)
    unknown = _ask(client, endpoint, organizational, name=UNKNOWN)

    assert private.status_code == unknown.status_code == 404
    assert private.content == unknown.content


# --- what each caller is shown ----------------------------------------------------------------


def test_owners_see_the_danger_zone(client, owner, personal):
    client.force_login(owner)

    body = client.get(reverse("settings:index", args=["secret-pkg"])).content.decode()

    assert 'id="delete"' in body
    for filename in (personal["filename"], personal["kept"]):
        assert reverse("settings:file-delete", args=["secret-pkg", "1.0", filename]) in body
    assert reverse("settings:file-delete", args=["secret-pkg", "0.9", personal["older"]]) in body
    for version in ("1.0", "0.9"):
        assert reverse("settings:release-delete", args=["secret-pkg", version]) in body
    assert reverse("settings:project-delete", args=["secret-pkg"]) in body


def test_maintainers_see_no_delete_button(client, maintainer, personal):
    client.force_login(maintainer)

    page = client.get(reverse("settings:index", args=["secret-pkg"]))
    body = page.content.decode()

    assert page.status_code == 200  # they yank here
    assert 'id="delete"' not in body and "/delete/" not in body


# --- the confirmation pages -------------------------------------------------------------------


def _page(client, view, *args):
    response = client.get(reverse(f"settings:{view}", args=["secret-pkg", *args]))
    assert response.status_code == 200
    assert {"no-store", "private"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    return response.content.decode()


def _says_what_happens(body):
    assert "cannot be undone" in body
    assert "can ever be uploaded again" in body or "can never be uploaded again" in body
    assert "pip install" in body  # pinned installs break
    assert "recorded" in body  # in the history


def test_the_file_page_says_what_happens(client, owner, personal):
    client.force_login(owner)
    file = File.objects.get(filename=personal["filename"])

    body = _page(client, "file-delete", "1.0", file.filename)

    _says_what_happens(body)
    assert file.filename in body and file.sha256 in body
    assert 'name="confirm" value="yes"' in body and 'name="csrfmiddlewaretoken"' in body
    assert reverse("settings:yank", args=["secret-pkg", "1.0"]) in body  # the alternative


def test_the_release_page_lists_its_files_and_asks_for_the_version(client, owner, personal):
    client.force_login(owner)

    body = _page(client, "release-delete", "1.0")

    _says_what_happens(body)
    assert personal["filename"] in body and personal["kept"] in body
    assert personal["older"] not in body
    assert 'name="confirm_version"' in body and 'for="confirm-version"' in body
    assert 'maxlength="100"' in body


def test_the_project_page_counts_what_goes_and_asks_for_the_name(client, owner, personal):
    client.force_login(owner)

    body = _page(client, "project-delete")

    _says_what_happens(body)
    assert "2 releases and 3 files" in body
    assert "name becomes free" in body
    assert 'name="confirm_name"' in body and 'for="confirm-name"' in body


def test_another_spelling_is_redirected_before_any_lookup(client, cast, personal):
    client.force_login(cast.user("outsider"))
    private = client.get("/project/Secret_Pkg/settings/delete/")
    unknown = client.get("/project/No_Such_Pkg/settings/delete/")
    assert private.status_code == unknown.status_code == 301
    assert private.url == "/project/secret-pkg/settings/delete/"
    assert unknown.url == "/project/no-such-pkg/settings/delete/"


# --- nothing without the confirmation ---------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "args", "data", "says"),
    [
        ("file-delete", ("1.0", "{filename}"), {}, "Confirm the deletion"),
        ("file-delete", ("1.0", "{filename}"), {"confirm": "no"}, "Confirm the deletion"),
        ("release-delete", ("1.0",), {}, "Type the version, 1.0,"),
        ("release-delete", ("1.0",), {"confirm_version": "0.9"}, "Type the version, 1.0,"),
        ("release-delete", ("1.0",), {"confirm_version": "1.0" * 100}, "Type the version"),
        ("project-delete", (), {}, "Type the project's name, Secret-Pkg,"),
        ("project-delete", (), {"confirm_name": "Secret-Pk"}, "Type the project's name"),
        ("project-delete", (), {"confirm_name": "Other-Pkg"}, "Type the project's name"),
    ],
)
def test_a_wrong_confirmation_deletes_nothing(client, owner, personal, view, args, data, says):
    client.force_login(owner)
    before = _state()
    args = tuple(personal[a[1:-1]] if a.startswith("{") else a for a in args)

    response = client.post(reverse(f"settings:{view}", args=["secret-pkg", *args]), data)

    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert says in body and "Nothing was deleted." in body
    assert 'aria-invalid="true"' in body or view == "file-delete"
    assert _state() == before


@pytest.mark.parametrize(
    ("typed_version", "typed_name"), [(" 1.0 ", " secret_PKG "), ("1.0.0", "SECRET.pkg")]
)
def test_any_spelling_of_the_version_or_name_confirms(
    client, owner, personal, typed_version, typed_name
):
    client.force_login(owner)

    done = client.post(
        reverse("settings:release-delete", args=["secret-pkg", "1.0"]),
        {"confirm_version": typed_version},
    )
    assert done.status_code == 302
    assert not Release.objects.filter(version="1.0").exists()

    done = client.post(
        reverse("settings:project-delete", args=["secret-pkg"]), {"confirm_name": typed_name}
    )
    assert done.status_code == 302
    assert not Project.objects.filter(name="Secret-Pkg").exists()


@pytest.mark.parametrize(
    ("view", "args"),
    [
        ("release-delete", ("2.0",)),
        ("release-delete", ("not a version",)),
        ("file-delete", ("2.0", "{filename}")),
        ("file-delete", ("1.0", "no_such-1.0-py3-none-any.whl")),
        ("file-delete", ("1.0", "{older}")),  # a file of 0.9, under 1.0
        ("file-delete", ("0.9", "{filename}")),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_version_or_filename_is_404(client, owner, personal, view, args, method):
    client.force_login(owner)
    before = _state()
    args = tuple(personal[a[1:-1]] if a.startswith("{") else a for a in args)
    url = reverse(f"settings:{view}", args=["secret-pkg", *args])

    response = getattr(client, method)(url, {"confirm": "yes", "confirm_version": args[0]})

    assert response.status_code == 404
    assert "has no " in response.content.decode()
    assert _state() == before


def test_a_file_of_another_project_is_404(client, owner, personal, public_project):
    client.force_login(owner)
    release = factories.ReleaseFactory(project=public_project, version="1.0")
    theirs = factories.FileFactory(release=release)
    before = _state()

    url = reverse("settings:file-delete", args=["secret-pkg", "1.0", theirs.filename])
    response = client.post(url, {"confirm": "yes"})

    assert response.status_code == 404
    assert _state() == before


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.id)
def test_every_deletion_needs_its_csrf_token(cast, personal, endpoint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.user("owner"))
    before = _state()

    refused = _ask(client, endpoint, personal)

    assert refused.status_code == 403
    assert _state() == before
    token = client.get(reverse("settings:index", args=["secret-pkg"])).context["csrf_token"]
    accepted = client.post(
        endpoint.path(personal), {**endpoint.payload(personal), "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert _gone(endpoint, personal)


# --- what a deletion does ---------------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_deleting_a_file_records_it_and_goes_back_to_the_settings(client, owner, personal):
    client.force_login(owner)
    file = File.objects.get(filename=personal["filename"])

    done = client.post(
        reverse("settings:file-delete", args=["secret-pkg", "1.0", file.filename]),
        {"confirm": "yes"},
    )

    assert done.status_code == 302 and done.url == reverse("settings:index", args=["secret-pkg"])
    assert any("can never be used again" in m for m in _messages(done))
    assert list(File.objects.filter(release__version="1.0").values_list("filename", flat=True)) == [
        personal["kept"]
    ]
    event = Event.objects.get(action="file:delete")
    assert (event.actor, event.project.name) == (owner, "Secret-Pkg")
    assert event.data["filename"] == file.filename and event.data["sha256"] == file.sha256
    assert FilenameRegistry.objects.filter(filename=file.filename).exists()


def test_deleting_a_release_records_its_files(client, owner, personal):
    client.force_login(owner)

    done = client.post(
        reverse("settings:release-delete", args=["secret-pkg", "1.0"]), {"confirm_version": "1.0"}
    )

    assert done.status_code == 302 and done.url == reverse("settings:index", args=["secret-pkg"])
    assert list(Release.objects.values_list("version", flat=True)) == ["0.9"]
    event = Event.objects.get(action="release:delete")
    assert event.actor == owner and event.data["version"] == "1.0"
    assert sorted(f["filename"] for f in event.data["files"]) == sorted(
        [personal["filename"], personal["kept"]]
    )


def test_deleting_the_project_goes_to_the_dashboard(client, owner, personal):
    client.force_login(owner)

    done = client.post(
        reverse("settings:project-delete", args=["secret-pkg"]),
        {"confirm_name": "Secret-Pkg"},
        follow=True,
    )

    assert done.redirect_chain == [(reverse("web:dashboard"), 302)]
    assert "Secret-Pkg is deleted." in done.content.decode()  # the message, shown there
    assert not Project.objects.filter(name="Secret-Pkg").exists()
    event = Event.objects.get(action="project:delete")
    assert event.actor == owner and event.project is None and event.data["name"] == "Secret-Pkg"
    assert len(event.data["files"]) == 3
    assert client.get(reverse("settings:index", args=["secret-pkg"])).status_code == 404


@pytest.mark.parametrize(
    ("view", "args", "data", "service"),
    [
        ("file-delete", ("1.0", "{filename}"), {"confirm": "yes"}, "file_delete"),
        ("release-delete", ("1.0",), {"confirm_version": "1.0"}, "release_delete"),
        ("project-delete", (), {"confirm_name": "Secret-Pkg"}, "project_delete"),
    ],
)
def test_a_refusal_of_the_service_is_shown_not_a_500(
    client, owner, personal, monkeypatch, view, args, data, service
):
    def refuse(**kwargs):
        raise services.ServiceError("Not now: the project is being moved.", status=409)

    monkeypatch.setattr(services, service, refuse)
    client.force_login(owner)
    args = tuple(personal[a[1:-1]] if a.startswith("{") else a for a in args)

    response = client.post(reverse(f"settings:{view}", args=["secret-pkg", *args]), data)

    assert response.status_code == 409
    assert "Not now: the project is being moved." in response.content.decode()
    assert 'id="delete"' in response.content.decode()  # the settings page, with the message


def test_what_went_meanwhile_is_a_404_with_a_message(client, owner, personal, monkeypatch):
    def gone(**kwargs):
        raise File.DoesNotExist

    monkeypatch.setattr(services, "file_delete", gone)
    client.force_login(owner)
    url = reverse("settings:file-delete", args=["secret-pkg", "1.0", personal["filename"]])

    response = client.post(url, {"confirm": "yes"})

    assert response.status_code == 404
    assert f"{personal['filename']} was already deleted." in response.content.decode()


# --- a deleted filename stays reserved (S3.15) ------------------------------------------------


def test_a_file_deleted_here_can_never_be_uploaded_again(client, owner):
    secret = token_issue(user=owner, scopes=["upload"], actor=None).secret
    filename, content = dists.make_wheel("Gone-Pkg", "1.0")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert post(client, filename, content, secret).status_code == 200
    client.force_login(owner)

    url = reverse("settings:file-delete", args=["gone-pkg", "1.0", filename])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url, {"confirm": "yes"}).status_code == 302

    assert not File.objects.filter(filename=filename).exists()
    again = post(Client(), filename, content, secret)  # the same name and the same bytes
    assert again.status_code == 400 and b"previously used" in again.content
    assert not File.objects.filter(filename=filename).exists()
