"""Every client snippet of the README, run with the real client against a live server (issue 8).

The README marks each client snippet with ``<!-- snippet: NAME -->`` on the line before its
code fence. Here each one is read from README.md, made local (``https://index.example.org`` is
the live server, over http; ``$PRIVINDEX_TOKEN`` and ``$PRIVINDEX_UPLOAD_TOKEN`` are real
tokens in the environment) and run as written: shell snippets with bash in a scratch project
directory whose ``~`` is a scratch home, file snippets (their first line names the file, e.g.
``# ~/.pypirc``) appended to that file. Nothing is rewritten but the address.

The install snippets run against the index the README describes: an upstream configured
(``PRIVINDEX_UPSTREAM_URL``, a fake PyPI in a second process, tests/upstream_index) that holds
the public dependency ``acme-helpers`` and an impostor ``acme-widgets`` 9.9.9, higher than the
private 1.2.0 uploaded here (before the upstream is configured, as the name policy wants).
Each must install the private ``acme-widgets`` together with ``acme-helpers`` from the
upstream, through the one index URL, never the impostor; and must fail with a revoked token,
installing nothing: with one URL there is no other index to fall through to (S4.10, S4.16).
In both cases the upstream is never asked about ``acme-widgets``, and no client talks to it
but privindex. The publish snippets (no upstream) must upload. A snippet no test runs, or a
README code block with the index's address that is not marked, fails
``test_every_readme_snippet_is_run_here``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from projects.models import File, Project
from tests import dists
from tests.e2e.conftest import BIN, Result, sha256
from tests.simple_api.helpers import basic
from tests.upstream_index.fixtures import IMPOSTOR_MARKER, FakePyPI, normalize
from tokens.services import token_issue, token_revoke

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE_HOST = "index.example.org"
MARKER = re.compile(r"^<!-- snippet: (?P<name>[a-z0-9-]+) -->\n```(?P<lang>[a-z]*)\n", re.M)
FENCE = re.compile(r"^```[a-z]*\n(?P<body>.*?)^```$", re.M | re.S)

# The interpreter this test environment was made from: projects make their own .venv from it.
# Never the test environment's own python, which uv and pdm would install into.
BASE_PYTHON = sys._base_executable

# Words of the setups that let a second index in (README, "Dependency confusion"): no
# snippet and no page of the web UI shows them.
NEVER_SHOWN = ("extra-index-url", "extra_index_url", "supplemental", "explicit")

PRIVATE = "acme-widgets"  # the name every install snippet installs
PRIVATE_VERSION = "1.2.0"
PUBLIC_DEP = "acme-helpers"  # a public project the private one requires, on the upstream
PUBLIC_VERSION = "1.0"
IMPOSTOR_VERSION = "9.9.9"  # the upstream's acme-widgets: higher than the private one
IMPOSTOR_MODULE = (
    f"# Not the real acme-widgets: a dependency-confusion impostor.\n{IMPOSTOR_MARKER}\n"
)
# User-Agent prefixes of the clients: none of them may ever talk to the upstream directly.
CLIENT_AGENTS = ("pip/", "uv/", "poetry", "pdm/", "twine/")


# --- the README ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    name: str
    lang: str
    body: str

    @property
    def is_shell(self) -> bool:
        return self.lang == "sh"

    @property
    def path(self) -> str:
        """Where a file snippet goes: the first word of its first line, ``# <path> ...``."""
        first = self.body.splitlines()[0]
        assert first.startswith("# "), f"{self.name}: a file snippet starts with '# <path>'"
        return first[2:].split()[0]


def readme_snippets() -> dict[str, Snippet]:
    text = README.read_text()
    found: dict[str, Snippet] = {}
    for marker in MARKER.finditer(text):
        end = text.index("\n```\n", marker.end())
        name = marker["name"]
        assert name not in found, f"two README snippets are named {name}"
        found[name] = Snippet(name, marker["lang"], text[marker.end() : end + 1])
    return found


SNIPPETS = readme_snippets()
RUN_BY: dict[str, list[str]] = {}  # snippet name -> the tests that run it


def runs(*names: str) -> Callable:
    """Declare the README snippets a test runs (checked by the completeness test)."""

    def mark(test: Callable) -> Callable:
        for name in names:
            RUN_BY.setdefault(name, []).append(test.__name__)
        return test

    return mark


