"""REST API: the principal x action -> status matrix, projects, releases, yank and roles.

Every answer comes from access.decide() through api.permissions (DESIGN 4).
"""

import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import Event
from projects.models import ProjectRole
from tests import factories
from tests.api.helpers import basic, bearer
from tokens.services import token_issue

REALM = 'Basic realm="privindex"'
PRIVATE, PUBLIC, UNKNOWN = "secret-pkg", "open-pkg", "no-such-pkg"
SESSION = {"outsider", "reader", "maintainer", "owner"}

# who -> action -> (public, private, unknown)
MATRIX = {
    "anon": {"read": (200, 404, 404), "yank": (401, 401, 401), "manage": (401, 401, 401)},
    "outsider": {"read": (200, 404, 404), "yank": (403, 404, 404), "manage": (403, 404, 404)},
    "reader": {"read": (200, 200, 404), "yank": (403, 403, 404), "manage": (403, 403, 404)},
    "maintainer": {"read": (200, 200, 404), "yank": (200, 200, 404), "manage": (403, 403, 404)},
    "owner": {"read": (200, 200, 404), "yank": (200, 200, 404), "manage": (200, 200, 404)},
    "read_token": {"read": (200, 200, 404), "yank": (403, 403, 403), "manage": (403, 403, 403)},
    "upload_token": {"read": (403, 403, 403), "yank": (200, 200, 404), "manage": (403, 403, 403)},
    "manage_token": {"read": (403, 403, 403), "yank": (403, 403, 403), "manage": (200, 200, 404)},
    "outsider_token": {"read": (200, 404, 404), "yank": (403, 404, 404), "manage": (403, 404, 404)},
    "token_for_other_project": {
        "read": (200, 404, 404),
        "yank": (403, 404, 404),
        "manage": (403, 403, 403),
    },
    "revoked_token": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
    "expired_token": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
    "password": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
    "garbage": {"read": (401,) * 3, "yank": (401,) * 3, "manage": (401,) * 3},
}
CASES = [
    (who, action, column) for who, row in MATRIX.items() for action in row for column in range(3)
]


def _sign_in(client, request, who):
    if who == "anon":
        return
    if who in SESSION:
        client.force_login(request.getfixturevalue(who))
    elif who == "password":
        client.credentials(**basic("owner", "correct horse battery"))
    elif who == "garbage":
        client.credentials(**bearer("pypi-not-a-token"))
    else:
        client.credentials(**bearer(request.getfixturevalue(who)))


def _call(client, action, name):
    if action == "read":
        return client.get(reverse("api:project-detail", args=[name]))
    if action == "yank":
        url = reverse("api:release-yank", args=[name, "1.0"])
        return client.post(url, {"reason": "broken"}, format="json")
    return client.get(reverse("api:project-roles", args=[name]))


@pytest.mark.parametrize(("who", "action", "column"), CASES)
def test_matrix(request, api, releases, who, action, column):
    for fixture in ("reader", "maintainer", "token_for_other_project"):
        request.getfixturevalue(fixture)  # the roles exist whoever asks
    _sign_in(api, request, who)
    name = (PUBLIC, PRIVATE, UNKNOWN)[column]

    response = _call(api, action, name)

    assert response.status_code == MATRIX[who][action][column], response.content
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == REALM  # S4.10: never treated as anonymous
    if response.status_code == 404:
        assert response.json() == {"detail": "Not found."}
    if response.status_code in (401, 403):
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("who", ["anon", "outsider", "outsider_token", "token_for_other_project"])
@pytest.mark.parametrize("action", ["read", "yank", "manage"])
def test_invisible_project_answers_exactly_like_unknown_name(request, api, releases, who, action):
    _sign_in(api, request, who)

    private = _call(api, action, PRIVATE)
    unknown = _call(api, action, UNKNOWN)

    assert private.status_code == unknown.status_code
    assert private.content == unknown.content
    assert sorted(private.items()) == sorted(unknown.items())


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/projects/open-pkg/",
        "/api/v1/projects/open-pkg/releases/",
        "/api/v1/orgs/",
        "/api/v1/tokens/",
    ],
)
@pytest.mark.parametrize("who", ["revoked_token", "expired_token", "password", "garbage"])
def test_bad_credentials_are_401_everywhere(request, api, public_project, url, who):
    _sign_in(api, request, who)

    response = api.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == REALM


