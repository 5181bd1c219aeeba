"""Who may open which project settings page and post which form (issue 10; DESIGN 4,
decision 0013): every settings URL, GET and POST, for every kind of caller, on a personal
project and on an organization's. Owners (and an organization's owners and managers, and
superusers) may do everything; maintainers yank only; readers get 403; whoever may not read the
project gets the 404 of a name that does not exist, byte for byte; whoever is not signed in
goes to the login page; a token is refused. Every POST needs its CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import Event
from projects.models import Project, ProjectRole, Release, TeamProjectRole
from tests import factories
from tests.principals import token_headers
from tests.projects.settings_scene import (  # noqa: F401 (fixtures)
    UNKNOWN,
    org_scene_fixture,
    static_root_fixture,
)


@dataclass(frozen=True)
class Endpoint:
    id: str
    method: str  # "get" or "post"
    view: str  # in the ``settings`` namespace
    args: tuple[str, ...]  # after the project's name; "{key}" is taken from the scene
    data: dict[str, str] | None
    need: str  # "manage", "yank" or "either" (the settings page)

    def path(self, scene: dict[str, object], name: str | None = None) -> str:
        args = [str(scene[a[1:-1]]) if a.startswith("{") else a for a in self.args]
        return reverse(f"settings:{self.view}", args=[name or scene["name"], *args])

    def payload(self, scene: dict[str, object]) -> dict[str, str]:
        return {
            key: str(scene[value[1:-1]]) if value.startswith("{") else value
            for key, value in (self.data or {}).items()
        }


ENDPOINTS = [
    Endpoint("index", "get", "index", (), None, "either"),
    Endpoint("visibility-page", "get", "visibility", (), {"to": "public"}, "manage"),
    Endpoint(
        "visibility",
        "post",
        "visibility",
        (),
        {"to": "public", "confirm_name": "{display}"},
        "manage",
    ),
    Endpoint(
        "user-set", "post", "user-set", (), {"username": "{newcomer}", "role": "reader"}, "manage"
    ),
    Endpoint("user-remove-page", "get", "user-remove", ("{collaborator}",), None, "manage"),
    Endpoint(
        "user-remove", "post", "user-remove", ("{collaborator}",), {"confirm": "yes"}, "manage"
    ),
    Endpoint(
        "team-set", "post", "team-set", (), {"team": "{team_new}", "role": "reader"}, "manage"
    ),
    Endpoint("team-remove-page", "get", "team-remove", ("{team}",), None, "manage"),
    Endpoint("team-remove", "post", "team-remove", ("{team}",), {"confirm": "yes"}, "manage"),
    Endpoint("yank-page", "get", "yank", ("1.0",), None, "yank"),
    Endpoint("yank", "post", "yank", ("1.0",), {"confirm": "yes", "reason": "bad"}, "yank"),
    Endpoint("unyank-page", "get", "unyank", ("0.9",), None, "yank"),
    Endpoint("unyank", "post", "unyank", ("0.9",), {"confirm": "yes"}, "yank"),
]
POSTS = [e for e in ENDPOINTS if e.method == "post"]


def _releases(project):
    factories.ReleaseFactory(project=project, version="1.0")
    factories.ReleaseFactory(project=project, version="0.9", yanked=True, yanked_reason="broken")


@pytest.fixture
def personal(cast, private_project):
    """Secret-Pkg (no organization), its collaborators and two releases."""
    cast.ensure("reader", "maintainer")
    bob = factories.UserFactory(username="bob")
    factories.ProjectRoleFactory(project=private_project, user=bob, role="reader")
    factories.UserFactory(username="newbie")
    # A team role the services would not give (no organization), as an old row might be.
    legacy = factories.TeamFactory(name="legacy")
    factories.TeamProjectRoleFactory(project=private_project, team=legacy, role="reader")
    _releases(private_project)
    return {
        "name": "secret-pkg",
        "display": "Secret-Pkg",
        "collaborator": "bob",
        "newcomer": "newbie",
        "team": legacy.pk,
        "team_new": legacy.pk,
    }


@pytest.fixture
def organizational(org_scene):
    """Org-Tool of acme: dave holds a direct role, carol is a member without one."""
    project = org_scene["project"]
    dave = factories.UserFactory(username="dave")
    factories.OrganizationMemberFactory(organization=project.organization, user=dave)
    factories.ProjectRoleFactory(project=project, user=dave, role="reader")
    _releases(project)
    return {
        "name": "org-tool",
        "display": "Org-Tool",
        "collaborator": "dave",
        "newcomer": "carol",
        "team": org_scene["devs"].pk,
        "team_new": org_scene["qa"].pk,
    }


def _state():
    """Everything a settings form could change, to see that a refusal changed nothing."""
    return (
        sorted(Project.objects.values_list("name", "visibility")),
        sorted(ProjectRole.objects.values_list("project__name", "user__username", "role")),
        sorted(TeamProjectRole.objects.values_list("project__name", "team__name", "role")),
        sorted(Release.objects.values_list("project__name", "version", "yanked", "yanked_reason")),
        Event.objects.exclude(action__startswith="user:")
        .exclude(action__startswith="token:")
        .count(),
    )


def _ask(client, endpoint, scene, name=None, **headers):
    path = endpoint.path(scene, name)
    if endpoint.method == "get":
        return client.get(path, endpoint.data or {}, **headers)
    return client.post(path, endpoint.payload(scene), **headers)


def _expected_allowed(endpoint, scene):
    if endpoint.id == "team-set" and scene["name"] == "secret-pkg":
        return 400  # no organization: no team may be given a role (test_web_settings_forms)
    return 200 if endpoint.method == "get" else 302


def _may(caller, endpoint):
    """What the caller may do on Secret-Pkg: None (it is not theirs to read), or a bool."""
    if caller in ("owner", "superuser"):
        return True
    if caller == "maintainer":
        return endpoint.need in ("yank", "either")
    return False


# --- signed-in people on a personal project ---------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
@pytest.mark.parametrize("caller", ["owner", "superuser", "maintainer", "reader"])
def test_people_who_may_read_the_project(client, cast, personal, caller, endpoint):
    client.force_login(cast.user(caller))
    before = _state()

    response = _ask(client, endpoint, personal)

    if _may(caller, endpoint):
        assert response.status_code == _expected_allowed(endpoint, personal)
        if endpoint.method == "post" and response.status_code == 302:
            assert _state() != before
            assert Event.objects.latest("id").actor == cast.user(caller)
    else:
        assert response.status_code == 403
        assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
@pytest.mark.parametrize("caller", ["outsider", "staff", "org_owner"])
def test_who_may_not_read_it_gets_the_404_of_an_unknown_name(
    client, cast, personal, caller, endpoint
):
    client.force_login(cast.user(caller))
    before = _state()

    private = _ask(client, endpoint, personal)
    unknown = _ask(client, endpoint, personal, name=UNKNOWN)

    assert private.status_code == unknown.status_code == 404
    assert private.content == unknown.content
    assert b"Secret-Pkg" not in private.content and b"secret-pkg" not in private.content
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_anonymous_callers_are_sent_to_sign_in_before_any_lookup(client, personal, endpoint):
    before = _state()

    private = _ask(client, endpoint, personal)
    unknown = _ask(client, endpoint, personal, name=UNKNOWN)

    assert private.status_code == unknown.status_code == 302
    where = urlsplit(private.url)
    assert where.path == reverse("accounts:login")
    if endpoint.method == "get":  # back to the page asked for
        query = f"?{urlencode(endpoint.data)}" if endpoint.data else ""
        assert parse_qs(where.query)["next"] == [endpoint.path(personal) + query]
    else:  # a POST cannot be replayed: back to the settings page
        assert parse_qs(where.query)["next"] == ["/project/secret-pkg/settings/"]
    assert unknown.url == private.url.replace("secret-pkg", UNKNOWN)
    assert _state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_a_token_is_refused_whatever_it_may_do(client, cast, personal, endpoint):
    headers = token_headers(cast.secret("all_scopes_token"))
    before = _state()

    private = _ask(client, endpoint, personal, HTTP_AUTHORIZATION=headers["HTTP_AUTHORIZATION"])
    unknown = _ask(
        client, endpoint, personal, name=UNKNOWN, HTTP_AUTHORIZATION=headers["HTTP_AUTHORIZATION"]
    )

    assert private.status_code == unknown.status_code == 403  # before any lookup
    assert private.content == unknown.content
    assert _state() == before


@pytest.mark.parametrize("endpoint", [ENDPOINTS[0], POSTS[0]], ids=lambda e: e.id)
def test_bad_credentials_are_401_not_anonymous(client, personal, endpoint):
    response = _ask(client, endpoint, personal, HTTP_AUTHORIZATION="Bearer pvi_nonsense")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


# --- an organization's project ----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
@pytest.mark.parametrize("caller", ["org_owner", "org_manager", "superuser"])
def test_an_organizations_owners_and_managers_manage_its_project(
    client, cast, organizational, caller, endpoint
):
    client.force_login(cast.user(caller))
    before = _state()

    response = _ask(client, endpoint, organizational)

    assert response.status_code == _expected_allowed(endpoint, organizational)
    if endpoint.method == "post":
        assert _state() != before
        assert Event.objects.latest("id").actor == cast.user(caller)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_a_plain_member_reads_the_project_but_may_not_change_it(
    client, org_scene, organizational, endpoint
):
    client.force_login(org_scene["member"])
    before = _state()

    response = _ask(client, endpoint, organizational)

    assert response.status_code == 403
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


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.id)
def test_every_form_needs_its_csrf_token(cast, organizational, endpoint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.user("org_owner"))
    before = _state()

    refused = _ask(client, endpoint, organizational)

    assert refused.status_code == 403
    assert _state() == before
    token = client.get(reverse("settings:index", args=["org-tool"])).context["csrf_token"]
    accepted = client.post(
        endpoint.path(organizational),
        {**endpoint.payload(organizational), "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302
    assert _state() != before


# --- what each caller is shown ----------------------------------------------------------------


def test_owners_see_every_section_and_the_history(client, owner, personal):
    client.force_login(owner)
    page = client.get(reverse("settings:index", args=["secret-pkg"]))
    body = page.content.decode()
    assert page.context["can_manage"] and page.context["can_yank"]
    for section in ('id="visibility"', 'id="collaborators"', 'id="releases"'):
        assert section in body
    assert reverse("audit:project-history", args=["secret-pkg"]) in body
    assert {"no-store", "private"} <= set(page["Cache-Control"].replace(" ", "").split(","))


def test_maintainers_see_the_releases_only(client, maintainer, personal):
    client.force_login(maintainer)
    page = client.get(reverse("settings:index", args=["secret-pkg"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert (page.context["can_manage"], page.context["can_yank"]) == (False, True)
    assert 'id="releases"' in body
    assert 'id="visibility"' not in body and 'id="collaborators"' not in body
    assert reverse("audit:project-history", args=["secret-pkg"]) not in body
    assert reverse("settings:yank", args=["secret-pkg", "1.0"]) in body
    assert reverse("settings:unyank", args=["secret-pkg", "0.9"]) in body


def test_another_spelling_is_redirected_before_any_lookup(client, cast, personal):
    client.force_login(cast.user("outsider"))
    private = client.get("/project/Secret_Pkg/settings/visibility/?to=public")
    unknown = client.get("/project/No_Such_Pkg/settings/visibility/?to=public")
    assert private.status_code == unknown.status_code == 301
    assert private.url == "/project/secret-pkg/settings/visibility/?to=public"
    assert unknown.url == "/project/no-such-pkg/settings/visibility/?to=public"