def test_every_readme_snippet_is_run_here():
    """A snippet added to the README fails here until a test runs it (and a test may only run
    snippets the README has). A code block showing the index's address must be marked."""
    assert set(SNIPPETS) == set(RUN_BY), (
        f"not run: {sorted(set(SNIPPETS) - set(RUN_BY))}, "
        f"not in the README: {sorted(set(RUN_BY) - set(SNIPPETS))}"
    )
    text = README.read_text()
    marked = {s.body for s in SNIPPETS.values()}
    unmarked = [
        block["body"]
        for block in FENCE.finditer(text)
        if EXAMPLE_HOST in block["body"] and block["body"] not in marked
    ]
    assert unmarked == []
    for snippet in SNIPPETS.values():
        assert snippet.is_shell or snippet.path, snippet.name
        assert not [word for word in NEVER_SHOWN if word in snippet.body], snippet.name


def test_snippets_use_only_the_one_index():
    """Every URL a snippet shows is this index's: no second index, no PyPI."""
    for snippet in SNIPPETS.values():
        for url in re.findall(r"https?://[^\s\"']+", snippet.body):
            assert urlsplit(url).hostname == EXAMPLE_HOST, (snippet.name, url)


# --- running snippets ---------------------------------------------------------------------


def localize(text: str, netloc: str) -> str:
    """The README's address made the live server's: URLs over http with the port, a netrc
    ``machine`` by host name (netrc has no ports), any other mention (a keyring service
    name) as the network location pip and uv look it up by."""
    host = netloc.rsplit(":", 1)[0]
    text = re.sub(
        r"https://([^/\s\"'@]*@)?index\.example\.org",
        lambda m: f"http://{m[1] or ''}{netloc}",
        text,
    )
    text = text.replace(f"machine {EXAMPLE_HOST}", f"machine {host}")
    return text.replace(EXAMPLE_HOST, netloc)


class Scene:
    """A scratch project directory and home where snippets run, with the tokens set."""

    def __init__(self, root: Path, env: dict[str, str], netloc: str) -> None:
        self.home = Path(env["HOME"])
        self.project = root / "project"
        self.project.mkdir()
        self.env = env
        self.netloc = netloc

    def write(self, path: str, text: str) -> None:
        target = self.home / path[2:] if path.startswith("~/") else self.project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a") as handle:
            handle.write(text)

    def shell(self, script: str, timeout: int = 240) -> Result:
        proc = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout + proc.stderr)

    def play(self, *names: str) -> Result:
        """Run the snippets in order: file snippets are written, shell snippets run; the
        result is the last shell snippet's (the earlier ones must succeed)."""
        result = Result(0, "")
        for name in names:
            snippet = SNIPPETS[name]
            body = localize(snippet.body, self.netloc)
            if not snippet.is_shell:
                self.write(snippet.path, body)
                continue
            if not result.ok:
                break
            result = self.shell(body)
        return result


def site_packages(venv: Path) -> Path:
    found = list(venv.glob("lib/python3*/site-packages"))
    assert len(found) == 1, found
    return found[0]


def assert_installed(where: Path) -> None:
    """The private package (not the impostor) and its public dependency, both through this
    index."""
    widgets = where / f"{dists.dist_name(PRIVATE)}.py"
    helpers = where / f"{dists.dist_name(PUBLIC_DEP)}.py"
    assert widgets.read_text() == f'VERSION = "{PRIVATE_VERSION}"\n'
    assert helpers.read_text() == f'VERSION = "{PUBLIC_VERSION}"\n'


def assert_nothing_installed(project: Path) -> None:
    assert list(project.rglob(f"{dists.dist_name(PRIVATE)}*")) == []


def impostor_traces(root: Path, fake: FakePyPI) -> list[str]:
    """Any sign of the impostor acme-widgets 9.9.9 in what the run wrote under ``root``
    (installed modules, caches, lock files, downloaded archives, privindex's store), the
    fake PyPI's own directory left out."""
    impostor_file = f"{normalize(PRIVATE)}-{normalize(IMPOSTOR_VERSION)}"
    mention = re.compile(rf"acme[-_.]widgets[^\n]*{re.escape(IMPOSTOR_VERSION)}", re.I)
    traces = []
    for path in root.rglob("*"):
        if path.is_symlink() or not path.is_file() or path.is_relative_to(fake.root):
            continue
        if normalize(path.name).startswith(impostor_file):
            traces.append(str(path))
        elif path.suffix in {".py", ".lock", ".toml", ".json", ".txt", ".cfg"} or path.name in {
            "METADATA",
            "PKG-INFO",
            "RECORD",
        }:
            text = path.read_text(errors="replace")
            if IMPOSTOR_MARKER in text or mention.search(text):
                traces.append(str(path))
    return traces


