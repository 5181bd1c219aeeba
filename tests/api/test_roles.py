"""REST API roles (api.views.roles): users' and teams' roles on a project, listed, granted,
changed and revoked; the sole owner is kept (issue 11: the demotion that answered 200)."""

import pytest
from django.urls import reverse

from audit.models import Event
from projects.models import ProjectRole, TeamProjectRole
from tests import factories
from tests.api.helpers import bearer, detail

PRIVATE = "secret-pkg"
LAST_OWNER = "A project needs at least one owner."


def _users(name=PRIVATE):
    return reverse("api:project-user-roles", args=[name])


def _user(username, name=PRIVATE):
    return reverse("api:project-user-role", args=[name, username])


def _teams(name):
    return reverse("api:project-team-roles", args=[name])


def _team(team_id, name):
    return reverse("api:project-team-role", args=[name, team_id])


def _role_of(username, name=PRIVATE):
    return (
        ProjectRole.objects.filter(user__username=username, project__normalized_name=name)
        .values_list("role", flat=True)
        .first()
    )


def test_owner_grants_changes_and_revokes_a_users_role(
    api, client, owner, outsider, private_project
):
    api.force_login(owner)
    client.force_login(outsider)
    project = reverse("api:project-detail", args=[PRIVATE])
    assert client.get(project).status_code == 404

    granted = api.post(_users(), {"username": "outsider", "role": "reader"}, format="json")
    can_read = client.get(project).status_code
    changed = api.patch(_user("outsider"), {"role": "maintainer"}, format="json")
    listed = api.get(_users())
    revoked = api.delete(_user("outsider"))

    assert granted.status_code == 201
    assert granted.json() == {"username": "outsider", "role": "reader"}
    assert can_read == 200
    assert changed.status_code == 200
    assert changed.json() == {"username": "outsider", "role": "maintainer"}
    assert listed.json()["results"] == [
        {"username": "outsider", "role": "maintainer"},
        {"username": "owner", "role": "owner"},
    ]
    assert revoked.status_code == 204
    assert client.get(project).status_code == 404
    actions = Event.objects.filter(action__startswith="project:role").values_list("action")
    assert [a for (a,) in actions.order_by("id")] == [
        "project:role-set",
        "project:role-set",
        "project:role-remove",
    ]


def test_granting_to_a_holder_changes_the_role_and_says_200(api, owner, reader):
    api.force_login(owner)

    response = api.post(_users(), {"username": "reader", "role": "maintainer"}, format="json")

    assert response.status_code == 200
    assert _role_of("reader") == "maintainer"


def test_the_user_role_list_is_a_page(api, owner, private_project):
    for n in range(4):
        factories.ProjectRoleFactory(
            project=private_project, user=factories.UserFactory(username=f"u{n}"), role="reader"
        )
    api.force_login(owner)

    page = api.get(_users(), {"limit": 2, "offset": 1}).json()

    assert page["count"] == 5
    assert [r["username"] for r in page["results"]] == ["u0", "u1"]  # after "owner"


# --- the sole owner (issue 11) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.patch(_user("owner"), {"role": "reader"}, format="json"),
        lambda api: api.patch(_user("owner"), {"role": "maintainer"}, format="json"),
        lambda api: api.post(_users(), {"username": "owner", "role": "reader"}, format="json"),
        lambda api: api.delete(_user("owner")),
    ],
    ids=["patch-reader", "patch-maintainer", "post", "delete"],
)
def test_the_sole_owner_cannot_demote_or_remove_themselves(api, owner, private_project, call):
    api.force_login(owner)

    response = call(api)

    assert response.status_code == 409
    assert detail(response) == LAST_OWNER
    assert _role_of("owner") == "owner"


def test_nor_can_a_manage_token_of_the_sole_owner(api, owner, manage_token):
    response = api.patch(_user("owner"), {"role": "reader"}, format="json", **bearer(manage_token))

    assert response.status_code == 409
    assert _role_of("owner") == "owner"


def test_with_a_second_owner_either_may_step_down(api, owner, maintainer):
    api.force_login(owner)
    assert api.patch(_user("maintainer"), {"role": "owner"}, format="json").status_code == 200

    demoted = api.patch(_user("owner"), {"role": "reader"}, format="json")
    api.force_login(maintainer)
    last = api.delete(_user("maintainer"))

    assert demoted.status_code == 200
    assert _role_of("owner") == "reader"
    assert last.status_code == 409
    assert _role_of("maintainer") == "owner"


def test_an_organizations_project_needs_no_personal_owner(api, owner):
    # Its organization's owners manage it (issue 9): the last direct owner may go.
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    project = factories.ProjectFactory(name="Acme-Lib", organization=org)
    factories.ProjectRoleFactory(project=project, user=owner, role="owner")
    api.force_login(owner)

    response = api.patch(_user("owner", "acme-lib"), {"role": "reader"}, format="json")

    assert response.status_code == 200
    assert _role_of("owner", "acme-lib") == "reader"


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "data", "status", "message"),
    [
        ("post", _users, {"username": "ghost", "role": "reader"}, 400,
         "username: No user named ghost."),
        ("post", _users, {"username": "outsider", "role": "admin"}, 400,
         'role: "admin" is not a valid choice.'),
        ("post", _users, {"role": "reader"}, 400, "username: This field is required."),
        ("post", _users, {"username": "outsider", "role": "reader", "expires": "never"}, 400,
         "expires: Unknown field."),
        ("post", _users, {"username": "u" * 151, "role": "boss"}, 400,
         "The request has 2 errors: see errors."),
        ("patch", lambda: _user("outsider"), {"role": "reader"}, 404, "Not found."),
        ("patch", lambda: _user("owner"), {"role": "reader", "user": "x"}, 400,
         "user: Unknown field."),
        ("patch", lambda: _user("owner"), {}, 400, "role: This field is required."),
        ("delete", lambda: _user("outsider"), None, 404, "Not found."),
        ("delete", lambda: _user("x" * 5000), None, 404, "Not found."),
    ],
)  # fmt: skip
def test_role_errors(api, owner, outsider, private_project, method, url, data, status, message):
    api.force_login(owner)

    response = getattr(api, method)(url(), data, format="json")

    assert response.status_code == status
    assert detail(response) == message


