"""User and team roles on a project: the last owner stays, every change is an event."""

import contextlib
import threading
import time

import pytest
from django.db import connection, transaction

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
    user = factories.OrganizationMemberFactory(organization=org, role="member").user
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
    assert (event.actor, event.project, event.data) == (
        actor,
        project,
        {"team": team.name, "previous": "reader"},
    )


def test_removing_a_role_a_team_does_not_have_is_404(db):
    org = factories.OrganizationFactory()
    project = factories.ProjectFactory(organization=org)
    team = factories.TeamFactory(organization=org)

    with pytest.raises(services.ServiceError) as refused:
        services.team_project_role_remove(project=project, team=team, actor=None)

    assert refused.value.status == 404


# The last owner under concurrency: the project's row is locked before the check, so of two
# demotions (or a demotion and a deletion) at once, the second sees the first.


@contextlib.contextmanager
def held_in_another_transaction(change):
    """Run ``change`` in a transaction of another thread (another connection) and keep that
    transaction open, with the locks it took, for a moment while the body runs."""
    done, failures = threading.Event(), []

    def run():
        try:
            with transaction.atomic():
                change()
                done.set()
                time.sleep(0.5)  # without the lock, the body is done before this commits
        except BaseException as exc:
            failures.append(exc)
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert done.wait(10)
    try:
        yield
    finally:
        thread.join(10)
    assert not failures


@pytest.fixture
def two_owners(db):
    project = factories.ProjectFactory(name="Shared")
    first, second = factories.UserFactory(), factories.UserFactory()
    for user in (first, second):
        factories.ProjectRoleFactory(project=project, user=user, role="owner")
    return project, first, second


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_change", ["demote", "remove"])
def test_concurrent_changes_leave_the_project_an_owner(two_owners, second_change):
    project, first, second = two_owners

    def demote_first():
        services.project_role_set(project=project, user=first, role="reader", actor=None)

    with (
        held_in_another_transaction(demote_first),
        pytest.raises(services.ServiceError) as refused,
    ):
        if second_change == "demote":
            services.project_role_set(project=project, user=second, role="reader", actor=None)
        else:
            services.project_role_remove(project=project, user=second, actor=None)

    assert refused.value.status == 409
    owners = ProjectRole.objects.filter(project=project, role="owner")
    assert list(owners.values_list("user", flat=True)) == [second.pk]
