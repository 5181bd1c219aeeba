"""The /legacy/ upload endpoint through Django's test client: what an upload stores and the
rules on the file itself (S2.x, core of S3.x). Who may upload is test_upload_permissions."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Event
from projects.models import CoreMetadata, File, Project, Release
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


def test_first_upload_creates_a_private_project_owned_by_the_uploader(client, token, uploader):
    filename, content = dists.make_wheel("Fresh-Pkg", "1.0", requires_python=">=3.8")
    response = post(client, filename, content, token)
    assert response.status_code == 200, response.content
    project = Project.objects.get(normalized_name="fresh-pkg")
    assert project.visibility == "private"
    assert project.roles.get().user == uploader
    file = File.objects.get(filename=filename)
    assert file.sha256 == hashlib.sha256(content).hexdigest()
    assert file.size == len(content)
    assert file.requires_python == ">=3.8"
    assert file.storage_state == "stored"  # in-process task ran on commit
    assert Event.objects.filter(action="file:upload", project=project).exists()


def test_uploaded_wheel_metadata_is_served_byte_for_byte(client, token):  # S1.21, S1.22
    filename, content = dists.make_wheel("meta-pkg", "2.0")
    assert post(client, filename, content, token).status_code == 200
    file = File.objects.get(filename=filename)
    auth = basic(token)
    page = client.get(
        "/simple/meta-pkg/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json", **auth
    ).json()
    entry = page["files"][0]
    metadata = client.get(entry["url"] + ".metadata", **auth)
    assert metadata.status_code == 200
    assert hashlib.sha256(metadata.content).hexdigest() == entry["core-metadata"]["sha256"]
    assert file.metadata_sha256 == entry["core-metadata"]["sha256"]
    assert b"Name: meta-pkg" in metadata.content
    download = client.get(entry["url"], **auth)
    assert b"".join(download.streaming_content) == content


def test_sdist_has_no_core_metadata(client, token):  # S1.22: wheels only
    filename, content = dists.make_sdist("src-pkg", "1.0")
    assert post(client, filename, content, token).status_code == 200
    file = File.objects.get(filename=filename)
    assert file.packagetype == "sdist" and file.metadata_sha256 is None
    assert not CoreMetadata.objects.filter(file=file).exists()


def test_identical_reupload_is_a_noop_200(client, token, settings):  # S3.14, S3.16, S2.11
    filename, content = dists.make_wheel("twice-pkg", "1.0")
    assert post(client, filename, content, token).status_code == 200
    before = snapshot(settings)
    assert post(client, filename, content, token).status_code == 200
    assert snapshot(settings) == before


def test_conflicting_reupload_says_file_already_exists(client, token, settings):  # S2.13, S3.14
    filename, content = dists.make_wheel("clash-pkg", "1.0")
    assert post(client, filename, content, token).status_code == 200
    _, other = dists.make_wheel("clash-pkg", "1.0", module_source="VERSION = 'changed'\n")
    before = snapshot(settings)
    response = post(client, filename, other, token)
    assert response.status_code == 400
    assert response.reason_phrase.startswith("File already exists (")
    assert response.content.decode().startswith("File already exists (")
    assert snapshot(settings) == before


def test_second_sdist_for_a_release_is_refused(client, token, settings):  # S3.18
    filename, content = dists.make_sdist("one-sdist", "1.0")
    assert post(client, filename, content, token).status_code == 200
    # Same release, a different (zip) sdist file is refused whatever its name checks say.
    before = snapshot(settings)
    _, changed = dists.make_sdist("one-sdist", "1.0", module_source="X = 1\n")
    response = post(client, filename, changed, token)
    assert response.status_code == 400
    assert snapshot(settings) == before


def test_deleted_filename_is_never_reused(client, token, settings):  # S3.15
    filename, content = dists.make_wheel("gone-pkg", "1.0")
    assert post(client, filename, content, token).status_code == 200
    File.objects.filter(filename=filename).delete()
    _, other = dists.make_wheel("gone-pkg", "1.0", module_source="VERSION = 'new'\n")
    response = post(client, filename, other, token)
    assert response.status_code == 400
    assert "previously used" in response.reason_phrase


def test_digest_mismatch_is_refused_and_leaves_nothing(client, token, settings):  # S3.13
    filename, content = dists.make_wheel("digest-pkg", "1.0")
    before = snapshot(settings)
    response = post(client, filename, content, token, sha256_digest="0" * 64)
    assert response.status_code == 400
    assert "digest supplied does not match" in response.reason_phrase
    assert snapshot(settings) == before


def test_too_large_while_streaming_leaves_nothing(client, token, settings):  # S3.12
    settings.PRIVINDEX_MAX_FILE_SIZE = 1000
    filename, content = dists.make_wheel(
        "big-pkg", "1.0", files={"blob.bin": b"\x01" * 50_000}, compression=0
    )
    before = snapshot(settings)
    response = post(client, filename, content, token)
    assert response.status_code == 400
    assert "File too large" in response.reason_phrase
    assert snapshot(settings) == before


def test_project_file_size_limit_is_enforced(client, token, settings):  # S3.12
    settings.PRIVINDEX_DEFAULT_FILE_SIZE_LIMIT = 1000
    filename, content = dists.make_wheel(
        "limit-pkg", "1.0", files={"blob.bin": b"\x01" * 5000}, compression=0
    )
    before = snapshot(settings)
    response = post(client, filename, content, token)
    assert response.status_code == 400
    assert "File too large. Limit for project 'limit-pkg'" in response.reason_phrase
    assert snapshot(settings) == before


def test_upload_url_without_slash_is_not_redirected_silently(client, token):  # S2.10
    filename, content = dists.make_wheel("slash-pkg", "1.0")
    fields = dists.upload_fields(filename, content)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    response = client.post("/legacy", fields, **basic(token))
    assert response.status_code == 308
    assert "expected upload URL is /legacy/" in response.reason_phrase
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("action", "status", "text"),
    [
        ("submit", 410, "pre-registration is no longer required"),
        ("submit_pkg_info", 410, "pre-registration is no longer required"),
        ("doc_upload", 410, "Uploading documentation is no longer supported"),
    ],
)
def test_legacy_actions(client, token, action, status, text):  # S2.14
    response = client.post("/legacy/", {":action": action}, **basic(token))
    assert response.status_code == status
    assert text in response.reason_phrase


def test_get_legacy_is_an_info_page(client):  # S2.14
    response = client.get("/legacy/")
    assert response.status_code == 200
    assert b"twine upload" in response.content


def test_error_text_is_in_reason_phrase_and_body(client, token):  # S2.12
    filename, content = dists.make_wheel("reason-pkg", "1.0")
    response = post(client, filename, content, token, sha256_digest="f" * 64)
    assert response.reason_phrase in response.content.decode()
    assert "\n" not in response.reason_phrase


def raw_multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body with the file part's filename exactly as given (no sanitising)."""
    boundary = "----privindex-test-boundary"
    parts = []
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{filename}"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("prefix", "message"),
    [("../", "'/'"), ("dir\\", "'\\'"), ("\x01", "non-printable")],
)
def test_filename_with_path_or_control_characters_is_refused(
    client, token, settings, prefix, message
):  # S3.10
    filename, content = dists.make_wheel("slashy", "1.0")
    body, content_type = raw_multipart(
        dists.upload_fields(filename, content), prefix + filename, content
    )
    before = snapshot(settings)
    response = client.post("/legacy/", body, content_type=content_type, **basic(token))
    assert response.status_code == 400, response.content
    assert message in response.reason_phrase
    assert snapshot(settings) == before


