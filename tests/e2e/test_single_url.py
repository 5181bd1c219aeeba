"""One index URL for everything (issue 8): the real clients against privindex proxying a fake PyPI.

The private ``acme-secret`` 1.0 (``Requires-Dist: public-dep``) is uploaded by twine; the fake
PyPI (tests/upstream_index, a second process) holds ``public-dep`` and an impostor
``acme-secret`` 9.9.9. pip, uv, poetry and pdm, each given privindex's URL alone, must get
the private 1.0 and public-dep from the upstream through privindex, never the impostor,
whatever credentials they send; privindex must never even ask the upstream about a local
name or a name in a reserved namespace, keep serving what it fetched once when the upstream
is down, and refuse (and not keep) a file whose bytes do not match the upstream's hash.

Every client runs for real as a subprocess, with a fresh HOME, project and cache per run.
The private project is uploaded before the upstream is configured (the name policy would
otherwise refuse a name the upstream has, and ask the upstream about it).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from tests import dists
from tests.e2e.conftest import BIN, Result
from tests.upstream_index.fixtures import IMPOSTOR_MARKER, normalize

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLIENTS = ("pip", "uv", "poetry", "pdm")
WRONG_TOKEN = "pvi_aaaaaaaaaaaa_" + "a" * 40  # well formed, unknown: 401
GENUINE = 'VERSION = "1.0"\nGENUINE = True  # the private acme-secret\n'
DEP_WHEEL = "public_dep-2.0-py3-none-any.whl"
JSON = "application/vnd.pypi.simple.v1+json"
# User-Agent prefixes of the clients: none of them may ever talk to the upstream directly.
CLIENT_AGENTS = ("pip/", "uv/", "poetry", "pdm/", "twine/")
NO_RETRIES = {"PIP_RETRIES": "0"}  # pip retries a 502 five times, with backoff


# --- the scene --------------------------------------------------------------------------------


@pytest.fixture
def acme_secret(twine, upload_token, tmp_path):
    """The private acme-secret 1.0 (wheel and sdist), uploaded by twine with an upload token."""
    directory = tmp_path / "private-dist"
    directory.mkdir()
    paths = []
    for builder in (dists.make_wheel, dists.make_sdist):
        filename, content = builder(
            "acme-secret", "1.0", requires_dist=["public-dep"], module_source=GENUINE
        )
        path = directory / filename
        path.write_bytes(content)
        paths.append(path)
    result = twine(upload_token, *paths)
    assert result.ok, result.output
    return paths


@pytest.fixture
def upstream(fake_pypi, settings):
    """The fake PyPI as privindex's upstream; its request log starts empty."""
    settings.PRIVINDEX_UPSTREAM_URL = fake_pypi.url
    fake_pypi.clear_log()
    return fake_pypi


@pytest.fixture
def proxied(acme_secret, upstream):
    """acme-secret is local and private, then the upstream is configured."""
    return upstream


def assert_upstream_saw_only_privindex(fake) -> None:
    """The clients talked to privindex alone, and privindex sent the upstream no credentials
    of theirs."""
    for record in fake.log():
        agent = record.get("user-agent") or ""
        assert not agent.startswith(CLIENT_AGENTS), f"a client asked the upstream: {record}"
        assert record.get("authorization") is None, f"credentials reached the upstream: {record}"


def assert_never_asked_about_acme_secret(fake) -> None:
    assert not fake.requested("acme-secret"), fake.requested("acme-secret")


# --- HTTP -------------------------------------------------------------------------------------