def assert_through_privindex_only(fake: FakePyPI) -> None:
    """The upstream was never asked about the private name (neither its page nor a file),
    only privindex talked to it, and it never received a client's credentials."""
    assert fake.requested(PRIVATE) == [], fake.requests()
    for record in fake.log():
        agent = record.get("user-agent") or ""
        assert not agent.startswith(CLIENT_AGENTS), f"a client asked the upstream: {record}"
        assert record.get("authorization") is None, f"credentials reached the upstream: {record}"


def assert_no_secret_in(directory: Path, secret: str) -> None:
    """Lock files and pyproject.toml never keep the token."""
    for path in directory.glob("*"):
        if path.is_file() and path.suffix in {".toml", ".lock"}:
            assert secret not in path.read_text(), path.name


# --- fixtures -----------------------------------------------------------------------------


def _upload(token: str, name: str, version: str, requires_dist: Iterable[str] = ()) -> None:
    """Upload a wheel in process, as twine would (the live server shares the database)."""
    filename, content = dists.make_wheel(
        name, version, requires_python=">=3.8", requires_dist=requires_dist
    )
    fields = dists.upload_fields(filename, content)
    fields["content"] = SimpleUploadedFile(filename, content, "application/octet-stream")
    response = Client().post("/legacy/", fields, **basic(token))
    assert response.status_code == 200, response.content


@pytest.fixture(autouse=True)
def _test_environment_untouched():
    """No snippet may install into the environment running the tests."""
    ours = site_packages(BIN.parent)
    yield
    assert list(ours.glob("acme_*")) == []


@pytest.fixture
def published(upload_token, empty_fake_pypi, settings):
    """The private package on the index, then the upstream configured: a fake PyPI with the
    public dependency and an impostor of the private name, at a higher version. Returns the
    fake, its request log empty."""
    _upload(
        upload_token, PRIVATE, PRIVATE_VERSION, requires_dist=[f"{PUBLIC_DEP}>={PUBLIC_VERSION}"]
    )
    assert Project.objects.get(normalized_name=PRIVATE).visibility == "private"
    fake = empty_fake_pypi
    fake.add(PUBLIC_DEP, PUBLIC_VERSION, requires_python=">=3.8")
    fake.add(PRIVATE, IMPOSTOR_VERSION, module_source=IMPOSTOR_MODULE)
    settings.PRIVINDEX_UPSTREAM_URL = fake.url
    assert not Project.objects.filter(normalized_name=PUBLIC_DEP).exists()  # only upstream
    fake.clear_log()
    return fake


@pytest.fixture
def revoked_read_token(alice):
    issued = token_issue(user=alice, scopes=["read"], name="revoked", actor=None)
    token_revoke(token=issued.token, actor=None)
    return issued.secret


@pytest.fixture(params=["valid token", "revoked token"])
def token(request, read_token, revoked_read_token):
    """Each install snippet runs twice: it must install with the valid token and must fail
    with the revoked one (401, and no other index to fall through to)."""
    valid = request.param == "valid token"
    return valid, read_token if valid else revoked_read_token


@pytest.fixture
def scene(tmp_path, client_env, live_server, upload_token):
    """Where snippets run. The environment is the e2e one (no user config, no cache, no
    prompts) with the tokens, pip installing into ``./site`` and the tools' state kept in
    the scratch directory; pip and uv may read their user configuration (the scratch
    home's), since the snippets write it."""
    env = dict(client_env)
    env.pop("PIP_CONFIG_FILE")
    env.pop("UV_NO_CONFIG")
    env.update(
        {
            "PRIVINDEX_UPLOAD_TOKEN": upload_token,
            "PIP_TARGET": str(tmp_path / "project" / "site"),
            "POETRY_CACHE_DIR": str(tmp_path / "poetry-cache"),
            "POETRY_CONFIG_DIR": str(tmp_path / "poetry-config"),
            "POETRY_DATA_DIR": str(tmp_path / "poetry-data"),
            "POETRY_VIRTUALENVS_IN_PROJECT": "true",
            "POETRY_KEYRING_ENABLED": "false",
            "PDM_CHECK_UPDATE": "false",
            "PDM_CACHE_DIR": str(tmp_path / "pdm-cache"),
            "PDM_CONFIG_FILE": str(tmp_path / "pdm-config.toml"),
            "PDM_NON_INTERACTIVE": "1",
        }
    )
    return Scene(tmp_path, env, urlsplit(live_server.url).netloc)


