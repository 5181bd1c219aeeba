"""Project status (``access.status``): who may set which status, what a reason means, which
projects offer files and which the index lists (PEP 792)."""

import json

import pytest

from access import (
    MANAGER_STATUSES,
    Denial,
    Principal,
    Surface,
    project_offers_files,
    projects_listed,
    status_change_decide,
    status_reason_for,
)
from projects.models import Project, ProjectStatus
from tests import factories
from tests.principals import Cast

pytestmark = pytest.mark.django_db

QUARANTINED = ProjectStatus.QUARANTINED


def _scene(status="active"):
    project = factories.ProjectFactory(name="Target", visibility="public", status=status)
    return project, Cast(projects=[project])


def _staff_owner(cast, project):
    """A site administrator who is not a superuser, and owns the project."""
    user = cast.user("staff")
    factories.ProjectRoleFactory(project=project, user=user, role="owner")
    return Principal(user=user)


@pytest.mark.parametrize("status", MANAGER_STATUSES)
def test_a_manager_may_set_every_manager_status(status):
    project, cast = _scene()
    assert status_change_decide(cast.principal("owner"), project, status, surface=Surface.WEB)


@pytest.mark.parametrize("who", ["maintainer", "reader", "outsider"])
def test_who_does_not_manage_may_set_no_status(who):
    project, cast = _scene()
    decision = status_change_decide(cast.principal(who), project, "archived", surface=Surface.API)
    assert decision.denial == Denial.FORBIDDEN


@pytest.mark.parametrize(
    ("current", "wanted"), [("active", QUARANTINED), (QUARANTINED, "active")], ids=["set", "clear"]
)
def test_a_quarantine_needs_staff_both_ways(current, wanted):
    project, cast = _scene(current)

    refused = status_change_decide(cast.principal("owner"), project, wanted, surface=Surface.API)

    assert refused.denial == Denial.FORBIDDEN
    assert refused.reason == "Only site administrators may quarantine or release a project."
    for admin in (cast.principal("superuser"), _staff_owner(cast, project)):
        assert status_change_decide(admin, project, wanted, surface=Surface.API)


def test_staff_who_do_not_manage_the_project_may_not_change_its_status():
    # Moderation is asked on top of managing (status_change_decide), not instead of it.
    project, cast = _scene()
    decision = status_change_decide(cast.principal("staff"), project, QUARANTINED, surface=None)
    assert decision.denial == Denial.FORBIDDEN


def test_staff_token_restricted_to_another_project_cannot_quarantine_over_rest(
    client, surface_index
):  # decision 0014
    cast = surface_index["cast"]
    headers = cast.headers("staff_token_for_other_project")
    body = json.dumps({"status": "quarantined", "status_reason": "malware"})

    def patch(name):
        url = f"/api/v1/projects/{name}/"
        return client.patch(url, body, content_type="application/json", **headers)

    public, private = patch("public-pkg"), patch("private-pkg")
    covered = patch(cast.other.normalized_name)

    assert public.status_code == 403
    assert private.status_code == 404  # the token may not read it: as if it did not exist
    assert covered.status_code == 200
    statuses = dict(Project.objects.values_list("normalized_name", "status"))
    assert statuses["public-pkg"] == statuses["private-pkg"] == "active"
    assert statuses[cast.other.normalized_name] == QUARANTINED


@pytest.mark.parametrize(
    ("current", "current_reason", "status", "reason", "stored"),
    [
        ("deprecated", "Use b.", "active", "ignored", ""),  # an active project has no reason
        ("active", "", "active", None, ""),
        ("deprecated", "Use b.", "deprecated", None, "Use b."),  # unchanged status keeps it
        ("deprecated", "Use b.", "archived", None, ""),  # a new status starts without one
        ("deprecated", "Use b.", "deprecated", "Use c.", "Use c."),
        ("active", "", "archived", "Moved to c.", "Moved to c."),
        ("archived", "Old.", "archived", "", ""),  # an empty reason given clears it
    ],
)
def test_status_reason_for(current, current_reason, status, reason, stored):
    project = Project(status=current, status_reason=current_reason)
    assert status_reason_for(project, status, reason) == stored


@pytest.mark.parametrize("status", ProjectStatus.values)
def test_only_a_quarantined_project_offers_no_files(status):  # S1.42
    assert project_offers_files(Project(status=status)) is (status != QUARANTINED)


def test_the_index_lists_every_project_but_quarantined_ones():  # S1.42
    for status in ProjectStatus.values:
        factories.ProjectFactory(name=f"{status}-pkg", status=status, visibility="public")
    factories.ProjectFactory(name="private-pkg", visibility="private")

    listed = projects_listed(Project.objects.filter(visibility="public"))

    assert sorted(listed.values_list("name", flat=True)) == sorted(
        f"{s}-pkg" for s in ProjectStatus.values if s != QUARANTINED
    )  # and it narrows what it is given: the private project stays out