def http_get(url: str, token: str | None = None, accept: str | None = None):
    """(status, headers, body) of a GET; errors returned, not raised."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


# --- the clients ------------------------------------------------------------------------------


@dataclass
class Install:
    """One client run: what it printed, and where it put things."""

    client: str
    result: Result
    root: Path  # everything the run wrote: HOME, project, caches, environment

    @property
    def site(self) -> Path | None:
        if self.client == "pip":
            return self.root / "site"
        venv = self.root / ("project/.venv" if self.client == "poetry" else "venv")
        found = sorted(venv.glob("lib/python3*/site-packages"))
        return found[0] if found else None

    def dists(self) -> dict[str, str]:
        """The distributions installed (pip, setuptools and the like left out)."""
        site = self.site
        if site is None or not site.exists():
            return {}
        out = {}
        for info in site.glob("*.dist-info"):
            name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
            if normalize(name) not in {"pip", "setuptools", "wheel", "_virtualenv"}:
                out[normalize(name)] = version
        return out

    def module(self, name: str) -> str | None:
        site = self.site
        path = site / f"{name}.py" if site is not None else None
        return path.read_text() if path is not None and path.exists() else None

    def impostor_traces(self) -> list[str]:
        """Any sign of acme-secret 9.9.9 in everything the run wrote (installed modules,
        caches, lock files, downloaded archives)."""
        traces = []
        for path in self.root.rglob("*"):
            if path.is_symlink() or not path.is_file():
                continue
            if normalize(path.name).startswith("acme-secret-9-9-9"):
                traces.append(str(path))
            elif path.suffix in {".py", ".lock", ".toml", ".json", ".txt"} or path.name in {
                "METADATA",
                "PKG-INFO",
                "RECORD",
            }:
                text = path.read_text(errors="replace")
                if IMPOSTOR_MARKER in text or re.search(r"acme[-_.]secret[^\n]*9\.9\.9", text):
                    traces.append(str(path))
        return traces

    def assert_private_and_public_dep(self) -> None:
        assert self.result.ok, f"{self.client}: {self.result.output}"
        assert self.dists() == {"acme-secret": "1.0", "public-dep": "2.0"}, self.result.output
        assert self.module("acme_secret") == GENUINE
        assert self.module("public_dep") == 'VERSION = "2.0"\n'
        self.assert_no_impostor()

    def assert_no_impostor(self) -> None:
        assert self.impostor_traces() == [], self.result.output
        assert self.dists().get("acme-secret") in (None, "1.0")


class Clients:
    """Runs pip, uv, poetry or pdm with privindex's URL as their one index."""

    def __init__(self, base_env: dict[str, str], index, tmp_path: Path) -> None:
        self.base_env = dict(base_env)
        self.index = index
        self.tmp_path = tmp_path
        self.count = 0

    def _run(self, argv, *, env: dict[str, str], cwd: Path, timeout: int = 240) -> Result:
        proc = subprocess.run(
            [str(a) for a in argv],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout + proc.stderr)

    def install(
        self,
        client: str,
        token: str | None,
        requirement: str = "acme-secret",
        env: dict[str, str] | None = None,
    ) -> Install:
        """Install ``requirement`` with ``client`` from a fresh HOME, project and cache,
        sending ``token`` (None: no credentials at all); ``env`` adds variables."""
        self.count += 1
        root = self.tmp_path / f"{client}-{self.count}"
        (root / "home").mkdir(parents=True)
        env = {**self.base_env, "HOME": str(root / "home"), **(env or {})}
        result = getattr(self, f"_{client}")(root, env, token, requirement)
        return Install(client, result, root)

    def _pyproject(self, root: Path, requirement: str, tool: str) -> Path:
        project = root / "project"
        project.mkdir()
        text = (
            "[project]\n"
            'name = "consumer"\n'
            'version = "0"\n'
            'requires-python = ">=3.11"\n'
            f"dependencies = [{json.dumps(requirement)}]\n\n{tool}"
        )
        (project / "pyproject.toml").write_text(text)
        return project

    def _pip(self, root, env, token, requirement) -> Result:
        return self._run(
            [BIN / "pip", "install", "--target", root / "site", "--index-url",
             self.index.simple(token), requirement],
            env=env, cwd=root,
        )  # fmt: skip

    def _uv(self, root, env, token, requirement) -> Result:
        tool = (
            '[[tool.uv.index]]\nname = "privindex"\n'
            f"url = {json.dumps(self.index.simple())}\ndefault = true\n"
        )
        project = self._pyproject(root, requirement, tool)
        env.pop("UV_NO_CONFIG", None)  # the project's [tool.uv] is the configuration here
        env["UV_CACHE_DIR"] = str(root / "cache")
        env["UV_PROJECT_ENVIRONMENT"] = str(root / "venv")
        if token is not None:
            env["UV_INDEX_PRIVINDEX_USERNAME"] = "__token__"
            env["UV_INDEX_PRIVINDEX_PASSWORD"] = token
        return self._run(
            [BIN / "uv", "sync", "--no-progress", "--python", BIN / "python"],
            env=env, cwd=project,
        )  # fmt: skip

    def _poetry(self, root, env, token, requirement) -> Result:
        tool = (
            "[tool.poetry]\npackage-mode = false\n\n"
            '[[tool.poetry.source]]\nname = "privindex"\n'
            f'url = {json.dumps(self.index.simple())}\npriority = "primary"\n'
        )
        project = self._pyproject(root, requirement, tool)
        env.update(
            {
                "POETRY_CACHE_DIR": str(root / "cache"),
                "POETRY_CONFIG_DIR": str(root / "config"),
                "POETRY_DATA_DIR": str(root / "data"),
                "POETRY_KEYRING_ENABLED": "false",
                "POETRY_VIRTUALENVS_CREATE": "true",
                "POETRY_VIRTUALENVS_IN_PROJECT": "true",
                "POETRY_VIRTUALENVS_OPTIONS_NO_PIP": "true",
            }
        )
        if token is not None:
            env["POETRY_HTTP_BASIC_PRIVINDEX_USERNAME"] = "__token__"
            env["POETRY_HTTP_BASIC_PRIVINDEX_PASSWORD"] = token
        # No poetry.lock yet: install resolves (locks) and installs, in one command.
        return self._run(
            [BIN / "poetry", "install", "--no-root", "--no-interaction"], env=env, cwd=project
        )

    def _pdm(self, root, env, token, requirement) -> Result:
        tool = (
            "[tool.pdm]\ndistribution = false\n\n"
            '[[tool.pdm.source]]\nname = "pypi"\n'
            f"url = {json.dumps(self.index.simple())}\n"
        )
        project = self._pyproject(root, requirement, tool)
        venv = root / "venv"
        made = self._run(
            [BIN / "uv", "venv", "-q", "--python", BIN / "python", venv], env=env, cwd=root
        )
        assert made.ok, made.output
        env.update(
            {
                "PDM_CHECK_UPDATE": "false",
                "PDM_CACHE_DIR": str(root / "cache"),
                "PDM_CONFIG_FILE": str(root / "pdm-config.toml"),
                "PDM_NON_INTERACTIVE": "1",
                # A venv's interpreter: pdm installs into that venv (never into ours).
                "PDM_PYTHON": str(venv / "bin" / "python"),
            }
        )
        if token is not None:  # the credentials of the source named pypi
            env["PDM_PYPI_USERNAME"] = "__token__"
            env["PDM_PYPI_PASSWORD"] = token
        # No pdm.lock yet: install resolves (locks) and installs, in one command.
        return self._run([BIN / "pdm", "install", "--no-self"], env=env, cwd=project)