def with_token(scene: Scene, token: str) -> Scene:
    scene.env["PRIVINDEX_TOKEN"] = token
    return scene


def project_pyproject(scene: Scene, *, tool: str = "") -> None:
    """A small application project (nothing of its own to build), as the user already has."""
    lines = [
        "[project]",
        'name = "app"',
        'version = "0.1.0"',
        'requires-python = ">=3.9"',
        "dependencies = []",
        "",
    ]
    if tool:
        lines += [tool, ""]
    scene.write("pyproject.toml", "\n".join(lines))


def check_install(
    scene: Scene,
    result: Result,
    valid: bool,
    where: Callable[[], Path],
    upstream: FakePyPI,
) -> None:
    """Installed with the valid token, the dependency fetched from the upstream; with the
    revoked one, an error and nothing installed. Never the impostor, which the upstream was
    never even asked about."""
    if valid:
        assert result.ok, result.output
        assert_installed(where())
        assert upstream.requested(PUBLIC_DEP, "file"), upstream.requests()
    else:
        assert not result.ok, result.output
        assert_nothing_installed(scene.project)
    assert impostor_traces(scene.project.parent, upstream) == [], result.output
    assert_through_privindex_only(upstream)


# --- pip, keyring, netrc ------------------------------------------------------------------


@runs("pip-install")
def test_pip_install(published, scene, token):
    valid, secret = token
    result = with_token(scene, secret).play("pip-install")
    check_install(scene, result, valid, lambda: scene.project / "site", published)


@runs("pip-conf", "netrc", "pip-conf-install")
def test_pip_conf_with_netrc(published, scene, token):
    valid, secret = token
    result = with_token(scene, secret).play("pip-conf", "netrc", "pip-conf-install")
    check_install(scene, result, valid, lambda: scene.project / "site", published)
    assert secret not in (scene.home / ".config/pip/pip.conf").read_text()
    if valid:  # the netrc credentials also answer the challenge of /auth/simple/
        again = scene.shell(
            f"pip download --no-deps -d dl --index-url http://{scene.netloc}/auth/simple/ {PRIVATE}"
        )
        assert again.ok, again.output
        assert_through_privindex_only(published)


KEYRING_BACKEND = '''\
"""A keyring backend in a JSON file: the real keyring CLI and API, with no desktop keychain."""
import json, os
from keyring.backend import KeyringBackend

class FileKeyring(KeyringBackend):
    priority = 1

    def _load(self):
        try:
            with open(os.environ["SNIPPET_KEYRING_FILE"]) as f:
                return json.load(f)
        except FileNotFoundError:
            return {}

    def get_password(self, service, username):
        return self._load().get(f"{service} {username}")

    def set_password(self, service, username, password):
        data = self._load()
        data[f"{service} {username}"] = password
        with open(os.environ["SNIPPET_KEYRING_FILE"], "w") as f:
            json.dump(data, f)

    def delete_password(self, service, username):
        data = self._load()
        data.pop(f"{service} {username}")
        with open(os.environ["SNIPPET_KEYRING_FILE"], "w") as f:
            json.dump(data, f)
'''


@runs("pip-keyring")
def test_pip_keyring_on_auth_simple(published, scene, token, tmp_path):
    """The keyring snippet with the real ``keyring`` command and pip's subprocess provider;
    the backend is a file, since this machine has no keychain."""
    valid, secret = token
    backend = tmp_path / "keyring-backend"
    backend.mkdir()
    (backend / "snippet_keyring.py").write_text(KEYRING_BACKEND)
    # pip skips a keyring command in its own environment's scripts directory; users install
    # keyring on their PATH (pipx), as this wrapper does.
    command = tmp_path / "keyring-bin" / "keyring"
    command.parent.mkdir()
    command.write_text(f'#!/bin/sh\nexec {BIN / "keyring"} "$@"\n')
    command.chmod(0o755)
    scene.env.update(
        {
            "PATH": f"{command.parent}:{scene.env['PATH']}",
            "PYTHONPATH": str(backend),
            "PYTHON_KEYRING_BACKEND": "snippet_keyring.FileKeyring",
            "SNIPPET_KEYRING_FILE": str(tmp_path / "keyring.json"),
        }
    )
    scene.env.pop("PIP_NO_INPUT")  # the subprocess provider is not used under --no-input
    result = with_token(scene, secret).play("pip-keyring")
    check_install(scene, result, valid, lambda: scene.project / "site", published)


