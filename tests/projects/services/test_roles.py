"""User and team roles on a project: the last owner stays, every change is an event."""

import pytest

from audit.models import Event
from projects import services
from projects.models import ProjectRole, TeamProjectRole
from tests import factories

pytestmark = pytest.mark.django_db


def test_demoting_the_last_owner_is_refused(owner, private_project):
    with pytest.raises(services.ServiceError) as refused:
        services.project_role_set(project=private_project, user=owner, role="reader", actor=owner)

    assert refused.value.status == 409
    assert ProjectRole.objects.get(project=private_project, user=owner).role == "owner"
    assert not Event.objects.filter(action="project:role-set").exists()


def test_an_owner_may_step_down_once_another_owner_exists(owner, private_project):
    other = factories.UserFactory()
    services.project_role_set(project=private_project, user=other, role="owner", actor=owner)

    services.project_role_set(project=private_project, user=owner, role="reader", actor=owner)

    assert ProjectRole.objects.get(project=private_project, user=owner).role == "reader"


def test_an_organization_project_may_lose_its_last_direct_owner(db):
    org = factories.OrganizationFactory()
    project = factories.ProjectFactory(organization=org)
    user = factories.UserFactory()
    factories.ProjectRoleFactory(project=project, user=user, role="owner")

    services.project_role_set(project=project, user=user, role="maintainer", actor=None)

    assert ProjectRole.objects.get(project=project, user=user).role == "maintainer"


def test_team_project_role_remove_records_an_event(db):
    org = factories.OrganizationFactory()
    project = factories.ProjectFactory(organization=org)
    team = factories.TeamFactory(organization=org)
    actor = factories.UserFactory()
    services.team_project_role_set(project=project, team=team, role="reader", actor=actor)

    services.team_project_role_remove(project=project, team=team, actor=actor)

    assert not TeamProjectRole.objects.filter(project=project, team=team).exists()
    event = Event.objects.get(action="project:team-role-remove")
    assert (event.actor, event.project, event.data) == (actor, project, {"team": team.name})


def test_removing_a_role_a_team_does_not_have_is_404(db):
    org = factories.OrganizationFactory()
    project = factories.ProjectFactory(organization=org)
    team = factories.TeamFactory(organization=org)

    with pytest.raises(services.ServiceError) as refused:
        services.team_project_role_remove(project=project, team=team, actor=None)

    assert refused.value.status == 404