def test_staged_file_is_downloadable_before_it_is_stored(client, token, settings):
    """DESIGN 6: downloads work at once, served from staging."""
    filename, content = dists.make_wheel("staged-pkg", "1.0")
    fields = dists.upload_fields(filename, content)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    assert client.post("/legacy/", fields, **basic(token)).status_code == 200
    file = File.objects.get(filename=filename)
    assert file.storage_state == "staged"
    response = client.get(f"/files/{file.storage_key}", **basic(token))
    assert b"".join(response.streaming_content) == content
    from storage.pipeline import file_store

    file_store(file_id=file.pk)
    file.refresh_from_db()
    assert file.storage_state == "stored"
    assert not any(Path(settings.PRIVINDEX_STAGING_DIR).rglob("*.whl"))
    response = client.get(f"/files/{file.storage_key}", **basic(token))
    assert b"".join(response.streaming_content) == content


def test_attestations_are_refused_not_ignored(client, token, settings):  # S3.23
    before = snapshot(settings)
    response = post(client, *dists.make_wheel("attested", "1.0"), token, attestations="[{}]")
    assert response.status_code == 400
    assert response.reason_phrase.startswith("Invalid attestations supplied during upload")
    assert snapshot(settings) == before


def test_old_releases_are_closed_when_configured(client, token, settings):  # S3.17
    import datetime as dt

    settings.PRIVINDEX_RELEASE_CLOSE_DAYS = 14
    assert post(client, *dists.make_wheel("closing", "1.0"), token).status_code == 200
    Release.objects.filter(project__normalized_name="closing").update(
        created=Release.objects.get().created - dt.timedelta(days=15)
    )
    before = snapshot(settings)
    response = post(client, *dists.make_sdist("closing", "1.0"), token)
    assert response.status_code == 400
    assert "older than 14 days is not allowed" in response.reason_phrase
    assert snapshot(settings) == before
    # a new release is open
    assert post(client, *dists.make_wheel("closing", "1.1"), token).status_code == 200


def test_files_are_stored_content_addressed(client, token, settings):  # S3.24
    filename, content = dists.make_wheel("addressed", "1.0")
    assert post(client, filename, content, token).status_code == 200
    blake = hashlib.blake2b(content, digest_size=32).hexdigest()
    key = f"{blake[:2]}/{blake[2:4]}/{blake[4:]}/{filename}"
    assert (Path(settings.PRIVINDEX_FILES_DIR) / key).read_bytes() == content
    assert File.objects.get(filename=filename).storage_key == key


def test_identical_bytes_in_an_invisible_project_are_not_revealed(client, token, settings):
    """Byte duplicates are looked for within the project only: an upload must not learn that
    a private project it cannot see holds the same bytes (S3.14, S4.12)."""
    filename, content = dists.make_wheel("prober", "1.0")
    victim = factories.ProjectFactory(name="victim", visibility="private")
    factories.FileFactory(
        release=factories.ReleaseFactory(project=victim, version="1.0"),
        filename="victim-1.0-py3-none-any.whl",
        blake2_256=hashlib.blake2b(content, digest_size=32).hexdigest(),
    )
    response = post(client, filename, content, token)
    assert response.status_code == 200, response.content


def test_identical_bytes_under_another_filename_in_the_same_project(client, token, settings):
    filename, content = dists.make_wheel("twin", "1.0")
    assert post(client, filename, content, token).status_code == 200
    File.objects.filter(filename=filename).update(filename="twin-1.0-0-py3-none-any.whl")
    before = snapshot(settings)
    response = post(client, filename, content, token)
    assert response.status_code == 400  # S3.14: same bytes, other name
    assert response.reason_phrase.startswith("File already exists (")
    assert snapshot(settings) == before
