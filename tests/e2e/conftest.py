"""End-to-end fixtures: a live server and the real clients (pip, uv, twine) as subprocesses."""

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import factories
from tests.principals import Cast

BIN = Path(sys.executable).parent


@dataclass
class Result:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@pytest.fixture
def client_env(tmp_path):
    """An environment with no user config, no keyring, no cache and no prompts."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(home),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INPUT": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "UV_NO_CONFIG": "1",
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
    }
    return env


@pytest.fixture
def run(client_env):
    def _run(*args: str, timeout: int = 180) -> Result:
        proc = subprocess.run(
            [str(a) for a in args],
            env=client_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout + proc.stderr)

    return _run


class Index:
    """URLs of the live index, with or without credentials."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        parts = urlsplit(self.base)
        self.netloc = parts.netloc

    def simple(self, token: str | None = None, path: str = "simple") -> str:
        if token is None:
            return f"{self.base}/{path}/"
        return f"http://__token__:{token}@{self.netloc}/{path}/"

    @property
    def upload(self) -> str:
        return f"{self.base}/legacy/"


@pytest.fixture
def index(live_server):
    return Index(live_server.url)


@pytest.fixture
def twine(run, index):
    def _upload(token: str, *files: Path) -> Result:
        return run(
            BIN / "twine", "upload", "--non-interactive", "--disable-progress-bar",
            "--repository-url", index.upload, "-u", "__token__", "-p", token, *files,
        )  # fmt: skip

    return _upload


@pytest.fixture
def pip_download(run, tmp_path):
    counter = iter(range(1000))

    def _download(index_url: str, requirement: str, *extra: str) -> tuple[Result, Path]:
        dest = tmp_path / f"pip-download-{next(counter)}"
        result = run(
            BIN / "pip", "download", "--no-deps", "--index-url", index_url,
            "-d", dest, *extra, requirement,
        )  # fmt: skip
        return result, dest

    return _download


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def alice(db):
    return factories.UserFactory(username="alice")


@pytest.fixture
def e2e_cast(alice):
    """The catalogue's principals (tests/principals.py), with alice as the owner."""
    return Cast(owner=alice)


@pytest.fixture
def upload_token(e2e_cast):
    return e2e_cast.secret("upload_token")


@pytest.fixture
def read_token(e2e_cast):
    return e2e_cast.secret("read_token")
