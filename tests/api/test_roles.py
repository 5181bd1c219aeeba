"""REST API roles (api.views.roles): list, add and remove project roles."""

import pytest
from django.urls import reverse

from projects.models import ProjectRole
from tests import factories
from tests.api.helpers import bearer, detail

PRIVATE = "secret-pkg"


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
    assert detail(response) == message


def test_manage_token_sets_roles(api, manage_token, outsider, private_project):
    response = api.post(
        reverse("api:project-roles", args=[PRIVATE]),
        {"username": "outsider", "role": "maintainer"},
        format="json",
        **bearer(manage_token),
    )

    assert response.status_code == 200
    assert ProjectRole.objects.get(user=outsider).role == "maintainer"


def test_a_non_member_gets_no_direct_role_on_an_organization_project(api, owner, outsider):
    # Invariant (issue 9): in an organization's projects, roles go to its members.
    org = factories.OrganizationFactory(name="Acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    factories.ProjectFactory(name="Acme-Lib", organization=org, visibility="private")
    api.force_login(owner)
    roles = reverse("api:project-roles", args=["acme-lib"])

    refused = api.post(roles, {"username": "outsider", "role": "reader"}, format="json")

    assert refused.status_code == 400
    assert "is not a member of the project's organization" in refused.json()["detail"]
    assert not ProjectRole.objects.filter(user=outsider).exists()
    factories.OrganizationMemberFactory(organization=org, user=outsider, role="member")
    assert (
        api.post(roles, {"username": "outsider", "role": "reader"}, format="json").status_code
        == 200
    )