@pytest.fixture
def clients(client_env, index, tmp_path):
    yield Clients(client_env, index, tmp_path)
    # Whatever happened, nothing was installed into the environment running the tests.
    ours = Path(BIN).parent / "lib"
    assert not list(ours.glob("python3*/site-packages/acme_secret*"))
    assert not list(ours.glob("python3*/site-packages/public_dep*"))


# --- installs through one URL -----------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_client_gets_the_private_package_and_its_public_dependency_through_one_url(
    client, proxied, clients, read_token
):
    """The private 1.0 from privindex, public-dep 2.0 (not the yanked 2.1) from the upstream
    through privindex; then, with the upstream stopped, all of it again from privindex's
    cache into a fresh client."""
    first = clients.install(client, read_token)
    first.assert_private_and_public_dep()
    assert proxied.requested("public-dep", "file"), proxied.requests()
    assert_never_asked_about_acme_secret(proxied)
    assert_upstream_saw_only_privindex(proxied)

    seen = len(proxied.log())
    with proxied.down():
        again = clients.install(client, read_token)
        again.assert_private_and_public_dep()
    assert len(proxied.log()) == seen  # it was down: nothing reached it
    assert_never_asked_about_acme_secret(proxied)


@pytest.mark.parametrize("client", CLIENTS)
def test_client_never_gets_the_impostor_whatever_it_sends(client, proxied, clients, e2e_cast):
    """No credentials (the private project is invisible: 404), a wrong token (401), a valid
    token of someone who may not read acme-secret (404): the install fails, and the upstream's
    acme-secret 9.9.9 is never fetched, by privindex or by anyone."""
    outsider = e2e_cast.secret("outsider_token")
    for label, token in (("no token", None), ("wrong token", WRONG_TOKEN), ("outsider", outsider)):
        run = clients.install(client, token)
        assert not run.result.ok, f"{client} with {label} succeeded:\n{run.result.output}"
        assert "acme-secret" in run.result.output, run.result.output  # failed over that name
        run.assert_no_impostor()
        assert "acme-secret" not in run.dists(), f"{client} with {label}: {run.dists()}"
    assert_never_asked_about_acme_secret(proxied)
    assert_upstream_saw_only_privindex(proxied)


