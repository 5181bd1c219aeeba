"""The other publishers against a live server (issue 4): ``uv publish``, poetry and pdm.

twine is covered by test_clients.py. Each publisher uploads a prebuilt wheel and sdist with
an upload token (S2.1-S2.4, S2.7); the files must land byte for byte with the metadata the
client sent, an identical re-publish must succeed (S3.16), and pip must then download both
files with a read token.
"""

import json

import pytest

from projects.models import File, Project, Release
from tests import dists
from tests.e2e.conftest import BIN, sha256

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VERSION = "0.3.0"
REQUIRES_PYTHON = ">=3.8"


def tool(name: str):
    """A publisher installed with the dev extras; missing means the environment is wrong."""
    path = BIN / name
    assert path.exists(), f"{name} is not installed: pip install -e '.[dev]'"
    return path


def project_dir(tmp_path, name: str, *, build_backend: str):
    """A minimal project with a prebuilt ``dist/`` (a wheel and an sdist), as after a build."""
    directory = tmp_path / name
    (directory / "dist").mkdir(parents=True)
    pyproject = {
        "name": name,
        "version": VERSION,
        "description": dists.SUMMARY,
        "requires-python": REQUIRES_PYTHON,
    }
    lines = ["[project]", *(f"{key} = {json.dumps(value)}" for key, value in pyproject.items())]
    backends = {
        "poetry": ('["poetry-core>=2.0"]', "poetry.core.masonry.api"),
        "pdm": ('["pdm-backend"]', "pdm.backend"),
        "setuptools": ('["setuptools>=69"]', "setuptools.build_meta"),
    }
    requires, backend = backends[build_backend]
    lines += ["", "[build-system]", f"requires = {requires}", f'build-backend = "{backend}"']
    (directory / "pyproject.toml").write_text("\n".join(lines) + "\n")
    paths = []
    for builder in (dists.make_wheel, dists.make_sdist):
        filename, content = builder(name, VERSION, requires_python=REQUIRES_PYTHON)
        path = directory / "dist" / filename
        path.write_bytes(content)
        paths.append(path)
    return directory, paths


def assert_published(name, paths, alice, index, read_token, pip_download):
    """The files are stored byte for byte, with the client's metadata, and pip gets them."""
    project = Project.objects.get(normalized_name=name)
    assert project.roles.get().user == alice
    files = {f.filename: f for f in File.objects.filter(release__project=project)}
    assert set(files) == {path.name for path in paths}
    for path in paths:
        assert files[path.name].sha256 == sha256(path)
        assert files[path.name].size == path.stat().st_size
        assert files[path.name].storage_state == "stored"
    release = Release.objects.get(project=project)
    assert (release.version, release.summary) == (VERSION, dists.SUMMARY)
    assert release.requires_python == REQUIRES_PYTHON
    wheel, sdist = paths
    result, dest = pip_download(index.simple(read_token), f"{name}=={VERSION}")
    assert result.ok, result.output
    assert sha256(dest / wheel.name) == sha256(wheel)
    result, dest = pip_download(
        index.simple(read_token), f"{name}=={VERSION}", "--no-binary", ":all:",
        "--no-build-isolation",
    )  # fmt: skip
    assert result.ok, result.output
    assert sha256(dest / sdist.name) == sha256(sdist)


def test_uv_publish_uploads_wheel_and_sdist(
    run, index, alice, upload_token, read_token, pip_download, tmp_path
):
    name = "uv-widget"
    directory, paths = project_dir(tmp_path, name, build_backend="setuptools")

    def publish():  # the files: uv's default, dist/*
        return run(
            tool("uv"), "publish", "--directory", directory, "--no-progress",
            "--trusted-publishing", "never", "--publish-url", index.upload,
            "--username", "__token__", "--password", upload_token,
        )  # fmt: skip

    result = publish()
    assert result.ok, result.output
    again = publish()  # S3.16: identical bytes, 200 again
    assert again.ok, again.output
    assert_published(name, paths, alice, index, read_token, pip_download)


def test_poetry_publish_uploads_wheel_and_sdist(
    run, client_env, index, alice, upload_token, read_token, pip_download, tmp_path
):
    name = "poetry-widget"
    directory, paths = project_dir(tmp_path, name, build_backend="poetry")
    client_env.update(
        {
            "POETRY_REPOSITORIES_PRIVINDEX_URL": index.upload,
            "POETRY_HTTP_BASIC_PRIVINDEX_USERNAME": "__token__",
            "POETRY_HTTP_BASIC_PRIVINDEX_PASSWORD": upload_token,
            "POETRY_CACHE_DIR": str(tmp_path / "poetry-cache"),
            "POETRY_CONFIG_DIR": str(tmp_path / "poetry-config"),
            "POETRY_VIRTUALENVS_CREATE": "false",
            "POETRY_KEYRING_ENABLED": "false",
        }
    )

    def publish():
        return run(
            tool("poetry"), "publish", "--no-interaction", "--directory", directory,
            "--repository", "privindex",
        )  # fmt: skip

    result = publish()
    assert result.ok, result.output
    assert all(path.name in result.output for path in paths), result.output
    again = publish()  # S3.16
    assert again.ok, again.output
    assert_published(name, paths, alice, index, read_token, pip_download)


def test_pdm_publish_uploads_wheel_and_sdist(
    run, client_env, index, alice, upload_token, read_token, pip_download, tmp_path
):
    name = "pdm-widget"
    directory, paths = project_dir(tmp_path, name, build_backend="pdm")
    client_env.update(
        {
            "PDM_CHECK_UPDATE": "false",
            "PDM_CACHE_DIR": str(tmp_path / "pdm-cache"),
            "PDM_CONFIG_FILE": str(tmp_path / "pdm-config.toml"),
            "PDM_NON_INTERACTIVE": "1",
            "PDM_PYTHON": str(BIN / "python"),
        }
    )

    def publish():
        return run(
            tool("pdm"), "publish", "--project", directory, "--no-build",
            "--repository", index.upload, "--username", "__token__", "--password", upload_token,
        )  # fmt: skip

    result = publish()
    assert result.ok, result.output
    again = publish()  # S3.16
    assert again.ok, again.output
    assert_published(name, paths, alice, index, read_token, pip_download)