def test_manage_token_sets_roles_but_lists_them_only_with_read(api, manage_token, outsider):
    granted = api.post(
        _users(), {"username": "outsider", "role": "maintainer"}, format="json",
        **bearer(manage_token),
    )  # fmt: skip
    listed = api.get(_users(), **bearer(manage_token))

    assert granted.status_code == 201
    assert _role_of("outsider") == "maintainer"
    assert listed.status_code == 403  # every list needs the read scope (issue 11)
    assert detail(listed) == "The token does not have the 'read' scope."


def test_a_non_member_gets_no_direct_role_on_an_organization_project(api, owner, outsider):
    # Invariant (issue 9): in an organization's projects, roles go to its members.
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    factories.ProjectFactory(name="Acme-Lib", organization=org, visibility="private")
    api.force_login(owner)
    roles = _users("acme-lib")

    refused = api.post(roles, {"username": "outsider", "role": "reader"}, format="json")

    assert refused.status_code == 400
    assert "is not a member of the project's organization" in detail(refused)
    assert not ProjectRole.objects.filter(user=outsider).exists()
    factories.OrganizationMemberFactory(organization=org, user=outsider, role="member")
    assert api.post(roles, {"username": "outsider", "role": "reader"}, format="json").status_code
    assert _role_of("outsider", "acme-lib") == "reader"


# --- teams ------------------------------------------------------------------------------------


@pytest.fixture
def acme(owner):
    """Acme (owned by the scene's owner), its team devs, and its project Acme-Lib."""
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    team = factories.TeamFactory(organization=org, name="devs")
    project = factories.ProjectFactory(name="Acme-Lib", organization=org, visibility="private")
    return org, team, project


def test_owner_grants_changes_and_revokes_a_teams_role(api, client, owner, acme):
    org, team, project = acme
    dev = factories.UserFactory(username="dev")
    factories.OrganizationMemberFactory(organization=org, user=dev, role="member")
    factories.TeamMemberFactory(team=team, user=dev)
    api.force_login(owner)
    client.force_login(dev)
    yank = reverse("api:release-yank", args=["acme-lib", "1.0"])
    factories.ReleaseFactory(project=project, version="1.0")

    granted = api.post(_teams("acme-lib"), {"team_id": team.pk, "role": "reader"}, format="json")
    could_yank = client.post(yank, {}, content_type="application/json").status_code
    changed = api.patch(_team(team.pk, "acme-lib"), {"role": "maintainer"}, format="json")
    can_yank = client.post(yank, {}, content_type="application/json").status_code
    listed = api.get(_teams("acme-lib"))
    revoked = api.delete(_team(team.pk, "acme-lib"))

    assert granted.status_code == 201
    assert granted.json() == {"team_id": team.pk, "team": "devs", "role": "reader"}
    assert could_yank == 403
    assert changed.json() == {"team_id": team.pk, "team": "devs", "role": "maintainer"}
    assert can_yank == 200
    assert listed.json()["results"] == [changed.json()]
    assert revoked.status_code == 204
    assert not TeamProjectRole.objects.exists()
    assert client.get(reverse("api:project-detail", args=["acme-lib"])).status_code == 200


@pytest.mark.parametrize(
    ("project", "team", "message"),
    [
        ("secret-pkg", "devs", "team_id: Only projects of an organization give roles to teams."),
        ("acme-lib", "globex", "team_id: Acme has no team {id}."),
        ("acme-lib", None, "team_id: Acme has no team 99999."),
    ],
)
def test_only_a_team_of_the_projects_organization_gets_a_role(
    api, owner, private_project, acme, project, team, message
):
    _org, devs, _lib = acme
    other = factories.TeamFactory(organization=factories.OrganizationFactory(name="globex"))
    team_id = {"devs": devs.pk, "globex": other.pk, None: 99999}[team]
    api.force_login(owner)

    response = api.post(_teams(project), {"team_id": team_id, "role": "reader"}, format="json")

    assert response.status_code == 400
    assert detail(response) == message.format(id=team_id)
    assert not TeamProjectRole.objects.exists()


@pytest.mark.parametrize("team_id", ["99999", "9" * 40])
def test_an_unknown_team_role_is_404(api, owner, acme, team_id):
    api.force_login(owner)

    for method in ("patch", "delete"):
        response = getattr(api, method)(
            f"/api/v1/projects/acme-lib/roles/teams/{team_id}/", {"role": "reader"}, format="json"
        )
        assert response.status_code == 404


def test_a_team_role_body_is_validated(api, owner, acme):
    api.force_login(owner)

    response = api.post(
        _teams("acme-lib"), {"team_id": "devs", "role": "god", "name": "x"}, format="json"
    )

    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"team_id", "role", "name"}