def test_a_local_name_is_never_answered_from_the_upstream(proxied, index, read_token, e2e_cast):
    """Whoever asks, in either format, and for the impostor's file URL directly."""
    outsider = e2e_cast.secret("outsider_token")
    impostor = next(p.name for p in proxied.files("acme-secret") if p.suffix == ".whl")
    for token, page_status in ((None, 404), (WRONG_TOKEN, 401), (outsider, 404), (read_token, 200)):
        for accept in (JSON, "text/html"):
            status, _, body = http_get(index.simple() + "acme-secret/", token, accept)
            assert status == page_status, (token, accept, status, body[:300])
            assert b"9.9.9" not in body
        for filename in (impostor, f"{impostor}.metadata"):
            status, _, body = http_get(f"{index.base}/files/upstream/acme-secret/{filename}", token)
            assert status in (401, 404), (token, filename, status)
    status, _, body = http_get(index.simple() + "acme-secret/", read_token, JSON)
    assert {f["filename"] for f in json.loads(body)["files"]} == {
        "acme_secret-1.0-py3-none-any.whl", "acme_secret-1.0.tar.gz",
    }  # fmt: skip
    assert_never_asked_about_acme_secret(proxied)


# --- reserved namespaces ----------------------------------------------------------------------


def test_a_name_in_a_reserved_namespace_is_never_asked_of_the_upstream(
    upstream, alice, index, read_token, clients
):
    call_command("grantnamespace", "corp", "--user", alice.username)
    upstream.add("corp", "1.0")
    upstream.add("corp-utils", "1.0")
    upstream.add("corporate-tools", "1.0")  # outside the namespace (PEP 752: corp and corp-*)
    for name in ("corp", "corp-utils"):
        for token in (None, read_token):
            for accept in (JSON, "text/html"):
                status, _, _ = http_get(f"{index.simple()}{name}/", token, accept)
                assert status == 404, (name, token, accept, status)
            filename = f"{dists.dist_name(name)}-1.0-py3-none-any.whl"
            status, _, _ = http_get(f"{index.base}/files/upstream/{name}/{filename}", token)
            assert status == 404, (name, filename, token, status)
    run = clients.install("pip", read_token, "corp-utils")
    assert not run.result.ok, run.result.output
    assert not (run.root / "site" / "corp_utils.py").exists()
    assert not upstream.requested("corp"), upstream.requests()
    assert not upstream.requested("corp-utils"), upstream.requests()
    # The control: a name outside the namespace is proxied.
    status, _, body = http_get(f"{index.simple()}corporate-tools/", None, JSON)
    assert status == 200, body[:300]
    assert upstream.requested("corporate-tools")


# --- the upstream down ------------------------------------------------------------------------


def test_stale_pages_and_stored_files_are_served_while_the_upstream_is_down(
    proxied, clients, read_token, index, settings
):
    """With no freshness at all (TTL 0) every page is revalidated: with the upstream down,
    privindex serves the last good copy; a name it never saw answers 502 or 504."""
    settings.PRIVINDEX_UPSTREAM_TTL = 0
    clients.install("pip", read_token).assert_private_and_public_dep()
    clients.install("uv", read_token).assert_private_and_public_dep()
    # uv's requests made privindex revalidate the pages pip's had cached (conditionally),
    # and take the files from its store.
    pages = [r for r in proxied.log() if r["path"] == "/simple/public-dep/"]
    assert len(pages) >= 2, proxied.requests()
    assert all(r["if-none-match"] or r["if-modified-since"] for r in pages[1:]), pages
    assert len(proxied.requested("public-dep", "file")) == len(
        set(proxied.requested("public-dep", "file"))
    ), "a file was fetched twice from the upstream"
    with proxied.down():
        clients.install("pip", read_token).assert_private_and_public_dep()
        clients.install("uv", read_token).assert_private_and_public_dep()
        for token in (None, read_token):
            status, _, body = http_get(index.simple() + "never-seen-before/", token)
            assert status in (502, 504), (status, body[:300])
    assert_never_asked_about_acme_secret(proxied)


