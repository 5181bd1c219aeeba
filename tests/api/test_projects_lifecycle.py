"""Deleting and transferring a project through the REST API (issue 11): the services and the
decisions of the settings pages (issue 10) and of the transfer form (issue 9)."""

import pytest
from django.test import TestCase
from django.urls import reverse

from audit.models import Event
from projects.models import FilenameRegistry, Project, ProjectRole
from tests import factories
from tests.api.helpers import bearer, detail
from tests.simple_api.helpers import file_with_bytes

PRIVATE = "secret-pkg"


@pytest.fixture
def wheel(private_project):
    release = factories.ReleaseFactory(project=private_project, version="1.0")
    return file_with_bytes(release, b"wheel bytes", filename="secret_pkg-1.0-py3-none-any.whl")


def _delete(api, name, **headers):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.delete(reverse("api:project-detail", args=[name]), **headers)


def test_owner_deletes_a_project_its_filenames_stay_reserved(api, client, owner, wheel, settings):
    api.force_login(owner)
    stored = settings.PRIVINDEX_FILES_DIR / wheel.storage_key
    assert stored.exists()

    response = _delete(api, "Secret_Pkg")

    assert response.status_code == 204
    assert response.content == b""
    assert not Project.objects.filter(normalized_name=PRIVATE).exists()
    assert FilenameRegistry.objects.filter(filename=wheel.filename).exists()  # S3.15
    assert not stored.exists()
    event = Event.objects.get(action="project:delete")
    assert event.data["name"] == "Secret-Pkg" and event.actor == owner
    assert api.get(reverse("api:project-detail", args=[PRIVATE])).status_code == 404


def test_a_manage_token_deletes_too(api, manage_token, wheel):
    assert _delete(api, PRIVATE, **bearer(manage_token)).status_code == 204
    assert Event.objects.get(action="project:delete").token is not None


@pytest.mark.parametrize(("who", "status"), [("maintainer", 403), ("reader", 403)])
def test_who_may_not_manage_may_not_delete(cast, api, wheel, who, status):
    cast.sign_in(api, who)

    response = _delete(api, PRIVATE)

    assert response.status_code == status
    assert detail(response) == f"The user '{who}' isn't allowed to manage project 'Secret-Pkg'."
    assert Project.objects.filter(normalized_name=PRIVATE).exists()


def test_the_name_is_free_again_after_deletion(api, owner, private_project):
    api.force_login(owner)
    assert _delete(api, PRIVATE).status_code == 204

    again = api.post(reverse("api:project-list"), {"name": "secret-pkg"}, format="json")

    assert again.status_code == 201


# --- transfer ---------------------------------------------------------------------------------


def _transfer(api, name, to, **headers):
    url = reverse("api:project-transfer", args=[name])
    return api.post(url, {"to": to}, format="json", **headers)


@pytest.fixture
def acme(owner):
    org = factories.OrganizationFactory(name="acme")
    factories.OrganizationMemberFactory(organization=org, user=owner, role="owner")
    return org


def test_owner_moves_a_project_into_an_organization_they_own(api, owner, reader, acme):
    api.force_login(owner)

    response = _transfer(api, PRIVATE, "org:ACME")

    assert response.status_code == 200, response.content
    assert response.json()["organization"] == "acme"
    project = Project.objects.get(normalized_name=PRIVATE)
    assert project.organization == acme
    assert not ProjectRole.objects.filter(project=project).exists()  # rights come from acme
    assert Event.objects.filter(action="project:transfer").exists()


def test_an_organization_owner_moves_it_back_out_to_themselves(api, owner, acme):
    project = factories.ProjectFactory(name="acme-lib", organization=acme)
    api.force_login(owner)

    response = _transfer(api, "acme-lib", "me")

    assert response.status_code == 200, response.content
    assert response.json()["organization"] is None
    project.refresh_from_db()
    assert project.organization is None
    assert ProjectRole.objects.get(project=project).user == owner


def test_an_organization_the_caller_does_not_own_and_an_unknown_one_answer_alike(
    api, owner, private_project
):
    factories.OrganizationFactory(name="globex")
    api.force_login(owner)

    foreign = _transfer(api, PRIVATE, "org:globex")
    unknown = _transfer(api, PRIVATE, "org:no-such-org")

    assert foreign.status_code == unknown.status_code == 403
    assert foreign.content == unknown.content
    assert detail(foreign) == "You need to be an owner of the organization the project moves to."
    assert Project.objects.get(normalized_name=PRIVATE).organization is None


@pytest.mark.parametrize(
    ("to", "status", "message"),
    [
        ("me", 400, "'Secret-Pkg' belongs to no organization."),
        ("acme", 400, "to: Say where the project goes: org:<name> or me."),
        ("", 400, "to: This field may not be blank."),
    ],
)
def test_a_transfer_that_cannot_be_is_400(api, owner, private_project, to, status, message):
    api.force_login(owner)

    response = _transfer(api, PRIVATE, to)

    assert response.status_code == status
    assert detail(response) == message


def test_a_maintainer_may_not_transfer(api, maintainer, acme):
    factories.OrganizationMemberFactory(organization=acme, user=maintainer, role="owner")
    api.force_login(maintainer)

    response = _transfer(api, PRIVATE, "org:acme")

    assert response.status_code == 403
    assert Project.objects.get(normalized_name=PRIVATE).organization is None


def test_a_transfer_body_with_an_unknown_field_changes_nothing(api, owner, private_project, acme):
    api.force_login(owner)

    response = api.post(
        reverse("api:project-transfer", args=[PRIVATE]),
        {"to": "org:acme", "keep_roles": True},
        format="json",
    )

    assert response.status_code == 400
    assert detail(response) == "keep_roles: Unknown field."
    assert Project.objects.get(normalized_name=PRIVATE).organization is None
