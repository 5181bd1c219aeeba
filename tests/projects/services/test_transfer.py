"""Moving a project into an organization and back (issue 9): who may (``decide_transfer``),
what the move keeps and drops, and its record."""

import pytest

from access import Principal, Surface, decide_transfer
from accounts import services as account_services
from accounts.models import Organization
from audit.models import Event
from projects import services
from projects.models import ProjectRole, TeamProjectRole
from tests import factories


@pytest.fixture
def scene(db):
    alice = factories.UserFactory(username="alice")
    org = account_services.organization_create(name="acme", owner=alice, actor=None)
    project = factories.ProjectFactory(name="tool", visibility="private")
    factories.ProjectRoleFactory(project=project, user=alice, role="owner")
    helper = factories.UserFactory(username="helper")
    factories.ProjectRoleFactory(project=project, user=helper, role="maintainer")
    return alice, org, project, helper


def test_into_an_organization_and_back(scene):
    alice, org, project, _helper = scene
    assert decide_transfer(
        Principal(user=alice), project, organization=org, user=None, surface=Surface.WEB
    )

    services.project_transfer(project=project, organization=org, actor=alice)

    project.refresh_from_db()
    assert project.organization == org
    assert not ProjectRole.objects.filter(project=project).exists()  # rights: the org's now
    team = account_services.team_create(organization=org, name="ci", actor=alice)
    services.team_project_role_set(project=project, team=team, role="maintainer", actor=alice)
    assert decide_transfer(
        Principal(user=alice), project, organization=None, user=alice, surface=Surface.WEB
    )

    services.project_transfer(project=project, user=alice, actor=alice)

    project.refresh_from_db()
    assert project.organization is None
    assert dict(
        ProjectRole.objects.filter(project=project).values_list("user__username", "role")
    ) == {"alice": "owner"}
    assert not TeamProjectRole.objects.filter(project=project).exists()
    into, out = Event.objects.filter(action="project:transfer").order_by("id")
    assert into.data["current"]["organization"] == "acme" and into.organization == org
    assert into.data["dropped_user_roles"] == {"alice": "owner", "helper": "maintainer"}
    assert out.data["previous"] == {"organization": "acme"}
    assert out.data["dropped_team_roles"] == {"ci": "maintainer"}
    # The organization it left keeps the move in its trail.
    assert Event.objects.get(action="project:transfer-out").organization == org


def test_transfer_needs_the_owner_role_on_both_sides(scene):
    alice, org, project, helper = scene
    # A maintainer may not move it; an owner may not move it into an org they only manage.
    assert not decide_transfer(
        Principal(user=helper), project, organization=org, user=None, surface=Surface.WEB
    )
    globex = account_services.organization_create(name="globex", owner=helper, actor=None)
    account_services.organization_member_set(
        organization=globex, user=alice, role="manager", actor=None
    )
    refused = decide_transfer(
        Principal(user=alice), project, organization=globex, user=None, surface=Surface.WEB
    )
    assert not refused and "owner of the organization" in refused.reason
    # Out of an organization: only to oneself (or by a superuser).
    services.project_transfer(project=project, organization=org, actor=alice)
    to_other = decide_transfer(
        Principal(user=alice), project, organization=None, user=helper, surface=Surface.WEB
    )
    assert not to_other
    manager = factories.OrganizationMemberFactory(organization=org, role="manager").user
    assert not decide_transfer(
        Principal(user=manager), project, organization=None, user=manager, surface=Surface.WEB
    )
    root = factories.UserFactory(is_superuser=True, is_staff=True)
    assert decide_transfer(
        Principal(user=root), project, organization=None, user=helper, surface=None
    )


def test_refusals_leave_everything_as_it_was(scene):
    alice, org, project, _ = scene
    with pytest.raises(services.ServiceError, match="either to an organization or to a user"):
        services.project_transfer(project=project, actor=None)
    with pytest.raises(services.ServiceError, match="belongs to no organization"):
        services.project_transfer(project=project, user=alice, actor=None)
    account_services.organization_update(organization=org, is_active=False, actor=None)
    with pytest.raises(services.ServiceError, match="deactivated"):
        services.project_transfer(project=project, organization=org, actor=None)
    assert ProjectRole.objects.filter(project=project).count() == 2
    assert not Event.objects.filter(action__startswith="project:transfer").exists()


def test_an_organization_is_deleted_only_once_its_projects_are_moved(scene):
    alice, org, project, _ = scene
    services.project_transfer(project=project, organization=org, actor=alice)
    with pytest.raises(account_services.AccountError) as refused:
        account_services.organization_delete(organization=org, actor=alice)
    assert refused.value.status == 409 and "tool" in refused.value.message

    services.project_transfer(project=project, user=alice, actor=alice)
    account_services.organization_delete(organization=org, actor=alice)

    assert not Organization.objects.filter(name="acme").exists()
    event = Event.objects.get(action="organization:delete")
    assert event.data["members"] == {"alice": "owner"}


def test_uploads_into_an_organization_grant_no_personal_role(scene):
    alice, org, _, _ = scene
    created = services.project_create(
        name="fresh", principal=Principal(user=alice), organization=org
    )
    assert not ProjectRole.objects.filter(project=created).exists()
    own = services.project_create(name="mine", principal=Principal(user=alice))
    assert ProjectRole.objects.get(project=own).user == alice