# --- hashes -----------------------------------------------------------------------------------


def test_a_tampered_upstream_file_is_refused_and_not_kept(upstream, clients, index, tmp_path):
    """public-dep 2.0's wheel is served with bytes that do not match the upstream page's
    hash: the install fails, again on a second try, and no copy of those bytes is kept;
    once the upstream serves the right bytes, they install."""
    real_sha = upstream.sha256(DEP_WHEEL)
    tampered = upstream.tamper(DEP_WHEEL)
    for _attempt in range(2):
        run = clients.install("pip", None, "public-app", env=NO_RETRIES)
        assert not run.result.ok, run.result.output
        assert run.dists().get("public-dep") is None
    status, _, body = http_get(index.simple() + "public-dep/", None, JSON)
    assert status == 200, body[:300]
    url = next(f["url"] for f in json.loads(body)["files"] if f["filename"] == DEP_WHEEL)
    assert url.startswith(("/", index.base)), url  # a privindex URL, not the upstream's
    file_url = url if url.startswith("http") else index.base + url
    status, _, served = http_get(file_url)
    assert status != 200 and served != tampered, status
    kept = [
        path
        for directory in (
            django_settings.PRIVINDEX_FILES_DIR,
            django_settings.PRIVINDEX_STAGING_DIR,
        )
        for path in Path(directory).rglob("*")
        if path.is_file() and path.stat().st_size == len(tampered) and path.read_bytes() == tampered
    ]
    assert kept == [], kept
    fetches = [p for p in upstream.requested("public-dep", "file") if p.endswith(DEP_WHEEL)]
    assert len(fetches) >= 2, upstream.requests()  # refused, not cached: asked again each time

    upstream.untamper(DEP_WHEEL)
    run = clients.install("pip", None, "public-app")
    assert run.result.ok, run.result.output
    assert run.dists() == {"public-app": "1.0", "public-dep": "2.0"}
    status, _, served = http_get(file_url)
    assert status == 200
    assert hashlib.sha256(served).hexdigest() == real_sha


# --- what the proxied pages say ---------------------------------------------------------------


@pytest.mark.parametrize("html_only", [False, True], ids=["json-upstream", "html-only-upstream"])
def test_proxied_pages_keep_the_upstream_data_with_privindex_urls(
    upstream, index, clients, html_only
):
    """From a PEP 691 upstream or an HTML-only one, privindex serves both formats with the
    hashes, requires-python, yanked and core-metadata of the upstream, and file URLs of its
    own; pip and uv install from them."""
    upstream.html_only(html_only)
    status, headers, body = http_get(index.simple() + "public-dep/", None, JSON)
    assert status == 200, body[:300]
    assert headers["Content-Type"].startswith(JSON)
    files = {f["filename"]: f for f in json.loads(body)["files"]}
    assert set(files) == {p.name for p in upstream.files("public-dep")}
    wheel = files[DEP_WHEEL]
    assert wheel["hashes"]["sha256"] == upstream.sha256(DEP_WHEEL)
    assert wheel["requires-python"] == ">=3.8"
    assert wheel["core-metadata"] not in (False, None)
    assert files["public_dep-2.1-py3-none-any.whl"]["yanked"] == "broken build"
    assert not wheel["yanked"]
    for entry in files.values():
        assert str(upstream.port) not in entry["url"], entry["url"]
        assert "/files/upstream/public-dep/" in entry["url"], entry["url"]
    status, headers, body = http_get(index.simple() + "public-dep/", None, "text/html")
    assert status == 200
    html = body.decode()
    assert f"#sha256={upstream.sha256(DEP_WHEEL)}" in html
    assert 'data-yanked="broken build"' in html
    assert 'data-requires-python="&gt;=3.8"' in html
    assert str(upstream.port) not in html
    for client in ("pip", "uv"):
        run = clients.install(client, None, "public-app")
        assert run.result.ok, run.result.output
        assert run.dists() == {"public-app": "1.0", "public-dep": "2.0"}
        assert run.module("public_dep") == 'VERSION = "2.0"\n'
    assert_upstream_saw_only_privindex(upstream)
