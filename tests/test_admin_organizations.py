"""The admin refuses what the services refuse (issue 9): team roles on another organization's or
a user's project, direct roles for non-members on an organization's project; and organization
tokens are issued there only by the organization's owners and managers (or a superuser)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests import factories
from tests.test_admin import add_row, admin_url, dump_database
from tokens.models import Token
from tokens.services import token_authenticate

ADD_TOKEN = reverse("admin:tokens_token_add")


@pytest.fixture
def acme(db):
    org = factories.OrganizationFactory(name="acme")
    project = factories.ProjectFactory(name="widget", visibility="private", organization=org)
    return org, project


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_a_team_of_another_organization_gets_no_role(admin_client, acme):
    _org, project = acme
    foreign = factories.TeamFactory(organization=factories.OrganizationFactory(name="globex"))
    url = admin_url("projects_project", "change", project.pk)
    snapshot = dump_database()

    response = add_row(admin_client, url, "team_roles", follow=True, team=foreign.pk, role="owner")

    assert "Only teams of the project's organization can hold roles on it." in _messages(response)
    assert dump_database() == snapshot


def test_a_users_project_takes_no_team_role(admin_client, acme):
    org, _ = acme
    team = factories.TeamFactory(organization=org)
    own = factories.ProjectFactory(name="personal")
    owner = factories.UserFactory()
    factories.ProjectRoleFactory(project=own, user=owner, role="owner")
    url = admin_url("projects_project", "change", own.pk)
    snapshot = dump_database()

    response = add_row(admin_client, url, "team_roles", follow=True, team=team.pk, role="reader")

    assert "Only teams of the project's organization can hold roles on it." in _messages(response)
    assert dump_database() == snapshot


def test_a_non_member_gets_no_direct_role_on_an_organization_project(admin_client, acme):
    _, project = acme
    stranger = factories.UserFactory(username="stranger")
    url = admin_url("projects_project", "change", project.pk)
    snapshot = dump_database()

    response = add_row(admin_client, url, "roles", follow=True, user=stranger.pk, role="owner")

    assert any("is not a member of the project's organization" in m for m in _messages(response))
    assert dump_database() == snapshot


def _add(client, **fields):
    data = {"user": "", "name": "deploy", "scopes": ["read"], "organization": ""}
    data.update(fields)
    return client.post(ADD_TOKEN, data, follow=True)


def test_a_superuser_issues_an_organization_token(admin_client, acme):
    org, _ = acme
    response = _add(admin_client, organization=org.pk)
    assert "Token issued" in response.content.decode()
    token = Token.objects.get()
    assert token.user is None and token.organization == org
    secret = response.context["secret"]
    assert token_authenticate(secret) == token


def test_organization_tokens_never_manage(admin_client, acme):
    org, _ = acme
    response = _add(admin_client, organization=org.pk, scopes=["read", "manage"])
    assert any("read and upload scopes only" in m for m in _messages(response))
    assert not Token.objects.exists()


def test_a_token_needs_a_user_or_an_organization(admin_client, acme):
    response = _add(admin_client)
    assert response.status_code == 200
    assert "Choose a user" in response.content.decode()
    assert not Token.objects.exists()


def _limited_staff(client):
    staff = factories.UserFactory(username="limited", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_token", "view_token", "change_token"])
    )
    client.force_login(staff)
    return staff


@pytest.mark.parametrize(("role", "issued"), [(None, False), ("member", False), ("manager", True)])
def test_limited_staff_issue_organization_tokens_only_as_owners_or_managers(
    client, acme, role, issued
):
    org, _ = acme
    staff = _limited_staff(client)
    if role:
        factories.OrganizationMemberFactory(organization=org, user=staff, role=role)

    response = _add(client, organization=org.pk)

    assert Token.objects.filter(user__isnull=True).exists() is issued
    if issued:
        assert Token.objects.get().created_by == staff
    else:
        assert any("Only owners and managers" in m for m in _messages(response))


def test_a_personal_token_restricted_to_an_organization_needs_a_member(admin_client, acme):
    org, _ = acme
    outsider = factories.UserFactory(username="outsider")
    response = _add(admin_client, user=outsider.pk, organization=org.pk)
    assert any("is not a member of 'acme'" in m for m in _messages(response))
    assert not Token.objects.exists()
