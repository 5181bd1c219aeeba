"""Deleting files, releases and projects (issue 10): one service, used by the admin (and the
web UI and REST API); filenames stay reserved forever, bytes leave the store and staging,
each deletion is recorded, a store that is down leaves the work for the sweeper."""

from pathlib import Path

import pytest
from django.urls import reverse

from audit.models import Event
from projects import services
from projects.models import File, FilenameRegistry, FileRemoval, Project, Release
from storage.pipeline import file_removals_left
from storage.store import get_store
from tests import dists, factories
from tests.simple_api.uploading import post
from tokens.services import token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploaded(client):
    """Project ``gone-pkg`` with releases 1.0 and 2.0, each a stored wheel, uploaded as twine
    does by its owner."""
    owner = factories.UserFactory(username="owner")
    secret = token_issue(user=owner, scopes=["upload"], actor=None).secret
    for version in ("1.0", "2.0"):
        filename, content = dists.make_wheel("Gone-Pkg", version)
        assert post(client, filename, content, secret).status_code == 200
    return owner, secret, Project.objects.get(normalized_name="gone-pkg")


def _stored(file: File) -> bool:
    return get_store().size(file.storage_key) is not None


def test_a_deleted_files_bytes_leave_and_its_name_stays_reserved(client, uploaded, settings):
    owner, secret, _project = uploaded
    file = File.objects.get(release__version="1.0")
    assert _stored(file)

    with django_on_commit():
        services.file_delete(file=file, actor=owner)

    assert not File.objects.filter(pk=file.pk).exists()
    assert not _stored(file) and not FileRemoval.objects.exists()
    assert FilenameRegistry.objects.filter(filename=file.filename).exists()
    event = Event.objects.get(action="file:delete")
    assert event.actor == owner and event.data["filename"] == file.filename
    # The same filename can never come back, even with other bytes.
    filename, content = dists.make_wheel("Gone-Pkg", "1.0", requires_python=">=3.9")
    again = post(client, filename, content, secret)
    assert again.status_code == 400 and b"previously used" in again.content


def test_deleting_a_release_and_a_project(client, uploaded):
    owner, _secret, project = uploaded
    files = list(File.objects.all())
    with django_on_commit():
        services.release_delete(release=Release.objects.get(version="2.0"), actor=owner)
    assert list(project.releases.values_list("version", flat=True)) == ["1.0"]
    with django_on_commit():
        services.project_delete(project=project, actor=owner)
    assert not Project.objects.filter(normalized_name="gone-pkg").exists()
    assert not any(_stored(f) for f in files)
    deleted = Event.objects.get(action="project:delete")
    assert deleted.project is None and deleted.data["name"] == "Gone-Pkg"
    assert [f["version"] for f in deleted.data["files"]] == ["1.0"]
    assert Event.objects.get(action="release:delete").data["version"] == "2.0"
    assert client.get("/simple/gone-pkg/").status_code == 404


def test_a_store_that_is_down_leaves_the_removal_for_the_sweeper(
    client, uploaded, monkeypatch, settings
):
    owner, _secret, _project = uploaded
    file = File.objects.get(release__version="2.0")
    store = get_store()

    def down(key):
        raise OSError("store unreachable")

    monkeypatch.setattr(type(store), "delete", lambda self, key: down(key))
    with django_on_commit():
        services.file_delete(file=file, actor=owner)
    assert FileRemoval.objects.filter(storage_key=file.storage_key).exists()
    assert file_removals_left(older_than=-1) == [file.storage_key]

    monkeypatch.undo()
    from storage.tasks import sweep_staged_files

    settings.PRIVINDEX_STAGED_AGE_SECONDS = -1  # the removal is old enough for the sweeper
    sweep_staged_files.apply()
    assert not FileRemoval.objects.exists() and not _stored(file)


def test_the_admin_deletes_through_the_service(admin_client, uploaded):
    _owner, _secret, project = uploaded
    file = File.objects.get(release__version="1.0")
    url = reverse("admin:projects_file_delete", args=[file.pk])
    with django_on_commit():
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not _stored(file)
    assert Event.objects.get(action="file:delete").actor.username == "admin"
    url = reverse("admin:projects_project_delete", args=[project.pk])
    assert admin_client.get(url).status_code == 200
    with django_on_commit():
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Project.objects.exists()
    assert Event.objects.filter(action="project:delete").count() == 1


def django_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_staged_copies_go_too(client, uploaded, settings):
    owner, _secret, _project = uploaded
    file = File.objects.get(release__version="1.0")
    staged = Path(settings.PRIVINDEX_STAGING_DIR) / file.storage_key
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(b"left over")
    with django_on_commit():
        services.file_delete(file=file, actor=owner)
    assert not staged.exists()