def test_a_denial_names_its_reason(api, maintainer, releases):
    api.force_login(maintainer)

    response = api.patch(
        reverse("api:project-detail", args=[PRIVATE]), {"visibility": "public"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "The user 'maintainer' isn't allowed to manage project 'Secret-Pkg'."
    }


# --- project list -----------------------------------------------------------------------------


def _names(response):
    return [p["name"] for p in response.json()["results"]]


def test_anonymous_list_shows_only_public_projects(api, private_project, public_project):
    response = api.get(reverse("api:project-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "name": "Open-Pkg",
            "normalized_name": "open-pkg",
            "visibility": "public",
            "status": "active",
            "organization": None,
            "url": "http://testserver/api/v1/projects/open-pkg/",
        }
    ]


def test_read_token_lists_private_projects_of_its_owner(api, read_token, other_project):
    response = api.get(reverse("api:project-list"), **bearer(read_token))

    assert _names(response) == ["Open-Pkg", "Other-Pkg", "Secret-Pkg"]


def test_restricted_token_lists_only_its_projects_and_public_ones(
    api, token_for_other_project, private_project, public_project
):
    response = api.get(reverse("api:project-list"), **bearer(token_for_other_project))

    assert _names(response) == ["Open-Pkg", "Other-Pkg"]


def test_upload_token_cannot_list_private_projects(api, upload_token):
    response = api.get(reverse("api:project-list"), **bearer(upload_token))

    assert response.status_code == 200
    assert _names(response) == []


@pytest.mark.parametrize(("query", "expected"), [("secret", []), ("pkg", ["Open-Pkg"])])
def test_anonymous_search_never_finds_private_projects(
    api, private_project, public_project, query, expected
):
    response = api.get(reverse("api:project-list"), {"q": query})

    assert _names(response) == expected


def test_search_and_pagination(api, reader):
    api.force_login(reader)
    for n in range(5):
        factories.ProjectFactory(name=f"Zeta-{n}", visibility="public")

    page = api.get(reverse("api:project-list"), {"q": "zeta", "limit": 2, "offset": 2}).json()

    assert page["count"] == 5
    assert [p["name"] for p in page["results"]] == ["Zeta-2", "Zeta-3"]
    assert "offset=4" in page["next"]


def test_organization_is_named_in_the_list(api, owner):
    org = factories.OrganizationFactory(name="Acme")
    factories.ProjectFactory(name="Acme-Lib", visibility="public", organization=org)

    response = api.get(reverse("api:project-list"))

    assert response.json()["results"][0]["organization"] == "Acme"


def test_superuser_lists_private_projects(api, private_project, public_project):
    api.force_login(factories.UserFactory(is_superuser=True, is_staff=True))

    assert _names(api.get(reverse("api:project-list"))) == ["Open-Pkg", "Secret-Pkg"]


def _many_projects(user, org, start, count):
    for n in range(start, start + count):
        project = factories.ProjectFactory(
            name=f"Proj-{n}", visibility="private" if n % 2 else "public", organization=org
        )
        factories.ProjectRoleFactory(project=project, user=user, role="reader")


@pytest.mark.parametrize("who", ["session", "token", "anon"])
def test_project_list_query_count_is_constant(db, api, django_assert_max_num_queries, who):
    user = factories.UserFactory()
    org = factories.OrganizationFactory()
    if who == "session":
        api.force_login(user)
    elif who == "token":
        api.credentials(**bearer(token_issue(user=user, scopes=["read"]).secret))
    _many_projects(user, org, 0, 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(reverse("api:project-list")).status_code == 200

    _many_projects(user, org, 2, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api.get(reverse("api:project-list"))

    assert response.json()["count"] == (42 if who != "anon" else 21)


# --- project detail and PATCH -----------------------------------------------------------------


def test_detail_summarizes_releases(api, owner, releases):
    api.force_login(owner)

    body = api.get(reverse("api:project-detail", args=["Secret_Pkg"])).json()

    assert body["name"] == "Secret-Pkg"
    assert body["visibility"] == "private"
    assert body["status_reason"] == ""
    assert [(r["version"], r["yanked"]) for r in body["releases"]] == [("1.0", False)]
    assert body["releases"][0]["url"].endswith("/api/v1/projects/secret-pkg/releases/1.0/")


def test_manage_token_flips_visibility_and_simple_index_follows(
    api, client, manage_token, private_project
):
    url = reverse("api:project-detail", args=[PRIVATE])
    assert client.get(f"/simple/{PRIVATE}/").status_code == 404

    response = api.patch(url, {"visibility": "public"}, format="json", **bearer(manage_token))

    assert response.status_code == 200
    assert response.json()["visibility"] == "public"
    assert client.get(f"/simple/{PRIVATE}/").status_code == 200
    event = Event.objects.get(action="project:visibility")
    assert event.token is not None and event.actor.username == "owner"


def test_upload_token_cannot_flip_visibility(api, upload_token, private_project):
    response = api.patch(
        reverse("api:project-detail", args=[PRIVATE]),
        {"visibility": "public"},
        format="json",
        **bearer(upload_token),
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "The token does not have the 'manage' scope."}
    private_project.refresh_from_db()
    assert private_project.visibility == "private"


def test_session_patch_needs_csrf(owner, private_project):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(owner)
    url = reverse("api:project-detail", args=[PRIVATE])

    refused = api.patch(url, {"visibility": "public"}, format="json")
    csrf = secrets.token_hex(16)
    api.cookies["csrftoken"] = csrf
    accepted = api.patch(url, {"visibility": "public"}, format="json", HTTP_X_CSRFTOKEN=csrf)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 200
    private_project.refresh_from_db()
    assert private_project.visibility == "public"


def test_session_reads_need_no_csrf(owner, private_project):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(owner)

    assert api.get(reverse("api:project-detail", args=[PRIVATE])).status_code == 200


def test_owner_sets_status_with_reason(api, owner, private_project):
    api.force_login(owner)
    url = reverse("api:project-detail", args=[PRIVATE])

    body = api.patch(url, {"status": "archived", "status_reason": "Moved"}, format="json").json()

    assert (body["status"], body["status_reason"]) == ("archived", "Moved")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visibility": "secret"}, 'visibility: "secret" is not a valid choice.'),
        ({"status": "gone"}, 'status: "gone" is not a valid choice.'),
        ([1, 2], "Invalid data. Expected a dictionary, but got list."),
    ],
)
def test_patch_rejects_bad_values(api, owner, private_project, data, message):
    api.force_login(owner)

    response = api.patch(reverse("api:project-detail", args=[PRIVATE]), data, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": message}


def test_quarantine_is_for_staff_only(api, owner, private_project):
    api.force_login(owner)
    url = reverse("api:project-detail", args=[PRIVATE])

    refused = api.patch(url, {"status": "quarantined"}, format="json")
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    set_by_staff = api.patch(
        url, {"status": "quarantined", "status_reason": "malware"}, format="json"
    )

    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only site administrators may quarantine or release a project."
    }
    assert set_by_staff.status_code == 200
    assert set_by_staff.json()["status"] == "quarantined"


def test_clearing_quarantine_is_for_staff_only(api, owner, private_project, manage_token):
    private_project.status = "quarantined"
    private_project.save(update_fields=["status"])
    url = reverse("api:project-detail", args=[PRIVATE])

    cleared_by_owner = api.patch(url, {"status": "active"}, format="json", **bearer(manage_token))
    reason_by_owner = api.patch(url, {"status_reason": "x"}, format="json", **bearer(manage_token))
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    api.force_login(admin)
    cleared_by_admin = api.patch(url, {"status": "active"}, format="json")

    assert cleared_by_owner.status_code == 403
    assert reason_by_owner.status_code == 403
    assert cleared_by_admin.status_code == 200
    private_project.refresh_from_db()
    assert private_project.status == "active"


# --- releases and yank ------------------------------------------------------------------------


def test_release_list_and_detail_show_files(api, owner, releases):
    api.force_login(owner)
    file = releases[PRIVATE].files.get()

    listed = api.get(reverse("api:release-list", args=[PRIVATE])).json()
    detail = api.get(reverse("api:release-detail", args=[PRIVATE, "1.0"])).json()

    assert listed == [detail]
    assert detail["version"] == "1.0"
    assert detail["files"] == [
        {
            "filename": file.filename,
            "url": f"http://testserver/files/{file.storage_key}",
            "size": 1234,
            "sha256": file.sha256,
            "packagetype": "bdist_wheel",
            "upload_time": file.upload_time.isoformat().replace("+00:00", "Z"),
            "yanked": False,
        }
    ]


@pytest.mark.parametrize("spelling", ["1.0", "1", "1.0.0", "v1.0", "1.0.0.0"])
def test_release_detail_accepts_any_pep440_spelling(api, public_project, releases, spelling):
    response = api.get(reverse("api:release-detail", args=[PUBLIC, spelling]))

    assert response.status_code == 200
    assert response.json()["version"] == "1.0"


def test_unknown_release_of_visible_project_is_404(api, public_project):
    response = api.get(reverse("api:release-detail", args=[PUBLIC, "9.9"]))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def _simple_json(client, name):
    response = client.get(f"/simple/{name}/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json")
    assert response.status_code == 200
    return response.json()


def test_yank_and_unyank_show_on_simple_page(api, client, upload_token, releases):
    # S1.x / PEP 592: the simple JSON page reports the yank and its reason.
    url = reverse("api:release-yank", args=[PUBLIC, "1.0"])

    yanked = api.post(url, {"reason": "broken build"}, format="json", **bearer(upload_token))
    after_yank = _simple_json(client, PUBLIC)
    unyanked = api.delete(url, **bearer(upload_token))
    after_unyank = _simple_json(client, PUBLIC)

    assert yanked.status_code == 200
    assert yanked.json()["yanked"] is True
    assert yanked.json()["yanked_reason"] == "broken build"
    assert [f["yanked"] for f in after_yank["files"]] == ["broken build"]
    assert unyanked.status_code == 200
    assert unyanked.json()["yanked"] is False
    assert [f["yanked"] for f in after_unyank["files"]] == [False]
    assert list(Event.objects.values_list("action", flat=True).order_by("id")[1:]) == [
        "release:yank",
        "release:unyank",
    ]


def test_yank_without_reason(api, maintainer, releases):
    api.force_login(maintainer)

    response = api.post(reverse("api:release-yank", args=[PRIVATE, "1.0.0"]))

    assert response.status_code == 200
    assert (response.json()["yanked"], response.json()["yanked_reason"]) == (True, "")


# --- roles ------------------------------------------------------------------------------------


def test_owner_adds_and_removes_a_reader(api, client, owner, outsider, private_project):
    api.force_login(owner)
    roles = reverse("api:project-roles", args=[PRIVATE])
    client.force_login(outsider)
    detail = reverse("api:project-detail", args=[PRIVATE])
    assert client.get(detail).status_code == 404

    added = api.post(roles, {"username": "outsider", "role": "reader"}, format="json")
    can_read = client.get(detail).status_code
    removed = api.delete(roles, {"username": "outsider"}, format="json")

    assert added.status_code == 200
    assert {"username": "outsider", "role": "reader"} in added.json()["users"]
    assert can_read == 200
    assert removed.status_code == 200
    assert removed.json() == {"users": [{"username": "owner", "role": "owner"}], "teams": []}
    assert client.get(detail).status_code == 404


def test_roles_list_includes_teams(api, owner):
    org = factories.OrganizationFactory(name="Acme")
    project = factories.ProjectFactory(name="Acme-Lib", organization=org)
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")
    factories.TeamProjectRoleFactory(
        project=project,
        team=factories.TeamFactory(organization=org, name="devs"),
        role="maintainer",
    )
    api.force_login(owner)

    body = api.get(reverse("api:project-roles", args=["acme-lib"])).json()

    assert body == {
        "users": [{"username": "owner", "role": "owner"}],
        "teams": [{"team": "devs", "role": "maintainer"}],
    }


def test_role_delete_accepts_query_parameter(api, owner, reader):
    api.force_login(owner)

    response = api.delete(reverse("api:project-roles", args=[PRIVATE]) + "?username=reader")

    assert response.status_code == 200
    assert not ProjectRole.objects.filter(user=reader, project__normalized_name=PRIVATE).exists()


@pytest.mark.parametrize(
    ("method", "data", "status", "message"),
    [
        ("post", {"username": "ghost", "role": "reader"}, 400, "No user named ghost."),
        (
            "post",
            {"username": "outsider", "role": "admin"},
            400,
            'role: "admin" is not a valid choice.',
        ),
        ("post", {"role": "reader"}, 400, "username: This field is required."),
        ("delete", {"username": "ghost"}, 400, "No user named ghost."),
        ("delete", {"username": "outsider"}, 404, "'outsider' has no role on 'Secret-Pkg'."),
        ("delete", {"username": "owner"}, 409, "A project needs at least one owner."),
    ],
)
def test_role_errors(api, owner, outsider, private_project, method, data, status, message):
    api.force_login(owner)

    response = getattr(api, method)(
        reverse("api:project-roles", args=[PRIVATE]), data, format="json"
    )

    assert response.status_code == status
    assert response.json() == {"detail": message}


def test_manage_token_sets_roles(api, manage_token, outsider, private_project):
    response = api.post(
        reverse("api:project-roles", args=[PRIVATE]),
        {"username": "outsider", "role": "maintainer"},
        format="json",
        **bearer(manage_token),
    )

    assert response.status_code == 200
    assert ProjectRole.objects.get(user=outsider).role == "maintainer"