# --- uv -----------------------------------------------------------------------------------


@runs("uv-index", "uv-add")
def test_uv_project(published, scene, token):
    valid, secret = token
    project_pyproject(scene)
    scene.env["UV_PYTHON"] = BASE_PYTHON
    result = with_token(scene, secret).play("uv-index", "uv-add")
    check_install(scene, result, valid, lambda: site_packages(scene.project / ".venv"), published)
    assert_no_secret_in(scene.project, secret)


@runs("uv-pip-install")
def test_uv_pip_install(published, scene, token):
    valid, secret = token
    made = scene.shell(f"uv venv --python {BASE_PYTHON} .venv")
    assert made.ok, made.output
    scene.env["VIRTUAL_ENV"] = str(scene.project / ".venv")  # activated, as a user has it
    result = with_token(scene, secret).play("uv-pip-install")
    check_install(scene, result, valid, lambda: site_packages(scene.project / ".venv"), published)


# --- poetry, pdm --------------------------------------------------------------------------


@runs("poetry-add")
def test_poetry_project(published, scene, token):
    valid, secret = token
    project_pyproject(scene, tool="[tool.poetry]\npackage-mode = false")
    result = with_token(scene, secret).play("poetry-add")
    check_install(scene, result, valid, lambda: site_packages(scene.project / ".venv"), published)
    assert_no_secret_in(scene.project, secret)


@runs("pdm-source", "pdm-add")
def test_pdm_project(published, scene, token):
    valid, secret = token
    project_pyproject(scene, tool="[tool.pdm]\ndistribution = false")
    result = with_token(scene, secret).play("pdm-source", "pdm-add")
    check_install(scene, result, valid, lambda: site_packages(scene.project / ".venv"), published)
    assert_no_secret_in(scene.project, secret)


# --- publishing ---------------------------------------------------------------------------


def built(scene: Scene, name: str) -> list[Path]:
    """``dist/`` as a build leaves it (a wheel and an sdist), in a project of that name."""
    scene.write(
        "pyproject.toml",
        f'[project]\nname = "{name}"\nversion = "0.3.0"\nrequires-python = ">=3.8"\n',
    )
    paths = []
    for builder in (dists.make_wheel, dists.make_sdist):
        filename, content = builder(name, "0.3.0", requires_python=">=3.8")
        path = scene.project / "dist" / filename
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        paths.append(path)
    return paths


def assert_uploaded(name: str, paths: list[Path], owner) -> None:
    project = Project.objects.get(normalized_name=name)
    assert project.visibility == "private"
    assert project.roles.get().user == owner
    files = {f.filename: f.sha256 for f in File.objects.filter(release__project=project)}
    assert files == {path.name: sha256(path) for path in paths}


PUBLISH = [
    ("twine-upload",),
    ("pypirc", "twine-pypirc-upload"),
    ("uv-publish",),
    ("poetry-publish",),
    ("pdm-publish",),
]


@pytest.mark.parametrize("snippets", PUBLISH, ids=lambda names: names[-1])
def test_publish(scene, alice, snippets):
    name = f"published-by-{snippets[-1]}"
    paths = built(scene, name)
    result = scene.play(*snippets)
    assert result.ok, result.output
    assert_uploaded(name, paths, alice)


for _snippets in PUBLISH:
    runs(*_snippets)(test_publish)


@runs("api-curl")
def test_the_rest_api_with_curl(published, scene, alice):
    """The REST API's example, as written: curl with a manage token flips the project public
    and yanks its release."""
    scene.env["PRIVINDEX_MANAGE_TOKEN"] = token_issue(
        user=alice, scopes=["manage", "upload"], name="api", actor=None
    ).secret
    result = scene.play("api-curl")
    assert result.ok, result.output
    project = Project.objects.get(normalized_name=PRIVATE)
    assert project.visibility == "public"
    release = project.releases.get(version=PRIVATE_VERSION)
    assert (release.yanked, release.yanked_reason) == (True, "broken build")
