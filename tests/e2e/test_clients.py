"""The real clients against a live server (issue 2): twine uploads, pip and uv install.

Every test here runs subprocesses; statuses are the DESIGN 4 table as the clients see them.
"""

import datetime as dt
import json
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from projects.models import File, Project
from tests import dists, factories
from tests.e2e.conftest import BIN, sha256
from tokens.services import token_issue, token_revoke

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dist_dir(tmp_path):
    """A wheel and an sdist of a fresh private package, written as a build would."""
    directory = tmp_path / "dist"
    directory.mkdir()
    paths = []
    for builder in (dists.make_wheel, dists.make_sdist):
        filename, content = builder("acme-widgets", "1.2.0", requires_python=">=3.8")
        path = directory / filename
        path.write_bytes(content)
        paths.append(path)
    return directory, paths


@pytest.fixture
def uploaded(twine, upload_token, dist_dir):
    _directory, paths = dist_dir
    result = twine(upload_token, *paths)
    assert result.ok, result.output
    return paths


def http_status(url: str, token: str | None = None) -> int:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_twine_uploads_wheel_and_sdist_into_a_new_private_project(uploaded, alice):
    project = Project.objects.get(normalized_name="acme-widgets")
    assert project.visibility == "private"
    assert project.roles.get().user == alice
    files = {f.filename: f for f in File.objects.filter(release__project=project)}
    assert set(files) == {p.name for p in uploaded}
    for path in uploaded:
        assert files[path.name].sha256 == sha256(path)
        assert files[path.name].storage_state == "stored"


def test_pip_downloads_both_files_with_a_read_token(uploaded, index, read_token, pip_download):
    wheel, sdist = uploaded
    result, dest = pip_download(index.simple(read_token), "acme-widgets==1.2.0")
    assert result.ok, result.output
    assert sha256(dest / wheel.name) == sha256(wheel)
    result, dest = pip_download(
        index.simple(read_token), "acme-widgets==1.2.0", "--no-binary", ":all:",
        "--no-build-isolation",
    )  # fmt: skip
    assert result.ok, result.output
    assert sha256(dest / sdist.name) == sha256(sdist)


def test_pip_installs_the_wheel_and_builds_the_sdist(uploaded, index, read_token, run, tmp_path):
    target = tmp_path / "site"
    result = run(
        BIN / "pip", "install", "--no-deps", "--target", target,
        "--index-url", index.simple(read_token), "acme-widgets",
    )  # fmt: skip
    assert result.ok, result.output
    assert (target / "acme_widgets.py").read_text() == 'VERSION = "1.2.0"\n'
    built = tmp_path / "site-from-sdist"
    result = run(
        BIN / "pip", "install", "--no-deps", "--no-binary", "acme-widgets",
        "--no-build-isolation", "--target", built, "--index-url", index.simple(read_token),
        "acme-widgets",
    )  # fmt: skip
    assert result.ok, result.output
    assert (built / "acme_widgets.py").exists()


def test_pip_accepts_token_as_username_only(uploaded, index, read_token, pip_download):  # S4.1
    url = f"http://{read_token}@{index.netloc}/simple/"
    result, _dest = pip_download(url, "acme-widgets")
    assert result.ok, result.output


def test_uv_installs_with_a_read_token(uploaded, index, read_token, run, tmp_path):
    target = tmp_path / "uv-site"
    result = run(
        BIN / "uv", "pip", "install", "--no-deps", "--target", target, "--python", BIN / "python",
        "--index-url", index.simple(read_token), "acme-widgets==1.2.0",
    )  # fmt: skip
    assert result.ok, result.output
    assert (target / "acme_widgets.py").exists()


def test_pip_without_a_token_cannot_see_the_private_project(uploaded, index, pip_download):
    result, _ = pip_download(index.simple(), "acme-widgets")
    assert not result.ok
    assert "No matching distribution found for acme-widgets" in result.output
    assert http_status(index.simple() + "acme-widgets/") == 404


def test_uv_without_a_token_cannot_see_the_private_project(uploaded, index, run, tmp_path):
    result = run(
        BIN / "uv", "pip", "install", "--no-deps", "--target", tmp_path / "t",
        "--python", BIN / "python", "--index-url", index.simple(), "acme-widgets",
    )  # fmt: skip
    assert not result.ok


