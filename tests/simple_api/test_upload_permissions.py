"""The /legacy/ upload endpoint: who may upload where, which names a new project may take
and the site switches, through Django's test client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Project
from tests import dists, factories
from tests.simple_api.helpers import basic
from tests.simple_api.uploading import post, snapshot
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploader(db):
    return factories.UserFactory(username="uploader")


@pytest.fixture
def token(uploader):
    return token_issue(user=uploader, scopes=["upload", "read"], actor=None).secret


@pytest.mark.parametrize(
    ("credentials", "status"),
    [
        ({}, 401),
        (basic("pvi_" + "a" * 53), 401),
        (basic("secret", user="uploader"), 401),
        ({"HTTP_AUTHORIZATION": "Basic ***"}, 401),
    ],
)
def test_missing_or_bad_credentials_get_401(client, token, settings, credentials, status):  # S2.7
    filename, content = dists.make_wheel("auth-pkg", "1.0")
    fields = dists.upload_fields(filename, content)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    before = snapshot(settings)
    response = client.post("/legacy/", fields, **credentials)
    assert response.status_code == status
    assert response["WWW-Authenticate"] == 'Basic realm="privindex"'
    assert snapshot(settings) == before


def test_session_cookie_alone_cannot_upload(client, uploader):
    """The endpoint is CSRF-exempt, so a browser session must not authorize it."""
    client.force_login(uploader)
    filename, content = dists.make_wheel("csrf-pkg", "1.0")
    assert post(client, filename, content, None).status_code == 401


def test_read_token_cannot_upload(client, uploader):  # DESIGN 4
    read_only = token_issue(user=uploader, scopes=["read"], actor=None).secret
    filename, content = dists.make_wheel("ro-pkg", "1.0")
    response = post(client, filename, content, read_only)
    assert response.status_code == 403
    assert "'upload' scope" in response.reason_phrase


def test_invisible_private_name_is_not_available(client, token, private_project):
    filename, content = dists.make_wheel(private_project.name, "9.0")
    response = post(client, filename, content, token)
    assert response.status_code == 409
    assert "is not available" in response.reason_phrase


def test_reader_may_not_upload(client, private_project):
    reader = factories.UserFactory()
    factories.ProjectRoleFactory(project=private_project, user=reader, role="reader")
    secret = token_issue(user=reader, scopes=["upload"], actor=None).secret
    filename, content = dists.make_wheel(private_project.name, "9.0")
    response = post(client, filename, content, secret)
    assert response.status_code == 403
    assert "isn't allowed to upload to project 'Secret-Pkg'" in response.reason_phrase


def test_maintainer_adds_files_and_a_new_spelling_updates_the_display_name(client, private_project):
    maintainer = factories.UserFactory()
    factories.ProjectRoleFactory(project=private_project, user=maintainer, role="maintainer")
    secret = token_issue(user=maintainer, scopes=["upload"], actor=None).secret
    filename, content = dists.make_wheel("secret_pkg", "2.0")
    assert post(client, filename, content, secret).status_code == 200
    private_project.refresh_from_db()
    assert private_project.releases.filter(version="2.0").exists()


def test_project_restricted_token_uploads_only_to_its_project(client, uploader):
    mine = factories.ProjectFactory(name="mine-pkg")
    factories.ProjectRoleFactory(project=mine, user=uploader)
    secret = token_issue(user=uploader, scopes=["upload"], projects=[mine], actor=None).secret
    assert post(client, *dists.make_wheel("mine-pkg", "1.0"), secret).status_code == 200
    response = post(client, *dists.make_wheel("brand-new-pkg", "1.0"), secret)
    assert response.status_code == 403


def test_organization_token_creates_in_the_organization(client):
    org = factories.OrganizationFactory(name="acme", default_visibility="public")
    manager = factories.OrganizationMemberFactory(organization=org, role="manager").user
    secret = token_issue(user=manager, scopes=["upload"], organization=org, actor=None).secret
    assert post(client, *dists.make_wheel("acme-tool", "1.0"), secret).status_code == 200
    project = Project.objects.get(normalized_name="acme-tool")
    assert project.organization == org and project.visibility == "public"


def test_private_classifier_forces_a_private_project(client, token, settings):
    settings.PRIVINDEX_DEFAULT_VISIBILITY = "public"
    filename, content = dists.make_wheel(
        "classified", "1.0", metadata_extra="Classifier: Private :: Do Not Upload"
    )
    assert post(client, filename, content, token).status_code == 200
    assert Project.objects.get(normalized_name="classified").visibility == "private"


def test_archived_project_refuses_uploads(client, token, uploader):
    project = factories.ProjectFactory(name="old-pkg", status="archived")
    factories.ProjectRoleFactory(project=project, user=uploader)
    response = post(client, *dists.make_wheel("old-pkg", "2.0"), token)
    assert response.status_code == 403
    assert "archived" in response.reason_phrase


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("json", 400, "conflict with Python Standard Library module name"),  # S3.6
        ("Asyncio", 400, "conflict with Python Standard Library module name"),
        # Too similar: the one answer of every unavailable name (hidden, reserved, similar).
        ("fo0-8ar", 409, "is not available"),  # o->0 against "foo-8ar"
        ("F.O.O_8AR", 409, "is not available"),  # separators dropped
        ("Foo_8ar", 403, "isn't allowed to upload to project 'foo-8ar'"),  # the same project
    ],
)
def test_new_project_names_are_checked(client, token, settings, name, status, message):
    factories.ProjectFactory(name="foo-8ar", visibility="public")
    filename, content = dists.make_wheel(name, "1.0")
    before = snapshot(settings)
    response = post(client, filename, content, token)
    assert response.status_code == status
    assert message in response.reason_phrase
    assert snapshot(settings) == before


def test_prohibited_names_setting(client, token, settings):  # S3.6
    settings.PRIVINDEX_PROHIBITED_NAMES = ["Reserved_Name"]
    response = post(client, *dists.make_wheel("reserved-name", "1.0"), token)
    assert response.status_code == 400
    assert "isn't allowed" in response.reason_phrase


@pytest.mark.parametrize(
    ("switch", "message"),
    [
        ("PRIVINDEX_READ_ONLY", "Read-only mode: Uploads are temporarily disabled."),
        ("PRIVINDEX_UPLOADS_DISABLED", "New uploads are temporarily disabled."),
    ],
)
def test_site_switches_refuse_uploads_before_anything(client, token, settings, switch, message):
    setattr(settings, switch, True)  # S3.1
    before = snapshot(settings)
    response = post(client, *dists.make_wheel("switch-pkg", "1.0"), token)
    assert response.status_code == 403
    assert response.reason_phrase == message
    assert snapshot(settings) == before
    anonymous = client.post("/legacy/", {":action": "file_upload"})
    assert anonymous.status_code == 403  # switches come before authentication, as in Warehouse
