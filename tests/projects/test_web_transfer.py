"""Transferring a project in the web UI (issue 9): offered to owners only, into organizations
they own and back to themselves, refused otherwise, recorded."""

import pytest
from django.urls import reverse

from accounts import services as account_services
from audit.models import Event
from projects.models import Project, ProjectRole
from tests import factories


@pytest.fixture
def scene(db):
    alice = factories.UserFactory(username="alice")
    acme = account_services.organization_create(name="Acme", owner=alice, actor=None)
    globex = account_services.organization_create(
        name="Globex", owner=factories.UserFactory(), actor=None
    )
    account_services.organization_member_set(
        organization=globex, user=alice, role="manager", actor=None
    )
    project = factories.ProjectFactory(name="Tool", visibility="private")
    factories.ProjectRoleFactory(project=project, user=alice, role="owner")
    return alice, acme, globex, project


def _page(client):
    return client.get(reverse("web:project", args=["tool"])).content.decode()


def _transfer(client, to):
    return client.post(reverse("web:project-transfer", args=["tool"]), {"to": to})


def test_an_owner_moves_a_project_into_an_organization_and_back(client, scene):
    alice, acme, _globex, project = scene
    client.force_login(alice)
    page = _page(client)
    assert 'value="org:acme"' in page and 'value="org:globex"' not in page  # only manager there

    moved = _transfer(client, "org:acme")

    assert moved.status_code == 302
    project.refresh_from_db()
    assert project.organization == acme
    assert not ProjectRole.objects.filter(project=project).exists()
    assert 'value="me"' in _page(client)

    back = _transfer(client, "me")

    assert back.status_code == 302
    project.refresh_from_db()
    assert project.organization is None
    assert ProjectRole.objects.get(project=project).user == alice
    events = Event.objects.filter(action="project:transfer").order_by("id")
    assert [e.actor for e in events] == [alice, alice]


def test_refused_where_the_caller_is_not_owner_on_both_sides(client, scene):
    alice, _acme, _globex, project = scene
    client.force_login(alice)
    refused = _transfer(client, "org:globex")
    unknown = _transfer(client, "org:nowhere")
    assert refused.status_code == unknown.status_code == 403
    assert Project.objects.get(pk=project.pk).organization is None
    assert _transfer(client, "elsewhere").status_code == 400
    maintainer = factories.UserFactory()
    factories.ProjectRoleFactory(project=project, user=maintainer, role="maintainer")
    client.force_login(maintainer)
    assert 'action="/project/tool/transfer/"' not in _page(client)
    assert _transfer(client, "org:acme").status_code == 403
    outsider = factories.UserFactory()
    client.force_login(outsider)
    assert _transfer(client, "org:acme").status_code == 404  # cannot read it: unknown
    assert not Event.objects.filter(action="project:transfer").exists()


def test_an_organization_manager_cannot_take_its_project(client, scene):
    alice, _acme, globex, _project = scene
    gproject = factories.ProjectFactory(name="G-Tool", organization=globex)
    client.force_login(alice)
    response = client.post(reverse("web:project-transfer", args=["g-tool"]), {"to": "me"})
    assert response.status_code == 403
    gproject.refresh_from_db()
    assert gproject.organization == globex


def test_a_forged_target_is_refused_not_a_500(client, scene):
    alice, _acme, _globex, _project = scene
    client.force_login(alice)
    assert _transfer(client, "org:\x00").status_code == 403
    assert _transfer(client, "org:" + "x" * 5000).status_code == 403