def test_token_restricted_to_another_project_cannot_install(uploaded, index, alice, pip_download):
    other = factories.ProjectFactory(name="other-thing")
    factories.ProjectRoleFactory(project=other, user=alice)
    restricted = token_issue(user=alice, scopes=["read"], projects=[other], actor=None).secret
    result, _ = pip_download(index.simple(restricted), "acme-widgets")
    assert not result.ok
    assert http_status(index.simple() + "acme-widgets/", restricted) == 404


def test_upload_only_token_gets_403_on_read(
    uploaded, index, upload_token, pip_download, run, tmp_path
):
    result, _ = pip_download(index.simple(upload_token), "acme-widgets", "-vvv")
    assert not result.ok
    assert "403" in result.output
    assert http_status(index.simple() + "acme-widgets/", upload_token) == 403
    uv = run(
        BIN / "uv", "pip", "install", "--no-deps", "--target", tmp_path / "t",
        "--python", BIN / "python", "--index-url", index.simple(upload_token), "acme-widgets",
    )  # fmt: skip
    assert not uv.ok
    assert "403" in uv.output


def test_read_token_gets_403_on_upload(twine, read_token, dist_dir):
    _, paths = dist_dir
    result = twine(read_token, paths[0])
    assert not result.ok
    assert "403" in result.output
    assert "'upload' scope" in result.output  # the reason phrase reaches the user (S2.12)
    assert not Project.objects.exists()


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_revoked_or_expired_token_gets_401(uploaded, index, alice, twine, pip_download, how):
    issued = token_issue(
        user=alice, scopes=["read", "upload"], expires_in=dt.timedelta(days=1), actor=None
    )
    if how == "revoked":
        token_revoke(token=issued.token, actor=None)
    else:
        issued.token.expires = issued.token.created - dt.timedelta(seconds=1)
        issued.token.save()
    result, _ = pip_download(index.simple(issued.secret), "acme-widgets", "-vvv")
    assert not result.ok
    assert "401" in result.output
    assert http_status(index.simple() + "acme-widgets/", issued.secret) == 401
    assert http_status(index.simple() + "does-not-exist/", issued.secret) == 401
    upload = twine(issued.secret, *uploaded)
    assert not upload.ok and "401" in upload.output


def test_flipping_to_public_lets_anonymous_pip_install(uploaded, index, pip_download):
    result, _ = pip_download(index.simple(), "acme-widgets")
    assert not result.ok
    call_command("setvisibility", "acme-widgets", "public")
    result, dest = pip_download(index.simple(), "acme-widgets")
    assert result.ok, result.output
    assert (dest / uploaded[0].name).exists()


def test_reupload_is_idempotent_and_conflict_says_file_exists(
    uploaded, twine, upload_token, tmp_path
):
    again = twine(upload_token, *uploaded)
    assert again.ok, again.output  # S3.16
    filename, content = dists.make_wheel(
        "acme-widgets", "1.2.0", requires_python=">=3.8", module_source="CHANGED = 1\n"
    )
    changed = tmp_path / "changed" / filename
    changed.parent.mkdir()
    changed.write_bytes(content)
    result = twine(upload_token, changed)
    assert not result.ok
    assert "File already exists" in result.output
    assert File.objects.filter(filename=filename).count() == 1


def test_json_pages_served_to_uv_and_pip_carry_upload_time(uploaded, index, read_token):
    request = urllib.request.Request(
        index.simple() + "acme-widgets/",
        headers={
            "Accept": "application/vnd.pypi.simple.v1+json",
            "Authorization": f"Bearer {read_token}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.load(response)
    assert {f["filename"] for f in data["files"]} == {p.name for p in uploaded}
    assert all(f["upload-time"].endswith("Z") for f in data["files"])


def test_auth_simple_challenges_and_pip_retries_with_url_credentials(
    uploaded, index, read_token, pip_download
):
    assert http_status(index.simple(path="auth/simple") + "acme-widgets/") == 401
    result, _ = pip_download(index.simple(read_token, path="auth/simple"), "acme-widgets")
    assert result.ok, result.output
